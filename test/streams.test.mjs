// Streams over stream sockets (src/streams.ts): toDuplex() / SocketDuplex,
// readableWebStream(), writableWebStream() and `for await (const chunk of sock)`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants as osConstants } from 'node:os';
import { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadableStream, WritableStream } from 'node:stream/web';
import * as socket from 'bsdsock';
import { openFds as fdCount } from './support/fds.mjs';

const fdsAtStart = fdCount();
const osErrno = (name) => osConstants.errno[name];

const T = { timeout: 8000 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

function listener() {
  const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  srv.bind(['127.0.0.1', 0]);
  srv.listen(8);
  return srv;
}

/** A connected TCP pair over 127.0.0.1: [client, server side]. */
function tcpPair() {
  const srv = listener();
  const c = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  c.connect(srv.getsockname());
  const [s] = srv.accept();
  srv.close();
  return [c, s];
}

/** Resolves once the stream has emitted 'close' (at once if it already has). */
async function closed(stream) {
  if (!stream.closed) await once(stream, 'close');
}

/** A Readable of `data` in `size`-byte chunks. */
function chunked(data, size = 65536) {
  const parts = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

/** A Writable that hashes what it is given. */
function hashSink() {
  const h = createHash('sha256');
  let n = 0;
  const w = new Writable({
    write(chunk, _enc, cb) {
      h.update(chunk);
      n += chunk.length;
      cb();
    },
  });
  w.result = () => ({ n, digest: h.digest('hex') });
  return w;
}

/** Everything a socket receives until EOF, read with the async twin. */
async function recvAll(sock) {
  const parts = [];
  for (;;) {
    const b = await sock.recvAsync(65536);
    if (b.length === 0) return Buffer.concat(parts);
    parts.push(b);
  }
}

/** Byte at absolute stream position p of the test pattern. */
const PATTERN = Buffer.from(Array.from({ length: 251 * 64 + 4096 }, (_, i) => i % 251));
function checkPattern(buf) {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== i % 251) assert.fail(`byte ${i} is ${buf[i]}, expected ${i % 251}`);
  }
}

// ---------------------------------------------------------------- Duplex

test('toDuplex returns a SocketDuplex (a stream.Duplex) bound to the socket', T, () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex();
  assert.ok(d instanceof socket.SocketDuplex);
  assert.ok(d instanceof Duplex);
  assert.equal(d.socket, a);
  assert.equal(d.bytesRead, 0);
  assert.equal(d.bytesWritten, 0);
  assert.equal(d.allowHalfOpen, false, 'as net.Socket, not half-open by default');
  const d2 = b.toDuplex({ highWaterMark: 1000, allowHalfOpen: true });
  assert.equal(d2.readableHighWaterMark, 1000);
  assert.equal(d2.writableHighWaterMark, 1000);
  assert.equal(d2.allowHalfOpen, true);
  const d3 = b.toDuplex({ readableHighWaterMark: 10, writableHighWaterMark: 20 });
  assert.equal(d3.readableHighWaterMark, 10);
  assert.equal(d3.writableHighWaterMark, 20);
  // Making a Duplex does not read or close anything.
  b.sendall(Buffer.from('still here'));
  assert.deepEqual(a.recv(100), Buffer.from('still here'));
  for (const s of [d, d2, d3]) s.destroy();
  assert.equal(a.fileno(), -1);
  assert.equal(b.fileno(), -1);
});

test('Duplex: data both ways over a socketpair, end() and the peer\'s auto-end close both', T, async () => {
  const [a, b] = socket.socketpair();
  const da = a.toDuplex();
  const db = b.toDuplex();
  da.write('ping');
  const [got] = await once(db, 'data');
  assert.deepEqual(got, Buffer.from('ping'));
  db.write(Buffer.from('pong!'));
  const [got2] = await once(da, 'data');
  assert.deepEqual(got2, Buffer.from('pong!'));
  assert.equal(da.bytesWritten, 4);
  assert.equal(db.bytesRead, 4);
  assert.equal(db.bytesWritten, 5);
  assert.equal(da.bytesRead, 5);

  // da.end() sends FIN; db sees 'end' and (allowHalfOpen false) ends its own
  // side; da sees 'end' too; both destroy themselves and close their sockets.
  const ends = [once(da, 'end'), once(db, 'end')];
  da.end();
  await Promise.all(ends);
  await Promise.all([closed(da), closed(db)]);
  assert.equal(a.fileno(), -1);
  assert.equal(b.fileno(), -1);
});

