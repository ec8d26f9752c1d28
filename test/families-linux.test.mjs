// The Linux families end to end on this kernel, over loopback only: raw
// ICMP and ICMPv6, ping sockets, AF_PACKET capture and injection on lo,
// AF_NETLINK route dumps, AF_VSOCK binding, and a few interface options.
// Root is needed for raw and packet sockets; a test the system cannot run
// skips and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { constants as os, endianness } from 'node:os';
import * as socket from 'bsdsock';
import { openFds } from './support/fds.mjs';
import { qemuLacks } from './support/emulation.mjs';

const E = os.errno;
const linux = process.platform === 'linux';
const root = linux && process.getuid() === 0;
const needRoot = !linux ? 'Linux only' : !root && 'needs root (CAP_NET_RAW)';
const fdsAtStart = linux ? openFds() : 0;
const lo = linux ? { index: Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8')), type: Number(readFileSync('/sys/class/net/lo/type', 'utf8')) } : null;

// Protocol numbers the test itself speaks (from the RFCs and linux/if_ether.h).
const ETH_P_IP = 0x0800;
const ICMP_ECHO = 8;
const ICMP_ECHOREPLY = 0;
const ICMP6_ECHO_REQUEST = 128;
const ICMP6_ECHO_REPLY = 129;

/** The Internet checksum (RFC 1071) of the given buffers, as if concatenated. */
function checksum(...parts) {
  const b = Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function echoRequest(type, id, seq, payload) {
  const b = Buffer.concat([Buffer.alloc(8), payload]);
  b[0] = type;
  b.writeUInt16BE(id, 4);
  b.writeUInt16BE(seq, 6);
  return b;
}

/** The ICMPv6 checksum's pseudo-header (RFC 8200 8.1) for ::1 -> ::1. */
function pseudo6(length) {
  const h = Buffer.alloc(40);
  h[15] = 1;
  h[31] = 1;
  h.writeUInt32BE(length, 32);
  h[39] = socket.IPPROTO_ICMPV6;
  return h;
}

/** recvfrom until `match(data, address)` holds, or the socket's timeout. */
function receiveUntil(s, match, resend = null) {
  // With `resend`, a quiet second sends the probe again (at most 10 times):
  // a burst of other traffic on lo (other test files run alongside) can
  // overflow a capture socket's buffer and drop the packet looked for.
  const timeout = s.gettimeout();
  if (resend !== null) s.settimeout(1);
  try {
    for (let tries = 0; ; ) {
      let got;
      try {
        got = s.recvfrom(65536);
      } catch (e) {
        if (resend === null || !(e instanceof socket.TimeoutError) || ++tries > 10) throw e;
        resend();
        continue;
      }
      if (match(got[0], got[1])) return got;
    }
  } finally {
    s.settimeout(timeout);
  }
}

const ident = process.pid & 0xffff;
const nextSeq = (() => {
  let seq = Math.floor(Math.random() * 0x8000);
  return () => (seq = (seq + 1) & 0xffff);
})();

test('SOCK_RAW IPPROTO_ICMP: an echo request to 127.0.0.1 and its reply', { skip: needRoot }, () => {
  const s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP);
  try {
    s.settimeout(5);
    const seq = nextSeq();
    const payload = Buffer.from(`bsdsock ping ${process.pid}`);
    const req = echoRequest(ICMP_ECHO, ident, seq, payload);
    req.writeUInt16BE(checksum(req), 2);
    assert.equal(checksum(req), 0);
    assert.equal(s.sendto(req, ['127.0.0.1', 0]), req.length);
    // A raw IPv4 socket reads whole IP packets: skip the header (IHL words).
    const [packet, from] = receiveUntil(s, (d) => {
      const icmp = d.subarray((d[0] & 0x0f) * 4);
      return icmp[0] === ICMP_ECHOREPLY && icmp.readUInt16BE(4) === ident && icmp.readUInt16BE(6) === seq;
    });
    assert.deepEqual(from, ['127.0.0.1', 0]);
    assert.equal(packet[0] >> 4, 4);
    assert.equal(packet[9], socket.IPPROTO_ICMP);
    const icmp = packet.subarray((packet[0] & 0x0f) * 4);
    assert.equal(checksum(icmp), 0, 'the reply checksums to zero');
    assert.deepEqual(icmp.subarray(8), payload);
  } finally {
    s.close();
  }
});

test('SOCK_RAW IPPROTO_ICMPV6: an echo request to ::1 and its reply', { skip: needRoot }, () => {
  const s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6);
  try {
    s.settimeout(5);
    const seq = nextSeq();
    const payload = Buffer.from(`bsdsock ping6 ${process.pid}`);
    const req = echoRequest(ICMP6_ECHO_REQUEST, ident, seq, payload);
    req.writeUInt16BE(checksum(pseudo6(req.length), req), 2);
    assert.equal(s.sendto(req, ['::1', 0]), req.length);
    // A raw ICMPv6 socket reads the ICMPv6 message alone.
    const [icmp, from] = receiveUntil(
      s,
      (d) => d[0] === ICMP6_ECHO_REPLY && d.readUInt16BE(4) === ident && d.readUInt16BE(6) === seq,
    );
    assert.deepEqual(from, ['::1', 0, 0, 0]);
    assert.equal(checksum(pseudo6(icmp.length), icmp), 0, 'the reply checksums to zero');
    assert.deepEqual(icmp.subarray(8), payload);
  } finally {
    s.close();
  }
});

