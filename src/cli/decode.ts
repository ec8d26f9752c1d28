// Decoding of captured frames for `bsdsock capture`: Ethernet (and 802.1Q),
// ARP, IPv4, IPv6, TCP, UDP, ICMP and ICMPv6, into fields and the one line
// `tcpdump -n` would print for them.
import * as socket from '../index';

// linux/if_ether.h EtherTypes and linux/if_arp.h hardware types.
const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_IPV6 = 0x86dd;
const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;

/** What one frame held; `line` is the tcpdump-like text. */
export interface Decoded {
  /** `IPv4`, `IPv6`, `ARP`, or `ethertype 0x....`. */
  network: string;
  /** `TCP`, `UDP`, `ICMP`, `ICMP6`, or `ip-proto-N`; absent for non-IP frames. */
  transport?: string;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  ttl?: number;
  ethernet?: { src: string; dst: string; ethertype: number; vlan?: number };
  tcp?: { flags: string; seq: number; ack?: number; win: number };
  icmp?: { type: number; code: number; id?: number; seq?: number };
  /** Bytes of the transport's payload (UDP, TCP data, the whole ICMP message), or of the network packet. */
  length: number;
  line: string;
}

const mac = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** Whether frames of this hardware type start with an Ethernet header. */
export function hasEthernetHeader(hatype: number): boolean {
  return hatype === ARPHRD_ETHER || hatype === ARPHRD_LOOPBACK;
}

/**
 * Decodes one frame read from an AF_PACKET SOCK_RAW socket. `hatype` and
 * `protocol` come from its address tuple: frames of other hardware types
 * carry no link-layer header, and `protocol` (host order) says what follows.
 */
export function decodeFrame(frame: Buffer, hatype: number, protocol: number): Decoded {
  let ethernet: Decoded['ethernet'];
  let ethertype = protocol;
  let at = 0;
  if (hasEthernetHeader(hatype) && frame.length >= 14) {
    ethertype = frame.readUInt16BE(12);
    ethernet = { dst: mac(frame.subarray(0, 6)), src: mac(frame.subarray(6, 12)), ethertype };
    at = 14;
    if (ethertype === ETHERTYPE_VLAN && frame.length >= 18) {
      ethernet.vlan = frame.readUInt16BE(14) & 0x0fff;
      ethertype = frame.readUInt16BE(16);
      ethernet.ethertype = ethertype;
      at = 18;
    }
  }
  const packet = frame.subarray(at);
  let decoded: Omit<Decoded, 'ethernet'>;
  if (ethertype === ETHERTYPE_IP) decoded = decodeIPv4(packet);
  else if (ethertype === ETHERTYPE_IPV6) decoded = decodeIPv6(packet);
  else if (ethertype === ETHERTYPE_ARP) decoded = decodeArp(packet);
  else {
    const name = `ethertype 0x${ethertype.toString(16).padStart(4, '0')}`;
    decoded = { network: name, length: packet.length, line: `${name}, length ${packet.length}` };
  }
  return ethernet ? { ...decoded, ethernet } : decoded;
}

/** The line with the Ethernet header in front, as tcpdump -e prints it. */
export function withLinkHeader(d: Decoded, frameLength: number): string {
  if (!d.ethernet) return d.line;
  const { src, dst, ethertype, vlan } = d.ethernet;
  const names: Record<number, string> = { [ETHERTYPE_IP]: 'IPv4', [ETHERTYPE_IPV6]: 'IPv6', [ETHERTYPE_ARP]: 'ARP' };
  const type = `ethertype ${names[ethertype] ?? 'Unknown'} (0x${ethertype.toString(16).padStart(4, '0')})`;
  return `${src} > ${dst}, ${vlan !== undefined ? `vlan ${vlan}, ` : ''}${type}, length ${frameLength}: ${d.line}`;
}

function truncated(network: string, length: number): Omit<Decoded, 'ethernet'> {
  return { network, length, line: `${network === 'IPv4' ? 'IP' : network === 'IPv6' ? 'IP6' : network} truncated, length ${length}` };
}

function decodeIPv4(p: Buffer): Omit<Decoded, 'ethernet'> {
  if (p.length < 20) return truncated('IPv4', p.length);
  const ihl = (p[0] & 0x0f) * 4;
  const total = Math.min(p.readUInt16BE(2), p.length);
  const src = socket.inet_ntop(socket.AF_INET, p.subarray(12, 16));
  const dst = socket.inet_ntop(socket.AF_INET, p.subarray(16, 20));
  const fragmentOffset = p.readUInt16BE(6) & 0x1fff;
  const body = p.subarray(ihl, total);
  if (fragmentOffset !== 0) {
    return { network: 'IPv4', src, dst, ttl: p[8], length: body.length, line: `IP ${src} > ${dst}: ip-proto-${p[9]} (fragment), length ${body.length}` };
  }
  return { network: 'IPv4', ...decodeTransport('IP', p[9], src, dst, body), ttl: p[8] };
}

function decodeIPv6(p: Buffer): Omit<Decoded, 'ethernet'> {
  if (p.length < 40) return truncated('IPv6', p.length);
  const src = socket.inet_ntop(socket.AF_INET6, p.subarray(8, 24));
  const dst = socket.inet_ntop(socket.AF_INET6, p.subarray(24, 40));
  const body = p.subarray(40, 40 + p.readUInt16BE(4));
  return { network: 'IPv6', ...decodeTransport('IP6', p[6], src, dst, body), ttl: p[7] };
}