test('Duplex over TCP loopback: 4 MiB each way at once, SHA-256 checked on the other side', T, async () => {
  const [c, s] = tcpPair();
  const up = randomBytes(4 << 20);
  const down = randomBytes(4 << 20);
  // Both directions run at once, so each side must keep writing after the
  // other's EOF: allowHalfOpen.
  const dc = c.toDuplex({ allowHalfOpen: true });
  const ds = s.toDuplex({ allowHalfOpen: true });
  const sinkC = hashSink();
  const sinkS = hashSink();
  await Promise.all([pipeline(chunked(up, 100000), dc, sinkC), pipeline(chunked(down, 65536), ds, sinkS)]);
  assert.deepEqual(sinkS.result(), { n: up.length, digest: sha256(up) });
  assert.deepEqual(sinkC.result(), { n: down.length, digest: sha256(down) });
  assert.equal(dc.bytesWritten, up.length);
  assert.equal(ds.bytesRead, up.length);
  assert.equal(ds.bytesWritten, down.length);
  assert.equal(dc.bytesRead, down.length);
  await Promise.all([closed(dc), closed(ds)]);
  assert.equal(c.fileno(), -1);
  assert.equal(s.fileno(), -1);
});

test('Duplex over TCP loopback: an echo server pipeline(d, d), 3 MiB round trip', T, async () => {
  const [c, s] = tcpPair();
  const data = randomBytes(3 << 20);
  const ds = s.toDuplex(); // ends its side at the client's FIN, after echoing all
  const echoed = pipeline(ds, ds);
  const dc = c.toDuplex({ allowHalfOpen: true }); // keeps reading after its own end()
  const sink = hashSink();
  await pipeline(chunked(data, 50000), dc, sink);
  await echoed;
  assert.deepEqual(sink.result(), { n: data.length, digest: sha256(data) });
  assert.equal(ds.bytesRead, data.length);
  assert.equal(ds.bytesWritten, data.length);
  await Promise.all([closed(dc), closed(ds)]);
  assert.equal(c.fileno(), -1);
  assert.equal(s.fileno(), -1);
});

test('Duplex: a consumer that does not read stops the receiving at the high-water mark', T, async () => {
  const [a, b] = socket.socketpair();
  const hwm = 8192;
  const readSize = 4096;
  const d = a.toDuplex({ readableHighWaterMark: hwm, readSize });
  d.on('readable', () => {}); // paused mode: fills to the mark, then waits for read()
  b.setblocking(false);
  let sent = 0;
  const fill = () => {
    for (;;) {
      const off = sent % 251;
      try {
        sent += b.send(PATTERN.subarray(off, off + 1024));
      } catch (e) {
        assert.ok(e instanceof socket.BlockingIOError);
        assert.equal(e.code, 'EAGAIN');
        return;
      }
    }
  };
  // The peer writes until EAGAIN, again and again, until it makes no progress.
  let last = -1;
  let stable = 0;
  for (let round = 0; round < 200 && stable < 3; round++) {
    fill();
    if (sent === last) stable++;
    else stable = 0;
    last = sent;
    await sleep(10);
  }
  assert.equal(stable, 3, 'the writer stopped making progress');
  const readAtPlateau = d.bytesRead;
  assert.ok(readAtPlateau >= hwm && readAtPlateau < hwm + readSize, `bytesRead ${readAtPlateau}`);
  assert.equal(d.readableLength, readAtPlateau, 'all it read is buffered, unconsumed');
  assert.ok(sent > readAtPlateau, 'the rest waits in the kernel');
  await sleep(50);
  assert.equal(d.bytesRead, readAtPlateau, 'no more reading without a consumer');
  fill();
  assert.equal(sent, last);

  // A consumer now gets every byte, in order.
  b.shutdown(socket.SHUT_WR);
  const parts = [];
  d.removeAllListeners('readable'); // else 'readable' keeps it out of flowing mode
  d.on('data', (c) => parts.push(c));
  d.resume();
  await once(d, 'end');
  const all = Buffer.concat(parts);
  assert.equal(all.length, sent);
  assert.equal(d.bytesRead, sent);
  checkPattern(all);
  await closed(d);
  b.close();
});

