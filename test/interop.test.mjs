// Interop with Node's own sockets (src/interop.ts): Socket#toNetSocket hands a
// connected stream socket to net.Socket (and so to tls); fromNetSocket takes a
// net.Socket's descriptor in, moved or shared. Loopback and AF_UNIX only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readFileSync, mkdtempSync, rmSync, openSync, constants as fsConstants } from 'node:fs';
import { randomBytes, createHash } from 'node:crypto';
import { constants as osConstants, tmpdir } from 'node:os';
import * as socket from 'bsdsock';
import { fdList, openFds as fdCount } from './support/fds.mjs';
import { SLOWDOWN } from './support/emulation.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

const { EBADF, EAGAIN, ENOTSOCK } = osConstants.errno;
const O_NONBLOCK = 0o4000; // Linux, all architectures Node supports here

const fdsAtStart = fdList();

const KEY = readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url));
const CERT = readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url));

const T = { timeout: 8000 * SLOWDOWN };

/** The descriptor's open-file flags, from /proc. */
function fdFlags(fd) {
  return parseInt(/^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))[1], 8);
}

const sha = (b) => createHash('sha256').update(b).digest('hex');

/** Matchers for assert.throws / assert.rejects. */
function isEBADF(e) {
  assert.equal(e.constructor, socket.OSError);
  assert.ok(e instanceof Error);
  assert.equal(e.errno, EBADF);
  assert.equal(e.code, 'EBADF');
  return true;
}
function isArgType(e) {
  assert.equal(e.constructor, TypeError);
  assert.equal(e.code, 'ERR_INVALID_ARG_TYPE');
  return true;
}
function isArgValue(e) {
  assert.equal(e.constructor, TypeError);
  assert.equal(e.code, 'ERR_INVALID_ARG_VALUE');
  return true;
}
function isState(re) {
  return (e) => {
    assert.equal(e.constructor, TypeError);
    assert.equal(e.code, 'ERR_INVALID_STATE');
    assert.match(e.message, re);
    return true;
  };
}

async function netServer(onConnection, host = '127.0.0.1') {
  const srv = net.createServer(onConnection);
  srv.listen(0, host);
  await once(srv, 'listening');
  return srv;
}
const closeServer = (srv) => new Promise((resolve) => srv.close(resolve));

/** Resolves with the first n bytes a readable stream delivers. */
function readN(stream, n) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let len = 0;
    const onData = (d) => {
      chunks.push(d);
      len += d.length;
      if (len >= n) {
        done();
        resolve(Buffer.concat(chunks));
      }
    };
    const onEnd = () => {
      done();
      reject(new Error(`stream ended after ${len} of ${n} bytes`));
    };
    const onError = (e) => {
      done();
      reject(e);
    };
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/** Everything a bsdsock socket receives until EOF, with the async twin. */
async function recvAll(sock) {
  const chunks = [];
  for (;;) {
    const d = await sock.recvAsync(65536);
    if (d.length === 0) return Buffer.concat(chunks);
    chunks.push(d);
  }
}
async function recvN(sock, n) {
  const chunks = [];
  let len = 0;
  while (len < n) {
    const d = await sock.recvAsync(n - len);
    if (d.length === 0) throw new Error(`EOF after ${len} of ${n} bytes`);
    chunks.push(d);
    len += d.length;
  }
  return Buffer.concat(chunks);
}

const writeAsync = (stream, data) => new Promise((resolve, reject) => stream.write(data, (e) => (e ? reject(e) : resolve())));

function tcpClient(port, host = '127.0.0.1', family = socket.AF_INET) {
  const s = socket.socket(family, socket.SOCK_STREAM);
  s.connect([host, port]); // completes in the kernel's backlog; no JS on the other side needed
  return s;
}

// --- toNetSocket -------------------------------------------------------------

test('toNetSocket: a connected TCP client becomes the net.Socket of the same descriptor; data flows both ways', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const srv = await netServer();
  const port = srv.address().port;
  const s = tcpClient(port);
  const [conn] = await once(srv, 'connection');
  // Sent before the hand-over: still queued in the kernel, so the net.Socket gets it.
  await writeAsync(conn, 'early|');
  conn.pipe(conn); // then echo

  const fd = s.fileno();
  const [laddr, lport] = s.getsockname();
  const ns = s.toNetSocket();
  assert.ok(ns instanceof net.Socket);
  assert.equal(ns._handle.fd, fd, 'moved, not duplicated');
  assert.equal(ns._handle.constructor.name, 'TCP');
  assert.equal(s.fileno(), -1);
  assert.equal(s.closed, true);
  assert.equal(ns.remoteAddress, '127.0.0.1');
  assert.equal(ns.remotePort, port);
  assert.equal(ns.remoteFamily, 'IPv4');
  assert.equal(ns.localAddress, laddr);
  assert.equal(ns.localPort, lport);
  assert.equal(ns.readable, true);
  assert.equal(ns.writable, true);
  assert.equal(ns.allowHalfOpen, false);
  assert.equal(ns.connecting, false);
  assert.equal(fdFlags(fd) & O_NONBLOCK, O_NONBLOCK, 'libuv made it non-blocking');

  const payload = randomBytes(300_000);
  const got = readN(ns, 6 + payload.length);
  ns.write(payload);
  const all = await got;
  assert.equal(all.subarray(0, 6).toString(), 'early|');
  assert.equal(all.length, 6 + payload.length);
  assert.equal(sha(all.subarray(6)), sha(payload));

  // net's own end() shuts the connection down; the peer sees EOF and closes.
  const closed = once(ns, 'close');
  ns.end();
  await once(conn, 'end');
  await closed;
  assert.equal(ns.destroyed, true);
  await closeServer(srv);
});

