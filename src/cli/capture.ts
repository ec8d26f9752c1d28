// bsdsock capture IFACE: tcpdump -n over an AF_PACKET socket, one decoded
// line per frame.
import { endianness } from 'node:os';
import * as socket from '../index';
import { EXIT_OK, Failure, interruption, note, numberOption, parseCommand, step, UsageError, writeJson, writeOut, type Command } from './common';
import { decodeFrame, withLinkHeader, type Decoded } from './decode';

const ARPHRD_LOOPBACK = 772;
const DIRECTIONS: Record<number, string> = {
  [socket.PACKET_HOST]: 'In',
  [socket.PACKET_BROADCAST]: 'B',
  [socket.PACKET_MULTICAST]: 'M',
  [socket.PACKET_OTHERHOST]: 'P',
  [socket.PACKET_OUTGOING]: 'Out',
};

/** --proto words and what each matches. */
const PROTOCOLS: Record<string, (d: Decoded) => boolean> = {
  tcp: (d) => d.transport === 'TCP',
  udp: (d) => d.transport === 'UDP',
  icmp: (d) => d.transport === 'ICMP',
  icmp6: (d) => d.transport === 'ICMP6',
  arp: (d) => d.network === 'ARP',
  ip: (d) => d.network === 'IPv4',
  ip6: (d) => d.network === 'IPv6',
};

const le = endianness() === 'LE';
const i64 = (b: Buffer, at: number) => Number(le ? b.readBigInt64LE(at) : b.readBigInt64BE(at));

/** HH:MM:SS.uuuuuu in local time, as tcpdump stamps a packet. */
function clock(seconds: number, nanoseconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(Math.floor(nanoseconds / 1000)).padStart(6, '0')}`;
}

export const capture: Command = {
  name: 'capture',
  summary: 'print the packets on interface IFACE, one decoded line each (tcpdump -n)',
  help: `Usage: bsdsock capture [options] IFACE

Captures the frames on interface IFACE ('any' for every interface) with an
AF_PACKET socket and prints one line per frame, as tcpdump -n -i any does:
time, interface, direction (In, Out, B broadcast, M multicast, P other
host), then Ethernet, ARP, IPv4, IPv6, TCP, UDP, ICMP or ICMPv6 decoded.
On a loopback interface each packet is shown once (as it comes in).
Needs root (CAP_NET_RAW). Ends after --count packets, after --timeout
seconds, or on Ctrl-C; then says on stderr how many were captured and how
many the kernel dropped.

Options:
  -c, --count COUNT      stop after COUNT matching packets
  -t, --timeout SECONDS  stop after SECONDS
  -p, --proto PROTOS     only these, separated by commas: tcp, udp, icmp,
                         icmp6, arp, ip, ip6
  -P, --port PORT        only TCP or UDP packets from or to PORT
  -e, --link             print the Ethernet header too (tcpdump -e)
      --json             one JSON line per packet (the decoded fields and
                         the text line)
  -h, --help             this help

Exit status: 0, 1 on an error (no permission included), 2 for a usage
mistake.`,

  async run(args) {
    const parsed = parseCommand(
      this,
      args,
      {
        count: { type: 'string', short: 'c' },
        timeout: { type: 'string', short: 't' },
        proto: { type: 'string', short: 'p' },
        port: { type: 'string', short: 'P' },
        link: { type: 'boolean', short: 'e' },
      },
      { names: ['IFACE'] },
    );
    if (parsed === null) return EXIT_OK;
    const { values, positionals } = parsed;
    const count = numberOption(this, '--count', values.count as string | undefined, { min: 1, integer: true });
    const timeout = numberOption(this, '--timeout', values.timeout as string | undefined, { min: 0.001 });
    const port = numberOption(this, '--port', values.port as string | undefined, { min: 0, max: 65535, integer: true });
    const wanted = ((values.proto as string | undefined) ?? '').split(',').filter((w) => w !== '');
    for (const w of wanted) {
      if (!(w.toLowerCase() in PROTOCOLS)) throw new UsageError(this.name, `--proto: '${w}' is none of ${Object.keys(PROTOCOLS).join(', ')}`);
    }
    const matches = (d: Decoded) =>
      (wanted.length === 0 || wanted.some((w) => PROTOCOLS[w.toLowerCase()](d))) &&
      (port === undefined || ((d.transport === 'TCP' || d.transport === 'UDP') && (d.sport === port || d.dport === port)));
    const iface = positionals[0];
    const json = values.json === true;
    const context = `capture ${iface}`;
    const cap = await step(
      context,
      // For one interface, protocol 0 receives nothing until bind names the
      // interface, so no frame of another interface slips in first.
      () => socket.socket(socket.AF_PACKET, socket.SOCK_RAW, iface === 'any' ? socket.htons(socket.ETH_P_ALL) : 0),
      (e) => (e instanceof socket.PermissionError ? 'capturing needs root (CAP_NET_RAW)' : undefined),
    );
    const interrupt = interruption();
    const signals = [interrupt.signal];
    if (timeout !== undefined) signals.push(AbortSignal.timeout(timeout * 1000));
    const signal = AbortSignal.any(signals);
    let captured = 0;
    try {
      await step(context, () => {
        if (iface !== 'any') cap.bind([iface, socket.ETH_P_ALL]);
        cap.setsockopt(socket.SOL_SOCKET, socket.SO_TIMESTAMPNS, 1);
      });
      note(`capturing on ${iface}`); // as tcpdump says where it listens
      const ancbufsize = socket.CMSG_SPACE(16);
      while (count === undefined || captured < count) {
        let result: socket.RecvmsgResult;
        try {
          result = await cap.recvmsgAsync(65536, ancbufsize, 0, { signal });
        } catch (e) {
          if (signal.aborted) break; // --timeout or Ctrl-C: the normal end
          throw new Failure(context, e);
        }
        const [frame, ancdata, , from] = result;
        const [ifname, protocol, pkttype, hatype] = from as [string, number, number, number, Buffer];
        // lo hands a capture socket every packet twice, going out and coming in.
        if (hatype === ARPHRD_LOOPBACK && pkttype === socket.PACKET_OUTGOING) continue;
        const decoded = decodeFrame(frame, hatype, protocol);
        if (!matches(decoded)) continue;
        captured++;
        let seconds = Date.now() / 1000;
        let nanoseconds = Math.round((seconds % 1) * 1e9);
        seconds = Math.floor(seconds);
        for (const [level, type, data] of ancdata) {
          if (level === socket.SOL_SOCKET && type === socket.SO_TIMESTAMPNS && data.length >= 16) {
            seconds = i64(data, 0);
            nanoseconds = i64(data, 8);
          }
        }
        const direction = DIRECTIONS[pkttype] ?? String(pkttype);
        const text = values.link ? withLinkHeader(decoded, frame.length) : decoded.line;
        const line = `${clock(seconds, nanoseconds)} ${ifname} ${direction.padEnd(3)} ${text}`;
        if (json) await writeJson({ time: seconds + nanoseconds / 1e9, ifname, direction, frame_length: frame.length, ...decoded, line });
        else await writeOut(`${line}\n`);
      }
      const stats = cap.getsockopt(socket.SOL_PACKET, socket.PACKET_STATISTICS, 8) as Buffer;
      const dropped = le ? stats.readUInt32LE(4) : stats.readUInt32BE(4);
      note(`${captured} packet${captured === 1 ? '' : 's'} captured, ${dropped} dropped by the kernel`);
      return EXIT_OK;
    } finally {
      cap.close();
      interrupt.dispose();
    }
  },
};
