// The async twins (issue 3): every waiting call as a Promise on Node's loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { constants as osConstants } from 'node:os';
import * as socket from 'bsdsock';

const { ECONNREFUSED } = osConstants.errno;

const fdCount = () => readdirSync('/proc/self/fd').length;
const fdsAtStart = fdCount();

function listener(backlog = 128) {
  const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  srv.bind(['127.0.0.1', 0]);
  srv.listen(backlog);
  return srv;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function echoLoop(conn) {
  for (;;) {
    const data = await conn.recvAsync(65536);
    if (data.length === 0) break;
    await conn.sendallAsync(data);
  }
  conn.close();
}

test('a TCP echo server and clients using only twins', async () => {
  const srv = listener();
  const addr = srv.getsockname();
  const served = (async () => {
    for (let i = 0; i < 5; i++) {
      const [conn, peer] = await srv.acceptAsync();
      assert.equal(peer[0], '127.0.0.1');
      echoLoop(conn);
    }
  })();
  await Promise.all(
    Array.from({ length: 5 }, async (_, i) => {
      const c = socket.socket();
      await c.connectAsync(addr);
      const msg = Buffer.from(`hello ${i}`);
      assert.equal(await c.sendAsync(msg), msg.length);
      const got = await c.recvAsync(100);
      assert.deepEqual(got, msg);
      c.shutdown(socket.SHUT_WR);
      assert.equal((await c.recvAsync(100)).length, 0);
      c.close();
    }),
  );
  await served;
  srv.close();
});

test('twins work on blocking-mode sockets and leave them blocking', async () => {
  const srv = listener();
  assert.equal(srv.gettimeout(), null);
  const acc = srv.acceptAsync();
  const c = socket.socket();
  await c.connectAsync(srv.getsockname());
  const [conn] = await acc;
  assert.equal(c.gettimeout(), null);
  assert.equal(c.getblocking(), true);
  assert.equal(srv.getblocking(), true);
  setTimeout(() => conn.send(Buffer.from('x')), 30);
  assert.deepEqual(await c.recvAsync(1), Buffer.from('x'));
  conn.close();
  c.close();
  srv.close();
});

test('the fast path resolves without waiting when data is already there', async () => {
  const [a, b] = socket.socketpair();
  b.sendall(Buffer.from('ready'));
  assert.deepEqual(await a.recvAsync(10), Buffer.from('ready'));
  assert.equal(a._aio, null, 'no watcher state was needed');
  a.close();
  b.close();
});

test('recv_intoAsync, recvfromAsync, recvfrom_intoAsync, sendtoAsync over UDP', async () => {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  r.bind(['127.0.0.1', 0]);
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  const pending = r.recvfromAsync(100);
  assert.equal(await s.sendtoAsync(Buffer.from('one'), r.getsockname()), 3);
  const [data, from] = await pending;
  assert.deepEqual(data, Buffer.from('one'));
  assert.deepEqual(from, s.getsockname());

  await s.sendtoAsync(Buffer.from('two!'), 0, r.getsockname());
  const into = Buffer.alloc(10);
  const [n, from2] = await r.recvfrom_intoAsync(into);
  assert.equal(n, 4);
  assert.deepEqual(into.subarray(0, 4), Buffer.from('two!'));
  assert.deepEqual(from2, s.getsockname());

  s.connect(r.getsockname());
  const p = r.recv_intoAsync(into, 2);
  await s.sendAsync(Buffer.from('xyz'));
  assert.equal(await p, 2);
  assert.deepEqual(into.subarray(0, 2), Buffer.from('xy'));
  r.close();
  s.close();
});

test('a timeout rejects with TimeoutError "timed out" after the socket timeout', async () => {
  const [a, b] = socket.socketpair();
  a.settimeout(0.15);
  const t0 = performance.now();
  await assert.rejects(a.recvAsync(10), (e) => {
    assert.ok(e instanceof socket.TimeoutError);
    assert.equal(e.message, 'timed out');
    assert.equal(e.errno, null);
    return true;
  });
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 140 && elapsed < 1000, `elapsed ${elapsed}`);
  // The socket is still usable and nothing was consumed.
  b.sendall(Buffer.from('after'));
  assert.deepEqual(await a.recvAsync(10), Buffer.from('after'));
  a.close();
  b.close();
});

