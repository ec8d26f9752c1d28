// Python's "Notes on socket timeouts": blocking, non-blocking and timeout
// modes, the default timeout, accept's inheritance rule, sendall's overall
// deadline, and EINTR retried with the remaining time (PEP 475).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as socket from 'bsdsock';
import { nodeOnly } from './fixtures/runtime.mjs';

const E = osConstants.errno;

afterEach(() => {
  socket.setdefaulttimeout(null);
});

function isErrno(Cls, errno) {
  return (e) => {
    assert.equal(e.constructor, Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.errno, errno);
    return true;
  };
}

function isTimeout(e) {
  assert.equal(e.constructor, socket.TimeoutError, `expected TimeoutError, got ${e?.constructor?.name}: ${e?.message}`);
  assert.ok(e instanceof socket.OSError);
  assert.ok(e instanceof Error);
  assert.equal(e.message, 'timed out');
  assert.equal(e.errno, null);
  assert.equal(e.strerror, null);
  assert.equal(e.code, 'ETIMEDOUT');
  return true;
}

/** Runs `fn`, expects a TimeoutError, and checks it took about `seconds`. */
function assertTimesOut(fn, seconds) {
  const t0 = performance.now();
  assert.throws(fn, isTimeout);
  const ms = performance.now() - t0;
  assert.ok(ms >= seconds * 1000 - 20, `timed out too early: ${ms.toFixed(1)} ms < ${seconds * 1000} ms`);
  assert.ok(ms < seconds * 1000 + 1000, `timed out too late: ${ms.toFixed(1)} ms`);
  return ms;
}

function listener(backlog) {
  const srv = socket.socket();
  srv.bind(['127.0.0.1', 0]);
  srv.listen(backlog);
  return srv;
}

test('settimeout / gettimeout / setblocking / getblocking', () => {
  const s = socket.socket();
  try {
    assert.equal(s.gettimeout(), null);
    assert.equal(s.getblocking(), true);
    s.settimeout(2.5);
    assert.equal(s.gettimeout(), 2.5);
    assert.equal(s.getblocking(), true);
    s.settimeout(0);
    assert.equal(s.gettimeout(), 0);
    assert.equal(s.getblocking(), false);
    s.settimeout(null);
    assert.equal(s.gettimeout(), null);
    s.setblocking(false);
    assert.equal(s.gettimeout(), 0);
    assert.equal(s.getblocking(), false);
    s.setblocking(true);
    assert.equal(s.gettimeout(), null);
    s.settimeout(3);
    s.setblocking(true);
    assert.equal(s.gettimeout(), null);
    s.setblocking(0);
    assert.equal(s.gettimeout(), 0);
    s.setblocking(1);
    assert.equal(s.gettimeout(), null);
    s.settimeout(1n);
    assert.equal(s.gettimeout(), 1);
    s.settimeout(undefined);
    assert.equal(s.gettimeout(), null);
    // Kept as whole nanoseconds, rounded up, as Python keeps it
    // (python3 -c 's.settimeout(v); print(s.gettimeout())').
    const rounded = [
      [1e-10, 1e-9],
      [-0, 0],
      [0.1, 0.1],
      [1 / 3, 0.333333334],
      [1.0000000001, 1.000000001],
      [123.456789123456, 123.456789124],
    ];
    for (const [v, want] of rounded) {
      s.settimeout(v);
      assert.ok(Object.is(s.gettimeout(), want), `settimeout(${v}) -> ${s.gettimeout()}`);
      socket.setdefaulttimeout(v);
      assert.ok(Object.is(socket.getdefaulttimeout(), want), `setdefaulttimeout(${v})`);
    }
    socket.setdefaulttimeout(null);
  } finally {
    socket.setdefaulttimeout(null);
    s.close();
  }
});