/** Whether this process's group may open ping sockets (net.ipv4.ping_group_range). */
function pingAllowed() {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
  const gid = process.getgid();
  return low <= gid && gid <= high;
}

test('SOCK_DGRAM IPPROTO_ICMP ping sockets, where ping_group_range allows them', { skip: !linux && 'Linux only' }, () => {
  if (!pingAllowed()) {
    // Python raises PermissionError EACCES here too.
    assert.throws(
      () => socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP),
      (e) => e instanceof socket.PermissionError && e.errno === E.EACCES,
    );
    return;
  }
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP);
  try {
    s.settimeout(5);
    const payload = Buffer.from('ping socket');
    // The kernel sets the identifier (the socket's "port") and the checksum.
    s.sendto(echoRequest(ICMP_ECHO, 0, 1, payload), ['127.0.0.1', 0]);
    const port = s.getsockname()[1];
    const [reply, from] = s.recvfrom(1024);
    assert.deepEqual(from, ['127.0.0.1', 0]);
    assert.equal(reply[0], ICMP_ECHOREPLY);
    assert.equal(reply.readUInt16BE(4), port);
    assert.equal(checksum(reply), 0);
    assert.deepEqual(reply.subarray(8), payload);
  } finally {
    s.close();
  }
});

test('AF_PACKET SOCK_DGRAM on lo captures a UDP datagram sent to 127.0.0.1', { skip: needRoot }, () => {
  const cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP));
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    cap.bind(['lo', ETH_P_IP]);
    assert.deepEqual(cap.getsockname(), ['lo', ETH_P_IP, socket.PACKET_HOST, lo.type, Buffer.alloc(6)]);
    cap.settimeout(5);
    udp.bind(['127.0.0.1', 0]);
    const tag = Buffer.from(`bsdsock-capture-${process.pid}-${Math.random()}`);
    udp.sendto(tag, udp.getsockname());
    // SOCK_DGRAM strips the link-layer header: the data is the IP packet.
    const [packet, from] = receiveUntil(cap, (d) => d.includes(tag), () => udp.sendto(tag, udp.getsockname()));
    assert.deepEqual(from, ['lo', ETH_P_IP, socket.PACKET_HOST, lo.type, Buffer.alloc(6)]);
    assert.equal(packet[0] >> 4, 4);
    assert.equal(packet[9], socket.IPPROTO_UDP);
    assert.deepEqual(packet.subarray(28), tag);
    assert.deepEqual(udp.recv(100), tag);
  } finally {
    cap.close();
    udp.close();
  }
});

