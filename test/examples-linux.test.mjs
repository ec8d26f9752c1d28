// The Linux family examples run as child processes, so they cannot rot:
// examples/ping.mjs (raw socket, ping-socket fallback, timeouts),
// examples/packet-capture.mjs and examples/netlink-links.mjs; and the
// "beyond Python" ones, examples/udp-batch.mjs (recvmmsgAsync/sendmmsgAsync)
// and examples/net-interop.mjs (toNetSocket with http, streams over a
// socketpair, fromNetSocket, a socket handed to a worker). Loopback
// only. The fallback and timeout runs get a private network namespace
// (`unshare -n`) whose sysctls they may change; it vanishes with them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as socket from 'bsdsock';
import { emulator, SLOWDOWN } from './support/emulation.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const linux = process.platform === 'linux';
const isRoot = linux && process.getuid() === 0;
const notLinux = !linux && 'Linux only';
const needRoot = notLinux || (!isRoot && 'needs root (CAP_NET_RAW)');

/** Why a private network namespace without CAP_NET_RAW cannot be had here, or false. */
function whyNoNamespace() {
  if (notLinux) return notLinux;
  if (!isRoot) return 'needs root to create a network namespace';
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    execFileSync('setpriv', ['--bounding-set=-net_raw', 'true'], { stdio: 'ignore' });
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch (e) {
    return `needs unshare -n, setpriv and ip (util-linux, iproute2): ${e.message.split('\n')[0]}`;
  }
  return false;
}
const noNamespace = whyNoNamespace();

/** Runs a command from the repository root; resolves with its status and output. */
function run(cmd, args, timeout = 10000) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, timeout: timeout * SLOWDOWN });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** ping.mjs in a fresh network namespace: lo up, `setup` (shell) run, CAP_NET_RAW dropped. */
function pingInNamespace(setup, ...args) {
  const script = `ip link set lo up && ${setup} && exec setpriv --inh-caps=-net_raw --bounding-set=-net_raw "$@"`;
  return run('unshare', ['-n', 'sh', '-c', script, 'sh', process.execPath, 'examples/ping.mjs', ...args]);
}

