// What needs its own network namespace: IPv4 multicast group membership on
// lo (lo gets the MULTICAST flag and a 224.0.0.0/4 route), IPv6 multicast
// over a veth pair (v0 <-> v1, fixed link-local addresses, no DAD), and
// ping sockets (net.ipv4.ping_group_range opened to every group). The test
// creates the namespace, runs a Node child inside it with `ip netns exec`,
// and always removes it (the veth pair goes with it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openFds } from './support/fds.mjs';
import { qemuLacks } from './support/emulation.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = pathToFileURL(join(root, 'dist', 'esm', 'index.mjs')).href;
const fdsHelper = new URL('./support/fds.mjs', import.meta.url).href;
const fdsAtStart = process.platform === 'linux' ? openFds() : 0;

function why() {
  if (process.platform !== 'linux') return 'Linux network namespaces';
  if (process.getuid() !== 0) return 'needs root to create a network namespace';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'needs the ip command (iproute2)';
  }
  return false;
}

// Runs inside the namespace. Everything stays on lo.
const child = `
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
const socket = await import(${JSON.stringify(entry)});
const { openFds } = await import(${JSON.stringify(fdsHelper)});
const { IPPROTO_IP, IPPROTO_IPV6 } = socket;
const fdsAtStart = openFds();
const lo4 = Buffer.from([127, 0, 0, 1]);
const group = [239, 255, 42, 99];
const GROUP = group.join('.');

// --- IPv4 multicast on lo ---------------------------------------------------
const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
r.bind(['0.0.0.0', 0]);
const port = r.getsockname()[1];
// struct ip_mreq: the group, then the local interface's address.
const mreq = Buffer.concat([Buffer.from(group), lo4]);
r.setsockopt(IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq);
assert.throws(() => r.setsockopt(IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq),
  (e) => e.constructor === socket.OSError && e.code === 'EADDRINUSE');

assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL), 1);
tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL, 4);
assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL), 4);
assert.throws(() => tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_TTL, 256), (e) => e instanceof socket.OSError && e.code === 'EINVAL');
tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0);
assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP), 0);
tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1);
assert.equal(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_LOOP), 1);
tx.setsockopt(IPPROTO_IP, socket.IP_MULTICAST_IF, lo4);
assert.deepEqual(tx.getsockopt(IPPROTO_IP, socket.IP_MULTICAST_IF, 4), lo4);
tx.bind(['127.0.0.1', 0]);

tx.sendto(Buffer.from('to the group'), [GROUP, port]);
r.settimeout(5);
assert.deepEqual(r.recvfrom(100), [Buffer.from('to the group'), ['127.0.0.1', tx.getsockname()[1]]]);

// After leaving the group nothing more arrives.
r.setsockopt(IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq);
tx.sendto(Buffer.from('after leaving'), [GROUP, port]);
r.settimeout(0.3);
assert.throws(() => r.recv(100), (e) => e instanceof socket.TimeoutError);
r.close();
tx.close();

// --- IPv6 multicast over the veth pair v0 <-> v1 --------------------------------
// Each group's last 32 bits spell "bsoc"; GL is joined on the sending side only.
const v0 = socket.if_nametoindex('v0');
const v1 = socket.if_nametoindex('v1');
const G2 = 'ff02::6273:6f63'; // link-local scope
const G5 = 'ff05::6273:6f63'; // site-local scope
const GL = 'ff02::6273:6f64';
// struct ipv6_mreq: the 16-byte group, then the interface index (a C int).
function mreq6(group, ifindex) {
  const b = Buffer.alloc(20);
  b.set(socket.inet_pton(socket.AF_INET6, group), 0);
  if (endianness() === 'LE') b.writeInt32LE(ifindex, 16);
  else b.writeInt32BE(ifindex, 16);
  return b;
}
const int = (b) => (endianness() === 'LE' ? b.readInt32LE(0) : b.readInt32BE(0));
const oserror = (code) => (e) => e instanceof socket.OSError && e.code === code;

const r6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
r6.bind(['::', 0]);
const port6 = r6.getsockname()[1];
r6.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6(G2, v1));
r6.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6(G5, v1));
// What the kernel says (Python 3.13 gets the same errnos).
assert.throws(() => r6.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6(G2, v1)), oserror('EADDRINUSE'));
assert.throws(() => r6.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6('fe80::1', v1)), oserror('EINVAL'));
assert.throws(() => r6.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6(G2, 9999)), oserror('ENODEV'));
assert.throws(() => r6.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, Buffer.alloc(19)), oserror('EINVAL'));
r6.setsockopt(IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1);

const tx6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
assert.equal(tx6.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS), 1);
tx6.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 4);
assert.equal(tx6.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS), 4);
for (const bad of [256, -2]) {
  assert.throws(() => tx6.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, bad), oserror('EINVAL'));
}
tx6.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, -1); // -1: back to the default
assert.equal(tx6.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS), 1);
tx6.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 4);
assert.equal(tx6.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_IF), 0);
assert.throws(() => tx6.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, 9999), oserror('ENODEV'));
tx6.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, v0);
assert.equal(tx6.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_IF), v0);
assert.equal(int(tx6.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, 4)), v0);
assert.equal(tx6.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP), 1);
for (const bad of [2, -1]) {
  assert.throws(() => tx6.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, bad), oserror('EINVAL'));
}
tx6.bind(['fe80::1', 0, 0, v0]);
const txPort6 = tx6.getsockname()[1];
assert.deepEqual(tx6.getsockname(), ['fe80::1', txPort6, 0, v0]);

// Out of v0 (IPV6_MULTICAST_IF), into v1 where the group is joined; the hop
// limit on the wire is IPV6_MULTICAST_HOPS (IPV6_HOPLIMIT control message).
r6.settimeout(5);
for (const group of [G2, G5]) {
  const text = 'to ' + group;
  assert.equal(tx6.sendto(Buffer.from(text), [group, port6]), text.length);
  const [data, ancdata, flags, from] = r6.recvmsg(100, socket.CMSG_SPACE(4));
  assert.equal(data.toString(), text);
  assert.equal(flags, 0);
  assert.deepEqual(from, ['fe80::1', txPort6, 0, v1], group);
  assert.equal(ancdata.length, 1);
  assert.deepEqual(ancdata[0].slice(0, 2), [IPPROTO_IPV6, socket.IPV6_HOPLIMIT]);
  assert.equal(int(ancdata[0][2]), 4, 'the hop limit set with IPV6_MULTICAST_HOPS');
}

// After leaving G2 nothing more arrives from it (G5 still does).
r6.setsockopt(IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq6(G2, v1));
assert.throws(() => r6.setsockopt(IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq6(G2, v1)), oserror('EADDRNOTAVAIL'));
tx6.sendto(Buffer.from('after leaving'), [G2, port6]);
tx6.sendto(Buffer.from('still a member'), [G5, port6]);
assert.equal(r6.recv(100).toString(), 'still a member');
r6.settimeout(0.3);
assert.throws(() => r6.recv(100), (e) => e instanceof socket.TimeoutError);

// IPV6_MULTICAST_LOOP: a member on the sending interface gets a copy only
// while it is on (GL is not joined on v1, so nothing comes over the wire).
const loop6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
loop6.bind(['::', 0]);
loop6.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6(GL, v0));
loop6.settimeout(5);
tx6.sendto(Buffer.from('looped back'), [GL, loop6.getsockname()[1]]);
assert.deepEqual(loop6.recvfrom(100), [Buffer.from('looped back'), ['fe80::1', txPort6, 0, v0]]);
tx6.setsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0);
assert.equal(tx6.getsockopt(IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP), 0);
tx6.sendto(Buffer.from('not looped'), [GL, loop6.getsockname()[1]]);
loop6.settimeout(0.3);
assert.throws(() => loop6.recv(100), (e) => e instanceof socket.TimeoutError);
loop6.setsockopt(IPPROTO_IPV6, socket.IPV6_DROP_MEMBERSHIP, mreq6(GL, v0));
r6.setsockopt(IPPROTO_IPV6, socket.IPV6_DROP_MEMBERSHIP, mreq6(G5, v1));
for (const s of [r6, tx6, loop6]) s.close();

// --- ping sockets -------------------------------------------------------------
writeFileSync('/proc/sys/net/ipv4/ping_group_range', '0 2147483647');
function sum(b) {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += b.readUInt16BE(i);
  if (b.length % 2) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}
for (const [family, proto, host, type, reply, from] of [
  [socket.AF_INET, socket.IPPROTO_ICMP, '127.0.0.1', 8, 0, ['127.0.0.1', 0]],
  [socket.AF_INET6, socket.IPPROTO_ICMPV6, '::1', 128, 129, ['::1', 0, 0, 0]],
]) {
  const p = socket.socket(family, socket.SOCK_DGRAM, proto);
  p.settimeout(5);
  const payload = Buffer.from('ping socket ' + family);
  const req = Buffer.concat([Buffer.from([type, 0, 0, 0, 0, 0, 0, 7]), payload]);
  assert.equal(p.sendto(req, family === socket.AF_INET ? [host, 0] : [host, 0, 0, 0]), req.length);
  // The kernel chose the identifier: the socket's "port".
  const ident = p.getsockname()[1];
  const [data, addr] = p.recvfrom(1024);
  assert.deepEqual(addr, from);
  assert.equal(data[0], reply);
  assert.equal(data.readUInt16BE(4), ident);
  assert.equal(data.readUInt16BE(6), 7);
  assert.deepEqual(data.subarray(8), payload);
  if (family === socket.AF_INET) assert.equal(sum(data), 0);
  p.close();
}
assert.equal(openFds(), fdsAtStart, 'no descriptor leaked in the namespace');
console.log('namespace checks passed');
`;