test('AF_PACKET SOCK_RAW ETH_P_ALL sees both directions with the Ethernet header', { skip: needRoot }, () => {
  const cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_ALL));
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    cap.bind(['lo', socket.ETH_P_ALL]);
    cap.settimeout(5);
    udp.bind(['127.0.0.1', 0]);
    const tag = Buffer.from(`bsdsock-raw-${process.pid}-${Math.random()}`);
    udp.sendto(tag, udp.getsockname());
    const kinds = new Set();
    while (kinds.size < 2) {
      const [frame, from] = receiveUntil(cap, (d) => d.includes(tag));
      assert.equal(frame.readUInt16BE(12), ETH_P_IP, 'EtherType after two zero MAC addresses');
      assert.deepEqual(frame.subarray(0, 12), Buffer.alloc(12));
      assert.equal(from[0], 'lo');
      assert.equal(from[1], ETH_P_IP);
      assert.equal(from[3], lo.type);
      kinds.add(from[2]);
    }
    assert.deepEqual([...kinds].sort(), [socket.PACKET_HOST, socket.PACKET_OUTGOING].sort());
  } finally {
    cap.close();
    udp.close();
  }
});

test('AF_PACKET sendto puts a frame on lo that another packet socket captures', { skip: needRoot }, () => {
  const inj = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0);
  const cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP));
  try {
    cap.bind(['lo', ETH_P_IP]);
    cap.settimeout(5);
    // An IPv4 header and a tag: the IP stack drops it (127.0.0.1 from the
    // wire is a martian), but the capture sees the frame arrive.
    const tag = Buffer.from(`bsdsock-inject-${process.pid}-${Math.random()}`);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + tag.length, 2);
    ip[8] = 64;
    ip[9] = 253; // RFC 3692 experimental protocol
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    ip.writeUInt16BE(checksum(ip), 10);
    const frame = Buffer.concat([ip, tag]);
    assert.equal(inj.sendto(frame, ['lo', ETH_P_IP, socket.PACKET_HOST, 0, Buffer.alloc(6)]), frame.length);
    const [data, from] = receiveUntil(cap, (d) => d.includes(tag));
    assert.deepEqual(data, frame);
    assert.deepEqual(from, ['lo', ETH_P_IP, socket.PACKET_HOST, lo.type, Buffer.alloc(6)]);
  } finally {
    inj.close();
    cap.close();
  }
});

const LE = endianness() === 'LE';