test('setdefaulttimeout applies to new, paired, duplicated and adopted sockets', () => {
  assert.equal(socket.getdefaulttimeout(), null);
  socket.setdefaulttimeout(0.2);
  assert.equal(socket.getdefaulttimeout(), 0.2);
  const s = socket.socket();
  const [a, b] = socket.socketpair();
  const f = socket.fromfd(s.fileno(), socket.AF_INET, socket.SOCK_STREAM);
  try {
    assert.equal(s.gettimeout(), 0.2);
    assert.equal(a.gettimeout(), 0.2);
    assert.equal(b.gettimeout(), 0.2);
    assert.equal(f.gettimeout(), 0.2);
    assertTimesOut(() => a.recv(1), 0.2);
  } finally {
    s.close();
    a.close();
    b.close();
    f.close();
  }
  socket.setdefaulttimeout(0);
  const n = socket.socket();
  try {
    assert.equal(n.gettimeout(), 0);
    assert.equal(n.getblocking(), false);
  } finally {
    n.close();
  }
  socket.setdefaulttimeout(null);
  assert.equal(socket.getdefaulttimeout(), null);
  const m = socket.socket();
  assert.equal(m.gettimeout(), null);
  m.close();
});

test('non-blocking mode: calls that would wait raise BlockingIOError', () => {
  const srv = listener();
  const [a, b] = socket.socketpair();
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    srv.setblocking(false);
    assert.throws(() => srv.accept(), isErrno(socket.BlockingIOError, E.EAGAIN));
    a.setblocking(false);
    assert.throws(() => a.recv(1), (e) => {
      isErrno(socket.BlockingIOError, E.EAGAIN)(e);
      assert.equal(e.code, 'EAGAIN');
      assert.equal(e.message, `[Errno ${E.EAGAIN}] Resource temporarily unavailable`);
      return true;
    });
    assert.throws(() => a.recv_into(Buffer.alloc(1)), isErrno(socket.BlockingIOError, E.EAGAIN));
    assert.throws(() => a.recvfrom(1), isErrno(socket.BlockingIOError, E.EAGAIN));
    assert.throws(() => a.recvfrom_into(Buffer.alloc(1)), isErrno(socket.BlockingIOError, E.EAGAIN));
    const chunk = Buffer.alloc(65536);
    let sent = 0;
    assert.throws(() => {
      for (;;) sent += a.send(chunk);
    }, isErrno(socket.BlockingIOError, E.EAGAIN));
    assert.ok(sent > 0);
    assert.throws(() => a.sendall(chunk), isErrno(socket.BlockingIOError, E.EAGAIN));
    u.setblocking(false);
    u.bind(['127.0.0.1', 0]);
    assert.throws(() => u.recvfrom(10), isErrno(socket.BlockingIOError, E.EAGAIN));
    // A non-blocking connect is under way: EINPROGRESS.
    const c = socket.socket();
    c.setblocking(false);
    assert.throws(() => c.connect(srv.getsockname()), isErrno(socket.BlockingIOError, E.EINPROGRESS));
    c.close();
    const d = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
    assert.equal(d.connect_ex(srv.getsockname()), E.EINPROGRESS);
    d.close();
  } finally {
    srv.close();
    a.close();
    b.close();
    u.close();
  }
});

test('timeout mode: recv, recv_into, recvfrom, recvfrom_into and accept raise TimeoutError after the timeout', () => {
  const [a, b] = socket.socketpair();
  const srv = listener();
  try {
    a.settimeout(0.15);
    assertTimesOut(() => a.recv(10), 0.15);
    assertTimesOut(() => a.recv_into(Buffer.alloc(4)), 0.15);
    assertTimesOut(() => a.recvfrom(10), 0.15);
    assertTimesOut(() => a.recvfrom_into(Buffer.alloc(4)), 0.15);
    srv.settimeout(0.15);
    assertTimesOut(() => srv.accept(), 0.15);
    // Data that is there is returned at once, well within the timeout.
    b.send(Buffer.from('here'));
    assert.deepEqual(a.recv(10), Buffer.from('here'));
    // socket.timeout is Python's alias of TimeoutError.
    assert.equal(socket.timeout, socket.TimeoutError);
  } finally {
    a.close();
    b.close();
    srv.close();
  }
});

test('timeout mode: a connection that is pending is accepted; connect under a timeout succeeds', () => {
  const srv = listener();
  const c = socket.socket();
  try {
    c.settimeout(2);
    c.connect(srv.getsockname());
    assert.equal(c.gettimeout(), 2);
    srv.settimeout(2);
    const [conn, addr] = srv.accept();
    assert.deepEqual(addr, c.getsockname());
    conn.close();
    const d = socket.socket();
    d.settimeout(2);
    assert.equal(d.connect_ex(srv.getsockname()), 0);
    srv.accept()[0].close();
    d.close();
  } finally {
    srv.close();
    c.close();
  }
});

