// makefile() (issue 8): modes, arguments, buffering, reading, writing and
// text decoding, checked against Python 3.11's socket.makefile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fstatSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as socket from 'bsdsock';
import { openFds as fdCount } from './support/fds.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

const B = (s) => Buffer.from(s);
const isOpen = (fd) => {
  try {
    fstatSync(fd);
    return true;
  } catch (e) {
    assert.equal(e.code, 'EBADF');
    return false;
  }
};

/** What has arrived at `s` so far, without waiting. */
function pending(s) {
  const t = s.gettimeout();
  s.settimeout(0);
  try {
    return s.recv(1 << 20);
  } catch (e) {
    if (e instanceof socket.BlockingIOError) return Buffer.alloc(0);
    throw e;
  } finally {
    s.settimeout(t);
  }
}

/**
 * Sends `chunks` from a worker thread on a duplicate of `fd`, `ms` apart,
 * then closes the duplicate: lets the main thread block in a sync read.
 */
function sendLater(fd, chunks, ms = 30) {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const socket = require('bsdsock');
    const s = socket.fromfd(workerData.fd, socket.AF_UNIX, socket.SOCK_STREAM);
    let i = 0;
    const next = () => {
      if (i < workerData.chunks.length) {
        s.sendall(Buffer.from(workerData.chunks[i++], 'base64'));
        setTimeout(next, workerData.ms);
      } else {
        s.close();
        parentPort.postMessage('done');
      }
    };
    parentPort.postMessage('ready');
    setTimeout(next, workerData.ms);
  `;
  const w = new Worker(code, { eval: true, workerData: { fd, chunks: chunks.map((c) => Buffer.from(c).toString('base64')), ms } });
  const ready = new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  const done = new Promise((resolve, reject) => {
    w.on('message', (m) => m === 'done' && resolve());
    w.once('error', reject);
  }).then(() => w.terminate());
  return { ready, done };
}

const fdsAtStart = fdCount();

test('every mode Python accepts, and what it returns', () => {
  const [a, b] = socket.socketpair();
  const fd = a.fileno();
  const cases = [
    ['r', socket.TextIOWrapper, 'r', true, false],
    ['', socket.TextIOWrapper, '', true, false],
    ['rr', socket.TextIOWrapper, 'rr', true, false],
    ['w', socket.TextIOWrapper, 'w', false, true],
    ['rw', socket.TextIOWrapper, 'rw', true, true],
    ['wr', socket.TextIOWrapper, 'wr', true, true],
    ['rb', socket.BufferedReader, 'rb', true, false],
    ['br', socket.BufferedReader, 'rb', true, false],
    ['b', socket.BufferedReader, 'rb', true, false],
    ['bb', socket.BufferedReader, 'rb', true, false],
    ['wb', socket.BufferedWriter, 'wb', false, true],
    ['rwb', socket.BufferedRWPair, undefined, true, true],
    ['bwr', socket.BufferedRWPair, undefined, true, true],
  ];
  for (const [mode, Cls, fmode, r, w] of cases) {
    const f = a.makefile(mode);
    assert.ok(f instanceof Cls, mode);
    assert.equal(f.mode, fmode, mode);
    assert.equal(f.readable(), r, mode);
    assert.equal(f.writable(), w, mode);
    assert.equal(f.seekable(), false);
    assert.equal(f.isatty(), false);
    assert.equal(f.closed, false);
    if (r && w) {
      // As Python's BufferedRWPair: no name, and fileno() is unsupported.
      assert.equal(f.name, undefined);
      assert.throws(() => f.fileno(), socket.UnsupportedOperation);
    } else {
      assert.equal(f.name, fd);
      assert.equal(f.fileno(), fd);
    }
    f.close();
    assert.equal(f.closed, true);
    f.close();
  }
  for (const [mode, fmode] of [['rb', 'rb'], ['wb', 'wb'], ['rwb', 'rwb'], ['wbr', 'rwb']]) {
    const f = a.makefile(mode, 0);
    assert.ok(f instanceof socket.SocketIO);
    assert.equal(f.mode, fmode);
    assert.equal(f.name, fd);
    f.close();
    assert.equal(f.name, -1);
  }
  const t = a.makefile();
  assert.ok(t instanceof socket.TextIOWrapper);
  assert.equal(t.encoding, 'UTF-8');
  assert.equal(t.errors, 'strict');
  assert.equal(t.line_buffering, false);
  assert.equal(t.newlines, null);
  assert.ok(t.buffer instanceof socket.BufferedReader);
  assert.equal(t.buffer.buffer_size, 8192);
  assert.equal(String(t), `<_io.TextIOWrapper name=${fd} mode='r' encoding='UTF-8'>`);
  t.close();
  assert.equal(String(t), `<_io.TextIOWrapper name=-1 mode='r' encoding='UTF-8'>`);
  const br = a.makefile('rb');
  assert.equal(String(br), `<_io.BufferedReader name=${fd}>`);
  br.close();
  a.close();
  b.close();
});

test('argument errors, as Python raises them', () => {
  const [a, b] = socket.socketpair();
  const value = (fn, message) => assert.throws(fn, (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE' && e.message.includes(message));
  const type = (fn) => assert.throws(fn, (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE');
  for (const [mode, shown] of [['x', "'x'"], ['rt', "'rt'"], ['R', "'R'"], ['a', "'a'"], ['r+', "'r+'"], ["r'", `"r'"`]]) {
    value(() => a.makefile(mode), `invalid mode ${shown} (only r, w, b allowed)`);
  }
  type(() => a.makefile(1));
  type(() => a.makefile(null));
  value(() => a.makefile('r', 0), 'unbuffered streams must be binary');
  value(() => a.makefile('w', 0), 'unbuffered streams must be binary');
  value(() => a.makefile('rw', 0), 'unbuffered streams must be binary');
  type(() => a.makefile('rb', 1.5));
  type(() => a.makefile('rb', '3'));
  type(() => a.makefile('r', null, { encoding: 1 }));
  type(() => a.makefile('r', null, { errors: 1 }));
  type(() => a.makefile('r', null, { newline: 1 }));
  type(() => a.makefile('r', null, 'utf-8'));
  value(() => a.makefile('r', null, { newline: 'x' }), 'illegal newline value: x');
  value(() => a.makefile('r', null, { errors: 'nope' }), "unknown error handler name 'nope'");
  assert.throws(
    () => a.makefile('r', null, { encoding: 'nope' }),
    (e) => e instanceof RangeError && e.code === 'ERR_ENCODING_NOT_SUPPORTED' && e.message === 'unknown encoding: nope',
  );
  // Binary mode ignores the text arguments, as Python does.
  a.makefile('rb', null, { encoding: 1, newline: 'x' }).close();
  // A failed makefile() holds no reference: close() closes the descriptor.
  const fd = a.fileno();
  a.close();
  b.close();
  assert.equal(isOpen(fd), false);

  const [c, d] = socket.socketpair();
  const f = c.makefile('rb');
  type(() => f.read('1'));
  type(() => f.read(1.5));
  value(() => f.read(-2), 'read length must be non-negative or -1');
  type(() => f.readline('3'));
  type(() => f.readlines('x'));
  type(() => f.readinto('xx'));
  assert.throws(() => f.write(B('x')), (e) => e instanceof socket.UnsupportedOperation && e instanceof socket.OSError && e.message === 'write');
  assert.throws(() => f.seek(0), socket.UnsupportedOperation);
  assert.throws(() => f.tell(), socket.UnsupportedOperation);
  assert.throws(() => f.truncate(), socket.UnsupportedOperation);
  const w = c.makefile('wb');
  type(() => w.write('str'));
  type(() => w.write(1));
  type(() => w.writelines(5));
  type(() => w.writelines(['ab']));
  assert.throws(() => w.read(), (e) => e instanceof socket.UnsupportedOperation && e.message === 'read');
  const tw = c.makefile('w');
  type(() => tw.write(B('bytes')));
  type(() => tw.writelines([B('ab')]));
  assert.throws(() => tw.read(), (e) => e instanceof socket.UnsupportedOperation && e.message === 'not readable');
  const tr = c.makefile('r');
  assert.throws(() => tr.write('x'), (e) => e instanceof socket.UnsupportedOperation && e.message === 'not writable');
  assert.equal(tr.readinto, undefined);
  const raw = c.makefile('rb', 0);
  assert.throws(() => raw.write(B('x')), (e) => e.message === 'File or stream is not writable.');
  assert.equal(raw.peek, undefined);
  for (const file of [f, w, tw, tr, raw]) file.close();
  // Operations on a closed file: Python's ValueError, spelled ERR_INVALID_STATE.
  const closed = (fn, message) => assert.throws(fn, (e) => e instanceof TypeError && e.code === 'ERR_INVALID_STATE' && e.message === message);
  closed(() => f.read(), 'read of closed file');
  closed(() => f.readline(), 'readline of closed file');
  closed(() => f.peek(), 'peek of closed file');
  closed(() => f.fileno(), 'I/O operation on closed file.');
  closed(() => f.readable(), 'I/O operation on closed socket.');
  closed(() => w.write(B('x')), 'write to closed file');
  closed(() => w.flush(), 'flush of closed file');
  closed(() => tr.read(), 'I/O operation on closed file.');
  closed(() => tw.write('x'), 'I/O operation on closed file.');
  closed(() => raw.read(), 'I/O operation on closed file.');
  closed(() => [...tr], 'I/O operation on closed file.');
  assert.equal(w.readable(), false);
  c.close();
  d.close();
});

test('binary read(n) waits for n bytes across sends; read() goes to EOF', async () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('rb');
  const sender = sendLater(b.fileno(), ['abc', 'defgh', 'line1\nline2\n', 'tail'], 30);
  await sender.ready;
  b.close();
  assert.deepEqual(f.read(5), B('abcde'));
  assert.deepEqual(f.peek(), B('fgh'));
  assert.deepEqual(f.read1(100), B('fgh'));
  assert.deepEqual(f.readline(), B('line1\n'));
  assert.deepEqual(f.readline(3), B('lin'));
  assert.deepEqual(f.readline(0), B(''));
  assert.deepEqual(f.readline(-1), B('e2\n'));
  assert.deepEqual(f.read(), B('tail'));
  assert.deepEqual(f.read(), B(''));
  assert.deepEqual(f.read(3), B(''));
  assert.deepEqual(f.readline(), B(''));
  await sender.done;
  f.close();
  a.close();
});

test('binary readinto, readlines with a hint, iteration, read(0)', () => {
  let [a, b] = socket.socketpair();
  let f = a.makefile('rb');
  b.sendall(B('1\n22\n333\n4444\n55555'));
  b.close();
  assert.deepEqual(f.read(0), B(''));
  assert.deepEqual(f.readlines(4), [B('1\n'), B('22\n')]);
  assert.deepEqual(f.readlines(0), [B('333\n'), B('4444\n'), B('55555')]);
  assert.deepEqual(f.readlines(), []);
  f.close();
  a.close();

  [a, b] = socket.socketpair();
  f = a.makefile('rb');
  b.sendall(B('x\ny\nz'));
  b.shutdown(socket.SHUT_WR);
  assert.deepEqual([...f], [B('x\n'), B('y\n'), B('z')]);
  f.close();
  a.close();
  b.close();

  [a, b] = socket.socketpair();
  f = a.makefile('rb');
  b.sendall(B('abcdefgh'));
  const four = new Uint8Array(4);
  assert.equal(f.readinto(four), 4);
  assert.deepEqual(Buffer.from(four), B('abcd'));
  b.close();
  const ten = Buffer.alloc(10);
  assert.equal(f.readinto(ten), 4);
  assert.deepEqual(ten.subarray(0, 4), B('efgh'));
  assert.equal(f.readinto(new ArrayBuffer(3)), 0);
  f.close();
  a.close();
});

test('unbuffered binary (buffering 0): one recv per read, one send per write', () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('rwb', 0);
  b.sendall(B('abc'));
  assert.deepEqual(f.read(5), B('abc'));
  b.sendall(B('line1\nline2\n'));
  assert.deepEqual(f.readline(), B('line1\n'));
  assert.deepEqual(f.readline(2), B('li'));
  assert.equal(f.write(B('xyz')), 3);
  assert.deepEqual(pending(b), B('xyz'));
  f.writelines([B('1'), new Uint8Array([50])]);
  assert.deepEqual(pending(b), B('12'));
  b.sendall(B('x\ny'));
  b.close();
  assert.deepEqual(f.read(), B('ne2\nx\ny'));
  assert.deepEqual(f.read(), B(''));
  assert.equal(f.readinto(Buffer.alloc(3)), 0);
  f.close();
  a.close();
});

test('buffered writes: nothing is sent before flush while the data fits', () => {
  const [a, b] = socket.socketpair();
  let f = a.makefile('wb');
  assert.equal(f.write(B('hello\n')), 6);
  assert.deepEqual(pending(b), B(''));
  f.flush();
  assert.deepEqual(pending(b), B('hello\n'));
  f.writelines([B('a'), B('b')]);
  assert.deepEqual(pending(b), B(''));
  f.close();
  assert.deepEqual(pending(b), B('ab'));

  // Python's BufferedWriter with a 4-byte buffer.
  f = a.makefile('wb', 4);
  f.write(B('ab'));
  assert.deepEqual(pending(b), B(''));
  f.write(B('cd'));
  assert.deepEqual(pending(b), B(''));
  f.write(B('e'));
  assert.deepEqual(pending(b), B('abcd'));
  f.write(B('fghij'));
  assert.deepEqual(pending(b), B('efghij'));
  f.close();
  assert.deepEqual(pending(b), B(''));
  f = a.makefile('wb', 1);
  f.write(B('hello\n'));
  assert.deepEqual(pending(b), B('hello\n'));
  f.close();

  // Text: encoded text waits for 8192 bytes, flush() or close(), whatever the buffer size.
  for (const buffering of [null, 1, 4]) {
    f = a.makefile('w', buffering);
    f.write('hello\n');
    assert.deepEqual(pending(b), B(''));
    f.flush();
    assert.deepEqual(pending(b), B('hello\n'));
    f.close();
  }
  f = a.makefile('w', 4);
  f.write('ab');
  f.write('x'.repeat(9000));
  assert.equal(pending(b).length, 9002);
  f.close();
  // Line buffering, as reconfigure() sets it in Python.
  f = a.makefile('w');
  f.reconfigure({ line_buffering: true });
  assert.equal(f.line_buffering, true);
  f.write('ab');
  assert.deepEqual(pending(b), B(''));
  f.write('c\nd');
  assert.deepEqual(pending(b), B('abc\nd'));
  f.close();
  // rw pairs buffer writes too.
  f = a.makefile('rwb', 3);
  f.write(B('x\n'));
  assert.deepEqual(pending(b), B(''));
  f.flush();
  assert.deepEqual(pending(b), B('x\n'));
  f.close();
  a.close();
  b.close();
});

test('text decoding: a multi-byte UTF-8 character split over two sends', async () => {
  // Byte-by-byte: a 1-byte buffer makes every recv() take one byte.
  let [a, b] = socket.socketpair();
  let f = a.makefile('r', 1);
  b.sendall(B('é€😀\nxyz'));
  b.close();
  assert.equal(f.readline(), 'é€😀\n');
  assert.equal(f.read(2), 'xy');
  assert.equal(f.read(), 'z');
  f.close();
  a.close();

  // Real chunk boundaries, from another thread.
  [a, b] = socket.socketpair();
  f = a.makefile('r');
  const d = B('é€😀\nxyz');
  const sender = sendLater(b.fileno(), [d.subarray(0, 1), d.subarray(1, 4), d.subarray(4)], 30);
  await sender.ready;
  b.close();
  assert.equal(f.readline(), 'é€😀\n');
  assert.equal(f.read(2), 'xy');
  assert.equal(f.read(), 'z');
  await sender.done;
  f.close();
  a.close();
});

test('text read(n) and readline(limit) count code points', () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('r');
  b.sendall(B('héllo wörld\nsecond line\n😀😀x\n'));
  b.close();
  assert.equal(f.read(3), 'hél');
  assert.equal(f.readline(4), 'lo w');
  assert.equal(f.readline(100), 'örld\n');
  assert.equal(f.readline(0), '');
  assert.deepEqual(f.readlines(3), ['second line\n']);
  assert.equal(f.read(1), '😀');
  assert.equal(f.readline(1), '😀');
  assert.deepEqual(f.readlines(), ['x\n']);
  assert.equal(f.read(), '');
  f.close();
  a.close();
});

test('text newline modes, as TextIOWrapper', () => {
  const expected = {
    null: [['a\n', 'b\n', 'c\n', 'd\n', 'e', ''], 'a\nb\nc\nd\ne', B('a\nb\rc\r\n')],
    '': [['a\n', 'b\r', 'c\r\n', 'd\r\n', 'e', ''], 'a\nb\rc\r\nd\r\ne', B('a\nb\rc\r\n')],
    '\n': [['a\n', 'b\rc\r\n', 'd\r\n', 'e', '', ''], 'a\nb\rc\r\nd\r\ne', B('a\nb\rc\r\n')],
    '\r': [['a\nb\r', 'c\r', '\nd\r', '\ne', '', ''], 'a\nb\rc\r\nd\r\ne', B('a\rb\rc\r\r')],
    '\r\n': [['a\nb\rc\r\n', 'd\r\n', 'e', '', '', ''], 'a\nb\rc\r\nd\r\ne', B('a\r\nb\rc\r\r\n')],
  };
  for (const [key, [lines, all, written]] of Object.entries(expected)) {
    const newline = key === 'null' ? null : key;
    for (const buffering of [1, null]) {
      // buffering 1: every recv() takes one byte, so \r\n is split.
      let [a, b] = socket.socketpair();
      let f = a.makefile('r', buffering, { newline });
      b.sendall(B('a\nb\rc\r\nd\r\ne'));
      b.close();
      assert.deepEqual(
        Array.from({ length: 6 }, () => f.readline()),
        lines,
        `${JSON.stringify(newline)} ${buffering}`,
      );
      f.close();
      a.close();
      [a, b] = socket.socketpair();
      f = a.makefile('r', buffering, { newline });
      b.sendall(B('a\nb\rc\r\nd\r\ne'));
      b.close();
      assert.equal(f.read(), all);
      if (newline === null || newline === '') assert.deepEqual(f.newlines, ['\r', '\n', '\r\n']);
      else assert.equal(f.newlines, null);
      f.close();
      a.close();
    }
    const [a, b] = socket.socketpair();
    const f = a.makefile('w', null, { newline });
    f.write('a\nb\rc\r\n');
    f.close();
    assert.deepEqual(b.recv(100), written);
    a.close();
    b.close();
  }
});

test('text errors: strict raises UnicodeDecodeError; replace, ignore and others', () => {
  const results = {
    replace: ['ok\ufffd\ufffdok\n', '\ufffd'],
    ignore: ['okok\n', ''],
    surrogateescape: ['ok\udcff\udcfeok\n', '\udce2\udc82'],
    backslashreplace: ['ok\\xff\\xfeok\n', '\\xe2\\x82'],
  };
  for (const [errors, [line, rest]] of Object.entries(results)) {
    const [a, b] = socket.socketpair();
    const f = a.makefile('r', null, { errors });
    b.sendall(Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x6f, 0x6b, 0x0a, 0xe2, 0x82]));
    b.close();
    assert.equal(f.readline(), line, errors);
    assert.equal(f.read(), rest, errors);
    f.close();
    a.close();
  }
  const [a, b] = socket.socketpair();
  const f = a.makefile('r');
  b.sendall(Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x6f, 0x6b, 0x0a]));
  assert.throws(
    () => f.readline(),
    (e) =>
      e instanceof socket.UnicodeDecodeError &&
      e instanceof TypeError &&
      e.code === 'ERR_ENCODING_INVALID_ENCODED_DATA' &&
      e.message === "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte" &&
      e.encoding === 'utf-8' &&
      e.start === 2 &&
      e.end === 3 &&
      e.reason === 'invalid start byte',
  );
  b.sendall(Buffer.from([0xe2, 0x82]));
  b.close();
  assert.throws(() => f.read(), (e) => e instanceof socket.UnicodeDecodeError && e.reason === 'unexpected end of data' && e.message.includes('position 0-1'));
  f.close();
  a.close();

  // Encoding errors on write.
  const enc = { replace: B('a??'), ignore: B('a'), xmlcharrefreplace: B('a&#233;&#8364;'), backslashreplace: B('a\\xe9\\u20ac') };
  for (const [errors, out] of Object.entries(enc)) {
    const [c, d] = socket.socketpair();
    const w = c.makefile('w', null, { encoding: 'ascii', errors });
    w.write('aé€');
    w.close();
    assert.deepEqual(d.recv(100), out, errors);
    c.close();
    d.close();
  }
  const [c, d] = socket.socketpair();
  const w = c.makefile('w', null, { encoding: 'ascii' });
  assert.throws(
    () => w.write('aé€'),
    (e) =>
      e instanceof socket.UnicodeEncodeError &&
      e.code === 'ERR_INVALID_ARG_VALUE' &&
      e.message === "'ascii' codec can't encode characters in position 1-2: ordinal not in range(128)",
  );
  const u = c.makefile('w');
  assert.throws(() => u.write('x\ud800'), (e) => e instanceof socket.UnicodeEncodeError && e.reason === 'surrogates not allowed');
  const l1 = c.makefile('w', null, { encoding: 'Latin-1' });
  assert.equal(l1.encoding, 'Latin-1');
  assert.throws(() => l1.write('😀'), (e) => e instanceof socket.UnicodeEncodeError && e.reason === 'ordinal not in range(256)');
  assert.equal(l1.write('é'), 1);
  w.close();
  u.close();
  l1.close();
  assert.deepEqual(pending(d), Buffer.from([0xe9]));
  c.close();
  d.close();
  const [e1, e2] = socket.socketpair();
  const r1 = e1.makefile('r', null, { encoding: 'latin1' });
  e2.sendall(Buffer.from([0x61, 0xe9, 0xff]));
  e2.close();
  assert.equal(r1.read(), 'aéÿ');
  r1.close();
  e1.close();
});

test('text rw mode reads and writes; write returns the code point count', () => {
  const [a, b] = socket.socketpair();
  const f = a.makefile('rw');
  assert.equal(f.write('😀é\n'), 3);
  f.flush();
  assert.deepEqual(b.recv(100), B('😀é\n'));
  b.sendall(B('reply\n'));
  assert.equal(f.readline(), 'reply\n');
  f.writelines(['x', 'y\n']);
  f.close();
  assert.deepEqual(b.recv(100), B('xy\n'));
  a.close();
  b.close();
});

test('the descriptor stays open while a file is, even after sock.close()', { skip: nodeOnly('rawFds', ['deno']) }, () => {
  const before = fdCount();
  const [a, b] = socket.socketpair();
  const fd = a.fileno();
  const r = a.makefile('rb');
  const w = a.makefile('w');
  a.close();
  assert.equal(a.closed, true);
  assert.equal(isOpen(fd), true);
  b.sendall(B('still here\n'));
  assert.deepEqual(r.readline(), B('still here\n'));
  w.write('and writing\n');
  w.flush();
  assert.deepEqual(b.recv(100), B('and writing\n'));
  r.close();
  assert.equal(isOpen(fd), true);
  w.close();
  assert.equal(isOpen(fd), false);

  // Closing the file first, then the socket.
  const [c, d] = socket.socketpair();
  const cfd = c.fileno();
  const f = c.makefile('rb', 0);
  f.close();
  assert.equal(isOpen(cfd), true);
  c.close();
  assert.equal(isOpen(cfd), false);
  b.close();
  d.close();
  assert.equal(fdCount(), before);
});

test('timeouts: a timed-out file refuses later reads, as Python', () => {
  const [a, b] = socket.socketpair();
  a.settimeout(0.05);
  for (const [mode, buffering] of [['rb', 0], ['rb', null], ['r', null]]) {
    const f = a.makefile(mode, buffering);
    assert.throws(() => f.read(3), (e) => e instanceof socket.TimeoutError && e.message === 'timed out');
    assert.throws(() => f.read(3), (e) => e.constructor === socket.OSError && e.message === 'cannot read from timed out object');
    b.sendall(B('ab\n'));
    assert.throws(() => f.readline(), (e) => e.message === 'cannot read from timed out object');
    assert.deepEqual(a.recv(100), B('ab\n'));
    f.close();
  }
  // A fresh file reads again; data within the timeout is fine.
  const f = a.makefile('rb');
  b.sendall(B('ok\n'));
  assert.deepEqual(f.readline(), B('ok\n'));
  f.close();
  a.close();
  b.close();
});

test('non-blocking sockets: null and partial results, BlockingIOError on writes', () => {
  const [a, b] = socket.socketpair();
  a.setblocking(false);
  const raw = a.makefile('rwb', 0);
  assert.equal(raw.read(), null);
  assert.equal(raw.read(3), null);
  assert.equal(raw.readinto(Buffer.alloc(3)), null);
  assert.throws(() => raw.readline(), (e) => e instanceof socket.OSError && /should have returned a bytes object/.test(e.message));
  b.sendall(B('abab'));
  assert.deepEqual(raw.read(), B('abab'));
  raw.close();

  const f = a.makefile('rb');
  assert.equal(f.read(), null);
  assert.equal(f.read(3), null);
  assert.equal(f.readinto(Buffer.alloc(3)), null);
  assert.deepEqual(f.readline(), B(''));
  assert.deepEqual(f.read1(3), B(''));
  assert.deepEqual(f.readlines(), []);
  b.sendall(B('ab'));
  assert.deepEqual(f.read(3), B('ab'));
  b.sendall(B('cd'));
  assert.deepEqual(f.readline(), B('cd'));
  b.sendall(B('efgh'));
  assert.deepEqual(f.read(), B('efgh'));
  f.close();

  const t = a.makefile('r');
  assert.equal(t.read(3), '');
  assert.equal(t.read(), '');
  assert.equal(t.readline(), '');
  b.sendall(B('ab'));
  assert.equal(t.readline(), 'ab');
  t.close();

  // Fill the socket: the raw file returns null, the buffered one raises.
  const rw = a.makefile('wb', 0);
  let sent = 0;
  for (;;) {
    const n = rw.write(Buffer.alloc(65536));
    if (n === null) break;
    sent += n;
  }
  assert.ok(sent > 0);
  rw.close();
  const bw = a.makefile('wb');
  assert.throws(
    () => bw.write(Buffer.alloc(65536)),
    (e) => e instanceof socket.BlockingIOError && e.message === '[Errno 11] write could not complete without blocking' && e.characters_written === 8192,
  );
  assert.throws(() => bw.flush(), socket.BlockingIOError);
  assert.throws(() => bw.close(), socket.BlockingIOError);
  assert.equal(bw.closed, true);
  a.close();
  b.close();
});

test('makefile(mode, options), Symbol.dispose, raw, and readlines hints in code points', () => {
  const [a, b] = socket.socketpair();
  const t = a.makefile('r', { encoding: 'latin-1', newline: '' });
  assert.equal(t.encoding, 'latin-1');
  b.sendall(Buffer.from([0xe9, 0x0d, 0x0a, 0x78]));
  assert.equal(t.readline(), '\u00e9\r\n');
  t[Symbol.dispose]();
  assert.equal(t.closed, true);
  const f = a.makefile('rb');
  assert.equal(f.raw, f.raw);
  assert.ok(f.raw instanceof socket.SocketIO);
  assert.equal(f.raw.mode, 'rb');
  f.close();
  assert.equal(f.raw.closed, true);
  const u = a.makefile('r');
  b.sendall(B('😀😀\nx\n'));
  b.close();
  // Python counts the first line as 3 characters: the hint 3 stops after it.
  assert.deepEqual(u.readlines(3), ['😀😀\n']);
  assert.deepEqual(u.readlines(), ['x\n']);
  u.close();
  a.close();
});

test('a buffering that is an iterable or a SharedArrayBuffer is a TypeError, not the options', () => {
  // Python: makefile('rb', set()) raises TypeError; only a plain object is the options.
  const [a, b] = socket.socketpair();
  for (const buffering of [new Set(), new Map(), new SharedArrayBuffer(2)]) {
    assert.throws(() => a.makefile('rb', buffering), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  }
  const f = a.makefile('rb', {});
  assert.ok(f instanceof socket.BufferedReader);
  f.close();
  a.close();
  b.close();
});

test('no descriptor is left behind', { skip: nodeOnly('ownFds') }, () => {
  assert.equal(fdCount(), fdsAtStart);
});
