// bsdsock ifaces: the interfaces and their addresses, asked of the kernel
// over rtnetlink (RTM_GETLINK and RTM_GETADDR dumps), as `ip addr` does.
import { endianness } from 'node:os';
import * as socket from '../index';
import { EXIT_OK, parseCommand, step, writeJson, writeOut, type Command } from './common';

// linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h.
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLMSG_HDRLEN = 16;
const IFINFOMSG_LEN = 16; // family u8, pad u8, type u16, index i32, flags u32, change u32
const IFADDRMSG_LEN = 8; // family u8, prefixlen u8, flags u8, scope u8, index u32
const IFLA_ADDRESS = 1;
const IFLA_BROADCAST = 2;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_OPERSTATE = 16;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;

/** linux/if.h's IFF_* flags, named as `ip link` names them, lowest bit first. */
const IFF_NAMES = [
  'UP', 'BROADCAST', 'DEBUG', 'LOOPBACK', 'POINTOPOINT', 'NOTRAILERS', 'RUNNING', 'NOARP', 'PROMISC', 'ALLMULTI',
  'MASTER', 'SLAVE', 'MULTICAST', 'PORTSEL', 'AUTOMEDIA', 'DYNAMIC', 'LOWER_UP', 'DORMANT', 'ECHO',
];
/** RFC 2863 operational states, by IFLA_OPERSTATE's value. */
const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
/** linux/if_arp.h hardware types, by the names `ip -j link` gives them. */
const LINK_TYPES: Record<number, string> = { 1: 'ether', 768: 'ipip', 769: 'tunnel6', 772: 'loopback', 776: 'sit', 778: 'gre', 823: 'ip6gre', 65534: 'none' };
const SCOPES: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

const le = endianness() === 'LE';
const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
const u32 = (b: Buffer, at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
const i32 = (b: Buffer, at: number) => (le ? b.readInt32LE(at) : b.readInt32BE(at));
const align4 = (n: number) => (n + 3) & ~3;

/** One address of an interface, with `ip -j addr`'s field names. */
export interface InterfaceAddress {
  family: 'inet' | 'inet6' | string;
  local: string;
  address?: string; // the peer of a point-to-point address
  prefixlen: number;
  broadcast?: string;
  scope: string;
  label?: string;
}

/** One interface, with `ip -j link`'s field names. */
export interface Interface {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number | null;
  operstate: string;
  link_type: string;
  address?: string;
  broadcast?: string;
  addr_info: InterfaceAddress[];
}

/** The rtattrs from `at` to the end of `msg`, by type. */
function attributes(msg: Buffer, at: number): Map<number, Buffer> {
  const attrs = new Map<number, Buffer>();
  while (at + 4 <= msg.length) {
    const len = u16(msg, at);
    if (len < 4 || at + len > msg.length) break; // malformed: stop rather than loop
    attrs.set(u16(msg, at + 2) & 0x3fff, msg.subarray(at + 4, at + len)); // without NLA_F_NESTED/NET_BYTEORDER
    at += align4(len);
  }
  return attrs;
}

const cString = (b: Buffer) => b.toString('latin1').replace(/\0[\s\S]*$/, '');
const mac = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** Sends one dump request and gathers the messages of the answer, up to NLMSG_DONE. */
async function dump(nl: socket.Socket, type: number, body: Buffer, seq: number): Promise<Buffer[]> {
  const request = Buffer.alloc(NLMSG_HDRLEN + body.length);
  const put16 = (v: number, at: number) => (le ? request.writeUInt16LE(v, at) : request.writeUInt16BE(v, at));
  const put32 = (v: number, at: number) => (le ? request.writeUInt32LE(v, at) : request.writeUInt32BE(v, at));
  put32(request.length, 0);
  put16(type, 4);
  put16(NLM_F_REQUEST | NLM_F_DUMP, 6);
  put32(seq, 8);
  body.copy(request, NLMSG_HDRLEN);
  await nl.sendtoAsync(request, [0, 0]);
  const messages: Buffer[] = [];
  // Each datagram holds whole messages; the kernel sizes them to fit a page or two.
  for (let done = false; !done; ) {
    const data = await nl.recvAsync(65536);
    for (let at = 0; at + NLMSG_HDRLEN <= data.length; ) {
      const len = u32(data, at);
      if (len < NLMSG_HDRLEN) break;
      const msg = data.subarray(at, at + len);
      at += align4(len);
      if (u32(msg, 8) !== seq) continue;
      const kind = u16(msg, 4);
      if (kind === NLMSG_DONE) done = true;
      else if (kind === NLMSG_ERROR) {
        const errno = -i32(msg, NLMSG_HDRLEN);
        if (errno !== 0) throw new socket.OSError(errno, 'netlink request failed');
      } else messages.push(msg);
    }
  }
  return messages;
}

/** Every interface and its addresses, in index order. */
export async function listInterfaces(): Promise<Interface[]> {
  const nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE);
  try {
    nl.bind([0, 0]);
    nl.settimeout(5); // the kernel answers at once; this only bounds a surprise
    const links = new Map<number, Interface>();
    for (const msg of await dump(nl, RTM_GETLINK, Buffer.alloc(IFINFOMSG_LEN), 1)) {
      if (u16(msg, 4) !== RTM_NEWLINK) continue;
      const base = NLMSG_HDRLEN;
      const hatype = u16(msg, base + 2);
      const index = i32(msg, base + 4);
      const flagBits = u32(msg, base + 8);
      const attrs = attributes(msg, base + IFINFOMSG_LEN);
      const hw = attrs.get(IFLA_ADDRESS);
      const broadcast = attrs.get(IFLA_BROADCAST);
      const operstate = attrs.get(IFLA_OPERSTATE);
      const mtu = attrs.get(IFLA_MTU);
      links.set(index, {
        ifindex: index,
        ifname: cString(attrs.get(IFLA_IFNAME) ?? Buffer.alloc(0)),
        flags: IFF_NAMES.filter((_, bit) => flagBits & (1 << bit)),
        mtu: mtu ? u32(mtu, 0) : null,
        operstate: operstate ? (OPERSTATES[operstate[0]] ?? String(operstate[0])) : 'UNKNOWN',
        link_type: LINK_TYPES[hatype] ?? String(hatype),
        ...(hw && hw.length > 0 ? { address: mac(hw) } : {}),
        ...(broadcast && broadcast.length > 0 ? { broadcast: mac(broadcast) } : {}),
        addr_info: [],
      });
    }
    for (const msg of await dump(nl, RTM_GETADDR, Buffer.alloc(IFADDRMSG_LEN), 2)) {
      if (u16(msg, 4) !== RTM_NEWADDR) continue;
      const base = NLMSG_HDRLEN;
      const family = msg[base];
      if (family !== socket.AF_INET && family !== socket.AF_INET6) continue;
      const attrs = attributes(msg, base + IFADDRMSG_LEN);
      const text = (b: Buffer | undefined) => (b ? socket.inet_ntop(family, b) : undefined);
      const local = text(attrs.get(IFA_LOCAL)) ?? text(attrs.get(IFA_ADDRESS));
      if (local === undefined) continue;
      const peer = text(attrs.get(IFA_ADDRESS));
      const broadcast = text(attrs.get(IFA_BROADCAST));
      const label = attrs.get(IFA_LABEL);
      const scope = msg[base + 3];
      links.get(u32(msg, base + 4))?.addr_info.push({
        family: family === socket.AF_INET ? 'inet' : 'inet6',
        local,
        ...(peer !== undefined && peer !== local ? { address: peer } : {}),
        prefixlen: msg[base + 1],
        ...(broadcast !== undefined ? { broadcast } : {}),
        scope: SCOPES[scope] ?? String(scope),
        ...(label ? { label: cString(label) } : {}),
      });
    }
    return [...links.values()].sort((a, b) => a.ifindex - b.ifindex);
  } finally {
    nl.close();
  }
}

