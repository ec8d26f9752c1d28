// makefile() beyond Python (issue 8): async twins, async iteration, mixing
// sync and async reads, cancellation, and the GC ResourceWarning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fstatSync } from 'node:fs';
import * as socket from 'bsdsock';
import { openFds as fdCount } from './support/fds.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

const B = (s) => Buffer.from(s);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fdsAtStart = fdCount();

/** Counts event-loop turns while `promise` is pending. */
async function ticksWhile(promise) {
  let ticks = 0;
  let done = false;
  const spin = () => {
    if (done) return;
    ticks++;
    setTimeout(spin, 1);
  };
  spin();
  try {
    return [await promise, ticks];
  } finally {
    done = true;
  }
}

// The runner's own start-up work can hold the loop for tens of milliseconds
// in the first moments of a file (over 100 ms under the sanitizers, with no
// socket in use), which the tick count below would blame on readAsync.
test.before(() => sleep(300));

test('readAsync(n) waits across chunks without blocking the loop', async () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('rb');
  const p = f.readAsync(8);
  let settled = false;
  p.then(() => (settled = true), () => (settled = true));
  // The loop turns (five timers fire) while the read waits with 3 of its 8
  // bytes; counted in turns, not in time, so a slow machine cannot fail it.
  b.sendall(B('abc'));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(settled, false, 'readAsync(8) settled with 3 bytes');
  b.sendall(B('defghij'));
  assert.deepEqual(await p, B('abcdefgh'));
  // The rest is in the shared buffer: the sync read sees it.
  assert.deepEqual(f.read(2), B('ij'));
  setTimeout(() => b.close(), 10);
  assert.deepEqual(await f.readAsync(), B(''));
  f.close();
  a.close();
});

test('async iteration by line: text and binary', async () => {
  const [a, b] = socket.socketpair();
  const t = a.makefile('r');
  const d = B('first é\nsecond 😀\r\nthird');
  setTimeout(() => b.sendall(d.subarray(0, 7)), 5);
  setTimeout(() => b.sendall(d.subarray(7, 22)), 15);
  setTimeout(() => (b.sendall(d.subarray(22)), b.shutdown(socket.SHUT_WR)), 25);
  const lines = [];
  for await (const line of t) lines.push(line);
  assert.deepEqual(lines, ['first é\n', 'second 😀\n', 'third']);
  t.close();

  const [c, e] = socket.socketpair();
  const f = c.makefile('rb');
  setTimeout(() => (e.sendall(B('x\ny\n')), e.close()), 5);
  const blines = [];
  for await (const line of f) blines.push(line);
  assert.deepEqual(blines, [B('x\n'), B('y\n')]);
  f.close();

  const [g, h] = socket.socketpair();
  const raw = g.makefile('rb', 0);
  setTimeout(() => (h.sendall(B('r1\nr2')), h.close()), 5);
  const rlines = [];
  for await (const line of raw) rlines.push(line);
  assert.deepEqual(rlines, [B('r1\n'), B('r2')]);
  raw.close();
  for (const s of [a, b, c, g]) s.close();
});

test('readlineAsync with a limit, readintoAsync, and text readAsync', async () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('rb');
  setTimeout(() => b.sendall(B('abcdef\nxyz')), 5);
  assert.deepEqual(await f.readlineAsync(3), B('abc'));
  assert.deepEqual(await f.readlineAsync({}), B('def\n'));
  const into = Buffer.alloc(3);
  assert.equal(await f.readintoAsync(into), 3);
  assert.deepEqual(into, B('xyz'));
  f.close();

  const t = a.makefile('r', 1);
  setTimeout(() => b.sendall(B('€uro\n')), 5);
  assert.equal(await t.readAsync(2), '€u');
  assert.equal(await t.readlineAsync(), 'ro\n');
  b.close();
  assert.equal(await t.readAsync(), '');
  t.close();
  a.close();
});

test('writeAsync and flushAsync: buffered until flush, large writes never block the loop', async () => {
  const [a, b] = socket.socketpair();
  const w = a.makefile('wb');
  assert.equal(await w.writeAsync(B('hello')), 5);
  b.settimeout(0);
  assert.throws(() => b.recv(10), socket.BlockingIOError);
  await w.flushAsync();
  assert.deepEqual(b.recv(10), B('hello'));
  b.settimeout(null);

  // 4 MB, far more than the socket holds: written while the peer reads.
  const big = Buffer.alloc(4 << 20, 7);
  const reader = (async () => {
    let got = 0;
    while (got < big.length) got += (await b.recvAsync(1 << 16)).length;
    return got;
  })();
  const [n, ticks] = await ticksWhile(w.writeAsync(big));
  assert.equal(n, big.length);
  await w.flushAsync();
  assert.equal(await reader, big.length);
  assert.ok(ticks >= 1);
  await w.closeAsync();
  assert.equal(w.closed, true);

  const t = a.makefile('w', null, { newline: '\r\n' });
  assert.equal(await t.writeAsync('a\nb'), 3);
  await t.flushAsync();
  assert.deepEqual(await b.recvAsync(10), B('a\r\nb'));
  t.close();
  a.close();
  b.close();
});