test('twins wait whatever the blocking flag: a non-blocking socket still waits', async () => {
  const [a, b] = socket.socketpair();
  a.setblocking(false);
  setTimeout(() => b.sendall(Buffer.from('late')), 30);
  assert.deepEqual(await a.recvAsync(10), Buffer.from('late'));
  a.close();
  b.close();
});

test('connectAsync under a timeout to a listener whose backlog is full', async () => {
  // A listener that is never accepted from and whose backlog is full drops
  // new SYNs, so the connection stays in progress until the timeout.
  const srv = listener(0);
  const fillers = [];
  for (let i = 0; i < 8; i++) {
    const f = socket.socket();
    f.setblocking(false);
    f.connect_ex(srv.getsockname());
    fillers.push(f);
  }
  const c = socket.socket();
  c.settimeout(0.2);
  const t0 = performance.now();
  const result = await c.connect_exAsync(srv.getsockname()).catch((e) => e);
  const elapsed = performance.now() - t0;
  // Either the kernel completed it (0) or it timed out as CPython reports (EAGAIN).
  assert.ok(result === 0 || result === socket.EAGAIN, `result ${result}`);
  if (result === socket.EAGAIN) assert.ok(elapsed >= 180, `elapsed ${elapsed}`);
  c.close();
  for (const f of fillers) f.close();
  srv.close();
});

test('connectAsync refused rejects with ConnectionRefusedError; connect_exAsync resolves the errno', async () => {
  const srv = listener();
  const addr = srv.getsockname();
  srv.close();
  const c = socket.socket();
  await assert.rejects(c.connectAsync(addr), (e) => e instanceof socket.ConnectionRefusedError && e.errno === ECONNREFUSED);
  c.close();
  const d = socket.socket();
  assert.equal(await d.connect_exAsync(addr), ECONNREFUSED);
  d.close();
});

test('an aborted signal rejects with its reason and consumes nothing', async () => {
  const [a, b] = socket.socketpair();
  const ac = new AbortController();
  const reason = new Error('stop');
  const p = a.recvAsync(10, { signal: ac.signal });
  ac.abort(reason);
  await assert.rejects(p, (e) => e === reason);
  // Already aborted: rejects at once.
  await assert.rejects(a.recvAsync(10, 0, { signal: ac.signal }), (e) => e === reason);
  b.sendall(Buffer.from('kept'));
  assert.deepEqual(await a.recvAsync(10), Buffer.from('kept'));
  a.close();
  b.close();
});

test('abort racing the arrival of data loses nothing', async () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  let received = 0;
  let aborted = 0;
  const total = 200;
  for (let i = 0; i < total; i++) {
    const ac = new AbortController();
    const p = a.recvAsync(16, { signal: ac.signal });
    // Data and abort land in the same turn of the loop, in either order.
    if (i % 2) {
      b.send(Buffer.from(`m${i}`));
      queueMicrotask(() => ac.abort());
    } else {
      setImmediate(() => ac.abort());
      setImmediate(() => b.send(Buffer.from(`m${i}`)));
    }
    try {
      const d = await p;
      assert.equal(d.toString(), `m${i}`);
      received++;
    } catch (e) {
      assert.equal(e.name, 'AbortError');
      aborted++;
      // The datagram is still there for the next call.
      const d = await a.recvAsync(16);
      assert.equal(d.toString(), `m${i}`);
      received++;
    }
  }
  assert.equal(received, total);
  assert.ok(aborted > 0, 'some aborts won the race');
  a.close();
  b.close();
});

test('several pending reads are served in order; a read and a write may be pending at once', async () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  const reads = [a.recvAsync(10), a.recvAsync(10), a.recvAsync(10)];
  // Fill a's send buffer so that a write is pending too.
  a.setblocking(false);
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) a.send(chunk);
  } catch (e) {
    assert.ok(e instanceof socket.BlockingIOError);
  }
  const write = a.sendAsync(Buffer.from('pending write'));
  for (const m of ['first', 'second', 'third']) b.send(Buffer.from(m));
  assert.deepEqual((await Promise.all(reads)).map(String), ['first', 'second', 'third']);
  // Drain b so the write can go.
  b.setblocking(false);
  let last;
  const drain = async () => {
    for (;;) {
      const d = await b.recvAsync(8192);
      if (d.toString() === 'pending write') return d;
      last = d;
    }
  };
  const [sent, got] = await Promise.all([write, drain()]);
  assert.equal(sent, 13);
  assert.equal(got.toString(), 'pending write');
  assert.ok(last);
  a.close();
  b.close();
});