test('timeout mode: connect to a listener whose queue is full times out; connect_ex returns EAGAIN', () => {
  // With a backlog of 0 the kernel queues one connection and drops later SYNs.
  const srv = listener(0);
  const first = socket.socket();
  const second = socket.socket();
  const third = socket.socket();
  try {
    first.connect(srv.getsockname());
    second.settimeout(0.2);
    assertTimesOut(() => second.connect(srv.getsockname()), 0.2);
    third.settimeout(0.2);
    const t0 = performance.now();
    assert.equal(third.connect_ex(srv.getsockname()), E.EAGAIN);
    assert.ok(performance.now() - t0 >= 180);
  } finally {
    srv.close();
    first.close();
    second.close();
    third.close();
  }
});

test('connect to a refused port under a timeout raises ConnectionRefusedError, not TimeoutError', () => {
  const probe = socket.socket();
  probe.bind(['127.0.0.1', 0]);
  const addr = probe.getsockname();
  probe.close();
  const c = socket.socket();
  try {
    c.settimeout(1);
    assert.throws(() => c.connect(addr), isErrno(socket.ConnectionRefusedError, E.ECONNREFUSED));
  } finally {
    c.close();
  }
});

test('sendall\'s timeout bounds the whole call', () => {
  const [a, b] = socket.socketpair();
  try {
    a.settimeout(0.3);
    // Much more than the socket buffers hold: sendall makes progress, then waits, then times out.
    const data = Buffer.alloc(16 * 1024 * 1024);
    const ms = assertTimesOut(() => a.sendall(data), 0.3);
    assert.ok(ms < 1000);
    // send on the full socket also times out.
    assertTimesOut(() => a.send(Buffer.alloc(65536)), 0.3);
    b.settimeout(0.5);
    assert.ok(b.recv(1 << 16).length > 0);
  } finally {
    a.close();
    b.close();
  }
});

// The slow reader of the next test: a worker thread that reads 64 KiB every
// 50 ms from `fd` (blocking reads) until EOF, faster once `flag[0]` is set.
const SLOW_READER = `
  const { workerData, parentPort } = require('node:worker_threads');
  const { readSync } = require('node:fs');
  const { fd, flag } = workerData;
  const buf = Buffer.alloc(65536);
  const times = [];
  let total = 0;
  parentPort.postMessage('ready');
  for (;;) {
    Atomics.wait(flag, 0, 0, 50);
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    total += n;
    times.push(Date.now());
  }
  parentPort.postMessage({ total, times });
`;

test('sendall\'s timeout bounds the whole call even while every send makes progress', { skip: nodeOnly('rawFds', ['deno']) }, async () => {
  const [a, b] = socket.socketpair();
  // A small send buffer: each read of the slow reader lets sendall go on.
  a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536);
  // What one fill of the socket takes, measured on a twin pair.
  const [c, d] = socket.socketpair();
  c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536);
  c.setblocking(false);
  let capacity = 0;
  try {
    for (;;) capacity += c.send(Buffer.alloc(65536));
  } catch (e) {
    assert.ok(e instanceof socket.BlockingIOError);
  }
  c.close();
  d.close();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(SLOW_READER, { eval: true, workerData: { fd: b.fileno(), flag } });
  try {
    await once(worker, 'message');
    const result = once(worker, 'message');
    a.settimeout(0.3);
    const t0 = Date.now();
    // 32 MiB at 64 KiB per 50 ms would take about 25 s: sendall blocks this
    // thread while the worker reads.
    const ms = assertTimesOut(() => a.sendall(Buffer.alloc(32 << 20)), 0.3);
    const t1 = Date.now();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    a.close();
    const [{ total, times }] = await result;
    const readsDuring = times.filter((t) => t >= t0 && t <= t1).length;
    assert.ok(ms < 5000, `sendall ran ${ms.toFixed(0)} ms: the timeout did not bound the whole call`);
    assert.ok(readsDuring >= 2, `the reader read ${readsDuring} times during sendall`);
    assert.ok(total > capacity, `sendall sent ${total} bytes, no more than one fill (${capacity}): it made no progress while waiting`);
  } finally {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    a.close();
    await worker.terminate();
    b.close();
  }
});

