// What needs its own network namespace: multicast group membership on lo
// (lo gets the MULTICAST flag and a 224.0.0.0/4 route) and ping sockets
// (net.ipv4.ping_group_range opened to every group). The test creates the
// namespace, runs a Node child inside it with `ip netns exec`, and always
// removes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = pathToFileURL(join(root, 'dist', 'esm', 'index.mjs')).href;

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
const socket = await import(${JSON.stringify(entry)});
const { IPPROTO_IP } = socket;
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
console.log('namespace checks passed');
`;

test('multicast membership and ping sockets in a test network namespace', { skip: why() }, () => {
  const ns = `bsdsock-test-${process.pid}`;
  const inNs = (...cmd) => execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 10000 });
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    inNs('ip', 'link', 'set', 'lo', 'up', 'multicast', 'on');
    inNs('ip', 'route', 'add', '224.0.0.0/4', 'dev', 'lo');
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