test('toNetSocket: the bsdsock socket is detached: fileno() -1, every call EBADF, pending twins rejected EBADF', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const [a, b] = socket.socketpair();
  // A pending send: fill a's send buffer first, then queue one more.
  a.setblocking(false);
  let filled = 0;
  for (;;) {
    try {
      filled += a.send(Buffer.alloc(65536));
    } catch (e) {
      assert.equal(e.constructor, socket.BlockingIOError);
      assert.equal(e.errno, EAGAIN);
      break;
    }
  }
  assert.ok(filled > 0);
  const pendingRecv = a.recvAsync(10);
  const pendingRecv2 = a.recvAsync(10);
  const pendingSend = a.sendAsync(Buffer.alloc(1000));
  const settled = [];
  for (const p of [pendingRecv, pendingRecv2, pendingSend]) p.then(() => settled.push('resolved'), () => settled.push('rejected'));

  const ns = a.toNetSocket();
  await assert.rejects(pendingRecv, isEBADF);
  await assert.rejects(pendingRecv2, isEBADF);
  await assert.rejects(pendingSend, isEBADF);
  assert.deepEqual(settled, ['rejected', 'rejected', 'rejected']);

  assert.equal(a.fileno(), -1);
  assert.equal(a.closed, true);
  assert.throws(() => a.recv(1), isEBADF);
  assert.throws(() => a.send(Buffer.from('x')), isEBADF);
  assert.throws(() => a.getsockname(), isEBADF);
  assert.throws(() => a.getpeername(), isEBADF);
  assert.throws(() => a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), isEBADF);
  assert.throws(() => a.setblocking(true), isEBADF);
  assert.throws(() => a.shutdown(socket.SHUT_RDWR), isEBADF);
  assert.throws(() => a.dup(), isEBADF);
  assert.throws(() => a.toNetSocket(), isEBADF);
  await assert.rejects(async () => a.recvAsync(1), isEBADF);
  await assert.rejects(async () => a.sendAsync(Buffer.from('x')), isEBADF);
  a.close(); // harmless, and must not close the net.Socket's descriptor
  assert.equal(a.detach(), -1);

  // The net.Socket owns the descriptor and its queued bytes: b drains all of them.
  const tail = Buffer.from('after the hand-over');
  const drained = recvN(b, filled + tail.length);
  await writeAsync(ns, tail);
  const got = await drained;
  assert.equal(got.length, filled + tail.length);
  assert.ok(got.subarray(0, filled).every((x) => x === 0));
  assert.equal(got.subarray(filled).toString(), 'after the hand-over');
  const closed = once(ns, 'close');
  b.close();
  await closed;
});