/** Whether ::1 exists in this namespace. */
function hasLoopback6() {
  const s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  try {
    s.bind(['::1', 0]);
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}

/** Whether this process's group may open ping sockets (net.ipv4.ping_group_range). */
function pingAllowed() {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
  return low <= process.getgid() && process.getgid() <= high;
}

const esc = (s) => s.replace(/[.]/g, '\\.');

/** ping.mjs's output for one host: the socket kind, three timed replies, the summary. */
function assertPinged(out, host, kind) {
  assert.match(out, new RegExp(`^PING ${esc(host)} with a ${kind} socket \\(SOCK_${kind === 'raw' ? 'RAW' : 'DGRAM'}\\)$`, 'm'));
  for (const seq of [1, 2, 3]) {
    assert.match(out, new RegExp(`^64 bytes from ${esc(host)}: icmp_seq=${seq} time=\\d+\\.\\d\\d ms$`, 'm'));
  }
  assert.match(out, new RegExp(`^--- ${esc(host)}: 3 packets transmitted, 3 received$`, 'm'));
}

// Each test waits on a child process: run them side by side.
describe('Linux examples', { concurrency: true }, () => {
  test('npm run example:ping: echo replies from 127.0.0.1 and ::1', { skip: notLinux }, async () => {
    const r = await run(process.execPath, ['examples/ping.mjs']);
    if (!isRoot && !pingAllowed()) {
      // Neither socket is allowed: the example says why and fails.
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /Permission denied: raw sockets need root \(CAP_NET_RAW\), and ping sockets/);
      return;
    }
    assert.equal(r.status, 0, r.stderr);
    const kind = isRoot ? 'raw' : 'ping';
    assertPinged(r.stdout, '127.0.0.1', kind);
    if (hasLoopback6()) assertPinged(r.stdout, '::1', kind);
    else assert.doesNotMatch(r.stdout, /::1/);
  });

  test('ping.mjs without CAP_NET_RAW falls back to a ping socket, or says why it cannot', { skip: noNamespace }, async () => {
    const [open, closed] = await Promise.all([
      pingInNamespace("echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range"),
      pingInNamespace("echo '1 0' > /proc/sys/net/ipv4/ping_group_range"),
    ]);
    assert.equal(open.status, 0, open.stderr);
    assertPinged(open.stdout, '127.0.0.1', 'ping');
    if (/^PING ::1/m.test(open.stdout)) assertPinged(open.stdout, '::1', 'ping');
    assert.doesNotMatch(open.stdout, /raw socket/);

    assert.equal(closed.status, 2, closed.stderr);
    assert.equal(closed.stdout, '');
    assert.match(closed.stderr, /^ping: \[Errno 13\] Permission denied: raw sockets need root \(CAP_NET_RAW\), and ping sockets a group inside net\.ipv4\.ping_group_range$/m);
  });

  test('ping.mjs 127.0.0.1: a host that never answers times out each request', { skip: noNamespace }, async () => {
    // This namespace's kernel ignores echo requests: the socket's timeout ends each wait.
    const r = await pingInNamespace(
      "echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all && echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range",
      '127.0.0.1',
    );
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
      r.stdout,
      'PING 127.0.0.1 with a ping socket (SOCK_DGRAM)\n' +
        [1, 2, 3].map((seq) => `no reply from 127.0.0.1: icmp_seq=${seq} (timed out after 1 s)\n`).join('') +
        '--- 127.0.0.1: 3 packets transmitted, 0 received\n',
    );
  });

  test('npm run example:capture: a UDP datagram captured on lo and decoded', { skip: needRoot }, async (t) => {
    let r = await run(process.execPath, ['examples/packet-capture.mjs']);
    // Emulated, the capture drains slowly: a burst of other programs' traffic
    // on lo can fill its buffer and drop the example's datagram (it then
    // times out). Up to two more runs there, each said.
    for (let i = 0; emulator && r.status !== 0 && i < 2; i++) {
      t.diagnostic(`${emulator}: the capture timed out, run again (${r.stderr.trim().split('\n').pop()})`);
      r = await run(process.execPath, ['examples/packet-capture.mjs']);
    }
    assert.equal(r.status, 0, r.stderr);
    const hatype = Number(readFileSync('/sys/class/net/lo/type', 'utf8'));
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4, r.stdout);
    assert.equal(
      lines[0],
      `captured on lo: proto=0x0800 pkttype=PACKET_HOST hatype=${hatype} (ARPHRD_LOOPBACK) addr=00:00:00:00:00:00`,
    );
    const payload = 'hello from pid \\d+';
    assert.match(lines[1], /^IPv4 127\.0\.0\.1 -> 127\.0\.0\.1 ttl=64 length=\d+$/);
    const [, sport, dport, text] = lines[2].match(new RegExp(`^UDP 127\\.0\\.0\\.1:(\\d+) -> 127\\.0\\.0\\.1:(\\d+) payload "(${payload})"$`));
    assert.equal(sport, dport, 'the socket sent to itself');
    assert.equal(Number(lines[1].match(/length=(\d+)/)[1]), 28 + text.length);
    assert.equal(lines[3], `the UDP socket received it too: "${text}"`);
  });

  test('npm run example:netlink: every interface with its index, MTU and state', { skip: notLinux }, async () => {
    const r = await run(process.execPath, ['examples/netlink-links.mjs']);
    assert.equal(r.status, 0, r.stderr);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    assert.match(header, /^index\s+name\s+mtu\s+state$/);
    const links = new Map(
      rows.map((row) => {
        const m = row.match(/^\s*(\d+)\s+(\S+)\s+(\d+)\s+(UP|DOWN)$/);
        assert.ok(m, `a row: ${row}`);
        return [m[2], { index: Number(m[1]), mtu: Number(m[3]), up: m[4] === 'UP' }];
      }),
    );
    const sys = (name, what) => readFileSync(`/sys/class/net/${name}/${what}`, 'utf8').trim();
    assert.deepEqual(links.get('lo'), {
      index: Number(sys('lo', 'ifindex')),
      mtu: Number(sys('lo', 'mtu')),
      up: (Number(sys('lo', 'flags')) & 1) === 1, // IFF_UP
    });
    // The same interfaces as if_nameindex() (from the same kernel table).
    const known = new Map(socket.if_nameindex().map(([index, name]) => [name, index]));
    for (const [name, { index }] of links) if (known.has(name)) assert.equal(known.get(name), index, name);
    assert.ok(links.size >= 1);
  });
});

