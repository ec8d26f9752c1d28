// Listing the network interfaces by asking the kernel over rtnetlink, as
// `ip link` does: one RTM_GETLINK dump request, then the RTM_NEWLINK
// messages it answers with, up to NLMSG_DONE. No root needed.
// Run: node examples/netlink-links.mjs
import { endianness } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import * as socket from 'bsdsock';

// From linux/netlink.h, linux/rtnetlink.h, linux/if_link.h and linux/if.h.
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH: every object, not one
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFF_UP = 0x1;
const NLMSG_HDRLEN = 16; // struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32
const IFINFOMSG_LEN = 16; // struct ifinfomsg: family u8, pad u8, type u16, index i32, flags u32, change u32
const align4 = (n) => (n + 3) & ~3; // NLMSG_ALIGN and RTA_ALIGN

// Netlink speaks the host's byte order.
const le = endianness() === 'LE';
const u16 = (b, at) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
const u32 = (b, at) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
const i32 = (b, at) => (le ? b.readInt32LE(at) : b.readInt32BE(at));

const nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE);
nl.bind([0, 0]); // [pid, groups]: the kernel assigns our port id; no multicast groups
nl.settimeout(5);

// The request: a nlmsghdr and an all-zero ifinfomsg (AF_UNSPEC: every interface).
const seq = Math.floor(Date.now() / 1000) >>> 0; // any number: replies echo it back
const request = Buffer.alloc(NLMSG_HDRLEN + IFINFOMSG_LEN);
const put16 = (v, at) => (le ? request.writeUInt16LE(v, at) : request.writeUInt16BE(v, at));
const put32 = (v, at) => (le ? request.writeUInt32LE(v, at) : request.writeUInt32BE(v, at));
put32(request.length, 0);
put16(RTM_GETLINK, 4);
put16(NLM_F_REQUEST | NLM_F_DUMP, 6);
put32(seq, 8);
nl.sendto(request, [0, 0]); // port id 0: the kernel

/** One RTM_NEWLINK message: the ifinfomsg, then rtattrs (len u16, type u16, value) to its end. */
function parseLink(msg) {
  const link = { index: i32(msg, NLMSG_HDRLEN + 4), up: (u32(msg, NLMSG_HDRLEN + 8) & IFF_UP) !== 0 };
  for (let at = NLMSG_HDRLEN + IFINFOMSG_LEN; at + 4 <= msg.length; ) {
    const len = u16(msg, at);
    if (len < 4) break; // malformed: stop rather than loop forever
    const value = msg.subarray(at + 4, at + len);
    const type = u16(msg, at + 2);
    if (type === IFLA_IFNAME) link.name = value.toString('latin1').replace(/\0+$/, ''); // NUL-terminated
    if (type === IFLA_MTU) link.mtu = u32(value, 0);
    at += align4(len);
  }
  return link;
}

// A dump arrives in several datagrams, each holding several messages.
const links = [];
for (let done = false; !done; ) {
  const data = nl.recv(65536);
  for (let at = 0; at + NLMSG_HDRLEN <= data.length; ) {
    const len = u32(data, at);
    const type = u16(data, at + 4);
    const msg = data.subarray(at, at + len);
    at += align4(len);
    if (u32(msg, 8) !== seq) continue; // not an answer to our request
    if (type === NLMSG_DONE) done = true;
    else if (type === NLMSG_ERROR) {
      // struct nlmsgerr: a negative errno (0 is an acknowledgement), then our request.
      const error = i32(msg, NLMSG_HDRLEN);
      if (error !== 0) throw new socket.OSError(-error, getSystemErrorMap().get(error)?.[1] ?? 'netlink error');
    } else if (type === RTM_NEWLINK) links.push(parseLink(msg));
  }
}
nl.close();

const row = (index, name, mtu, state) => `${String(index).padStart(5)}  ${name.padEnd(15)} ${String(mtu).padStart(5)}  ${state}`;
console.log(row('index', 'name', 'mtu', 'state'));
for (const { index, name, mtu, up } of links) console.log(row(index, name, mtu, up ? 'UP' : 'DOWN'));