test('sync and async reads share the buffer; a sync read during an async one is refused', async () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('r');
  b.sendall(B('one\ntwo\nthree\n'));
  assert.equal(await f.readlineAsync(), 'one\n');
  assert.equal(f.readline(), 'two\n');
  assert.equal(await f.readAsync(3), 'thr');
  assert.equal(f.read(3), 'ee\n');
  const p = f.readlineAsync();
  assert.throws(() => f.readline(), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_STATE');
  // Several async reads are served in order.
  const q = f.readlineAsync();
  b.sendall(B('four\nfive\n'));
  assert.deepEqual(await Promise.all([p, q]), ['four\n', 'five\n']);
  f.close();
  a.close();
  b.close();
});

test('an aborted readlineAsync loses nothing; options are checked', async () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('rb');
  const ac = new AbortController();
  const p = f.readlineAsync({ signal: ac.signal });
  b.sendall(B('partial'));
  await sleep(10);
  ac.abort(new Error('stop'));
  await assert.rejects(p, { message: 'stop' });
  b.sendall(B(' line\n'));
  assert.deepEqual(f.readline(), B('partial line\n'));
  await assert.rejects(f.readAsync(1, { signal: ac.signal }), { message: 'stop' });
  await assert.rejects(f.readAsync(1, { signal: 'x' }), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(f.readAsync('x'), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(f.writeAsync(B('x')), socket.UnsupportedOperation);
  f.close();
  await assert.rejects(f.readAsync(), { code: 'ERR_INVALID_STATE' });
  a.close();
  b.close();
});

test('async twins honour the timeout, and wait on non-blocking sockets', async () => {
  const [a, b] = socket.socketpair();
  a.settimeout(0.03);
  const f = a.makefile('rb');
  await assert.rejects(f.readAsync(1), (e) => e instanceof socket.TimeoutError);
  await assert.rejects(f.readAsync(1), { message: 'cannot read from timed out object' });
  assert.throws(() => f.read(1), { message: 'cannot read from timed out object' });
  f.close();
  a.setblocking(false);
  const g = a.makefile('r');
  setTimeout(() => b.sendall(B('late\n')), 20);
  assert.equal(await g.readlineAsync(), 'late\n');
  g.close();
  a.close();
  b.close();
});

test('closing the file rejects its pending read; the socket stays usable', async () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('rb');
  const p = f.readAsync(4);
  await sleep(5);
  f.close();
  b.sendall(B('data'));
  await assert.rejects(p, { code: 'ERR_INVALID_STATE' });
  assert.deepEqual(a.recv(10).length > 0, true);
  // The socket closed first: the pending read goes on, until the file closes too.
  const g = a.makefile('rb');
  const q = g.readAsync(4);
  const fd = a.fileno();
  a.close();
  await sleep(5);
  b.sendall(B('ab'));
  await sleep(5);
  g.close();
  await assert.rejects(q, { code: 'ERR_INVALID_STATE' });
  assert.equal(a.fileno(), -1);
  assert.throws(() => fstatSync(fd), { code: 'EBADF' });
  b.close();
});

test('a file collected while open is closed with a ResourceWarning', { skip: nodeOnly('rawFds', ['deno']) }, () => {
  const script = `
    const socket = require('bsdsock');
    const { fstatSync } = require('node:fs');
    const warnings = [];
    process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
    const [a, b] = socket.socketpair();
    const fd = a.fileno();
    (() => {
      const f = a.makefile('wb');
      f.write(Buffer.from('unflushed'));
    })();
    a.close();
    // Open and still this socket (the number may be reused once closed).
    const ino = fstatSync(fd).ino;
    const open = () => { try { return fstatSync(fd).ino === ino; } catch { return false; } };
    const before = open();
    (async () => {
      for (let i = 0; i < 10 && open(); i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      console.log(JSON.stringify({ before, after: open(), warnings, got: b.recv(100).toString() }));
    })();
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' }));
  assert.equal(out.before, true);
  assert.equal(out.after, false);
  assert.equal(out.warnings.length, 1);
  assert.match(out.warnings[0], /^ResourceWarning: unclosed file <_io\.BufferedWriter name=\d+>$/);
  assert.equal(out.got, 'unflushed');
});

test('no descriptor is left behind', { skip: nodeOnly('ownFds') }, async () => {
  await sleep(10);
  assert.equal(fdCount(), fdsAtStart);
});