const TCP_FLAGS: [number, string][] = [
  [0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W'],
];
const ICMP_TYPES: Record<number, string> = { 0: 'echo reply', 3: 'unreachable', 5: 'redirect', 8: 'echo request', 11: 'time exceeded' };
const ICMP6_TYPES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded', 128: 'echo request', 129: 'echo reply',
  133: 'router solicitation', 134: 'router advertisement', 135: 'neighbor solicitation', 136: 'neighbor advertisement',
};

function decodeTransport(ip: 'IP' | 'IP6', proto: number, src: string, dst: string, b: Buffer): Omit<Decoded, 'network' | 'ethernet'> {
  // tcpdump writes a port after the address with a dot: 127.0.0.1.5000, ::1.5000.
  const ends = (sport: number, dport: number) => `${ip} ${src}.${sport} > ${dst}.${dport}`;
  if (proto === IPPROTO_UDP && b.length >= 8) {
    const sport = b.readUInt16BE(0);
    const dport = b.readUInt16BE(2);
    const length = Math.max(b.readUInt16BE(4) - 8, 0);
    return { transport: 'UDP', src, dst, sport, dport, length, line: `${ends(sport, dport)}: UDP, length ${length}` };
  }
  if (proto === IPPROTO_TCP && b.length >= 20) {
    const sport = b.readUInt16BE(0);
    const dport = b.readUInt16BE(2);
    const seq = b.readUInt32BE(4);
    const ackNumber = b.readUInt32BE(8);
    const dataOffset = (b[12] >> 4) * 4;
    const bits = b[13];
    const win = b.readUInt16BE(14);
    const length = Math.max(b.length - dataOffset, 0);
    const flags = TCP_FLAGS.filter(([bit]) => bits & bit).map(([, c]) => c).join('') || 'none';
    const ack = bits & 0x10 ? ackNumber : undefined;
    const seqText = length > 0 || bits & 0x03 ? `, seq ${seq}${length > 0 ? `:${(seq + length) >>> 0}` : ''}` : '';
    const line = `${ends(sport, dport)}: Flags [${flags}]${seqText}${ack !== undefined ? `, ack ${ack}` : ''}, win ${win}, length ${length}`;
    return { transport: 'TCP', src, dst, sport, dport, length, tcp: { flags, seq, ...(ack !== undefined ? { ack } : {}), win }, line };
  }
  if ((proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) && b.length >= 4) {
    const v6 = proto === IPPROTO_ICMPV6;
    const type = b[0];
    const code = b[1];
    const echo = v6 ? type === 128 || type === 129 : type === 0 || type === 8;
    const icmp: Decoded['icmp'] = { type, code };
    let what = (v6 ? ICMP6_TYPES : ICMP_TYPES)[type] ?? `type ${type}`;
    if (echo && b.length >= 8) {
      icmp.id = b.readUInt16BE(4);
      icmp.seq = b.readUInt16BE(6);
      what += `, id ${icmp.id}, seq ${icmp.seq}`;
    } else if (!v6 && type === 3 && code === 3 && b.length >= 8 + 20 + 4) {
      // Port unreachable quotes the IP header and the first bytes of what was sent.
      const quoted = b.subarray(8);
      const qproto = quoted[9];
      const qdst = socket.inet_ntop(socket.AF_INET, quoted.subarray(16, 20));
      const qport = quoted.readUInt16BE((quoted[0] & 0x0f) * 4 + 2);
      what = `${qdst} ${qproto === IPPROTO_UDP ? 'udp' : qproto === IPPROTO_TCP ? 'tcp' : `ip-proto-${qproto}`} port ${qport} unreachable`;
    } else if (!echo && code !== 0) what += ` (code ${code})`;
    const name = v6 ? 'ICMP6' : 'ICMP';
    return { transport: name, src, dst, icmp, length: b.length, line: `${ip} ${src} > ${dst}: ${name}${v6 ? ',' : ''} ${what}, length ${b.length}` };
  }
  return { transport: `ip-proto-${proto}`, src, dst, length: b.length, line: `${ip} ${src} > ${dst}: ip-proto-${proto} ${b.length}` };
}

function decodeArp(p: Buffer): Omit<Decoded, 'ethernet'> {
  // Ethernet/IPv4 ARP (RFC 826): 28 bytes.
  if (p.length < 28 || p.readUInt16BE(0) !== 1 || p.readUInt16BE(2) !== ETHERTYPE_IP) {
    return { network: 'ARP', length: p.length, line: `ARP, length ${p.length}` };
  }
  const op = p.readUInt16BE(6);
  const senderMac = mac(p.subarray(8, 14));
  const sender = socket.inet_ntop(socket.AF_INET, p.subarray(14, 18));
  const target = socket.inet_ntop(socket.AF_INET, p.subarray(24, 28));
  const text = op === 1 ? `Request who-has ${target} tell ${sender}` : op === 2 ? `Reply ${sender} is-at ${senderMac}` : `op ${op}`;
  return { network: 'ARP', src: sender, dst: target, length: 28, line: `ARP, ${text}, length 28` };
}