test('Duplex: writes stall while the peer does not read, and drain when it does', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex({ writableHighWaterMark: 16384 });
  const size = 65536;
  let queued = 0;
  let stalled = false;
  let i = 0;
  for (; i < 400; i++) {
    const chunk = Buffer.alloc(size, i & 0xff);
    queued += size;
    if (!d.write(chunk)) {
      const drained = await Promise.race([once(d, 'drain').then(() => true), sleep(100).then(() => false)]);
      if (!drained) {
        stalled = true;
        break;
      }
    }
  }
  assert.ok(stalled, 'a write waits for the peer');
  const written = d.bytesWritten;
  assert.ok(written < queued);
  assert.equal(d.writableLength, queued - written);
  assert.equal(d.writableNeedDrain, true);
  await sleep(50);
  assert.equal(d.bytesWritten, written, 'no progress while the peer does not read');

  // The peer reads: everything arrives, in order, and 'drain' comes.
  const receiving = recvAll(b);
  await once(d, 'drain');
  assert.equal(d.bytesWritten, queued);
  d.end(); // ('drain' is not emitted once ending)
  const all = await receiving;
  assert.equal(all.length, queued);
  assert.equal(d.bytesWritten, queued);
  for (let k = 0; k <= i; k++) {
    const part = all.subarray(k * size, (k + 1) * size);
    assert.ok(part.every((x) => x === (k & 0xff)), `chunk ${k}`);
  }
  d.destroy();
  b.close();
});

test('Duplex: end() shuts down the write side only; the peer\'s recv returns an empty Buffer', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex({ allowHalfOpen: true });
  d.write('abc');
  d.end('def');
  await once(d, 'finish');
  assert.equal(d.bytesWritten, 6);
  b.settimeout(2);
  assert.deepEqual(b.recv(100), Buffer.from('abcdef'));
  const eof = b.recv(100);
  assert.ok(Buffer.isBuffer(eof));
  assert.equal(eof.length, 0);
  // The reading side is still open: the socket too.
  assert.ok(a.fileno() >= 0);
  assert.equal(d.destroyed, false);
  b.sendall(Buffer.from('more'));
  const [chunk] = await once(d, 'data');
  assert.deepEqual(chunk, Buffer.from('more'));
  b.shutdown(socket.SHUT_WR);
  await once(d, 'end');
  await closed(d);
  assert.equal(a.fileno(), -1, 'both sides done: autoDestroy closed it');
  b.close();
});

test('Duplex: the peer\'s EOF ends the readable side; by default the writable side ends too', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex();
  const parts = [];
  d.on('data', (c) => parts.push(c));
  b.sendall(Buffer.from('last words'));
  b.shutdown(socket.SHUT_WR);
  await once(d, 'end');
  assert.deepEqual(Buffer.concat(parts), Buffer.from('last words'));
  await closed(d);
  assert.equal(d.writableFinished, true);
  assert.equal(a.fileno(), -1);
  b.settimeout(2);
  assert.equal(b.recv(10).length, 0, 'the Duplex sent FIN in answer');
  b.close();
});

test('Duplex: allowHalfOpen keeps the writable side open after the peer\'s EOF', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex({ allowHalfOpen: true });
  d.resume();
  b.shutdown(socket.SHUT_WR);
  await once(d, 'end');
  await sleep(20);
  assert.equal(d.writable, true);
  assert.equal(d.destroyed, false);
  assert.ok(a.fileno() >= 0);
  await new Promise((resolve, reject) => d.write('late reply', (e) => (e ? reject(e) : resolve())));
  b.settimeout(2);
  assert.deepEqual(b.recv(100), Buffer.from('late reply'));
  d.end();
  await closed(d);
  assert.equal(b.recv(100).length, 0);
  assert.equal(a.fileno(), -1);
  b.close();
});

test('Duplex: destroy() closes the socket by default, a pending receive is no error', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex();
  const errors = [];
  d.on('error', (e) => errors.push(e));
  d.resume(); // a receive is now waiting
  await sleep(10);
  d.destroy();
  await closed(d);
  assert.equal(a.fileno(), -1);
  assert.deepEqual(errors, []);
  b.settimeout(2);
  assert.equal(b.recv(10).length, 0, 'the peer sees EOF');
  b.close();
});

test('Duplex: destroy() with close: false leaves the socket open and usable, nothing lost', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex({ close: false });
  const errors = [];
  d.on('error', (e) => errors.push(e));
  b.sendall(Buffer.from('first'));
  const [c1] = await once(d, 'data');
  assert.deepEqual(c1, Buffer.from('first'));
  await sleep(10); // the next receive is waiting now
  d.destroy();
  await closed(d);
  assert.deepEqual(errors, []);
  assert.ok(a.fileno() >= 0);
  assert.equal(d.bytesRead, 5);
  // Bytes sent after destroy() are there for a plain recv: the cancelled
  // receive took nothing.
  b.sendall(Buffer.from('after destroy'));
  a.settimeout(2);
  assert.deepEqual(a.recv(100), Buffer.from('after destroy'));
  a.sendall(Buffer.from('back'));
  b.settimeout(2);
  assert.deepEqual(b.recv(100), Buffer.from('back'));
  a.close();
  b.close();
});