test('npm run example:batch: 10,000 datagrams in batches, all received in order', async () => {
  const r = await run(process.execPath, ['examples/udp-batch.mjs'], 20000);
  assert.equal(r.status, 0, r.stderr);
  const m = /^sent (\d+) datagrams, received (\d+) in (\d+) recvmmsg calls/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(Number(m[1]), 10000);
  // Loopback with a 1 MiB receive buffer: nothing is dropped.
  assert.equal(Number(m[2]), 10000);
  // Batching happened: far fewer calls than datagrams.
  assert.ok(Number(m[3]) < 10000 / 4, `${m[3]} calls`);
  assert.match(r.stdout, /^in order: true$/m);
});

test('npm run example:gso: one sendmsg with UDP_SEGMENT, received as ten datagrams and, with UDP_GRO, whole', async () => {
  const r = await run(process.execPath, ['examples/udp-gso.mjs'], 20000);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'sendmsg with UDP_SEGMENT 1200: 11500 bytes in one call',
      'sendmsg with UDP_SEGMENT 1200: 11500 bytes in one call',
      'without UDP_GRO: 10 datagrams: 1200 1200 1200 1200 1200 1200 1200 1200 1200 700',
      'reassembled intact: true',
      'with UDP_GRO: one receive of 11500 bytes, segment size 1200',
      'intact: true',
      '',
    ].join('\n'),
  );
});

test('UDP_SEGMENT and UDP_GRO: the headers\' values, the socket option form, and the kernel\'s limits', () => {
  // Linux ABI (include/uapi/linux/udp.h).
  assert.equal(socket.UDP_SEGMENT, 103);
  assert.equal(socket.UDP_GRO, 104);
  const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    rx.bind(['127.0.0.1', 0]);
    rx.settimeout(2);
    // The socket-wide form: every send on tx is cut into 500-byte datagrams.
    tx.setsockopt(socket.SOL_UDP, socket.UDP_SEGMENT, 500);
    assert.equal(tx.getsockopt(socket.SOL_UDP, socket.UDP_SEGMENT), 500);
    assert.equal(tx.sendto(Buffer.alloc(1200, 1), rx.getsockname()), 1200);
    assert.deepEqual([rx.recv(4096).length, rx.recv(4096).length, rx.recv(4096).length], [500, 500, 200]);
    // More segments in one send than the kernel allows (64 or 128, by version) is EINVAL.
    assert.throws(
      () => tx.sendmsg([Buffer.alloc(1000 * 10)], [[socket.SOL_UDP, socket.UDP_SEGMENT, new Uint16Array([10])]], 0, rx.getsockname()),
      (e) => e instanceof socket.OSError && e.code === 'EINVAL',
    );
    rx.setsockopt(socket.SOL_UDP, socket.UDP_GRO, true);
    assert.equal(rx.getsockopt(socket.SOL_UDP, socket.UDP_GRO), 1);
  } finally {
    rx.close();
    tx.close();
  }
});

test('npm run example:interop: http over a bsdsock connection, streams, fromNetSocket, a worker', { skip: nodeOnly('netHandle') }, async () => {
  const r = await run(process.execPath, ['examples/net-interop.mjs'], 20000);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'http: 200 hello from /bsdsock',
      'streams: 4194304 bytes, checksum matches',
      'fromNetSocket: family AF_INET, TCP_NODELAY 1, TCP_MAXSEG set',
      'fromNetSocket: received ping',
      'worker: hello from the worker',
      '',
    ].join('\n'),
  );
});