/** The struct tpacket_auxdata (linux/if_packet.h) of the one control message a packet socket with PACKET_AUXDATA returns. */
function auxdata(ancdata) {
  assert.equal(ancdata.length, 1, 'one control message');
  const [level, type, data] = ancdata[0];
  assert.equal(level, socket.SOL_PACKET);
  assert.equal(type, socket.PACKET_AUXDATA);
  assert.ok(Buffer.isBuffer(data));
  assert.equal(data.length, 20, 'sizeof(struct tpacket_auxdata)');
  const u32 = (o) => (LE ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const u16 = (o) => (LE ? data.readUInt16LE(o) : data.readUInt16BE(o));
  return { status: u32(0), len: u32(4), snaplen: u32(8), mac: u16(12), net: u16(14) };
}

// The kernel's packet_recvmsg (like CAN ISO-TP and J1939) rejects any flag
// outside its own few with EINVAL: the addon must not add MSG_CMSG_CLOEXEC
// behind the caller's back there (Python: d.recvmsg(2000, 64) on a lo
// capture returns (data, [(263, 8, auxdata)], 0, ('lo', 2048, 0, 772, b'\0' * 6))).
test('AF_PACKET recvmsg, recvmsg_into and their async twins, with PACKET_AUXDATA', { skip: needRoot || qemuLacks('SOL_PACKET options (setsockopt PACKET_AUXDATA: ENOPROTOOPT)'), timeout: 60000 }, async () => {
  // linux/socket.h and linux/if_packet.h: the constants exist and have the kernel's values.
  assert.equal(socket.SOL_PACKET, 263);
  assert.equal(socket.PACKET_AUXDATA, 8);
  const ancbufsize = socket.CMSG_SPACE(20);
  const where = ['lo', ETH_P_IP, socket.PACKET_HOST, lo.type, Buffer.alloc(6)];
  // SOCK_DGRAM reads the IP packet, SOCK_RAW the frame with its Ethernet header.
  for (const [type, link] of [[socket.SOCK_DGRAM, 0], [socket.SOCK_RAW, 14]]) {
    const label = type === socket.SOCK_DGRAM ? 'SOCK_DGRAM' : 'SOCK_RAW';
    const cap = socket.socket(socket.AF_PACKET, type, socket.htons(ETH_P_IP));
    const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    try {
      cap.bind(['lo', ETH_P_IP]);
      cap.setsockopt(socket.SOL_PACKET, socket.PACKET_AUXDATA, 1);
      assert.equal(cap.getsockopt(socket.SOL_PACKET, socket.PACKET_AUXDATA), 1);
      cap.settimeout(5);
      udp.bind(['127.0.0.1', 0]);
      const send = (what) => {
        const tag = Buffer.from(`bsdsock-msg-${what}-${process.pid}-${Math.random()}`);
        udp.sendto(tag, udp.getsockname());
        return tag;
      };
      const checkPacket = (packet, tag) => {
        if (link > 0) {
          assert.deepEqual(packet.subarray(0, 12), Buffer.alloc(12), `${label}: lo's zero MAC addresses`);
          assert.equal(packet.readUInt16BE(12), ETH_P_IP);
        }
        const ip = packet.subarray(link);
        assert.equal(ip[0] >> 4, 4);
        assert.equal(ip[9], socket.IPPROTO_UDP);
        assert.deepEqual(ip.subarray(28), tag);
      };
      const checkMessage = (packet, ancdata, flags, from, tag) => {
        checkPacket(packet, tag);
        assert.equal(flags, 0, `${label}: msg_flags`);
        assert.deepEqual(from, where, `${label}: Python's AF_PACKET address`);
        const aux = auxdata(ancdata);
        assert.equal(aux.len, packet.length, 'tp_len');
        assert.equal(aux.snaplen, packet.length, 'tp_snaplen');
        assert.equal(aux.mac, 0, 'tp_mac');
        assert.equal(aux.net, link, 'tp_net');
      };

      // recvmsg (other traffic on lo is skipped: only the tag counts).
      let tag = send('recvmsg');
      for (;;) {
        const [packet, ancdata, flags, from] = cap.recvmsg(2048, ancbufsize);
        if (!packet.includes(tag)) continue;
        checkMessage(packet, ancdata, flags, from, tag);
        break;
      }

      // No room for the control message: MSG_CTRUNC, as Python reports it.
      tag = send('ctrunc');
      for (;;) {
        const [packet, ancdata, flags, from] = cap.recvmsg(2048);
        if (!packet.includes(tag)) continue;
        checkPacket(packet, tag);
        assert.deepEqual(ancdata, []);
        assert.equal(flags, socket.MSG_CTRUNC);
        assert.deepEqual(from, where);
        break;
      }

      // MSG_PEEK leaves the packet queued; a short buffer then shows MSG_TRUNC
      // while the auxiliary data still tells the whole length (tp_snaplen:
      // after a peek this kernel's tp_len is garbage, in Python too).
      tag = send('trunc');
      for (;;) {
        const [peeked] = cap.recvmsg(2048, 0, socket.MSG_PEEK);
        if (!peeked.includes(tag)) {
          cap.recvmsg(2048);
          continue;
        }
        const [packet, ancdata, flags, from] = cap.recvmsg(link + 10, ancbufsize);
        assert.deepEqual(packet, peeked.subarray(0, link + 10));
        assert.equal(flags, socket.MSG_TRUNC);
        assert.deepEqual(from, where);
        assert.equal(auxdata(ancdata).snaplen, peeked.length);
        break;
      }

      // Asked for by the caller, MSG_CMSG_CLOEXEC is passed through and
      // rejected here, as in Python; nothing is consumed.
      tag = send('cloexec');
      assert.throws(
        () => cap.recvmsg(2048, ancbufsize, socket.MSG_CMSG_CLOEXEC),
        (e) => e instanceof socket.OSError && e.errno === E.EINVAL,
      );

      // recvmsg_into scatters the packet: headers into the first buffer.
      for (;;) {
        const head = Buffer.alloc(link + 28);
        const body = Buffer.alloc(2048);
        const [n, ancdata, flags, from] = cap.recvmsg_into([head, body], ancbufsize);
        const packet = Buffer.concat([head, body]).subarray(0, n);
        if (!packet.includes(tag)) continue;
        checkMessage(packet, ancdata, flags, from, tag);
        assert.deepEqual(body.subarray(0, tag.length), tag);
        break;
      }

      tag = send('async');
      for (;;) {
        const [packet, ancdata, flags, from] = await cap.recvmsgAsync(2048, ancbufsize);
        if (!packet.includes(tag)) continue;
        checkMessage(packet, ancdata, flags, from, tag);
        break;
      }

      tag = send('into-async');
      for (;;) {
        const buf = Buffer.alloc(2048);
        const [n, ancdata, flags, from] = await cap.recvmsg_intoAsync([buf], ancbufsize);
        if (!buf.subarray(0, n).includes(tag)) continue;
        checkMessage(buf.subarray(0, n), ancdata, flags, from, tag);
        break;
      }
      // Every datagram sent reached the UDP socket too.
      udp.settimeout(5);
      for (let i = 0; i < 6; i++) assert.match(udp.recv(200).toString(), /^bsdsock-msg-/);
    } finally {
      cap.close();
      udp.close();
    }
  }
});

// rtnetlink numbers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h).
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const IFLA_IFNAME = 3;

test('AF_NETLINK NETLINK_ROUTE: an RTM_GETLINK dump lists lo', { skip: !linux && 'Linux only' }, () => {
  const s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE);
  try {
    s.settimeout(5);
    s.bind([0, 0]);
    const [pid, groups] = s.getsockname();
    assert.equal(typeof pid, 'number');
    assert.ok(pid !== 0, 'the kernel assigned a port id');
    assert.equal(groups, 0);
    // struct nlmsghdr + struct ifinfomsg (AF_UNSPEC: every interface).
    const seq = nextSeq();
    const req = Buffer.alloc(32);
    req.writeUInt32LE(32, 0);
    req.writeUInt16LE(RTM_GETLINK, 4);
    req.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
    req.writeUInt32LE(seq, 8);
    assert.equal(s.sendto(req, [0, 0]), 32);
    const links = new Map();
    for (let done = false; !done; ) {
      const [data, from] = s.recvfrom(65536);
      assert.deepEqual(from, [0, 0], 'from the kernel');
      for (let off = 0; off + 16 <= data.length; ) {
        const len = data.readUInt32LE(off);
        const type = data.readUInt16LE(off + 4);
        assert.equal(data.readUInt32LE(off + 8), seq);
        assert.equal(data.readUInt32LE(off + 12), pid);
        if (type === NLMSG_DONE) done = true;
        assert.notEqual(type, NLMSG_ERROR);
        if (type === RTM_NEWLINK) {
          const index = data.readInt32LE(off + 20);
          for (let a = off + 32; a + 4 <= off + len; ) {
            const alen = data.readUInt16LE(a);
            if (alen < 4) break;
            if (data.readUInt16LE(a + 2) === IFLA_IFNAME) links.set(data.toString('latin1', a + 4, a + alen).replace(/\0+$/, ''), index);
            a += (alen + 3) & ~3;
          }
        }
        off += (len + 3) & ~3;
      }
    }
    assert.equal(links.get('lo'), lo.index);
  } finally {
    s.close();
  }
});

