// Batch datagram I/O, beyond Python (src/mmsg.ts, native/sys_mmsg.c):
// recvmmsg, recvmmsg_into, sendmmsg, their async twins and MMSG_MAX, over UDP
// (127.0.0.1, ::1) and AF_UNIX SOCK_DGRAM (socketpair, bound paths, abstract
// names). Every I/O test runs twice: on recvmmsg(2)/sendmmsg(2), and with the
// addon's portable recvmsg/sendmsg loop forced on through the `_mmsgLoop`
// test seam (the loop macOS uses).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { constants as bufferConstants } from 'node:buffer';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { constants as osConstants, endianness } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as socket from 'bsdsock';
import { scratchDir } from './support/scratch.mjs';

const require = createRequire(import.meta.url);
// The test seam is not exported by the package; it is reachable in the
// compiled module (the same module instance as 'bsdsock', and the switch
// itself is a static in the one loaded addon).
const { _mmsgLoop } = require('../dist/cjs/mmsg.js');

const { EAGAIN, EBADF, ECONNREFUSED, EDESTADDRREQ, EMSGSIZE, ENOENT } = osConstants.errno;
const { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, MSG_TRUNC, MMSG_MAX } = socket;

const dir = scratchDir('bsdsock-mmsg-');
let seq = 0;
const pathName = () => join(dir, `s${++seq}`);
const abstractName = () => Buffer.from(`\0bsdsock-mmsg-${process.pid}-${++seq}`);

const B = (s) => Buffer.from(s);
/** The data of a recvmmsg batch, as strings. */
const datas = (batch) => batch.map((e) => e[0].toString());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A UDP socket bound to an ephemeral loopback port, closed after the test; receivers get a safety timeout. */
function udp(t, { host = '127.0.0.1', family = AF_INET, timeout = 5 } = {}) {
  const s = socket.socket(family, SOCK_DGRAM);
  t.after(() => s.close());
  s.bind([host, 0]);
  s.settimeout(timeout);
  return s;
}

/** An AF_UNIX SOCK_DGRAM socket, bound to `address` when given. */
function unix(t, address) {
  const s = socket.socket(AF_UNIX, SOCK_DGRAM);
  t.after(() => s.close());
  if (address !== undefined) s.bind(address);
  return s;
}

/** A connected AF_UNIX SOCK_DGRAM pair (blocking: delivery is synchronous). */
function pair(t) {
  const p = socket.socketpair(AF_UNIX, SOCK_DGRAM);
  t.after(() => {
    p[0].close();
    p[1].close();
  });
  return p;
}