test('toNetSocket + tls.connect({ socket }): TLS over a bsdsock connection to a tls server, round trip', { ...T, skip: nodeOnly('netHandle') }, async () => {
  let serverSaw = '';
  const srv = tls.createServer({ key: KEY, cert: CERT }, (c) => {
    c.on('data', (d) => (serverSaw += d));
    c.pipe(c); // echo
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const s = tcpClient(srv.address().port);
  const fd = s.fileno();
  const ts = tls.connect({ socket: s.toNetSocket(), ca: CERT, servername: 'localhost' });
  await once(ts, 'secureConnect');
  assert.equal(s.fileno(), -1);
  assert.equal(ts.authorized, true, String(ts.authorizationError));
  assert.equal(ts.getPeerCertificate().subject.CN, 'localhost');
  assert.ok(['TLSv1.2', 'TLSv1.3'].includes(ts.getProtocol()));

  const msg = randomBytes(100_000).toString('hex');
  const got = readN(ts, msg.length);
  ts.write(msg);
  assert.equal((await got).toString(), msg);
  assert.equal(serverSaw, msg, 'the server decrypted exactly what was sent');

  // The TLS socket's descriptor is the one bsdsock had: TLS rides on it, no copy.
  assert.equal(fdFlags(fd) & O_NONBLOCK, O_NONBLOCK);
  const closed = once(ts, 'close');
  ts.end();
  await closed;
  await closeServer(srv);
});

test('toNetSocket: an AF_UNIX socketpair end becomes a net.Socket (a Pipe); half-close follows net\'s rules', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const [a, b] = socket.socketpair();
  const fd = a.fileno();
  const na = a.toNetSocket();
  assert.equal(na._handle.fd, fd);
  assert.equal(na._handle.constructor.name, 'Pipe');
  assert.equal(a.fileno(), -1);

  const fromB = readN(na, 9);
  b.sendall(Buffer.from('b to net!'));
  assert.equal((await fromB).toString(), 'b to net!');
  await writeAsync(na, 'net to b');
  assert.equal((await recvN(b, 8)).toString(), 'net to b');

  // Not half-open (net's default): b's SHUT_WR makes the net.Socket end its
  // side too, and then close (so close its descriptor).
  const ended = once(na, 'end');
  const closed = once(na, 'close');
  b.shutdown(socket.SHUT_WR);
  await ended;
  assert.deepEqual(await b.recvAsync(10), Buffer.alloc(0));
  await closed;
  assert.equal(na.destroyed, true);
  b.close();
});

test('toNetSocket options go to net.Socket: allowHalfOpen, readable: false', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const [a, b] = socket.socketpair();
  const na = a.toNetSocket({ allowHalfOpen: true });
  assert.equal(na.allowHalfOpen, true);
  na.resume();
  const ended = once(na, 'end');
  b.shutdown(socket.SHUT_WR);
  await ended;
  // Half-open: the net.Socket may still write after the peer's FIN.
  await writeAsync(na, 'still writing');
  assert.equal((await recvN(b, 13)).toString(), 'still writing');
  na.end();
  assert.deepEqual(await b.recvAsync(10), Buffer.alloc(0));
  na.destroy();
  b.close();

  const [c, d] = socket.socketpair();
  const nc = c.toNetSocket({ readable: false });
  assert.equal(nc.readable, false);
  assert.equal(nc.writable, true);
  await writeAsync(nc, 'write-only');
  assert.equal((await recvN(d, 10)).toString(), 'write-only');
  const closed = once(nc, 'close');
  nc.destroy();
  await closed;
  assert.deepEqual(await d.recvAsync(10), Buffer.alloc(0));
  d.close();
});

test('toNetSocket over IPv6 loopback', { ...T, skip: nodeOnly('netHandle') }, async (t) => {
  let srv;
  try {
    srv = await netServer(undefined, '::1');
  } catch {
    t.skip('no ::1 here');
    return;
  }
  const s = tcpClient(srv.address().port, '::1', socket.AF_INET6);
  const [conn] = await once(srv, 'connection');
  const ns = s.toNetSocket();
  assert.equal(ns.remoteFamily, 'IPv6');
  assert.equal(ns.remoteAddress, '::1');
  assert.equal(ns.remotePort, srv.address().port);
  const got = readN(conn, 4);
  ns.write('six!');
  assert.equal((await got).toString(), 'six!');
  const closed = once(ns, 'close');
  conn.end();
  await closed;
  await closeServer(srv);
});

test('toNetSocket refuses a SOCK_DGRAM or SOCK_SEQPACKET socket (TypeError ERR_INVALID_ARG_VALUE) and leaves it usable', T, async () => {
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const fd = u.fileno();
  assert.throws(
    () => u.toNetSocket(),
    (e) => isArgValue(e) && /SOCK_STREAM/.test(e.message) && e.message.includes(`family ${socket.AF_INET}, type ${socket.SOCK_DGRAM}`),
  );
  assert.equal(u.fileno(), fd);
  assert.equal(u.closed, false);
  u.bind(['127.0.0.1', 0]);
  u.sendto(Buffer.from('dgram ok'), u.getsockname());
  const [data, from] = u.recvfrom(100);
  assert.equal(data.toString(), 'dgram ok');
  assert.deepEqual(from, u.getsockname());
  u.close();

  const [p, q] = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  assert.throws(() => p.toNetSocket(), isArgValue);
  assert.equal(p.closed, false);
  p.send(Buffer.from('one'));
  p.send(Buffer.from('two'));
  assert.equal(q.recv(100).toString(), 'one');
  assert.equal(q.recv(100).toString(), 'two');
  p.close();
  q.close();
});

test('toNetSocket refuses a closed or detached socket with OSError EBADF', T, () => {
  const s = socket.socket();
  s.close();
  assert.throws(() => s.toNetSocket(), (e) => isEBADF(e) && e.message === '[Errno 9] Bad file descriptor');
  const t = socket.socket();
  const fd = t.detach();
  assert.throws(() => t.toNetSocket(), isEBADF);
  socket.close(fd);
});