test('Duplex: destroy() right after a read() that received loses nothing (close: false)', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex({ close: false });
  b.sendall(Buffer.from('hello'));
  // read() receives what the kernel holds and hands it over at once.
  assert.deepEqual(d.read(), Buffer.from('hello'));
  d.destroy();
  await closed(d);
  assert.equal(d.bytesRead, 5);
  b.sendall(Buffer.from('rest'));
  a.settimeout(2);
  assert.deepEqual(a.recv(100), Buffer.from('rest'));
  a.close();
  b.close();
});

test('Duplex: destroy() with close: false cancels a waiting write; the socket stays usable', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex({ close: false });
  const errors = [];
  d.on('error', (e) => errors.push(e));
  let cbErr = 'not called';
  d.write(Buffer.alloc(4 << 20, 7), (e) => (cbErr = e));
  await sleep(20); // the send filled the kernel's buffer and waits
  assert.equal(d.bytesWritten, 0);
  d.destroy();
  await closed(d);
  assert.deepEqual(errors, []);
  assert.ok(a.fileno() >= 0);
  // What went out before destroy() is all 7s; the socket still works.
  b.setblocking(false);
  let n = 0;
  for (;;) {
    let chunk;
    try {
      chunk = b.recv(1 << 20);
    } catch (e) {
      assert.equal(e.code, 'EAGAIN');
      break;
    }
    assert.ok(chunk.every((x) => x === 7));
    n += chunk.length;
  }
  assert.ok(n > 0 && n < 4 << 20, `${n} bytes went out`);
  a.sendall(Buffer.from('ok'));
  b.setblocking(true);
  assert.deepEqual(b.recv(10), Buffer.from('ok'));
  // As net.Socket: a write cut short by destroy() calls back without an error.
  assert.equal(cbErr, null);
  a.close();
  b.close();
});

test('Duplex: ECONNRESET from a peer that closes with SO_LINGER 0 is an \'error\' with the OSError', T, async () => {
  const [c, s] = tcpPair();
  const d = c.toDuplex();
  d.resume();
  await sleep(10);
  const linger = Buffer.alloc(8);
  linger.writeInt32LE(1, 0); // l_onoff
  linger.writeInt32LE(0, 4); // l_linger
  s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger);
  s.close();
  const [err] = await once(d, 'error');
  assert.ok(err instanceof socket.ConnectionResetError);
  assert.ok(err instanceof socket.OSError);
  assert.equal(err.errno, osErrno('ECONNRESET'));
  assert.equal(err.code, 'ECONNRESET');
  await closed(d);
  assert.equal(c.fileno(), -1);
});

test('Duplex: ECONNRESET from a peer that closes with unread data', T, async () => {
  const [c, s] = tcpPair();
  c.sendall(Buffer.from('never read'));
  await sleep(10);
  const d = c.toDuplex();
  d.resume();
  s.close(); // unread data: the kernel answers with RST
  const [err] = await once(d, 'error');
  assert.ok(err instanceof socket.ConnectionResetError);
  assert.equal(err.code, 'ECONNRESET');
  await closed(d);
  assert.equal(c.fileno(), -1);
});

test('Duplex: EPIPE on writing to a closed peer is an \'error\' and the write callback\'s error', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex();
  b.close();
  let cbErr;
  d.write('x', (e) => (cbErr = e));
  const [err] = await once(d, 'error');
  assert.ok(err instanceof socket.BrokenPipeError);
  assert.equal(err.code, 'EPIPE');
  assert.equal(err.errno, osErrno('EPIPE'));
  assert.equal(cbErr, err);
  assert.equal(d.bytesWritten, 0);
  await closed(d);
  assert.equal(a.fileno(), -1);
});

test('Duplex: the socket timeout bounds an idle read: TimeoutError', T, async () => {
  const [a, b] = socket.socketpair();
  a.settimeout(0.05);
  const d = a.toDuplex();
  d.resume();
  const [err] = await once(d, 'error');
  assert.ok(err instanceof socket.TimeoutError);
  assert.equal(err.message, 'timed out');
  assert.equal(err.code, 'ETIMEDOUT');
  await closed(d);
  assert.equal(a.fileno(), -1);
  b.close();
});

test('Duplex: the signal option destroys the stream with an AbortError', T, async () => {
  const [a, b] = socket.socketpair();
  const ac = new AbortController();
  const d = a.toDuplex({ signal: ac.signal });
  d.resume();
  ac.abort();
  const [err] = await once(d, 'error');
  assert.equal(err.name, 'AbortError');
  await closed(d);
  assert.equal(a.fileno(), -1);
  b.close();
});

test('Duplex: cork() batches writes into one send (_writev); bytesWritten counts them', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex();
  d.cork();
  d.write('one ');
  d.write(Buffer.from('two '));
  d.write('three');
  process.nextTick(() => d.uncork());
  await new Promise((resolve) => d.write('', resolve));
  assert.equal(d.bytesWritten, 13);
  b.settimeout(2);
  assert.deepEqual(b.recv(100), Buffer.from('one two three'));
  d.destroy();
  b.close();
});