test('accept: the new socket takes the default timeout, or blocks when the listener had a timeout', () => {
  const srv = listener();
  const clients = [];
  const conns = [];
  const acceptWith = (listenerTimeout, defaultTimeout) => {
    socket.setdefaulttimeout(null);
    const c = socket.socket();
    clients.push(c);
    c.connect(srv.getsockname());
    srv.settimeout(listenerTimeout);
    socket.setdefaulttimeout(defaultTimeout);
    const [conn] = srv.accept();
    conns.push(conn);
    socket.setdefaulttimeout(null);
    return conn;
  };
  try {
    // No default: a listener with a timeout gives a blocking socket...
    let conn = acceptWith(2, null);
    assert.equal(conn.gettimeout(), null);
    assert.equal(conn.getblocking(), true);
    // A blocking listener gives a blocking socket.
    conn = acceptWith(null, null);
    assert.equal(conn.gettimeout(), null);
    // A non-blocking listener (timeout 0) and no default: the new socket is in blocking mode.
    clients.push(socket.socket());
    clients.at(-1).connect(srv.getsockname());
    srv.setblocking(false);
    // The connection is queued once connect returned.
    [conn] = srv.accept();
    conns.push(conn);
    assert.equal(conn.gettimeout(), null);
    // A default timeout wins in every case.
    conn = acceptWith(2, 0.75);
    assert.equal(conn.gettimeout(), 0.75);
    conn = acceptWith(null, 0.75);
    assert.equal(conn.gettimeout(), 0.75);
    conn = acceptWith(null, 0);
    assert.equal(conn.gettimeout(), 0);
    assert.throws(() => conn.recv(1), isErrno(socket.BlockingIOError, E.EAGAIN));
  } finally {
    srv.close();
    for (const s of [...clients, ...conns]) s.close();
  }
});

/** Starts a child process that sends `signal` to this process after `delayMs`. */
function signalLater(signal, delayMs) {
  const child = spawn('sh', ['-c', `sleep ${delayMs / 1000}; kill -${signal} ${process.pid}`], { stdio: 'ignore' });
  return once(child, 'exit');
}

test('EINTR: a signal during a timed recv does not shorten it (PEP 475)', async () => {
  let signals = 0;
  const onSignal = () => {
    signals++;
  };
  process.on('SIGUSR1', onSignal);
  const [a, b] = socket.socketpair();
  try {
    a.settimeout(0.6);
    const exited = signalLater('USR1', 150);
    assertTimesOut(() => a.recv(10), 0.6);
    await exited;
    // Let the event loop deliver the signal to the listener.
    for (let i = 0; i < 50 && signals === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(signals, 1, 'the signal arrived while recv waited');
  } finally {
    process.off('SIGUSR1', onSignal);
    a.close();
    b.close();
  }
});

test('EINTR: a signal during a blocking recvfrom and accept is retried until data arrives', { skip: nodeOnly('signals', ['deno']) }, async () => {
  let signals = 0;
  const onSignal = () => {
    signals++;
  };
  process.on('SIGUSR1', onSignal);
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const srv = listener();
  try {
    u.bind(['127.0.0.1', 0]);
    const port = u.getsockname()[1];
    const script = `
      const dgram = require('node:dgram');
      const net = require('node:net');
      setTimeout(() => process.kill(${process.pid}, 'SIGUSR1'), 100);
      setTimeout(() => {
        const s = dgram.createSocket('udp4');
        s.send('after signal', ${port}, '127.0.0.1', () => s.close());
      }, 300);
      setTimeout(() => process.kill(${process.pid}, 'SIGUSR1'), 500);
      setTimeout(() => {
        const c = net.connect(${srv.getsockname()[1]}, '127.0.0.1', () => c.end('hi'));
      }, 700);
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    const t0 = performance.now();
    const [data, from] = u.recvfrom(100);
    assert.ok(performance.now() - t0 >= 250);
    assert.deepEqual(data, Buffer.from('after signal'));
    assert.equal(from[0], '127.0.0.1');
    const [conn] = srv.accept();
    assert.ok(performance.now() - t0 >= 650);
    conn.settimeout(5);
    assert.deepEqual(conn.recv(10), Buffer.from('hi'));
    conn.close();
    await exited;
    for (let i = 0; i < 50 && signals < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(signals, 2);
  } finally {
    process.off('SIGUSR1', onSignal);
    u.close();
    srv.close();
  }
});