test('toNetSocket refuses an unconnected or listening socket with OSError ENOTCONN, leaving it usable', T, () => {
  const s = socket.socket();
  const l = socket.socket();
  try {
    const isENOTCONN = (e) => e instanceof socket.OSError && e.errno === osConstants.errno.ENOTCONN && e.code === 'ENOTCONN';
    assert.throws(() => s.toNetSocket(), isENOTCONN);
    l.bind(['127.0.0.1', 0]);
    l.listen();
    assert.throws(() => l.toNetSocket(), isENOTCONN);
    // Still whole: the listener accepts a connection.
    const c = socket.create_connection(l.getsockname());
    const [conn] = l.accept();
    assert.ok(s.fileno() >= 0);
    conn.close();
    c.close();
  } finally {
    s.close();
    l.close();
  }
});

test('toNetSocket refuses options.fd (ERR_INVALID_ARG_VALUE) and non-object options (ERR_INVALID_ARG_TYPE), socket left usable', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const [a, b] = socket.socketpair();
  const fd = a.fileno();
  for (const bad of [{ fd: 0 }, { fd }, { fd: null }, { fd: 'x' }]) {
    assert.throws(() => a.toNetSocket(bad), (e) => isArgValue(e) && e.message.includes('options.fd'));
  }
  for (const bad of [null, 5, 'opts', true]) {
    assert.throws(() => a.toNetSocket(bad), (e) => isArgType(e) && e.message.includes('"options"'));
  }
  // Options net.Socket itself refuses are refused before the descriptor
  // moves (as Node words them), an aborted signal included.
  const netRefuses = [
    [{ objectMode: true }, isArgValue],
    [{ readableObjectMode: true }, isArgValue],
    [{ highWaterMark: -1 }, isArgValue],
    [{ signal: 'x' }, (e) => isArgType(e) && e.message.includes('"signal"')],
    // An object that only claims to be a signal: net.Socket threw only after
    // the descriptor had moved, which left the bsdsock socket without it.
    [{ signal: Object.create(AbortSignal.prototype) }, (e) => isArgType(e) && e.message.includes('"signal"')],
  ];
  for (const [bad, check] of netRefuses) assert.throws(() => a.toNetSocket(bad), check, JSON.stringify(bad));
  assert.equal(a.fileno(), fd);
  assert.equal(a.closed, false);
  a.sendall(Buffer.from('ok'));
  assert.equal(b.recv(10).toString(), 'ok');
  // { fd: undefined } is no fd at all.
  const na = a.toNetSocket({ fd: undefined });
  assert.equal(na._handle.fd, fd);
  const closed = once(na, 'close');
  na.destroy();
  await closed;
  b.close();
});

// --- fromNetSocket: moves --------------------------------------------------------

test('fromNetSocket moves a net.connect client: net.Socket destroyed, bsdsock socket blocking, connection intact', { ...T, skip: nodeOnly('netHandle') }, async () => {
  assert.equal(socket.getdefaulttimeout(), null);
  let serverEnded = false;
  const srv = await netServer();
  const port = srv.address().port;
  const client = net.connect(port, '127.0.0.1');
  const [[conn]] = await Promise.all([once(srv, 'connection'), once(client, 'connect')]);
  conn.on('end', () => (serverEnded = true));
  const local = [client.localAddress, client.localPort];
  const netFd = client._handle.fd;

  const s = socket.fromNetSocket(client);
  assert.ok(s instanceof socket.Socket);
  assert.equal(client.destroyed, true);
  assert.notEqual(s.fileno(), netFd);
  assert.equal(s.family, socket.AF_INET);
  assert.equal(s.type, socket.SOCK_STREAM);
  assert.equal(s.proto, socket.IPPROTO_TCP);
  assert.equal(s.gettimeout(), null);
  assert.equal(s.getblocking(), true);
  assert.equal(fdFlags(s.fileno()) & O_NONBLOCK, 0, 'O_NONBLOCK cleared for blocking mode');
  assert.deepEqual(s.getpeername(), ['127.0.0.1', port]);
  assert.deepEqual(s.getsockname(), local);
  await once(client, 'close');

  // Destroying the net.Socket did not shut the connection down.
  s.sendall(Buffer.from('hello'));
  assert.equal((await readN(conn, 5)).toString(), 'hello');
  assert.equal(serverEnded, false);
  await writeAsync(conn, 'world');
  assert.equal(s.recv(5).toString(), 'world'); // blocking recv: the bytes are already here

  const ended = once(conn, 'end');
  s.close();
  await ended;
  conn.destroy();
  await closeServer(srv);
});