/** Matcher: an error of exactly class `Cls` with `errno` (and `syscall`). */
function isErrno(Cls, errno, syscall) {
  return (e) => {
    assert.equal(e?.constructor, Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(e instanceof socket.OSError);
    assert.equal(e.errno, errno);
    if (syscall !== undefined) assert.equal(e.syscall, syscall);
    return true;
  };
}

function isTimeout(e) {
  assert.equal(e?.constructor, socket.TimeoutError, `expected TimeoutError, got ${e?.constructor?.name}: ${e?.message}`);
  assert.ok(e instanceof socket.OSError);
  assert.equal(e.message, 'timed out');
  assert.equal(e.errno, null);
  assert.equal(e.code, 'ETIMEDOUT');
  return true;
}

/** Matcher: an argument error of exactly class `Cls` with `code`, its message matching `message`. */
function isArgError(Cls, code, message) {
  return (e) => {
    assert.equal(e?.constructor, Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.code, code);
    if (message !== undefined) assert.match(e.message, message);
    return true;
  };
}
const typeErr = (m) => isArgError(TypeError, 'ERR_INVALID_ARG_TYPE', m);
const valueErr = (m) => isArgError(TypeError, 'ERR_INVALID_ARG_VALUE', m);
const rangeErr = (m) => isArgError(RangeError, 'ERR_OUT_OF_RANGE', m);

/** Checks an elapsed time against a timeout of `ms`: at least about that long, not wildly more (a loaded machine). */
function assertTook(t0, ms) {
  const took = performance.now() - t0;
  assert.ok(took >= ms - 15, `returned after ${took.toFixed(1)} ms, before the ${ms} ms timeout`);
  assert.ok(took < ms + 3000, `took ${took.toFixed(1)} ms for a ${ms} ms timeout`);
}

/** Asserts nothing is queued on `sock` (its mode is restored). */
function assertEmpty(sock) {
  const timeout = sock.gettimeout();
  sock.setblocking(false);
  try {
    assert.throws(() => sock.recvmmsg(MMSG_MAX, 64), isErrno(socket.BlockingIOError, EAGAIN, 'recvmmsg'));
  } finally {
    sock.settimeout(timeout);
  }
}

/** Tracks whether a Promise has settled yet (`state.settled`). */
function track(p) {
  const state = { settled: false };
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

// --- once: exports and the seam --------------------------------------------------

test('MMSG_MAX is 1024 (UIO_MAXIOV), on the ESM and CommonJS entries', () => {
  assert.equal(MMSG_MAX, 1024);
  assert.equal(require('bsdsock').MMSG_MAX, 1024);
  const s = socket.socket(AF_INET, SOCK_DGRAM);
  for (const m of ['recvmmsg', 'recvmmsg_into', 'sendmmsg', 'recvmmsgAsync', 'recvmmsg_intoAsync', 'sendmmsgAsync']) {
    assert.equal(typeof s[m], 'function', m);
  }
  s.close();
});

test('_mmsgLoop: not exported by the package; reports and switches the path', () => {
  assert.equal(socket._mmsgLoop, undefined);
  assert.equal(require('bsdsock')._mmsgLoop, undefined);
  assert.equal(_mmsgLoop(), 1, 'Linux uses recvmmsg/sendmmsg by default');
  try {
    assert.equal(_mmsgLoop(true), 0);
    assert.equal(_mmsgLoop(), 0);
    assert.equal(_mmsgLoop('yes'), 0, 'a non-boolean only reports');
  } finally {
    assert.equal(_mmsgLoop(false), 1);
  }
  assert.equal(_mmsgLoop(), 1);
});

// --- every I/O test, on both paths --------------------------------------------

function ioTests(loop) {
  test('the path in use', () => {
    assert.equal(_mmsgLoop(), loop ? 0 : 1);
  });

  test('UDP: several datagrams in one recvmmsg, in order, with their senders', (t) => {
    const r = udp(t);
    const s1 = udp(t);
    const s2 = udp(t);
    const to = r.getsockname();
    assert.equal(s1.sendmmsg([[B('one'), to], [B('two'), to]]), 2);
    assert.equal(s2.sendmmsg([[B('three'), to]]), 1);
    assert.equal(s1.sendmmsg([[B('four'), to]]), 1);
    const got = r.recvmmsg(10, 100);
    assert.equal(got.length, 4);
    assert.deepEqual(got, [
      [B('one'), s1.getsockname(), 0],
      [B('two'), s1.getsockname(), 0],
      [B('three'), s2.getsockname(), 0],
      [B('four'), s1.getsockname(), 0],
    ]);
    // Consecutive datagrams from one sender: equal but distinct objects.
    assert.notEqual(got[0][1], got[1][1]);
    got[0][1][1] = -1;
    assert.equal(got[1][1][1], s1.getsockname()[1]);
    for (const [data] of got) assert.ok(Buffer.isBuffer(data));
    assertEmpty(r);
  });

  test('UDP over ::1: four-item addresses, distinct per datagram', (t) => {
    let r;
    try {
      r = udp(t, { host: '::1', family: AF_INET6 });
    } catch (e) {
      t.skip(`no IPv6 loopback: ${e.message}`);
      return;
    }
    const s = udp(t, { host: '::1', family: AF_INET6 });
    assert.equal(s.sendmmsg([[B('a'), r.getsockname()], [B('b'), r.getsockname()]]), 2);
    const got = r.recvmmsg(4, 8);
    assert.deepEqual(got, [
      [B('a'), s.getsockname(), 0],
      [B('b'), s.getsockname(), 0],
    ]);
    assert.equal(got[0][1].length, 4);
    assert.notEqual(got[0][1], got[1][1]);
  });

  test('AF_UNIX socketpair: batch in order; the unnamed sender is null, as recvfrom says', (t) => {
    const [a, b] = pair(t);
    assert.equal(a.sendmmsg([B('x'), [B('yy')], [B('zzz'), null], [B('w'), undefined]]), 4);
    assert.deepEqual(b.recvmmsg(8, 16), [
      [B('x'), null, 0],
      [B('yy'), null, 0],
      [B('zzz'), null, 0],
      [B('w'), null, 0],
    ]);
    a.sendmmsg([B('again')]);
    assert.deepEqual(b.recvfrom(16), [B('again'), null]);
  });

  test('AF_UNIX bound paths: path senders, several receivers, reply by address', (t) => {
    const r = unix(t, pathName());
    const s1 = unix(t, pathName());
    const s2 = unix(t, pathName());
    const rpath = r.getsockname();
    assert.equal(typeof rpath, 'string');
    assert.equal(s1.sendmmsg([[B('1a'), rpath], [B('1b'), rpath]]), 2);
    assert.equal(s2.sendmmsg([[B('2a'), rpath]]), 1);
    const got = r.recvmmsg(MMSG_MAX, 16);
    assert.deepEqual(got, [
      [B('1a'), s1.getsockname(), 0],
      [B('1b'), s1.getsockname(), 0],
      [B('2a'), s2.getsockname(), 0],
    ]);
    // Reply to each sender by the address it came from, in one call.
    assert.equal(r.sendmmsg(got.map(([data, from]) => [Buffer.concat([B('re:'), data]), from])), 3);
    assert.deepEqual(datas(s1.recvmmsg(4, 16)), ['re:1a', 're:1b']);
    assert.deepEqual(datas(s2.recvmmsg(4, 16)), ['re:2a']);
  });

  test('AF_UNIX abstract names: Buffer addresses, distinct objects for one sender', (t) => {
    const r = unix(t, abstractName());
    const s1 = unix(t, abstractName());
    const s2 = unix(t, abstractName());
    const to = r.getsockname();
    assert.ok(Buffer.isBuffer(to));
    assert.equal(to[0], 0);
    assert.equal(s1.sendmmsg([[B('p'), to], [B('q'), to]]), 2);
    assert.equal(s2.sendmmsg([[B('r'), to]]), 1);
    assert.equal(s1.sendmmsg([[B('s'), to]]), 1);
    const got = r.recvmmsg(8, 8);
    assert.deepEqual(got, [
      [B('p'), s1.getsockname(), 0],
      [B('q'), s1.getsockname(), 0],
      [B('r'), s2.getsockname(), 0],
      [B('s'), s1.getsockname(), 0],
    ]);
    assert.ok(Buffer.isBuffer(got[1][1]));
    assert.notEqual(got[0][1], got[1][1]);
    got[0][1].fill(0x41);
    assert.deepEqual(got[1][1], s1.getsockname());
  });

  test('vlen limits the batch; the rest stays queued, in order', (t) => {
    const [a, b] = pair(t);
    assert.equal(a.sendmmsg(['1', '2', '3', '4', '5'].map(B)), 5);
    assert.deepEqual(datas(b.recvmmsg(2, 8)), ['1', '2']);
    assert.deepEqual(datas(b.recvmmsg(1, 8)), ['3']);
    assert.deepEqual(datas(b.recvmmsg(10, 8)), ['4', '5']);
    assertEmpty(b);
  });

  test('truncation: data cut to bufsize with MSG_TRUNC; with the MSG_TRUNC flag too', (t) => {
    const r = udp(t);
    const s = udp(t);
    const to = r.getsockname();
    s.sendmmsg([[B('abcdefgh'), to], [B('xy'), to], [B('1234'), to]]);
    assert.deepEqual(r.recvmmsg(3, 4), [
      [B('abcd'), s.getsockname(), MSG_TRUNC],
      [B('xy'), s.getsockname(), 0],
      [B('1234'), s.getsockname(), 0],
    ]);
    // With MSG_TRUNC in flags the kernel reports the full length; the data is still cut.
    s.sendmmsg([[B('abcdefgh'), to]]);
    const [[data, , flags]] = r.recvmmsg(1, 3, MSG_TRUNC);
    assert.deepEqual(data, B('abc'));
    assert.equal(flags, MSG_TRUNC);
    // AF_UNIX as well, and bufsize 0: empty data, MSG_TRUNC unless the datagram was empty.
    const [a, b] = pair(t);
    a.sendmmsg([B('long datagram'), B(''), B('z')]);
    assert.deepEqual(b.recvmmsg(1, 4), [[B('long'), null, MSG_TRUNC]]);
    assert.deepEqual(b.recvmmsg(5, 0), [
      [B(''), null, 0],
      [B(''), null, MSG_TRUNC],
    ]);
    assertEmpty(b);
  });

  test('empty datagrams, and every bytes-like kind of data', (t) => {
    const [a, b] = pair(t);
    const sab = new SharedArrayBuffer(3);
    new Uint8Array(sab).set([7, 8, 9]);
    const sent = a.sendmmsg([
      B(''),
      new Uint8Array([1, 2]),
      new Uint16Array([1, 2, 3]),
      new DataView(new ArrayBuffer(5)),
      new Uint8Array([0, 1, 2, 3, 4, 5]).buffer,
      sab,
      [new Float64Array(1)],
      B('abcdef').subarray(2, 4),
    ]);
    assert.equal(sent, 8);
    const got = b.recvmmsg(16, 64);
    assert.deepEqual(
      got.map(([d]) => d.length),
      [0, 2, 6, 5, 6, 3, 8, 2],
    );
    assert.deepEqual(got[1][0], B([1, 2]));
    assert.deepEqual(got[5][0], B([7, 8, 9]));
    assert.deepEqual(got[7][0], B('cd'));
    for (const [, , flags] of got) assert.equal(flags, 0);
  });

  test('recvmmsg_into fills the caller\'s buffers, one datagram each, the rest untouched', (t) => {
    const r = unix(t, pathName());
    const s = unix(t, abstractName());
    s.sendmmsg([
      [B('hello'), r.getsockname()],
      [B('hi'), r.getsockname()],
    ]);
    const bufs = [Buffer.alloc(8, 0xee), Buffer.alloc(8, 0xee), Buffer.alloc(8, 0xee)];
    const got = r.recvmmsg_into(bufs);
    assert.deepEqual(got, [
      [5, s.getsockname(), 0],
      [2, s.getsockname(), 0],
    ]);
    assert.notEqual(got[0][1], got[1][1]);
    assert.deepEqual(bufs[0], Buffer.concat([B('hello'), Buffer.alloc(3, 0xee)]));
    assert.deepEqual(bufs[1].subarray(0, 2), B('hi'));
    assert.deepEqual(bufs[2], Buffer.alloc(8, 0xee));
    // Truncation: nbytes is what fitted, MSG_TRUNC set; with the MSG_TRUNC flag nbytes is the real length.
    s.sendmmsg([[B('truncated!'), r.getsockname()]]);
    const small = Buffer.alloc(4);
    assert.deepEqual(r.recvmmsg_into([small]), [[4, s.getsockname(), MSG_TRUNC]]);
    assert.deepEqual(small, B('trun'));
    s.sendmmsg([[B('truncated!'), r.getsockname()]]);
    assert.deepEqual(r.recvmmsg_into([small.fill(0)], MSG_TRUNC), [[10, s.getsockname(), MSG_TRUNC]]);
    assert.deepEqual(small, B('trun'));
  });

  test('recvmmsg_into: any bytes-like buffers, from any iterable', (t) => {
    const [a, b] = pair(t);
    a.sendmmsg(['abcdefgh', '12345678', 'xyz', 'QRST'].map(B));
    const u8 = new Uint8Array(8);
    const ab = new ArrayBuffer(8);
    const dv = new DataView(new ArrayBuffer(8));
    const sab = new SharedArrayBuffer(8);
    function* gen() {
      yield u8;
      yield ab;
      yield dv;
      yield sab;
    }
    assert.deepEqual(b.recvmmsg_into(gen()), [
      [8, null, 0],
      [8, null, 0],
      [3, null, 0],
      [4, null, 0],
    ]);
    assert.deepEqual(Buffer.from(u8), B('abcdefgh'));
    assert.deepEqual(Buffer.from(ab), B('12345678'));
    assert.deepEqual(Buffer.from(dv.buffer, 0, 3), B('xyz'));
    assert.deepEqual(Buffer.from(sab, 0, 4), B('QRST'));
    // A view with an offset: the datagram lands at the view, within its bounds.
    a.sendmmsg([B('0123456789')]);
    const whole = Buffer.alloc(10, 0x2e);
    assert.deepEqual(b.recvmmsg_into([new Uint16Array(whole.buffer, whole.byteOffset + 2, 2)]), [[4, null, MSG_TRUNC]]);
    assert.equal(whole.toString(), '..0123....');
  });

  test('sendmmsg: [data, address], [data], bare data on a connected UDP socket, mixed addresses', (t) => {
    const r1 = udp(t);
    const r2 = udp(t);
    const s = udp(t);
    s.connect(r1.getsockname());
    const to2 = r2.getsockname();
    // The same address object more than once (converted once), a null address between them,
    // an equal but distinct address object, and the connected peer.
    const sent = s.sendmmsg([[B('2a'), to2], [B('1a')], B('1b'), [B('2b'), to2], [B('1c'), null], [B('2c'), [...to2]]]);
    assert.equal(sent, 6);
    assert.deepEqual(datas(r1.recvmmsg(10, 8)), ['1a', '1b', '1c']);
    const got2 = r2.recvmmsg(10, 8);
    assert.deepEqual(datas(got2), ['2a', '2b', '2c']);
    for (const [, from] of got2) assert.deepEqual(from, s.getsockname());
    // Alternating destinations from one unconnected socket.
    const u = udp(t);
    const to1 = r1.getsockname();
    assert.equal(u.sendmmsg([[B('a1'), to1], [B('a2'), to2], [B('b1'), to1], [B('b2'), to2]]), 4);
    assert.deepEqual(datas(r1.recvmmsg(10, 8)), ['a1', 'b1']);
    assert.deepEqual(datas(r2.recvmmsg(10, 8)), ['a2', 'b2']);
  });

  test('sendmmsg takes any iterable; an empty list sends nothing and returns 0', (t) => {
    const [a, b] = pair(t);
    function* gen() {
      yield B('g1');
      yield [B('g2')];
    }
    assert.equal(a.sendmmsg(gen()), 2);
    assert.equal(a.sendmmsg(new Set([B('s1')])), 1);
    assert.deepEqual(datas(b.recvmmsg(8, 8)), ['g1', 'g2', 's1']);
    assert.equal(a.sendmmsg([]), 0);
    assert.equal(a.sendmmsg(new Set()), 0);
    assert.equal(a.sendmmsg([], 0), 0);
    assertEmpty(b);
  });

  test('sendmmsg: a failing first datagram raises; a later failure ends the batch unreported', (t) => {
    const r = udp(t);
    const s = udp(t);
    assert.throws(() => s.sendmmsg([[B('x')]]), isErrno(socket.OSError, EDESTADDRREQ, 'sendmmsg'));
    assert.equal(s.sendmmsg([[B('first'), r.getsockname()], [B('no address')], [B('third'), r.getsockname()]]), 1);
    assert.deepEqual(datas(r.recvmmsg(10, 16)), ['first']);
    assertEmpty(r);
    // AF_UNIX: a path that does not exist.
    const ur = unix(t, pathName());
    const us = unix(t);
    const missing = join(dir, 'missing');
    assert.throws(() => us.sendmmsg([[B('x'), missing]]), isErrno(socket.FileNotFoundError, ENOENT, 'sendmmsg'));
    assert.equal(us.sendmmsg([[B('ok'), ur.getsockname()], [B('x'), missing]]), 1);
    assert.deepEqual(datas(ur.recvmmsg(4, 4)), ['ok']);
  });

  test('system errors keep their classes: EMSGSIZE, and ECONNREFUSED on a connected UDP socket', (t) => {
    const r = udp(t);
    const s = udp(t, { timeout: 2 });
    const to = r.getsockname();
    assert.throws(() => s.sendmmsg([[Buffer.alloc(70000), to]]), isErrno(socket.OSError, EMSGSIZE, 'sendmmsg'));
    assert.equal(s.sendmmsg([[B('small'), to], [Buffer.alloc(70000), to]]), 1);
    assert.deepEqual(datas(r.recvmmsg(4, 16)), ['small']);
    // A port nobody listens on: ICMP port unreachable, reported by the next receive.
    const gone = udp(t);
    const port = gone.getsockname()[1];
    gone.close();
    s.connect(['127.0.0.1', port]);
    assert.equal(s.sendmmsg([B('anyone?')]), 1);
    assert.throws(() => s.recvmmsg(4, 16), isErrno(socket.ConnectionRefusedError, ECONNREFUSED, 'recvmmsg'));
  });

  test('many datagrams: beyond the stack-sized batch, and MMSG_MAX in one call', (t) => {
    const r = udp(t);
    const s = udp(t);
    const to = r.getsockname();
    const name = (i) => B(String(i).padStart(8, '0'));
    // 100 fit in a loopback UDP receive buffer; recvmmsg(1024, 8192) is an 8 MiB per-call slab.
    assert.equal(s.sendmmsg(Array.from({ length: 100 }, (_, i) => [name(i), to])), 100);
    const got = r.recvmmsg(MMSG_MAX, 8192);
    assert.equal(got.length, 100);
    got.forEach(([data, from, flags], i) => {
      assert.deepEqual(data, name(i));
      assert.deepEqual(from, s.getsockname());
      assert.equal(flags, 0);
    });
    assert.equal(new Set(got.map((e) => e[1])).size, 100, 'one address object per datagram');
    // recvmmsg_into with 100 buffers.
    s.sendmmsg(Array.from({ length: 100 }, (_, i) => [name(i), to]));
    const bufs = Array.from({ length: 100 }, () => Buffer.alloc(8));
    const into = r.recvmmsg_into(bufs);
    assert.equal(into.length, 100);
    bufs.forEach((b, i) => assert.deepEqual(b, name(i)));
    // MMSG_MAX in one call: UDP never blocks the sender; the receiver keeps what fits.
    assert.equal(s.sendmmsg(Array.from({ length: MMSG_MAX }, (_, i) => [name(i), to])), MMSG_MAX);
    const all = r.recvmmsg(MMSG_MAX, 16);
    assert.ok(all.length > 32 && all.length <= MMSG_MAX, `received ${all.length}`);
    all.forEach(([data], i) => assert.deepEqual(data, name(i)));
  });

  test('blocking mode: recvmmsg waits for the first datagram (sent by a worker thread)', async (t) => {
    const r = udp(t, { timeout: null });
    // A safety net should nothing come: the kernel's receive timeout (5 s)
    // makes the blocked call fail instead of hanging the test.
    const tv = Buffer.alloc(16);
    if (endianness() === 'LE') tv.writeBigInt64LE(5n, 0);
    else tv.writeBigInt64BE(5n, 0);
    r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv);
    const entry = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));
    const code = `
      const socket = require(${JSON.stringify(entry)});
      const { parentPort, workerData } = require('node:worker_threads');
      const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      s.bind(['127.0.0.1', 0]);
      parentPort.postMessage(s.getsockname());
      setTimeout(() => {
        s.sendmmsg([[Buffer.from('w1'), workerData], [Buffer.from('w2'), workerData]]);
        s.close();
      }, 60);
    `;
    const w = new Worker(code, { eval: true, workerData: r.getsockname() });
    const [from] = await once(w, 'message');
    const t0 = performance.now();
    const got = r.recvmmsg(8, 16); // blocks this thread until the worker sends
    assert.ok(performance.now() - t0 >= 30, 'it waited');
    assert.ok(got.length >= 1 && got.length <= 2);
    if (got.length === 1) got.push(...r.recvmmsg(8, 16));
    assert.deepEqual(got, [
      [B('w1'), from, 0],
      [B('w2'), from, 0],
    ]);
    await once(w, 'exit');
  });

  test('non-blocking mode: BlockingIOError EAGAIN when nothing is queued', (t) => {
    const [a, b] = pair(t);
    b.setblocking(false);
    assert.throws(() => b.recvmmsg(4, 16), isErrno(socket.BlockingIOError, EAGAIN, 'recvmmsg'));
    assert.throws(() => b.recvmmsg_into([Buffer.alloc(4)]), isErrno(socket.BlockingIOError, EAGAIN, 'recvmmsg_into'));
    a.sendmmsg([B('now')]);
    assert.deepEqual(b.recvmmsg(4, 16), [[B('now'), null, 0]]);
    assert.throws(() => b.recvmmsg(4, 16), isErrno(socket.BlockingIOError, EAGAIN, 'recvmmsg'));
    const r = udp(t, { timeout: 0 });
    assert.throws(() => r.recvmmsg(1, 1), isErrno(socket.BlockingIOError, EAGAIN, 'recvmmsg'));
  });

  test('timeout mode: TimeoutError "timed out" after about the timeout; the socket still works', (t) => {
    const r = udp(t, { timeout: 0.1 });
    let t0 = performance.now();
    assert.throws(() => r.recvmmsg(4, 16), isTimeout);
    assertTook(t0, 100);
    t0 = performance.now();
    assert.throws(() => r.recvmmsg_into([Buffer.alloc(4)]), isTimeout);
    assertTook(t0, 100);
    const s = udp(t);
    s.sendmmsg([[B('late'), r.getsockname()]]);
    assert.deepEqual(r.recvmmsg(4, 16), [[B('late'), s.getsockname(), 0]]);
  });

  test('a full queue: partial count, BlockingIOError, TimeoutError, then sendmmsgAsync waits for room', async (t) => {
    // A sender connected to a bound AF_UNIX path: the receiver's queue
    // holds net.unix.max_dgram_qlen (+1) datagrams, and poll() tells the
    // sender when there is room again.
    const r = unix(t, pathName());
    const c = unix(t);
    c.connect(r.getsockname());
    c.setblocking(false);
    const msgs = Array.from({ length: 40 }, (_, i) => B(`m${i}`));
    const n = c.sendmmsg(msgs);
    assert.ok(n >= 1 && n < msgs.length, `sent ${n} of ${msgs.length}`);
    assert.throws(() => c.sendmmsg(msgs.slice(n)), isErrno(socket.BlockingIOError, EAGAIN, 'sendmmsg'));
    c.settimeout(0.1);
    let t0 = performance.now();
    assert.throws(() => c.sendmmsg(msgs.slice(n)), isTimeout);
    assertTook(t0, 100);
    t0 = performance.now();
    await assert.rejects(c.sendmmsgAsync([B('timed out')]), isTimeout);
    assertTook(t0, 100);

    c.settimeout(null);
    const ac = new AbortController();
    const aborted = c.sendmmsgAsync([B('aborted')], { signal: ac.signal });
    await sleep(5);
    ac.abort('reason');
    await assert.rejects(aborted, (e) => e === 'reason');
    const pending = c.sendmmsgAsync(msgs.slice(n));
    const state = track(pending);
    await sleep(20);
    assert.equal(state.settled, false, 'sendmmsgAsync waits while the queue is full');
    const first = r.recvmmsg(MMSG_MAX, 8);
    assert.deepEqual(datas(first), msgs.slice(0, n).map(String));
    assert.equal(first[0][1], null, 'an unbound sender');
    const k = await pending;
    assert.ok(k >= 1 && k <= msgs.length - n, `then sent ${k}`);
    assert.deepEqual(datas(r.recvmmsg(MMSG_MAX, 8)), msgs.slice(n, n + k).map(String));

    // Full again: close() rejects the waiting sendmmsgAsync with EBADF, and nothing more is sent.
    c.setblocking(false);
    assert.throws(() => {
      for (;;) assert.equal(c.sendmmsg([B('filler'), B('filler')]) >= 1, true);
    }, isErrno(socket.BlockingIOError, EAGAIN, 'sendmmsg'));
    const doomed = c.sendmmsgAsync([B('never')]);
    await sleep(5);
    c.close();
    await assert.rejects(doomed, isErrno(socket.OSError, EBADF, 'sendmmsg'));
    const rest = datas(r.recvmmsg(MMSG_MAX, 8));
    assert.ok(rest.length >= 1 && rest.every((d) => d === 'filler'));
  });

  test('a closed socket: OSError EBADF from every call, even an empty sendmmsg', async (t) => {
    const [a, b] = pair(t);
    a.close();
    const ebadf = (syscall) => isErrno(socket.OSError, EBADF, syscall);
    assert.throws(() => a.sendmmsg([]), ebadf('sendmmsg'));
    assert.throws(() => a.sendmmsg([B('x')]), ebadf('sendmmsg'));
    assert.throws(() => a.recvmmsg(1, 1), ebadf('recvmmsg'));
    assert.throws(() => a.recvmmsg_into([Buffer.alloc(1)]), ebadf('recvmmsg_into'));
    await assert.rejects(a.sendmmsgAsync([]), ebadf('sendmmsg'));
    await assert.rejects(a.sendmmsgAsync([B('x')]), ebadf('sendmmsg'));
    await assert.rejects(a.recvmmsgAsync(1, 1), ebadf('recvmmsg'));
    await assert.rejects(a.recvmmsg_intoAsync([Buffer.alloc(1)]), ebadf('recvmmsg_into'));
    b.close();
  });

  // --- the async twins ---

  test('async: data already queued resolves at once; sendmmsgAsync resolves with the count', async (t) => {
    const [a, b] = pair(t);
    assert.equal(await a.sendmmsgAsync([B('1'), [B('22')], [B('333'), null]]), 3);
    assert.equal(await a.sendmmsgAsync([]), 0);
    assert.deepEqual(await b.recvmmsgAsync(2, 2), [
      [B('1'), null, 0],
      [B('22'), null, 0],
    ]);
    const buf = Buffer.alloc(4);
    assert.deepEqual(await b.recvmmsg_intoAsync([buf]), [[3, null, 0]]);
    assert.deepEqual(buf.subarray(0, 3), B('333'));
    assert.equal(b.gettimeout(), null, 'the twins leave blocking sockets blocking');
  });

  test('async: recvmmsgAsync resolves with every datagram ready when data arrives later (UDP)', async (t) => {
    const r = udp(t, { timeout: null });
    const s = udp(t);
    const to = r.getsockname();
    const p = r.recvmmsgAsync(8, 16);
    const state = track(p);
    await sleep(20);
    assert.equal(state.settled, false);
    assert.equal(await s.sendmmsgAsync([[B('a'), to], [B('b'), to], [B('c'), to]]), 3);
    const got = await p;
    assert.deepEqual(got, [
      [B('a'), s.getsockname(), 0],
      [B('b'), s.getsockname(), 0],
      [B('c'), s.getsockname(), 0],
    ]);
    assert.notEqual(got[0][1], got[1][1]);
  });

  test('async: recvmmsg_intoAsync and flags/options forms, data arriving later (AF_UNIX)', async (t) => {
    const [a, b] = pair(t);
    const bufs = [Buffer.alloc(4), Buffer.alloc(4)];
    const ac = new AbortController();
    const p1 = b.recvmmsg_intoAsync(bufs, 0, { signal: ac.signal });
    const p2 = b.recvmmsgAsync(4, 4, MSG_TRUNC, { signal: ac.signal });
    const p3 = b.recvmmsgAsync(4, 4, {});
    setTimeout(() => a.sendmmsg([B('one!'), B('two')]), 20);
    assert.deepEqual(await p1, [
      [4, null, 0],
      [3, null, 0],
    ]);
    assert.deepEqual(bufs, [B('one!'), B('two\0')]);
    setTimeout(() => a.sendmmsg([B('longer')]), 10);
    assert.deepEqual(await p2, [[B('long'), null, MSG_TRUNC]]);
    setTimeout(() => a.sendmmsgAsync([B('x')], 0, { signal: ac.signal }), 10);
    assert.deepEqual(await p3, [[B('x'), null, 0]]);
  });

  test('async: aborting rejects with the reason and consumes nothing', async (t) => {
    const [a, b] = pair(t);
    // Pending, then aborted: the datagram sent afterwards is still there.
    const ac = new AbortController();
    const reason = new Error('stop');
    const bufs = [Buffer.alloc(8)];
    const p = b.recvmmsgAsync(4, 16, { signal: ac.signal });
    const pi = b.recvmmsg_intoAsync(bufs, { signal: ac.signal });
    await sleep(10);
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    await assert.rejects(pi, (e) => e === reason);
    a.sendmmsg([B('kept')]);
    await sleep(10);
    assert.deepEqual(bufs[0], Buffer.alloc(8), 'an aborted recvmmsg_intoAsync writes nothing');
    assert.deepEqual(await b.recvmmsgAsync(4, 16), [[B('kept'), null, 0]]);

    // Already aborted, with a datagram queued: rejected at once, the datagram stays.
    a.sendmmsg([B('queued')]);
    const done = new AbortController();
    done.abort();
    await assert.rejects(b.recvmmsgAsync(4, 16, { signal: done.signal }), { name: 'AbortError' });
    await assert.rejects(b.recvmmsg_intoAsync([bufs[0]], { signal: done.signal }), { name: 'AbortError' });
    await assert.rejects(a.sendmmsgAsync([B('unsent')], { signal: done.signal }), { name: 'AbortError' });
    assert.deepEqual(b.recvmmsg(4, 16), [[B('queued'), null, 0]]);

    // An aborted call ahead in the queue lets the next one have the datagram.
    const ac2 = new AbortController();
    const first = b.recvmmsgAsync(4, 16, { signal: ac2.signal });
    const second = b.recvmmsgAsync(4, 16);
    ac2.abort(reason);
    await assert.rejects(first, (e) => e === reason);
    a.sendmmsg([B('next')]);
    assert.deepEqual(await second, [[B('next'), null, 0]]);
    assertEmpty(b);
  });

  test('async: the socket timeout rejects with TimeoutError and consumes nothing', async (t) => {
    const r = udp(t, { timeout: 0.1 });
    let t0 = performance.now();
    await assert.rejects(r.recvmmsgAsync(4, 16), isTimeout);
    assertTook(t0, 100);
    t0 = performance.now();
    await assert.rejects(r.recvmmsg_intoAsync([Buffer.alloc(4)]), isTimeout);
    assertTook(t0, 100);
    const s = udp(t);
    s.sendmmsg([[B('after'), r.getsockname()]]);
    assert.deepEqual(await r.recvmmsgAsync(4, 16), [[B('after'), s.getsockname(), 0]]);
  });

  test('async: close() rejects the pending calls with OSError EBADF', async (t) => {
    const [a, b] = pair(t);
    const buf = Buffer.alloc(4);
    const p = b.recvmmsgAsync(4, 16);
    const pi = b.recvmmsg_intoAsync([buf]);
    await sleep(10);
    b.close();
    await assert.rejects(p, isErrno(socket.OSError, EBADF, 'recvmmsg'));
    await assert.rejects(pi, isErrno(socket.OSError, EBADF, 'recvmmsg_into'));
    assert.deepEqual(buf, Buffer.alloc(4));
    a.close();
  });
}