test('Duplex: readSize bounds each receive; handed-out chunks are never overwritten', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex({ readSize: 7 });
  const data = randomBytes(100);
  b.sendall(data);
  b.shutdown(socket.SHUT_WR);
  const parts = [];
  // 'data' in flowing mode gives each pushed chunk (read() would join them).
  d.on('data', (c) => parts.push(c));
  await once(d, 'end');
  assert.ok(parts.every((c) => c.length >= 1 && c.length <= 7), parts.map((c) => c.length).join());
  assert.deepEqual(Buffer.concat(parts), data);
  assert.equal(d.bytesRead, 100);
  b.close();

  // Small receives (copied out of the reused buffer) keep their contents.
  const [x, y] = socket.socketpair();
  const dx = x.toDuplex({ readSize: 64 });
  const got = [];
  dx.on('data', (c) => got.push(c));
  y.sendall(Buffer.from('abcde'));
  while (got.length < 1) await sleep(2);
  y.sendall(Buffer.from('fghij'));
  y.shutdown(socket.SHUT_WR);
  await once(dx, 'end');
  assert.deepEqual(got, [Buffer.from('abcde'), Buffer.from('fghij')]);
  await closed(dx);
  y.close();
});

test('Duplex: encoding gives strings; defaultEncoding applies to written strings', T, async () => {
  const [a, b] = socket.socketpair();
  const d = a.toDuplex({ encoding: 'utf8', defaultEncoding: 'hex' });
  b.sendall(Buffer.from('héllo', 'utf8'));
  const [s] = await once(d, 'data');
  assert.equal(s, 'héllo');
  await new Promise((resolve) => d.write('cafe', resolve));
  b.settimeout(2);
  assert.deepEqual(b.recv(10), Buffer.from([0xca, 0xfe]));
  d.destroy();
  b.close();
});

test('toDuplex: argument errors', T, () => {
  const [a, b] = socket.socketpair();
  const typeErr = (code) => (e) => {
    assert.ok(e instanceof TypeError, String(e));
    assert.equal(e.code, code);
    return true;
  };
  const rangeErr = (e) => {
    assert.ok(e instanceof RangeError, String(e));
    assert.equal(e.code, 'ERR_OUT_OF_RANGE');
    return true;
  };
  for (const bad of [null, 5, 'x', true]) assert.throws(() => a.toDuplex(bad), typeErr('ERR_INVALID_ARG_TYPE'));
  for (const bad of ['64', 1.5, null, {}]) assert.throws(() => a.toDuplex({ readSize: bad }), typeErr('ERR_INVALID_ARG_TYPE'));
  for (const bad of [0, -1, 2 ** 31, 2 ** 53]) assert.throws(() => a.toDuplex({ readSize: bad }), rangeErr);
  // Node's own checks of the Duplex options.
  assert.throws(() => a.toDuplex({ highWaterMark: -1 }), typeErr('ERR_INVALID_ARG_VALUE'));
  assert.throws(() => a.toDuplex({ signal: 'x' }), typeErr('ERR_INVALID_ARG_TYPE'));
  assert.throws(() => a.toDuplex({ signal: Object.create(AbortSignal.prototype) }), typeErr('ERR_INVALID_ARG_TYPE'));
  assert.throws(() => a.toDuplex.call({}), typeErr('ERR_INVALID_ARG_TYPE'));
  assert.throws(() => new socket.SocketDuplex({}), typeErr('ERR_INVALID_ARG_TYPE'));
  // close is a boolean for every kind of stream (0 or 'no' would mean
  // opposite things to a `!== false` and a truthiness test).
  for (const bad of [0, 1, 'no', null]) {
    assert.throws(() => a.toDuplex({ close: bad }), typeErr('ERR_INVALID_ARG_TYPE'));
    assert.throws(() => new socket.SocketDuplex(a, { close: bad }), typeErr('ERR_INVALID_ARG_TYPE'));
    assert.throws(() => a.readableWebStream({ close: bad }), typeErr('ERR_INVALID_ARG_TYPE'));
    assert.throws(() => a.writableWebStream({ close: bad }), typeErr('ERR_INVALID_ARG_TYPE'));
  }
  assert.ok(a.fileno() >= 0);
  // Limits accepted (the buffer is made at the first read only).
  a.toDuplex({ readSize: 1 }).destroy();
  const [c, d] = socket.socketpair();
  c.toDuplex({ readSize: 2 ** 31 - 1 }).destroy();
  new socket.SocketDuplex(d, { readSize: 16n }).destroy();
  assert.equal(c.fileno(), -1);
  assert.equal(d.fileno(), -1);

  // Not a SOCK_STREAM socket.
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const [p, q] = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  for (const s of [udp, p]) {
    assert.throws(() => s.toDuplex(), typeErr('ERR_INVALID_ARG_VALUE'));
    assert.throws(() => s.readableWebStream(), typeErr('ERR_INVALID_ARG_VALUE'));
    assert.throws(() => s.writableWebStream(), typeErr('ERR_INVALID_ARG_VALUE'));
  }
  assert.ok(udp.fileno() >= 0 && p.fileno() >= 0, 'a failed call leaves the socket alone');
  udp.close();
  p.close();
  q.close();

  // A closed socket: OSError EBADF.
  b.close();
  for (const f of [() => b.toDuplex(), () => b.readableWebStream(), () => b.writableWebStream()]) {
    assert.throws(f, (e) => {
      assert.equal(e.constructor, socket.OSError);
      assert.equal(e.errno, osErrno('EBADF'));
      assert.equal(e.code, 'EBADF');
      return true;
    });
  }
  a.close();
});