test('fromNetSocket moves a connection accepted by net.createServer; the peer talks to bsdsock', { ...T, skip: nodeOnly('netHandle') }, async () => {
  let resolveSock;
  const taken = new Promise((r) => (resolveSock = r));
  const srv = await netServer((conn) => {
    assert.equal(conn.readableLength, 0);
    const s = socket.fromNetSocket(conn);
    assert.equal(conn.destroyed, true);
    resolveSock(s);
  });
  const c = tcpClient(srv.address().port);
  const s = await taken;
  assert.equal(s.family, socket.AF_INET);
  assert.equal(s.type, socket.SOCK_STREAM);
  assert.equal(s.proto, socket.IPPROTO_TCP);
  assert.equal(s.gettimeout(), null);
  assert.deepEqual(s.getpeername(), c.getsockname());
  assert.deepEqual(s.getsockname(), c.getpeername());

  const payload = randomBytes(200_000);
  const [, got] = await Promise.all([c.sendallAsync(payload), recvN(s, payload.length)]);
  assert.equal(sha(got), sha(payload));
  await s.sendallAsync(Buffer.from('reply'));
  assert.equal((await recvN(c, 5)).toString(), 'reply');
  s.close();
  assert.deepEqual(await c.recvAsync(10), Buffer.alloc(0));
  c.close();
  await closeServer(srv);
});

test('fromNetSocket takes the default timeout\'s mode (setdefaulttimeout)', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const srv = await netServer();
  const port = srv.address().port;
  const conns = [];
  srv.on('connection', (c) => conns.push(c));
  const connect = async () => {
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    return client;
  };
  try {
    socket.setdefaulttimeout(0.2);
    const s1 = socket.fromNetSocket(await connect());
    assert.equal(s1.gettimeout(), 0.2);
    assert.equal(s1.getblocking(), true);
    const t0 = process.hrtime.bigint();
    assert.throws(
      () => s1.recv(1),
      (e) => e.constructor === socket.TimeoutError && e.message === 'timed out' && e.errno === null,
    );
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 >= 150);
    s1.close();

    socket.setdefaulttimeout(0);
    const s2 = socket.fromNetSocket(await connect());
    assert.equal(s2.gettimeout(), 0);
    assert.equal(s2.getblocking(), false);
    assert.equal(fdFlags(s2.fileno()) & O_NONBLOCK, O_NONBLOCK);
    assert.throws(() => s2.recv(1), (e) => e.constructor === socket.BlockingIOError && e.errno === EAGAIN);
    s2.close();
  } finally {
    socket.setdefaulttimeout(null);
  }
  for (const c of conns) c.destroy();
  await closeServer(srv);
});

// --- fromNetSocket: refusals -------------------------------------------------------

test('fromNetSocket refuses a net.Socket with unread buffered bytes; after read() it moves without losing any', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const srv = await netServer();
  const client = net.connect(srv.address().port, '127.0.0.1');
  const [[conn]] = await Promise.all([once(srv, 'connection'), once(client, 'connect')]);
  await writeAsync(conn, 'abc');
  await once(client, 'readable');
  assert.equal(client.readableLength, 3);
  assert.throws(() => socket.fromNetSocket(client), isState(/holds 3 bytes already received/));
  assert.equal(client.destroyed, false);
  assert.equal(client.read().toString(), 'abc');
  assert.equal(client.readableLength, 0);
  const s = socket.fromNetSocket(client);
  assert.equal(client.destroyed, true);
  await writeAsync(conn, 'def');
  assert.equal(s.recv(3).toString(), 'def');
  s.close();
  await once(conn, 'end');
  conn.destroy();
  await closeServer(srv);
});

test('fromNetSocket refuses a net.Socket with unsent writes until their callbacks ran', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const [a, b] = socket.socketpair();
  const na = a.toNetSocket();
  // More than the socket buffers hold while b does not read: libuv keeps the rest queued.
  const big = randomBytes(2 * 1024 * 1024);
  let written = false;
  const writeDone = new Promise((r) => na.write(big, () => r((written = true))));
  await new Promise((r) => setImmediate(r));
  assert.equal(written, false);
  assert.equal(na.writableLength, big.length);
  assert.throws(() => socket.fromNetSocket(na), isState(new RegExp(`has ${big.length} bytes not yet sent`)));
  assert.equal(na.destroyed, false);
  const drained = recvN(b, big.length + 3);
  await writeDone;
  assert.equal(na.writableLength, 0);
  const s = socket.fromNetSocket(na);
  assert.equal(na.destroyed, true);
  s.sendall(Buffer.from('end'));
  const got = await drained;
  assert.equal(sha(got.subarray(0, big.length)), sha(big));
  assert.equal(got.subarray(big.length).toString(), 'end');
  s.close();
  assert.deepEqual(await b.recvAsync(1), Buffer.alloc(0));
  b.close();
});