describe('with recvmmsg(2)/sendmmsg(2)', () => {
  before(() => assert.equal(_mmsgLoop(false), 1));
  ioTests(false);
});

describe('with the portable recvmsg/sendmsg loop forced on', () => {
  before(() => assert.equal(_mmsgLoop(true), 0));
  after(() => assert.equal(_mmsgLoop(false), 1));
  ioTests(true);
});

// --- once: argument errors ------------------------------------------------------

test('recvmmsg: vlen and bufsize are checked', (t) => {
  const [, b] = pair(t);
  b.setblocking(false);
  assert.throws(() => b.recvmmsg(0, 16), rangeErr(/"vlen" is out of range. It must be >= 1 and <= 1024. Received 0$/));
  assert.throws(() => b.recvmmsg(-1, 16), rangeErr(/"vlen"/));
  assert.throws(() => b.recvmmsg(1025, 16), rangeErr(/"vlen" .*Received 1025$/));
  assert.throws(() => b.recvmmsg(1.5, 16), typeErr(/"vlen" argument must be an integer/));
  assert.throws(() => b.recvmmsg('2', 16), typeErr(/"vlen" argument must be an integer/));
  assert.throws(() => b.recvmmsg(NaN, 16), typeErr(/"vlen"/));
  assert.throws(() => b.recvmmsg(undefined, 16), typeErr(/"vlen"/));
  assert.throws(() => b.recvmmsg(2, -1), valueErr(/^The argument 'bufsize' is invalid: negative buffersize in recvmmsg$/));
  assert.throws(() => b.recvmmsg(2, 1.5), typeErr(/"bufsize" argument must be an integer/));
  assert.throws(() => b.recvmmsg(2, '16'), typeErr(/"bufsize"/));
  assert.throws(() => b.recvmmsg(2, 2 ** 53), rangeErr(/"bufsize" .*a safe integer/));
  // vlen * bufsize must fit in one Buffer.
  const max = bufferConstants.MAX_LENGTH;
  assert.throws(() => b.recvmmsg(2, max / 2 + 1), rangeErr(/"bufsize" .*vlen \* bufsize must fit in a Buffer/));
  assert.throws(() => b.recvmmsg(MMSG_MAX, max / MMSG_MAX + 1), rangeErr(/"bufsize"/));
  assert.throws(() => b.recvmmsg(1, max + 1), rangeErr(/"bufsize"/));
  assert.throws(() => b.recvmmsg(2, 16, 'x'), typeErr(/"flags"/));
  assert.throws(() => b.recvmmsg(2, 16, 2 ** 31), rangeErr(/"flags"/));
  // bigints are integers (Python's __index__).
  assert.throws(() => b.recvmmsg(2n, 16n), isErrno(socket.BlockingIOError, EAGAIN));
});