test('close() rejects pending reads and writes with OSError EBADF', async () => {
  const [a, b] = socket.socketpair();
  a.setblocking(false);
  try {
    for (;;) a.send(Buffer.alloc(65536));
  } catch {}
  const r1 = a.recvAsync(10);
  const r2 = a.recvAsync(10);
  const w = a.sendallAsync(Buffer.alloc(1 << 20));
  a.close();
  for (const p of [r1, r2, w]) {
    await assert.rejects(p, (e) => {
      assert.ok(e instanceof socket.OSError);
      assert.equal(e.errno, socket.EBADF);
      return true;
    });
  }
  // Calls after close fail the same way, and close again is fine.
  await assert.rejects(a.recvAsync(1), (e) => e.errno === socket.EBADF);
  a.close();
  b.close();
});

test('16 MiB through sendallAsync over a socketpair, checksummed on the other side', async () => {
  const [a, b] = socket.socketpair();
  const data = randomBytes(16 << 20);
  const want = createHash('sha256').update(data).digest('hex');
  const reader = (async () => {
    const h = createHash('sha256');
    let total = 0;
    const buf = Buffer.alloc(1 << 16);
    for (;;) {
      const n = await b.recv_intoAsync(buf);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      total += n;
    }
    return [total, h.digest('hex')];
  })();
  await a.sendallAsync(data);
  a.shutdown(socket.SHUT_WR);
  const [total, got] = await reader;
  assert.equal(total, data.length);
  assert.equal(got, want);
  a.close();
  b.close();
});

test('the event loop keeps running while twins wait', async () => {
  const [a, b] = socket.socketpair();
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  const p = a.recvAsync(10);
  await sleep(120);
  b.sendall(Buffer.from('z'));
  await p;
  clearInterval(iv);
  assert.ok(ticks >= 10, `timer fired ${ticks} times`);
  a.close();
  b.close();
});

test('sendallAsync: the timeout bounds the whole call', async () => {
  const [a, b] = socket.socketpair();
  a.settimeout(0.2);
  const t0 = performance.now();
  await assert.rejects(a.sendallAsync(Buffer.alloc(64 << 20)), (e) => e instanceof socket.TimeoutError);
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 180 && elapsed < 2000, `elapsed ${elapsed}`);
  a.close();
  b.close();
});

async function thousandConnections(n) {
  const srv = listener(n);
  const addr = srv.getsockname();
  let accepted = 0;
  const acceptLoop = (async () => {
    const conns = [];
    while (accepted < n) {
      const [conn] = await srv.acceptAsync();
      accepted++;
      conns.push(echoLoop(conn));
    }
    await Promise.all(conns);
  })();
  let echoed = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const c = socket.socket();
      await c.connectAsync(addr);
      const msg = Buffer.from(`conn ${i}`);
      await c.sendallAsync(msg);
      const got = await c.recvAsync(64);
      if (got.equals(msg)) echoed++;
      c.close();
    }),
  );
  await acceptLoop;
  srv.close();
  return { accepted, echoed };
}

test('1,000 concurrent connections through one accept loop, all echoed and closed', async () => {
  const { accepted, echoed } = await thousandConnections(1000);
  assert.equal(accepted, 1000);
  assert.equal(echoed, 1000);
});