test('AF_VSOCK: bind to any cid and port, then getsockname', { skip: !linux && 'Linux only' }, (t) => {
  // Never connect or send: the host is on the other side.
  let s;
  try {
    s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM);
  } catch (e) {
    return t.skip(`no vsock transport on this kernel (${e.message})`);
  }
  try {
    s.bind([socket.VMADDR_CID_ANY, socket.VMADDR_PORT_ANY]);
    const [cid, port] = s.getsockname();
    assert.equal(cid, socket.VMADDR_CID_ANY);
    assert.notEqual(port, socket.VMADDR_PORT_ANY);
    assert.ok(port > 0 && port < 2 ** 32);
    assert.match(String(s), /family=40, type=1, proto=0, laddr=\[4294967295, \d+\]/);
    assert.throws(() => s.bind([1]), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  } finally {
    s.close();
  }
});

test('AF_VSOCK: options at level AF_VSOCK are 64-bit unsigned, read and written as in Python', { skip: (!linux && 'Linux only') || qemuLacks('getsockopt at level AF_VSOCK (EOPNOTSUPP)') }, (t) => {
  // No connect, no send: only the socket's own buffer-size options.
  let s;
  try {
    s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM);
  } catch (e) {
    return t.skip(`no vsock transport on this kernel (${e.message})`);
  }
  const get = (opt) => s.getsockopt(socket.AF_VSOCK, opt);
  try {
    // The kernel's defaults (CPython reads the same numbers).
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_SIZE), 262144);
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_MIN_SIZE), 128);
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE), 262144);
    // Past Number.MAX_SAFE_INTEGER the value is a bigint; -1 is 2**64 - 1
    // as in Python, and a bigint is taken modulo 2**64.
    s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE, -1);
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE), 2n ** 64n - 1n);
    s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE, 2n ** 64n + 5n);
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE), 5);
    s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE, Number.MAX_SAFE_INTEGER);
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE), Number.MAX_SAFE_INTEGER);
    s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE, 2n ** 53n);
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE), 2n ** 53n);
    s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_SIZE, 5000n);
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_SIZE), 5000);
    s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_MIN_SIZE, true);
    assert.equal(get(socket.SO_VM_SOCKETS_BUFFER_MIN_SIZE), 1);
    // The raw form with buflen still gives the kernel's 8 bytes.
    assert.deepEqual(s.getsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_SIZE, 8), Buffer.from([0x88, 0x13, 0, 0, 0, 0, 0, 0]));
    assert.throws(() => s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_SIZE, 1.5), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_SIZE, 2 ** 60), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    // Other levels keep their C int.
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM);
  } finally {
    s.close();
  }
});