test('recvmmsg_into: buffers are checked', (t) => {
  const [, b] = pair(t);
  b.setblocking(false);
  const bad = /"buffers" argument must be an iterable of bytes-like objects/;
  assert.throws(() => b.recvmmsg_into([]), rangeErr(/number of buffers in "buffers" is out of range. It must be >= 1 and <= 1024 .*Received 0$/));
  assert.throws(() => b.recvmmsg_into(new Set()), rangeErr(/Received 0$/));
  assert.throws(
    () => b.recvmmsg_into(Array.from({ length: 1025 }, () => Buffer.alloc(1))),
    rangeErr(/number of buffers .*Received 1025$/),
  );
  assert.throws(() => b.recvmmsg_into('abc'), typeErr(bad));
  assert.throws(() => b.recvmmsg_into(5), typeErr(bad));
  assert.throws(() => b.recvmmsg_into(null), typeErr(bad));
  assert.throws(() => b.recvmmsg_into(undefined), typeErr(bad));
  assert.throws(() => b.recvmmsg_into({ length: 1, 0: Buffer.alloc(1) }), typeErr(bad));
  assert.throws(() => b.recvmmsg_into([Buffer.alloc(1), 'x']), typeErr(/"buffers\[1\]" argument must be a bytes-like object/));
  assert.throws(() => b.recvmmsg_into([null]), typeErr(/"buffers\[0\]"/));
  assert.throws(() => b.recvmmsg_into([[Buffer.alloc(1)]]), typeErr(/"buffers\[0\]"/));
  // A Buffer is an iterable of numbers, not a list of buffers.
  assert.throws(() => b.recvmmsg_into(Buffer.alloc(4)), typeErr(/"buffers\[0\]"/));
  assert.throws(() => b.recvmmsg_into([Buffer.alloc(1)], 'x'), typeErr(/"flags"/));
  // With valid arguments the call reaches the socket.
  assert.throws(() => b.recvmmsg_into([Buffer.alloc(1)]), isErrno(socket.BlockingIOError, EAGAIN));
});