// ---------------------------------------------------------------- web streams

test('readableWebStream: reads to EOF, in chunks of at most readSize; the socket stays open', T, async () => {
  const [a, b] = socket.socketpair();
  const rs = a.readableWebStream({ readSize: 10000 });
  assert.ok(rs instanceof ReadableStream);
  const data = randomBytes(1 << 20);
  const sending = b.sendallAsync(data).then(() => b.shutdown(socket.SHUT_WR));
  const parts = [];
  for await (const chunk of rs) {
    assert.ok(chunk instanceof Uint8Array);
    assert.ok(chunk.byteLength >= 1 && chunk.byteLength <= 10000, `chunk of ${chunk.byteLength}`);
    parts.push(chunk);
  }
  await sending;
  assert.equal(sha256(Buffer.concat(parts)), sha256(data));
  assert.ok(a.fileno() >= 0, 'close defaults to false');
  a.sendall(Buffer.from('still open'));
  b.settimeout(2);
  assert.deepEqual(b.recv(100), Buffer.from('still open'));
  a.close();
  b.close();
});

test('readableWebStream: a BYOB reader receives straight into its buffer', T, async () => {
  const [a, b] = socket.socketpair();
  const reader = a.readableWebStream().getReader({ mode: 'byob' });
  b.sendall(Buffer.from('hello world'));
  const r1 = await reader.read(new Uint8Array(5));
  assert.equal(r1.done, false);
  assert.deepEqual(Buffer.from(r1.value), Buffer.from('hello'));
  const r2 = await reader.read(new Uint8Array(100));
  assert.deepEqual(Buffer.from(r2.value), Buffer.from(' world'));
  b.shutdown(socket.SHUT_WR);
  const r3 = await reader.read(new Uint8Array(100));
  assert.equal(r3.done, true);
  assert.equal(r3.value.byteLength, 0);
  a.close();
  b.close();
});

test('readableWebStream: close: true closes the socket at EOF', T, async () => {
  const [a, b] = socket.socketpair();
  const rs = a.readableWebStream({ close: true });
  b.sendall(Buffer.from('bye'));
  b.shutdown(socket.SHUT_WR);
  const parts = [];
  for await (const c of rs) parts.push(c);
  assert.deepEqual(Buffer.concat(parts), Buffer.from('bye'));
  assert.equal(a.fileno(), -1);
  b.close();
});

test('readableWebStream: cancel() withdraws a waiting read and loses nothing', T, async () => {
  const [a, b] = socket.socketpair();
  const reader = a.readableWebStream().getReader();
  const pending = reader.read();
  await sleep(10); // the receive is waiting
  await reader.cancel('enough');
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.ok(a.fileno() >= 0);
  b.sendall(Buffer.from('next reader'));
  a.settimeout(2);
  assert.deepEqual(a.recv(100), Buffer.from('next reader'));

  // A read that found data already is answered with it before the cancel.
  const reader2 = a.readableWebStream().getReader();
  await sleep(1);
  b.sendall(Buffer.from('hello'));
  const p2 = reader2.read();
  const c2 = reader2.cancel();
  const r2 = await p2;
  await c2;
  assert.equal(r2.done, false);
  assert.deepEqual(Buffer.from(r2.value), Buffer.from('hello'));
  a.close();
  b.close();
});

test('readableWebStream: cancel() with close: true closes the socket', T, async () => {
  const [a, b] = socket.socketpair();
  const rs = a.readableWebStream({ close: true });
  const reader = rs.getReader();
  const pending = reader.read();
  await sleep(5);
  await reader.cancel();
  assert.equal((await pending).done, true);
  assert.equal(a.fileno(), -1);
  b.close();
});