export const ifaces: Command = {
  name: 'ifaces',
  summary: 'list the network interfaces and their addresses (ip addr)',
  help: `Usage: bsdsock ifaces [options] [NAME]

Lists the network interfaces (or the one named NAME) with their index,
flags, MTU, operational state, link-layer address and IP addresses, asking
the kernel over rtnetlink (RTM_GETLINK, RTM_GETADDR) as ip(8) does. No
root needed.

Options:
      --json             a JSON array with ip -j's field names (ifindex,
                         ifname, flags, mtu, operstate, link_type, address,
                         broadcast, addr_info: family, local, prefixlen,
                         broadcast, scope, label)
  -h, --help             this help

Exit status: 0, 1 on an error (no interface NAME included), 2 for a usage
mistake.`,

  async run(args) {
    const parsed = parseCommand(this, args, {}, { names: ['NAME'], min: 0 });
    if (parsed === null) return EXIT_OK;
    const [name] = parsed.positionals;
    let list = await step('ifaces: netlink', listInterfaces);
    if (name !== undefined) {
      list = list.filter((i) => i.ifname === name);
      if (list.length === 0) await step(`ifaces ${name}`, () => socket.if_nametoindex(name)); // raises Python's error
    }
    if (parsed.values.json) {
      await writeJson(list);
      return EXIT_OK;
    }
    const lines: string[] = [];
    for (const i of list) {
      lines.push(`${i.ifindex}: ${i.ifname}: <${i.flags.join(',')}> mtu ${i.mtu ?? '?'} state ${i.operstate}`);
      if (i.address !== undefined) lines.push(`    link/${i.link_type} ${i.address}${i.broadcast !== undefined ? ` brd ${i.broadcast}` : ''}`);
      else lines.push(`    link/${i.link_type}`);
      for (const a of i.addr_info) {
        const peer = a.address !== undefined ? ` peer ${a.address}` : '';
        const brd = a.broadcast !== undefined ? ` brd ${a.broadcast}` : '';
        lines.push(`    ${a.family} ${a.local}${peer}/${a.prefixlen}${brd} scope ${a.scope}${a.label !== undefined ? ` ${a.label}` : ''}`);
      }
    }
    await writeOut(lines.map((l) => `${l}\n`).join(''));
    return EXIT_OK;
  },
};