test('sendmmsg: messages are checked before anything is sent', (t) => {
  const r = udp(t);
  const s = udp(t);
  const to = r.getsockname();
  const bad = /"messages" argument must be an iterable of messages/;
  assert.throws(() => s.sendmmsg(5), typeErr(bad));
  assert.throws(() => s.sendmmsg('abc'), typeErr(bad));
  assert.throws(() => s.sendmmsg(null), typeErr(bad));
  assert.throws(() => s.sendmmsg(undefined), typeErr(bad));
  assert.throws(() => s.sendmmsg({}), typeErr(bad));
  assert.throws(() => s.sendmmsg([[]]), typeErr(/^The "messages\[0\]" argument must be an array \[data\] or \[data, address\]. Received an array of length 0$/));
  assert.throws(() => s.sendmmsg([[B('a'), to], [B('b'), to, 0]]), typeErr(/"messages\[1\]" .*Received an array of length 3$/));
  assert.throws(() => s.sendmmsg(['abc']), typeErr(/"messages\[0\]" argument must be an array \[data, address\], \[data\] or a bytes-like object/));
  assert.throws(() => s.sendmmsg([5]), typeErr(/"messages\[0\]"/));
  assert.throws(() => s.sendmmsg([null]), typeErr(/"messages\[0\]"/));
  assert.throws(() => s.sendmmsg([['abc', to]]), typeErr(/"messages\[0\]\[0\]" argument must be a bytes-like object/));
  assert.throws(() => s.sendmmsg([[null, to]]), typeErr(/"messages\[0\]\[0\]"/));
  // A Buffer is an iterable of numbers, not a list of messages.
  assert.throws(() => s.sendmmsg(B('abc')), typeErr(/"messages\[0\]"/));
  assert.throws(
    () => s.sendmmsg(Array.from({ length: 1025 }, () => [B('x'), to])),
    rangeErr(/^The number of messages in "messages" is out of range. It must be >= 1 and <= 1024 \(UIO_MAXIOV\). Received 1025$/),
  );
  assert.throws(() => s.sendmmsg([[B('x'), to]], 'x'), typeErr(/"flags"/));
  assert.throws(() => s.sendmmsg([[B('x'), to]], 2 ** 31), rangeErr(/"flags"/));
  // A bad message after a good one: nothing went out.
  assert.throws(() => s.sendmmsg([[B('good'), to], 'bad']), typeErr(/"messages\[1\]"/));
  assertEmpty(r);
  // And the socket still works.
  assert.equal(s.sendmmsg([[B('fine'), to]]), 1);
  assert.deepEqual(datas(r.recvmmsg(4, 8)), ['fine']);
});