test('multicast membership and ping sockets in a test network namespace', { skip: why() || qemuLacks('IP_MULTICAST_IF (setsockopt and getsockopt: ENOPROTOOPT)') || nodeOnly('cli', ['deno']) }, () => {
  const ns = `bsdsock-test-${process.pid}`;
  const inNs = (...cmd) => execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 10000 });
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    inNs('ip', 'link', 'set', 'lo', 'up', 'multicast', 'on');
    inNs('ip', 'route', 'add', '224.0.0.0/4', 'dev', 'lo');
    // A veth pair with fixed link-local addresses and no duplicate address
    // detection, so that nothing is tentative when the child starts.
    inNs('ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    for (const [dev, addr] of [['v0', 'fe80::1/64'], ['v1', 'fe80::2/64']]) {
      inNs('ip', 'link', 'set', dev, 'addrgenmode', 'none');
      inNs('ip', 'link', 'set', dev, 'up');
      inNs('ip', '-6', 'addr', 'add', addr, 'dev', dev, 'nodad');
    }
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', child], {
      encoding: 'utf8',
      timeout: 15000,
    });
    assert.equal(r.status, 0, `child failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /namespace checks passed/);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
  assert.doesNotMatch(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), new RegExp(ns));
});

test('no descriptor leaked by this file', { skip: (process.platform !== 'linux' && 'Linux only') || nodeOnly('ownFds') }, () => {
  assert.equal(openFds(), fdsAtStart);
});