test('the same in a worker thread', async () => {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const socket = require('bsdsock');
    ${listener.toString()}
    ${echoLoop.toString()}
    ${thousandConnections.toString()}
    thousandConnections(1000).then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ error: String(e) }));
  `;
  const w = new Worker(code, { eval: true });
  const result = await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  assert.deepEqual(result, { accepted: 1000, echoed: 1000 });
  await w.terminate();
});

test('a worker that ends with a twin pending exits cleanly', async () => {
  const code = `
    const socket = require('bsdsock');
    const [a, b] = socket.socketpair();
    a.recvAsync(10);
    require('node:worker_threads').parentPort.postMessage('waiting');
  `;
  const w = new Worker(code, { eval: true });
  await new Promise((resolve) => w.once('message', resolve));
  const code2 = await w.terminate();
  assert.equal(code2, 1);
});

test('a waiting twin keeps the process alive; unref() lets it exit', () => {
  const run = (unref) =>
    execFileSync(
      process.execPath,
      [
        '-e',
        `const s = require('bsdsock'); const [a, b] = s.socketpair();
         a.recvAsync(1).then((d) => console.log('got', d.length));
         ${unref ? 'a.unref();' : "setTimeout(() => b.send(Buffer.from('x')), 100);"}`,
      ],
      { encoding: 'utf8', timeout: 10000 },
    );
  assert.equal(run(false).trim(), 'got 1');
  assert.equal(run(true).trim(), '');
});

test('bad arguments reject with TypeError/RangeError', async () => {
  const [a, b] = socket.socketpair();
  await assert.rejects(a.recvAsync('x'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(a.recvAsync(-1), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  await assert.rejects(a.sendAsync('str'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(a.recvAsync(1, { signal: 'nope' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(a.recv_intoAsync(Buffer.alloc(2), 3), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  await assert.rejects(a.sendtoAsync(Buffer.alloc(1)), { name: 'TypeError' });
  await assert.rejects(a.sendAsync(Buffer.alloc(1), 2 ** 40), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  a.close();
  b.close();
});

// connectAsync to a host name resolves it on libuv's thread pool: in a
// child whose only pool thread is held (an open() of a FIFO without a
// writer), the connect stays pending while timers run, and completes once
// the thread is free.
test('connectAsync resolves host names on the thread pool, never blocking the loop', { timeout: 30000 }, () => {
  const script = `
    import * as socket from 'bsdsock';
    import fs from 'node:fs';
    import os from 'node:os';
    import path from 'node:path';
    import { execFileSync } from 'node:child_process';
    import { setTimeout as sleep } from 'node:timers/promises';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-conn-pool-'));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const held = fs.promises.open(fifo, 'r');
    await sleep(50);
    const srv = socket.create_server(['127.0.0.1', 0]);
    const c = socket.socket();
    let settled = false, ticks = 0;
    const iv = setInterval(() => ticks++, 5);
    const p = c.connectAsync(['localhost', srv.getsockname()[1]]).finally(() => { settled = true; });
    await sleep(300);
    const out = { settledWhileHeld: settled, ticks };
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    await (await held).close();
    await p;
    out.peer = c.getpeername();
    out.port = srv.getsockname()[1];
    clearInterval(iv);
    c.close(); srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(JSON.stringify(out));
  `;
  const out = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      encoding: 'utf8',
      timeout: 20000,
    }),
  );
  assert.equal(out.settledWhileHeld, false, 'the name was resolved without the thread pool');
  assert.ok(out.ticks >= 10, `timers ran ${out.ticks} times`);
  assert.deepEqual(out.peer, ['127.0.0.1', out.port]);
});

test('a socket that waited, went idle and was garbage-collected around still wakes up', () => {
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '-e',
      `const s = require('bsdsock');
       (async () => {
         const [a, b] = s.socketpair();
         const p = a.recvAsync(1); b.send(Buffer.from('x')); await p;
         for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setImmediate(r)); }
         setTimeout(() => b.send(Buffer.from('y')), 50);
         console.log(String(await a.recvAsync(1)));
         a.close(); b.close();
       })();`,
    ],
    { encoding: 'utf8', timeout: 10000 },
  );
  assert.equal(out.trim(), 'y');
});

test('no file descriptor is left open by this file', async () => {
  await sleep(50);
  const { readlinkSync } = await import('node:fs');
  const now = readdirSync('/proc/self/fd').map((f) => { try { return f + ' ' + readlinkSync('/proc/self/fd/' + f); } catch { return f; } });
  assert.equal(fdCount(), fdsAtStart, now.join('\n'));
});