test('a write that completed synchronously leaves writableLength 0: fromNetSocket right after write() loses nothing', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const srv = await netServer();
  const client = net.connect(srv.address().port, '127.0.0.1');
  const [[conn]] = await Promise.all([once(srv, 'connection'), once(client, 'connect')]);
  client.write('xyz');
  assert.equal(client.writableLength, 0); // already in the kernel; only the callback is deferred
  const s = socket.fromNetSocket(client);
  s.sendall(Buffer.from('123'));
  assert.equal((await readN(conn, 6)).toString(), 'xyz123');
  s.close();
  conn.destroy();
  await closeServer(srv);
});

test('fromNetSocket refuses a connecting, a destroyed and a never-connected net.Socket (ERR_INVALID_STATE)', T, async () => {
  const srv = await netServer();
  const conns = [];
  srv.on('connection', (c) => conns.push(c));
  const client = net.connect(srv.address().port, '127.0.0.1');
  assert.equal(client.connecting, true);
  assert.throws(() => socket.fromNetSocket(client), isState(/still connecting/));
  assert.throws(() => socket.fromNetSocket(client, { shared: true }), isState(/still connecting/));
  await once(client, 'connect');
  client.destroy();
  assert.throws(() => socket.fromNetSocket(client), isState(/no descriptor/));
  assert.throws(() => socket.fromNetSocket(client, { shared: true }), isState(/no descriptor/));
  assert.throws(() => socket.fromNetSocket(new net.Socket()), isState(/no descriptor/));
  await once(client, 'close');
  for (const c of conns) c.destroy();
  await closeServer(srv);
});

test('fromNetSocket refuses a TLSSocket (ERR_INVALID_ARG_VALUE), which keeps working', T, async () => {
  const srv = tls.createServer({ key: KEY, cert: CERT }, (c) => c.pipe(c));
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const ts = tls.connect({ port: srv.address().port, host: '127.0.0.1', ca: CERT, servername: 'localhost' });
  await once(ts, 'secureConnect');
  assert.ok(ts instanceof net.Socket);
  assert.throws(() => socket.fromNetSocket(ts), (e) => isArgValue(e) && /TLSSocket/.test(e.message));
  assert.throws(() => socket.fromNetSocket(ts, { shared: true }), isArgValue);
  assert.equal(ts.destroyed, false);
  const got = readN(ts, 11);
  ts.write('still fine!');
  assert.equal((await got).toString(), 'still fine!');
  const closed = once(ts, 'close');
  ts.end();
  await closed;
  await closeServer(srv);
});

test('fromNetSocket refuses what is not a net.Socket, and non-object options (ERR_INVALID_ARG_TYPE)', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const bs = socket.socket();
  const ds = dgram.createSocket('udp4');
  for (const bad of [undefined, null, 3, 'fd', {}, { _handle: { fd: 1 } }, new Duplex(), bs, ds]) {
    assert.throws(() => socket.fromNetSocket(bad), (e) => isArgType(e) && e.message.includes('"netSocket"'));
  }
  bs.close();
  ds.close();

  const [a, b] = socket.socketpair();
  const na = a.toNetSocket();
  for (const bad of [null, 1, 'shared', false]) {
    assert.throws(() => socket.fromNetSocket(na, bad), (e) => isArgType(e) && e.message.includes('"options"'));
  }
  assert.equal(na.destroyed, false);
  // Round trip through net and back: the same connection.
  const back = socket.fromNetSocket(na);
  assert.equal(back.family, socket.AF_UNIX);
  assert.equal(back.type, socket.SOCK_STREAM);
  assert.equal(back.proto, 0);
  back.sendall(Buffer.from('there and back'));
  assert.equal(b.recv(100).toString(), 'there and back');
  back.close();
  b.close();
});

test('fromNetSocket on a net.Socket over a FIFO (not a socket): OSError ENOTSOCK, the net.Socket untouched, no descriptor leaked', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-interop-'));
  try {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
    const ns = new net.Socket({ fd, readable: true, writable: true });
    assert.equal(ns._handle.constructor.name, 'Pipe');
    const before = fdCount();
    assert.throws(() => socket.fromNetSocket(ns), (e) => e.constructor === socket.OSError && e.errno === ENOTSOCK && e.code === 'ENOTSOCK');
    assert.throws(() => socket.fromNetSocket(ns, { shared: true }), (e) => e.constructor === socket.OSError && e.errno === ENOTSOCK);
    assert.equal(fdCount(), before);
    assert.equal(ns.destroyed, false);
    // Still net's: what it writes into the FIFO it reads back.
    const got = readN(ns, 4);
    ns.write('fifo');
    assert.equal((await got).toString(), 'fifo');
    const closed = once(ns, 'close');
    ns.destroy();
    await closed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ownership after a move survives garbage collection of the object left behind', { ...T, skip: nodeOnly('netHandle') }, () => {
  // In a child with --expose-gc: the detached bsdsock Socket (after
  // toNetSocket) and the destroyed net.Socket (after fromNetSocket) are
  // collected without closing the descriptor that moved on, and without a
  // ResourceWarning.
  const code = `
    const socket = require('bsdsock');
    const warnings = [];
    process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
    const tick = () => new Promise((r) => setImmediate(r));
    const collect = async () => { for (let i = 0; i < 3; i++) { global.gc(); await tick(); } };
    (async () => {
      const { na, b } = (() => { const [a, b] = socket.socketpair(); return { na: a.toNetSocket(), b }; })();
      await collect();
      const got = new Promise((r) => na.once('data', r));
      b.sendall(Buffer.from('after gc'));
      const d1 = String(await got);
      const back = socket.fromNetSocket(na);
      await collect();
      back.sendall(Buffer.from('moved back'));
      const d2 = String(b.recv(100));
      back.close();
      b.close();
      await collect();
      console.log(JSON.stringify({ d1, d2, warnings }));
    })();
  `;
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', code], { encoding: 'utf8', timeout: 8000 * SLOWDOWN });
  assert.deepEqual(JSON.parse(out.trim()), { d1: 'after gc', d2: 'moved back', warnings: [] });
});

