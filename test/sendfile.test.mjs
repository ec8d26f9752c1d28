// socket.sendfile() and sendfileAsync(): Lib/socket.py's algorithm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, rmdirSync, writeFileSync, ftruncateSync, fstatSync } from 'node:fs';
import { open as openHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as socket from 'bsdsock';
import { openFds } from './support/fds.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';
import { scratchDir } from './support/scratch.mjs';

// The addon object the package uses (require caches it).
const { binding } = createRequire(import.meta.url)('../dist/cjs/native.js');
const { EINVAL } = osConstants.errno;

const fdsAtStart = openFds();
const dir = scratchDir('bsdsock-sendfile-');
const DATA = randomBytes(64 << 20);
const dataPath = join(dir, 'data.bin');
writeFileSync(dataPath, DATA);
const sha = (b) => createHash('sha256').update(b).digest('hex');

/** Reads the other end to EOF in a worker thread (the sender blocks this one). */
function drainInWorker(fd) {
  const w = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const socket = require('bsdsock');
     const { createHash } = require('node:crypto');
     const s = socket.socket(-1, -1, -1, workerData);
     const h = createHash('sha256'); let n = 0; const buf = Buffer.alloc(1 << 16);
     for (;;) { const k = s.recv_into(buf); if (k === 0) break; h.update(buf.subarray(0, k)); n += k; }
     s.close(); parentPort.postMessage([n, h.digest('hex')]);`,
    { eval: true, workerData: fd },
  );
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

function positionOf(fd) {
  // The next byte read comes from the current position.
  const b = Buffer.alloc(1);
  const n = readSync(fd, b, 0, 1, null);
  return n === 0 ? null : b[0];
}

test('sendfile sends a 64 MiB file with offset and count; SHA-256 checked on the other side', async () => {
  const [a, b] = socket.socketpair();
  const received = drainInWorker(b.detach());
  const fd = openSync(dataPath, 'r');
  const offset = 12345;
  const count = 40 << 20;
  const sent = a.sendfile(fd, offset, count);
  a.close();
  assert.equal(sent, count);
  const [n, digest] = await received;
  assert.equal(n, count);
  assert.equal(digest, sha(DATA.subarray(offset, offset + count)));
  // The file position is left after the last byte sent, as Python leaves it.
  assert.equal(positionOf(fd), DATA[offset + count]);
  closeSync(fd);
});

test('sendfile to EOF from the start, and with count past EOF', async () => {
  const [a, b] = socket.socketpair();
  const received = drainInWorker(b.detach());
  const fd = openSync(dataPath, 'r');
  assert.equal(a.sendfile(fd), DATA.length);
  assert.equal(a.sendfile(fd, DATA.length - 10, 1000), 10);
  a.close();
  const [n, digest] = await received;
  assert.equal(n, DATA.length + 10);
  assert.equal(digest, sha(Buffer.concat([DATA, DATA.subarray(DATA.length - 10)])));
  assert.equal(positionOf(fd), null, 'position at EOF');
  closeSync(fd);
});

test('an empty file and a descriptor whose st_size is 0 (a socket, like a pipe) send nothing, as in Python', { skip: nodeOnly('rawFds', ['deno']) }, () => {
  const [a, b] = socket.socketpair();
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  const fd = openSync(empty, 'r');
  assert.equal(a.sendfile(fd), 0);
  closeSync(fd);
  const [r, w] = socket.socketpair(); // a socket has st_size 0 like a pipe
  w.sendall(Buffer.from('data'));
  assert.equal(a.sendfile(r.fileno()), 0);
  r.close();
  w.close();
  a.close();
  b.close();
});

test('the fallback path: where sendfile(2) does not apply, read + send is used', () => {
  const [a, b] = socket.socketpair();
  const dfd = openSync(dir, 'r');
  // sendfile(2) refuses a directory; the fallback's read() then reports EISDIR.
  assert.throws(() => a.sendfile(dfd), (e) => e instanceof socket.IsADirectoryError && e.syscall === 'read');
  closeSync(dfd);
  a.close();
  b.close();
});

/**
 * Runs `fn` with the addon's sendfile(2) failing with EINVAL, as it does for
 * a file the kernel cannot splice from (Python then gives up on
 * os.sendfile and falls back to read + send). Returns the calls it refused.
 */
async function withoutZeroCopy(fn) {
  const real = binding.sendfile;
  let refused = 0;
  binding.sendfile = () => {
    refused++;
    return -EINVAL;
  };
  try {
    await fn();
  } finally {
    binding.sendfile = real;
  }
  return refused;
}

test('the fallback path sends the data (read + send): offset, count, EOF and the file position as in Python', async () => {
  const [a, b] = socket.socketpair();
  const received = drainInWorker(b.detach());
  const fd = openSync(dataPath, 'r');
  const offset = 12345;
  const count = (5 << 20) + 3; // not a multiple of the 8192-byte reads
  const tail = 100000;
  let refused;
  try {
    refused = await withoutZeroCopy(() => {
      assert.equal(a.sendfile(fd, offset, count), count);
      assert.equal(positionOf(fd), DATA[offset + count], 'position offset + count');
      // To EOF from an offset: the position ends at EOF.
      assert.equal(a.sendfile(fd, DATA.length - tail), tail);
      assert.equal(positionOf(fd), null, 'position at EOF');
      assert.equal(a.sendfile(fd, 777, 1), 1); // position 778
      // Offset 0: Python's fallback does not seek first, so it reads from
      // the current position (778), and afterwards seeks to offset + sent.
      assert.equal(a.sendfile(fd, 0, 1000), 1000);
      assert.equal(positionOf(fd), DATA[1000]);
    });
  } finally {
    a.close(); // EOF for the reader, also when an assertion failed
    closeSync(fd);
  }
  assert.equal(refused, 4, 'one refused sendfile(2) per call, then the fallback');
  const [n, digest] = await received;
  const expected = Buffer.concat([
    DATA.subarray(offset, offset + count),
    DATA.subarray(DATA.length - tail),
    DATA.subarray(777, 778),
    DATA.subarray(778, 1778),
  ]);
  assert.equal(n, expected.length);
  assert.equal(digest, sha(expected));
});

test('the fallback path of sendfileAsync sends the data: offset, count, EOF and the file position', async () => {
  const fh = await openHandle(dataPath, 'r');
  const [a, b] = socket.socketpair();
  const reader = (async () => {
    const h = createHash('sha256');
    let n = 0;
    for (;;) {
      const d = await b.recvAsync(1 << 16);
      if (d.length === 0) break;
      h.update(d);
      n += d.length;
    }
    return [n, h.digest('hex')];
  })();
  reader.catch(() => {}); // rejects with EBADF if the test fails first
  const offset = 54321;
  const count = (1 << 20) + 5;
  const tail = 20000;
  try {
    const refused = await withoutZeroCopy(async () => {
      assert.equal(await a.sendfileAsync(fh, offset, count), count);
      assert.equal(positionOf(fh.fd), DATA[offset + count], 'position offset + count');
      assert.equal(await a.sendfileAsync(fh.fd, DATA.length - tail, null, {}), tail);
      assert.equal(positionOf(fh.fd), null, 'position at EOF');
    });
    assert.equal(refused, 2, 'one refused sendfile(2) per call, then the fallback');
    a.shutdown(socket.SHUT_WR);
    const [n, digest] = await reader;
    const expected = Buffer.concat([DATA.subarray(offset, offset + count), DATA.subarray(DATA.length - tail)]);
    assert.equal(n, expected.length);
    assert.equal(digest, sha(expected));
  } finally {
    await fh.close();
    a.close();
    b.close();
  }
});

// A POSIX message queue's file (mqueue fs) has a size and answers read(),
// but sendfile(2) refuses it (EINVAL): a file where Python falls back.
const canMount = process.getuid?.() === 0 && readFileSync('/proc/filesystems', 'utf8').includes('\tmqueue\n');
test('a file sendfile(2) refuses (a message queue\'s) goes through the fallback, sync and async', { skip: (!canMount && 'needs root and mqueue') || nodeOnly('fstatSize', ['bun']) }, async () => {
  const mnt = join(dir, 'mqueue');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'mqueue', 'bsdsock-test', mnt]);
  const queue = join(mnt, `bsdsock-sendfile-${process.pid}`);
  let fd = -1;
  const [a, b] = socket.socketpair();
  try {
    writeFileSync(queue, ''); // creates the queue
    const text = readFileSync(queue); // "QSIZE:0 ... NOTIFY_PID:0 \n"
    assert.match(text.toString(), /^QSIZE:0 /);
    fd = openSync(queue, 'r');
    assert.ok(fstatSync(fd).size > 0, 'the file has a size, so sendfile(2) is tried');
    assert.equal(binding.sendfile(a.fileno(), fd, 0, 10), -EINVAL, 'sendfile(2) refuses it');
    assert.equal(a.sendfile(fd, 5, 20), 20);
    assert.deepEqual(b.recv(100), text.subarray(5, 25));
    assert.equal(positionOf(fd), text[25]);
    assert.equal(await a.sendfileAsync(fd, 30), text.length - 30);
    assert.deepEqual(b.recv(100), text.subarray(30));
    assert.equal(positionOf(fd), null, 'position at EOF');
    // CPython, on the same file, sends the same bytes and leaves the same position.
    const py = spawnSync('python3', ['-c', `
import socket, sys
a, b = socket.socketpair()
with open(sys.argv[1], 'rb') as f:
    print(a.sendfile(f, 5, 20), f.tell(), b.recv(100) == open(sys.argv[1], 'rb').read()[5:25])
`, queue], { encoding: 'utf8', timeout: 10000 });
    if (py.error?.code !== 'ENOENT') {
      assert.equal(py.status, 0, py.stderr);
      assert.equal(py.stdout, '20 25 True\n');
    }
  } finally {
    if (fd >= 0) closeSync(fd);
    a.close();
    b.close();
    rmSync(queue, { force: true });
    spawnSync('umount', [mnt]);
    rmdirSync(mnt);
  }
});

test('argument and mode errors are Python\'s', () => {
  const [a, b] = socket.socketpair();
  const fd = openSync(dataPath, 'r');
  for (const count of [0, -1]) {
    assert.throws(() => a.sendfile(fd, 0, count), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: new RegExp(`count must be a positive integer \\(got ${count}\\)`) });
  }
  for (const count of ['x', 1.5]) {
    assert.throws(() => a.sendfile(fd, 0, count), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  }
  assert.throws(() => a.sendfile(fd, 'x'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => a.sendfile('path'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => a.sendfile(fd, -1), (e) => e instanceof socket.OSError && e.errno === 22);
  a.setblocking(false);
  assert.throws(() => a.sendfile(fd), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /non-blocking sockets are not supported/ });
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  assert.throws(() => u.sendfile(fd), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /only SOCK_STREAM type sockets are supported/ });
  u.close();
  closeSync(fd);
  a.close();
  b.close();
});

test('a timeout bounds each wait for room in the socket buffer', () => {
  const [a, b] = socket.socketpair();
  a.settimeout(0.2);
  const fd = openSync(dataPath, 'r');
  const t0 = performance.now();
  assert.throws(() => a.sendfile(fd), (e) => e instanceof socket.TimeoutError && e.message === 'timed out');
  assert.ok(performance.now() - t0 >= 180);
  closeSync(fd);
  a.close();
  b.close();
});

test('sendfileAsync streams a 1 GiB sparse file without blocking the loop or reading it into memory', async () => {
  const sparse = join(dir, 'sparse.bin');
  const sfd = openSync(sparse, 'w+');
  ftruncateSync(sfd, 1 << 30);
  closeSync(sfd);
  const fh = await openHandle(sparse, 'r');
  const [a, b] = socket.socketpair();
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  const rss0 = process.memoryUsage().rss;
  const reader = (async () => {
    const buf = Buffer.alloc(1 << 20);
    let n = 0;
    let nonzero = 0;
    for (;;) {
      const k = await b.recv_intoAsync(buf);
      if (k === 0) break;
      if (buf[0] !== 0 || buf[k - 1] !== 0) nonzero++;
      n += k;
    }
    return [n, nonzero];
  })();
  const t0 = performance.now();
  const sent = await a.sendfileAsync(fh);
  a.shutdown(socket.SHUT_WR);
  const [n, nonzero] = await reader;
  const elapsed = performance.now() - t0;
  clearInterval(iv);
  assert.equal(sent, 1 << 30);
  assert.equal(n, 1 << 30);
  assert.equal(nonzero, 0);
  assert.ok(ticks >= Math.min(5, elapsed / 20), `timers fired ${ticks} times in ${elapsed} ms`);
  assert.ok(process.memoryUsage().rss - rss0 < 256 << 20, 'the file was not read into memory');
  await fh.close();
  a.close();
  b.close();
  rmSync(sparse);
});

test('sendfileAsync with offset, count and a FileHandle; abort rejects with the reason', async () => {
  const fh = await openHandle(dataPath, 'r');
  const [a, b] = socket.socketpair();
  const reader = (async () => {
    const parts = [];
    for (;;) {
      const d = await b.recvAsync(1 << 16);
      if (d.length === 0) break;
      parts.push(d);
    }
    return Buffer.concat(parts);
  })();
  assert.equal(await a.sendfileAsync(fh, 100, 3 << 20), 3 << 20);
  // The file position is left after the last byte sent, as Python leaves it.
  assert.equal(positionOf(fh.fd), DATA[100 + (3 << 20)]);
  assert.equal(await a.sendfileAsync(fh, DATA.length - 5, { signal: new AbortController().signal }), 5);
  assert.equal(positionOf(fh.fd), null, 'position at EOF');
  a.shutdown(socket.SHUT_WR);
  const got = await reader;
  assert.equal(sha(got), sha(Buffer.concat([DATA.subarray(100, 100 + (3 << 20)), DATA.subarray(DATA.length - 5)])));
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  await assert.rejects(a.sendfileAsync(fh, 0, null, { signal: ac.signal }), { message: 'stop' });
  await fh.close();
  a.close();
  b.close();
});

test('sendfile and sendfileAsync to a peer that has gone raise BrokenPipeError and send no SIGPIPE', () => {
  // Node ignores SIGPIPE, so a signal would go unseen; a listener makes
  // Node catch it, and count it. sendfile(2) takes no MSG_NOSIGNAL.
  const entry = new URL('../dist/cjs/index.js', import.meta.url).pathname;
  const script = `
    const socket = require(${JSON.stringify(entry)});
    const { openSync, readFileSync } = require('node:fs');
    let signals = 0;
    process.on('SIGPIPE', () => signals++);
    const pendingSignals = () => {
      const status = readFileSync('/proc/thread-self/status', 'utf8');
      return ['SigPnd', 'ShdPnd'].map((k) => BigInt('0x' + status.match(new RegExp(k + ':\\\\s*(\\\\w+)'))[1]) & (1n << 12n));
    };
    const fd = openSync(${JSON.stringify(dataPath)}, 'r');
    const outcome = (e) => e.constructor.name + ' ' + e.errno;
    const results = [];
    (async () => {
      for (const twin of [false, true]) {
        const [a, b] = socket.socketpair();
        b.close();
        try { results.push('sent ' + (twin ? await a.sendfileAsync(fd, 0, 1 << 20) : a.sendfile(fd, 0, 1 << 20))); }
        catch (e) { results.push(outcome(e)); }
        a.close();
      }
      // A peer that goes mid-transfer: the first sendfile(2) call moved
      // bytes, so its EPIPE is raised as such (no fallback to send).
      const [c, d] = socket.socketpair();
      c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
      const transfer = c.sendfileAsync(fd, 0, 8 << 20).then((n) => 'sent ' + n, outcome);
      await new Promise((r) => setTimeout(r, 50));
      d.close();
      results.push(await transfer);
      c.close();
      const tcp = socket.socket(); const srv = socket.create_server(['127.0.0.1', 0]);
      tcp.connect(srv.getsockname()); const [conn] = srv.accept(); conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.from([1,0,0,0,0,0,0,0])); conn.close(); srv.close();
      await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < 2; i++) { try { results.push('sent ' + tcp.sendfile(fd, 0, 1 << 16)); } catch (e) { results.push(outcome(e)); } }
      tcp.close();
      const pending = pendingSignals().map(String);
      await new Promise((r) => setTimeout(r, 100));
      process.stdout.write(JSON.stringify({ results, signals, pending }));
    })();
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  // A reset TCP peer too: sendfile(2) sees ECONNRESET before a byte went,
  // so the fallback's send raises EPIPE, as in Python.
  assert.deepEqual(out.results, Array(5).fill('BrokenPipeError 32'));
  assert.deepEqual(out.pending, ['0', '0']);
  assert.equal(out.signals, 0);
});

test('cleanup: no descriptor left open', { skip: nodeOnly('ownFds') }, () => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(openFds(), fdsAtStart);
});