test('SO_BINDTODEVICE takes the interface name as bytes', { skip: needRoot || qemuLacks('getsockopt SO_BINDTODEVICE of a bound socket (EINVAL)') }, () => {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, Buffer.from('lo'));
    assert.deepEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16), Buffer.from('lo\0'));
    s.bind(['127.0.0.1', 0]);
    peer.sendto(Buffer.from('via lo'), s.getsockname());
    s.settimeout(5);
    assert.deepEqual(s.recv(10), Buffer.from('via lo'));
    assert.throws(
      () => s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, Buffer.from('bsdsock-none0')),
      (e) => e instanceof socket.OSError && e.errno === E.ENODEV,
    );
    // An empty name removes the binding.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, Buffer.alloc(0));
    assert.deepEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16), Buffer.alloc(0));
  } finally {
    s.close();
    peer.close();
  }
});

test('IPV6_V6ONLY decides whether an IPv6 socket takes IPv4 too', { skip: !linux && 'Linux only' }, () => {
  const v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  const v6only = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  const v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const v4b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    const dflt = Number(readFileSync('/proc/sys/net/ipv6/bindv6only', 'utf8'));
    assert.equal(v6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), dflt);
    v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0);
    assert.equal(v6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 0);
    v6.bind(['::', 0]);
    const port = v6.getsockname()[1];
    // Dual stack: the IPv4 port is taken, and IPv4 senders show up mapped.
    assert.throws(() => v4.bind(['127.0.0.1', port]), (e) => e instanceof socket.OSError && e.errno === E.EADDRINUSE);
    v4b.sendto(Buffer.from('v4'), ['127.0.0.1', port]);
    v6.settimeout(5);
    const [data, from] = v6.recvfrom(10);
    assert.deepEqual(data, Buffer.from('v4'));
    assert.deepEqual(from, ['::ffff:127.0.0.1', v4b.getsockname()[1], 0, 0]);

    v6only.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, true);
    assert.equal(v6only.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 1);
    v6only.bind(['::', 0]);
    const port2 = v6only.getsockname()[1];
    v4.bind(['127.0.0.1', port2]); // no conflict: the IPv6 socket is IPv6 only
    assert.equal(v4.getsockname()[1], port2);
  } finally {
    for (const s of [v6, v6only, v4, v4b]) s.close();
  }
});

test('no descriptor leaked by this file', { skip: !linux && 'Linux only' }, () => {
  assert.equal(openFds(), fdsAtStart);
});