test('sendmmsg: addresses must suit the family; a bad one sends nothing', (t) => {
  const r = udp(t);
  const s = udp(t);
  const to = r.getsockname();
  const inet = [
    ['a path', '/tmp/x', typeErr(/"address" argument must be an array \[host, port\] for AF_INET/)],
    ['one item', ['127.0.0.1'], typeErr(/AF_INET address must be a pair \[host, port\]/)],
    ['three items', ['127.0.0.1', 1, 2], typeErr()],
    ['a bad port', ['127.0.0.1', 70000], rangeErr(/"port" is out of range/)],
    ['a negative port', ['127.0.0.1', -1], rangeErr(/"port"/)],
    ['a string port', ['127.0.0.1', '80'], typeErr(/"port" argument must be an integer/)],
    ['a numeric host', [2130706433, 1], typeErr()],
    ['a bytes address', B('127.0.0.1'), typeErr()],
  ];
  for (const [what, address, check] of inet) {
    assert.throws(() => s.sendmmsg([[B('ok'), to], [B('bad'), address]]), check, `AF_INET: ${what}`);
  }
  assertEmpty(r);

  const u = unix(t, pathName());
  const us = unix(t);
  const unixBad = [
    ['a number', 5, typeErr(/"address" argument must be of type string or a bytes-like object for AF_UNIX/)],
    ['an inet pair', ['127.0.0.1', 1], typeErr(/for AF_UNIX/)],
    ['an object', {}, typeErr()],
    ['a NUL in a path', 'a\0b', valueErr(/AF_UNIX path must not contain a NUL byte/)],
  ];
  // A path longer than sun_path is Python's OSError('AF_UNIX path too long'), without an errno.
  assert.throws(
    () => us.sendmmsg([[B('ok'), u.getsockname()], [B('bad'), `/${'x'.repeat(200)}`]]),
    (e) => e.constructor === socket.OSError && e.message === 'AF_UNIX path too long' && e.errno === null,
  );
  for (const [what, address, check] of unixBad) {
    assert.throws(() => us.sendmmsg([[B('ok'), u.getsockname()], [B('bad'), address]]), check, `AF_UNIX: ${what}`);
  }
  assertEmpty(u);
});