test('fromNetSocket is exported alike by the ESM and CommonJS entries', T, () => {
  const cjs = createRequire(import.meta.url)('bsdsock');
  assert.equal(cjs.fromNetSocket, socket.fromNetSocket);
  assert.equal(typeof cjs.Socket.prototype.toNetSocket, 'function');
  assert.equal(cjs.Socket, socket.Socket);
});

// --- fromNetSocket: shared -----------------------------------------------------------

test('fromNetSocket { shared: true }: both usable, bsdsock side non-blocking, getsockopt sees net\'s settings', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const srv = await netServer();
  const client = net.connect(srv.address().port, '127.0.0.1');
  const [[conn]] = await Promise.all([once(srv, 'connection'), once(client, 'connect')]);
  const s = socket.fromNetSocket(client, { shared: true });
  assert.equal(client.destroyed, false);
  assert.notEqual(s.fileno(), client._handle.fd);
  assert.equal(s.gettimeout(), 0);
  assert.equal(s.getblocking(), false);
  assert.equal(fdFlags(client._handle.fd) & O_NONBLOCK, O_NONBLOCK, 'libuv\'s descriptor still non-blocking');
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0);
  assert.deepEqual(s.getpeername(), [client.remoteAddress, client.remotePort]);

  assert.equal(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 0);
  client.setNoDelay(true);
  assert.equal(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1);
  client.setNoDelay(false);
  assert.equal(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 0);
  client.setKeepAlive(true, 7000);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1);
  assert.equal(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 7);
  const info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104);
  assert.equal(info[0], 1, 'tcpi_state TCP_ESTABLISHED');

  // net still reads and writes; bsdsock may write too (net's write completed first).
  const inbound = readN(client, 6);
  conn.write('net-in');
  assert.equal((await inbound).toString(), 'net-in');
  await writeAsync(client, 'net-out|');
  assert.equal(s.send(Buffer.from('bsd-out')), 7);
  assert.equal((await readN(conn, 15)).toString(), 'net-out|bsd-out');
  assert.throws(() => s.recv(1), (e) => e.constructor === socket.BlockingIOError);

  // Closing the shared Socket leaves net's connection alone.
  s.close();
  const again = readN(client, 5);
  conn.write('again');
  assert.equal((await again).toString(), 'again');
  assert.equal(client.destroyed, false);
  const closed = once(client, 'close');
  client.end();
  await once(conn, 'end');
  conn.end();
  await closed;
  await closeServer(srv);
});

test('fromNetSocket { shared: true } is allowed with bytes buffered (nothing is moved)', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const [a, b] = socket.socketpair();
  const na = a.toNetSocket();
  b.sendall(Buffer.from('buffered'));
  await once(na, 'readable');
  assert.equal(na.readableLength, 8);
  const s = socket.fromNetSocket(na, { shared: true });
  assert.equal(na.destroyed, false);
  assert.equal(na.read().toString(), 'buffered');
  assert.equal(s.family, socket.AF_UNIX);
  s.close();
  const closed = once(na, 'close');
  na.destroy();
  await closed;
  b.close();
});

// --- child processes and workers -----------------------------------------------------

