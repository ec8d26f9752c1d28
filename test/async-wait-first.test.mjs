// Reads that wait first (src/async.ts, start): once a read twin's first
// try finds nothing, the next reads on that socket wait for readiness
// before trying (a request/response rhythm spares a failing system call),
// then one tries first again. What a program can see: a read that waits
// first settles at the loop's next turn even when its data is already
// there, never within the microtasks of the call; and no byte is lost or
// reordered either way. Only the uv backend (level-triggered) waits first;
// with the thread backend (edge-triggered: data left unread would never be
// reported again) every read tries first. CI runs this file under both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as socket from 'bsdsock';
import { nodeOnly } from './fixtures/runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The backend this process uses (src/async.ts backendName). */
const backend = process.env.BSDSOCK_READINESS || (typeof process.versions.bun === 'string' ? 'thread' : 'uv');
/** Whether a read that waits first here is expected to (else it tries first). */
const waits = backend === 'uv';

/** Whether `p` has settled after the microtasks queued now have run (no loop turn). */
async function settlesAtOnce(p) {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await null;
  return done;
}

/** A recvAsync that has to wait (nothing is there), then gets one byte. */
async function waitOnce(a, b) {
  const p = a.recvAsync(10);
  assert.equal(await settlesAtOnce(p), false);
  b.send(Buffer.from('w'));
  assert.deepEqual(await p, Buffer.from('w'));
}

test(`after a read that had to wait, the next 16 wait first; the 17th tries first again (${backend}: ${waits ? 'waits' : 'always tries'} first)`, async () => {
  const [a, b] = socket.socketpair();
  try {
    // A fresh socket tries first: data already there is read at once.
    b.send(Buffer.from('x'));
    const first = a.recvAsync(10);
    assert.equal(await settlesAtOnce(first), true);
    assert.deepEqual(await first, Buffer.from('x'));

    await waitOnce(a, b);
    const seen = [];
    for (let i = 0; i < 17; i++) {
      b.send(Buffer.from([i]));
      const p = a.recvAsync(10);
      seen.push(await settlesAtOnce(p));
      assert.deepEqual(await p, Buffer.from([i]));
    }
    assert.deepEqual(seen, waits ? [...Array(16).fill(false), true] : Array(17).fill(true));
  } finally {
    a.close();
    b.close();
  }
});

test('every read twin waits first in that state: recv_into, recvfrom, recvfrom_into, recvmsg, accept', async () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  const srv = socket.create_server(['127.0.0.1', 0]);
  try {
    await waitOnce(a, b);
    const calls = [
      () => a.recv_intoAsync(Buffer.alloc(4)),
      () => a.recvfromAsync(4),
      () => a.recvfrom_intoAsync(Buffer.alloc(4)),
      () => a.recvmsgAsync(4),
    ];
    for (const call of calls) {
      b.send(Buffer.from('d'));
      const p = call();
      assert.equal(await settlesAtOnce(p), !waits, String(call));
      await p;
    }
    // accept: first a wait, then a connection already queued is still waited for.
    const accepting = srv.acceptAsync();
    const c1 = socket.create_connection(srv.getsockname());
    const [s1] = await accepting;
    const c2 = socket.create_connection(srv.getsockname());
    const second = srv.acceptAsync();
    assert.equal(await settlesAtOnce(second), !waits);
    const [s2] = await second;
    for (const s of [c1, c2, s1, s2]) s.close();
  } finally {
    a.close();
    b.close();
    srv.close();
  }
});

test('a socket with a timeout always tries first (a timer could fire before the next turn)', async () => {
  const [a, b] = socket.socketpair();
  a.settimeout(5);
  try {
    await waitOnce(a, b);
    b.send(Buffer.from('t'));
    const p = a.recvAsync(10);
    assert.equal(await settlesAtOnce(p), true);
    assert.deepEqual(await p, Buffer.from('t'));
  } finally {
    a.close();
    b.close();
  }
});

test('writes never wait first', async () => {
  const [a, b] = socket.socketpair();
  try {
    await waitOnce(a, b);
    const p = a.sendAsync(Buffer.from('s'));
    assert.equal(await settlesAtOnce(p), true);
    assert.equal(await p, 1);
  } finally {
    a.close();
    b.close();
  }
});

for (const forced of ['uv', 'thread']) {
  test(`${forced} backend: a stream read in small pieces while the writer keeps ahead loses and reorders nothing`, { skip: (forced === 'uv' && nodeOnly('uvPoll', ['bun'])) || nodeOnly('cli') }, () => {
    // 2 MiB written in 1,000-byte sends at random moments, read with
    // recvAsync(777), so the reader is sometimes behind (data waiting while it
    // waits first) and sometimes ahead (a first try that finds nothing).
    const code = `
      const s = require('bsdsock');
      const { createHash, randomBytes } = require('node:crypto');
      const data = randomBytes(2 << 20);
      const [a, b] = s.socketpair();
      b.setblocking(false);
      let off = 0;
      const writer = setInterval(() => {
        for (let k = 0; k < 8 && off < data.length; k++) {
          try { off += b.send(data.subarray(off, Math.min(off + 1000, data.length))); } catch { break; }
        }
        if (off >= data.length) { clearInterval(writer); b.shutdown(s.SHUT_WR); }
      }, 0);
      (async () => {
        const parts = [];
        for (let i = 0; i < 100000; i++) {
          const d = await a.recvAsync(777);
          if (d.length === 0) break;
          parts.push(d);
        }
        const got = Buffer.concat(parts);
        const h = (x) => createHash('sha256').update(x).digest('hex');
        console.log(got.length === data.length && h(got) === h(data) ? 'same' : 'differs ' + got.length);
        a.close(); b.close();
      })();`;
    const out = execFileSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8', timeout: 60000, env: { ...process.env, BSDSOCK_READINESS: forced } });
    assert.equal(out.trim(), 'same');
  });
}