test('readableWebStream: a socket error errors the stream (ECONNRESET), close: true closes', T, async () => {
  const [c, s] = tcpPair();
  const reader = c.readableWebStream({ close: true }).getReader();
  const pending = reader.read();
  const linger = Buffer.alloc(8);
  linger.writeInt32LE(1, 0);
  s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger);
  s.close();
  await assert.rejects(pending, (e) => {
    assert.ok(e instanceof socket.ConnectionResetError);
    assert.equal(e.code, 'ECONNRESET');
    return true;
  });
  assert.equal(c.fileno(), -1);
});

test('readableWebStream: argument errors', T, () => {
  const [a, b] = socket.socketpair();
  for (const bad of [null, 1, 'x']) {
    assert.throws(() => a.readableWebStream(bad), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE');
  }
  assert.throws(() => a.readableWebStream({ readSize: 'big' }), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE');
  for (const bad of [0, -5, 2 ** 31]) {
    assert.throws(() => a.readableWebStream({ readSize: bad }), (e) => e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE');
  }
  assert.throws(() => a.readableWebStream.call({}), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE');
  a.close();
  b.close();
});

test('writableWebStream: writes any bytes-like chunk; close() sends FIN, the socket stays open', T, async () => {
  const [a, b] = socket.socketpair();
  const ws = a.writableWebStream();
  assert.ok(ws instanceof WritableStream);
  const writer = ws.getWriter();
  await writer.write(Buffer.from('buf,'));
  await writer.write(new Uint8Array([0x75, 0x38, 0x2c])); // 'u8,'
  await writer.write(new TextEncoder().encode('ab,').buffer); // an ArrayBuffer
  await writer.write(new DataView(new TextEncoder().encode('_xxdv,_').buffer, 1, 5)); // 'xxdv,'
  await writer.write(new Uint16Array([0x6968])); // 'hi' little-endian
  await writer.close();
  b.settimeout(2);
  const got = [];
  for (;;) {
    const c = b.recv(100);
    if (c.length === 0) break;
    got.push(c);
  }
  assert.equal(Buffer.concat(got).toString(), 'buf,u8,ab,xxdv,hi');
  assert.ok(a.fileno() >= 0, 'close defaults to false');
  b.sendall(Buffer.from('reply'));
  a.settimeout(2);
  assert.deepEqual(a.recv(10), Buffer.from('reply'), 'only the write side was shut down');
  a.close();
  b.close();
});

test('writableWebStream: close: true closes the socket on close()', T, async () => {
  const [a, b] = socket.socketpair();
  const writer = a.writableWebStream({ close: true }).getWriter();
  await writer.write(Buffer.from('x'));
  await writer.close();
  assert.equal(a.fileno(), -1);
  b.settimeout(2);
  assert.deepEqual(b.recv(10), Buffer.from('x'));
  assert.equal(b.recv(10).length, 0);
  b.close();
});

test('writableWebStream: highWaterMark counts bytes; a string chunk is a TypeError', T, async () => {
  const [a, b] = socket.socketpair();
  const writer = a.writableWebStream({ highWaterMark: 100 }).getWriter();
  await writer.ready;
  assert.equal(writer.desiredSize, 100);
  const w = writer.write(new Uint8Array(60));
  assert.equal(writer.desiredSize, 40);
  await w;
  assert.equal(writer.desiredSize, 100);
  await assert.rejects(writer.write('text'), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE');
  await assert.rejects(writer.closed, (e) => e instanceof TypeError);
  assert.ok(a.fileno() >= 0);
  a.close();
  b.close();

  const [c, d] = socket.socketpair();
  const w0 = c.writableWebStream({ highWaterMark: 0 }).getWriter();
  assert.equal(w0.desiredSize, 0);
  const wc = c.writableWebStream({ close: true }).getWriter();
  await assert.rejects(wc.write(42), TypeError);
  assert.equal(c.fileno(), -1, 'close: true closes on error');
  d.close();
});

test('writableWebStream: abort() cancels a waiting write at once; the socket stays usable', T, async () => {
  const [a, b] = socket.socketpair();
  const writer = a.writableWebStream().getWriter();
  const big = Buffer.alloc(8 << 20, 3);
  const wp = writer.write(big);
  wp.catch(() => {});
  await sleep(20); // the kernel's buffer is full; the write waits
  const reason = new Error('stop');
  await writer.abort(reason);
  await assert.rejects(wp, (e) => e === reason);
  await assert.rejects(writer.closed, (e) => e === reason);
  assert.ok(a.fileno() >= 0);
  b.setblocking(false);
  let n = 0;
  for (;;) {
    let c;
    try {
      c = b.recv(1 << 20);
    } catch (e) {
      assert.equal(e.code, 'EAGAIN');
      break;
    }
    assert.ok(c.every((x) => x === 3));
    n += c.length;
  }
  assert.ok(n > 0 && n < big.length, `${n} bytes went out`);
  a.sendall(Buffer.from('after'));
  b.setblocking(true);
  assert.deepEqual(b.recv(10), Buffer.from('after'));
  a.close();
  b.close();

  // abort with close: true closes the socket.
  const [c, d] = socket.socketpair();
  const wc = c.writableWebStream({ close: true }).getWriter();
  await wc.abort();
  assert.equal(c.fileno(), -1);
  d.close();
});

test('writableWebStream: argument errors', T, () => {
  const [a, b] = socket.socketpair();
  for (const bad of [null, 1, 'x']) {
    assert.throws(() => a.writableWebStream(bad), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE');
  }
  for (const bad of ['1', 1.5]) {
    assert.throws(() => a.writableWebStream({ highWaterMark: bad }), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE');
  }
  for (const bad of [-1, 2 ** 53]) {
    assert.throws(() => a.writableWebStream({ highWaterMark: bad }), (e) => e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE');
  }
  a.close();
  b.close();
});

test('web streams: pipeTo() from one socket to another, 2 MiB, SHA-256 checked', T, async () => {
  const [a1, b1] = socket.socketpair();
  const [c, s] = tcpPair();
  const data = randomBytes(2 << 20);
  const sending = b1.sendallAsync(data).then(() => b1.shutdown(socket.SHUT_WR));
  const piped = a1.readableWebStream({ close: true }).pipeTo(c.writableWebStream({ close: true }));
  const received = recvAll(s); // the server side sees EOF once the pipe closes
  await Promise.all([sending, piped]);
  const got = await received;
  assert.equal(got.length, data.length);
  assert.equal(sha256(got), sha256(data));
  assert.equal(a1.fileno(), -1);
  assert.equal(c.fileno(), -1);
  b1.close();
  s.close();
});

// ---------------------------------------------------------------- for await

test('for await (const chunk of sock): Buffers of at most 64 KiB until EOF', T, async () => {
  const [a, b] = socket.socketpair();
  const data = randomBytes(600000);
  const sending = b.sendallAsync(data).then(() => b.shutdown(socket.SHUT_WR));
  const parts = [];
  for await (const chunk of a) {
    assert.ok(Buffer.isBuffer(chunk));
    assert.ok(chunk.length >= 1 && chunk.length <= 65536);
    parts.push(chunk);
  }
  await sending;
  assert.deepEqual(Buffer.concat(parts), data);
  assert.ok(a.fileno() >= 0, 'the socket stays open');
  a.close();
  b.close();
});

test('for await: break leaves unread data in the kernel', T, async () => {
  const [a, b] = socket.socketpair();
  b.sendall(Buffer.from('one'));
  for await (const chunk of a) {
    assert.deepEqual(chunk, Buffer.from('one'));
    b.sendall(Buffer.from('two'));
    break;
  }
  assert.ok(a.fileno() >= 0);
  a.settimeout(2);
  assert.deepEqual(a.recv(10), Buffer.from('two'));
  a.close();
  b.close();
});

test('for await over a TCP connection and over SOCK_SEQPACKET (one message per chunk)', T, async () => {
  const [c, s] = tcpPair();
  const data = randomBytes(300000);
  const sending = s.sendallAsync(data).then(() => s.shutdown(socket.SHUT_WR));
  const parts = [];
  for await (const chunk of c) parts.push(chunk);
  await sending;
  assert.equal(sha256(Buffer.concat(parts)), sha256(data));
  c.close();
  s.close();

  const [p, q] = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  for (const m of ['a', 'bb', 'ccc']) q.send(Buffer.from(m));
  q.shutdown(socket.SHUT_WR);
  const msgs = [];
  for await (const m of p) msgs.push(m.toString());
  assert.deepEqual(msgs, ['a', 'bb', 'ccc']);
  p.close();
  q.close();
});

test('for await: a datagram socket is a TypeError, a closed socket EBADF', T, async () => {
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  await assert.rejects(
    async () => {
      for await (const _ of udp) assert.fail('no chunk expected');
    },
    (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE',
  );
  udp.close();
  const [a, b] = socket.socketpair();
  a.close();
  await assert.rejects(
    async () => {
      for await (const _ of a) assert.fail('no chunk expected');
    },
    (e) => e instanceof socket.OSError && e.code === 'EBADF',
  );
  b.close();
});

test('no descriptors leaked', () => {
  assert.equal(fdCount(), fdsAtStart);
});