test('async twins reject bad arguments instead of throwing', async (t) => {
  const [a, b] = pair(t);
  const calls = [
    [() => b.recvmmsgAsync(0, 16), rangeErr(/"vlen"/)],
    [() => b.recvmmsgAsync(1025, 16, {}), rangeErr(/"vlen"/)],
    [() => b.recvmmsgAsync('1', 16), typeErr(/"vlen"/)],
    [() => b.recvmmsgAsync(1, -1), valueErr(/negative buffersize/)],
    [() => b.recvmmsgAsync(1, 16, 'x'), typeErr(/"flags"/)],
    [() => b.recvmmsgAsync(1, 16, 0, { signal: 5 }), typeErr(/"options.signal"/)],
    [() => b.recvmmsg_intoAsync([]), rangeErr(/"buffers"/)],
    [() => b.recvmmsg_intoAsync('abc'), typeErr(/"buffers"/)],
    [() => b.recvmmsg_intoAsync([Buffer.alloc(1), 2]), typeErr(/"buffers\[1\]"/)],
    [() => a.sendmmsgAsync(5), typeErr(/"messages"/)],
    [() => a.sendmmsgAsync([[]]), typeErr(/"messages\[0\]"/)],
    [() => a.sendmmsgAsync([[B('x'), 5]]), typeErr(/for AF_UNIX/)],
    [() => a.sendmmsgAsync(Array.from({ length: 1025 }, () => B('x'))), rangeErr(/Received 1025/)],
    [() => a.sendmmsgAsync([B('x')], 0, { signal: {} }), typeErr(/"options.signal"/)],
  ];
  for (const [call, check] of calls) {
    let p;
    assert.doesNotThrow(() => {
      p = call();
    });
    assert.ok(p instanceof Promise);
    await assert.rejects(p, check);
  }
  assertEmpty(b);
});