test('fromNetSocket takes a child process\'s \'pipe\' stdio (AF_UNIX socketpair) in; data both ways with the child', { ...T, skip: nodeOnly('netHandle') }, async () => {
  const childCode = `
    const net = require('node:net');
    const s3 = new net.Socket({ fd: 3, readable: true, writable: true });
    s3.on('data', (d) => s3.write(String(d).toUpperCase()));
    s3.on('end', () => s3.end());
    let input = '';
    process.stdin.on('data', (d) => (input += d));
    process.stdin.on('end', () => process.stdout.write('child read: ' + input));
  `;
  const child = spawn(process.execPath, ['-e', childCode], { stdio: ['pipe', 'pipe', 'inherit', 'pipe'] });
  const exited = once(child, 'exit');
  const childClosed = once(child, 'close');
  // Taken in the same tick as spawn: net has read nothing yet.
  const sin = socket.fromNetSocket(child.stdin);
  const sout = socket.fromNetSocket(child.stdout);
  const s3 = socket.fromNetSocket(child.stdio[3]);
  for (const [ns, s] of [[child.stdin, sin], [child.stdout, sout], [child.stdio[3], s3]]) {
    assert.equal(ns.destroyed, true);
    assert.equal(s.family, socket.AF_UNIX);
    assert.equal(s.type, socket.SOCK_STREAM);
    assert.equal(s.gettimeout(), null);
  }
  sin.sendall(Buffer.from('hello child'));
  sin.close(); // the child's stdin sees EOF
  await s3.sendallAsync(Buffer.from('shout this'));
  s3.shutdown(socket.SHUT_WR);
  assert.equal((await recvAll(s3)).toString(), 'SHOUT THIS');
  assert.equal((await recvAll(sout)).toString(), 'child read: hello child');
  const [code, signal] = await exited;
  assert.equal(code, 0);
  assert.equal(signal, null);
  await childClosed;
  s3.close();
  sout.close();
});

test('no dedicated API: a socket reaches a worker thread by its fileno() (fromfd / socket(..., fileno))', T, async () => {
  const [a, b] = socket.socketpair();
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const socket = require('bsdsock');
    // fromfd duplicates; socket(-1, -1, -1, fd) adopts (Python's socket(fileno=fd)).
    const s = workerData.adopt ? socket.socket(-1, -1, -1, workerData.fd) : socket.fromfd(workerData.fd, socket.AF_UNIX, socket.SOCK_STREAM);
    s.sendall(Buffer.from('from worker ' + s.family + ' ' + s.type));
    const got = s.recv(100);
    s.close();
    parentPort.postMessage(String(got));
  `;
  const run = async (fd, adopt) => {
    const w = new Worker(code, { eval: true, workerData: { fd, adopt } });
    const msg = once(w, 'message');
    const exited = once(w, 'exit');
    const errored = once(w, 'error').then(([e]) => { throw e; });
    assert.equal((await recvN(b, 15)).toString(), `from worker ${socket.AF_UNIX} ${socket.SOCK_STREAM}`);
    await b.sendallAsync(Buffer.from('to worker'));
    const [m] = await Promise.race([msg, errored]);
    assert.equal(m, 'to worker');
    assert.deepEqual(await exited, [0]);
  };
  await run(a.fileno(), false); // the worker used a duplicate; a is still open here
  assert.equal(a.closed, false);
  a.sendall(Buffer.from('parent'));
  assert.equal(b.recv(6).toString(), 'parent');
  await run(a.detach(), true); // ownership handed over: the worker closed it
  assert.deepEqual(await b.recvAsync(10), Buffer.alloc(0));
  b.close();
});

test('no dedicated API: a socket reaches a child process through spawn\'s stdio by its fileno()', T, async () => {
  const [a, b] = socket.socketpair();
  assert.equal(a.get_inheritable(), false); // close-on-exec; spawn's stdio mapping dup2()s it anyway
  const childCode = `
    const socket = require('bsdsock');
    const s = socket.socket(-1, -1, -1, 3);
    s.sendall(Buffer.from('child ' + s.family + ' ' + s.type));
    const got = s.recv(100);
    s.sendall(Buffer.concat([Buffer.from('echo '), got]));
    s.close();
  `;
  const child = spawn(process.execPath, ['-e', childCode], { stdio: ['ignore', 'inherit', 'inherit', a.fileno()] });
  const exited = once(child, 'exit');
  a.close(); // the child has its own copy
  const hello = `child ${socket.AF_UNIX} ${socket.SOCK_STREAM}`;
  assert.equal((await recvN(b, hello.length)).toString(), hello);
  await b.sendallAsync(Buffer.from('ping'));
  assert.equal((await recvAll(b)).toString(), 'echo ping');
  assert.deepEqual(await exited, [0, null]);
  b.close();
});

test('no file descriptor is left open by this file', { ...T, skip: nodeOnly('ownFds') }, async () => {
  // Handles that net, child_process and workers close are released on a
  // later turn of the loop: give them a few.
  let now = fdList();
  for (let i = 0; i < 20 && now.length !== fdsAtStart.length; i++) {
    await new Promise((r) => setTimeout(r, 25));
    now = fdList();
  }
  const extra = now.filter((f) => !fdsAtStart.includes(f));
  const gone = fdsAtStart.filter((f) => !now.includes(f));
  assert.equal(now.length, fdsAtStart.length, `extra: ${extra.join(', ')}; gone: ${gone.join(', ')}`);
});
