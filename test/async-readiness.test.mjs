// Readiness (native/readiness.h): one poll set per environment, on the
// runtime's loop (uv) or on a thread of its own (thread, the backend for
// runtimes without uv_poll). BSDSOCK_READINESS forces a backend; these
// tests run child processes under each, and CI runs the async tests under
// each as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeOnly } from './fixtures/runtime.mjs';
import { SLOWDOWN } from './support/emulation.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BACKENDS = ['uv', 'thread'];
/** Bun has no uv_poll: forcing the uv backend there would end the process. */
const skipBackend = (backend) => backend === 'uv' && nodeOnly('uvPoll', ['bun']);

/** Runs `code` (CommonJS, bsdsock as `s`) in a child process with the backend forced; its stdout. */
function child(backend, code, args = []) {
  return execFileSync(process.execPath, [...args, '-e', `const s = require('bsdsock');\n${code}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20000 * SLOWDOWN,
    env: { ...process.env, BSDSOCK_READINESS: backend },
  });
}

/** The names of this process's threads, from /proc. */
const threadNames = `
  const fs = require('node:fs');
  const threadNames = () => fs.readdirSync('/proc/self/task').map((t) => fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim());
`;

for (const backend of BACKENDS) {
  test(`${backend}: the backend is the one forced; the thread backend has a thread of its own, started by the first wait`, { skip: skipBackend(backend) }, () => {
    const out = child(
      backend,
      `${threadNames}
       (async () => {
         const before = threadNames().filter((n) => n === 'bsdsock-ready').length;
         const [a, b] = s.socketpair();
         const p = a.recvAsync(1);
         setTimeout(() => b.send(Buffer.from('x')), 20);
         await p;
         console.log(before, threadNames().filter((n) => n === 'bsdsock-ready').length);
         a.close(); b.close();
       })();`,
    );
    assert.equal(out.trim(), backend === 'thread' ? '0 1' : '0 0');
  });

  test(`${backend}: delivery is one-shot: a socket left readable keeps nothing alive once nothing waits`, { skip: skipBackend(backend) }, () => {
    // Two bytes arrive, one is read: the socket stays readable and stays in
    // the poll set, but no twin waits, so the process ends at once.
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const s = require('bsdsock');
         const [a, b] = s.socketpair();
         a.recvAsync(1).then((d) => console.log('got', String(d)));
         setTimeout(() => b.send(Buffer.from('xy')), 20);`,
      ],
      { cwd: root, encoding: 'utf8', timeout: 10000, env: { ...process.env, BSDSOCK_READINESS: backend } },
    );
    assert.equal(r.error, undefined);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), 'got x');
  });

  test(`${backend}: a registered socket that is garbage-collected is closed, and a socket reusing its descriptor waits as any other`, { skip: skipBackend(backend) }, () => {
    // Output is printed at the end only: the first write to a piped stdout
    // may open descriptors of its own.
    const out = child(
      backend,
      `const fs = require('node:fs');
       const lines = [];
       process.on('warning', (w) => lines.push(w.name));
       (async () => {
         let [a, b] = s.socketpair();
         const fd = a.fileno();
         const link = fs.readlinkSync('/proc/self/fd/' + fd);
         const gone = () => {
           try { return fs.readlinkSync('/proc/self/fd/' + fd) !== link; } catch { return true; }
         };
         // a waits once, so it is in the poll set, then is dropped.
         const p = a.recvAsync(1); b.send(Buffer.from('x')); await p;
         a = null;
         for (let i = 0; i < 20 && !gone(); i++) {
           global.gc(); await new Promise((r) => setTimeout(r, 10));
         }
         lines.push('closed ' + gone());
         // The lowest free descriptor: most likely the one a had.
         const [c, d] = s.socketpair();
         const waiter = d.fileno() === fd ? d : c;
         const other = waiter === c ? d : c;
         const q = waiter.recvAsync(10);
         setTimeout(() => other.send(Buffer.from('again')), 20);
         lines.push(String(await q));
         await new Promise((r) => setImmediate(r));
         console.log(lines.join('\\n'));
         console.error('reused', waiter.fileno() === fd);
         b.close(); c.close(); d.close();
       })();`,
      // No warning written to stderr: a first write there may open descriptors.
      ['--expose-gc', '--no-warnings'],
    );
    assert.deepEqual(out.trim().split('\n').sort(), ['ResourceWarning', 'again', 'closed true']);
  });

  test(`${backend}: close() racing a wait: the pending twin rejects with EBADF, a new socket on the same descriptor is not woken by the old one's event`, { skip: skipBackend(backend) }, () => {
    const out = child(
      backend,
      `(async () => {
         const [a, b] = s.socketpair();
         const fd = a.fileno();
         const p = a.recvAsync(1).catch((e) => e.code);
         // Data arrives and the socket is closed before the loop turns.
         b.send(Buffer.from('x'));
         a.close();
         console.log(await p);
         const [c, d] = s.socketpair();
         const waiter = c.fileno() === fd ? c : d;
         const other = waiter === c ? d : c;
         const q = waiter.recvAsync(10);
         let early = true;
         setTimeout(() => { early = false; other.send(Buffer.from('late')); }, 50);
         console.log(String(await q), early ? 'early' : 'on time');
         b.close(); c.close(); d.close();
       })();`,
    );
    assert.deepEqual(out.trim().split('\n'), ['EBADF', 'late on time']);
  });

  test(`${backend}: two Socket objects on one descriptor (socket(fileno=...)): both are woken, and closing or detaching one leaves the other no wait without end`, { skip: skipBackend(backend) }, () => {
    const out = child(
      backend,
      `const hang = setTimeout(() => { console.log('hang'); process.exit(1); }, ${10000 * SLOWDOWN});
       const within = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r('still waiting'), ${2000 * SLOWDOWN}))]);
       const wrap = (sock) => new s.socket(sock.family, sock.type, 0, sock.fileno());
       const text = (p) => p.then((d) => String(d), (e) => e.code);
       (async () => {
         // Both wait to read; each of two datagrams goes to one of them
         // (datagrams: on a stream, two sends may arrive as one read).
         let [a, peer] = s.socketpair(s.AF_UNIX, s.SOCK_DGRAM);
         let b = wrap(a);
         let pa = text(a.recvAsync(10)), pb = text(b.recvAsync(10));
         setTimeout(() => peer.send(Buffer.from('one')), 30);
         setTimeout(() => peer.send(Buffer.from('two')), 60);
         console.log([await within(pa), await within(pb)].sort().join(' '));
         b.detach(); a.close(); peer.close();
         // One waits to read, the other to write.
         [a, peer] = s.socketpair();
         a.setsockopt(s.SOL_SOCKET, s.SO_SNDBUF, 4096);
         for (let i = 0; i < 1000; i++) { try { a.send(Buffer.alloc(4096), s.MSG_DONTWAIT); } catch { break; } }
         b = wrap(a);
         pa = text(a.recvAsync(10));
         const pw = b.sendAsync(Buffer.from('w')).then((n) => 'sent ' + n, (e) => e.code);
         setTimeout(() => peer.send(Buffer.from('r')), 30);
         console.log(await within(pa));
         setTimeout(() => { for (let i = 0; i < 1000; i++) { try { peer.recv(65536, s.MSG_DONTWAIT); } catch { break; } } }, 30);
         console.log(await within(pw));
         b.detach(); a.close(); peer.close();
         // Closing one: the other's pending twin fails as its next call would.
         [a, peer] = s.socketpair();
         b = wrap(a);
         pa = text(a.recvAsync(10));
         await new Promise((r) => setTimeout(r, 20));
         b.close();
         console.log('after close:', await within(pa));
         a.detach(); peer.close();
         // Detaching one: the descriptor stays open and the other still waits on it.
         [a, peer] = s.socketpair();
         b = wrap(a);
         pa = text(a.recvAsync(10));
         pb = text(b.recvAsync(10));
         await new Promise((r) => setTimeout(r, 20));
         b.detach();
         console.log('detached:', await within(pb));
         setTimeout(() => peer.send(Buffer.from('kept')), 30);
         console.log('other:', await within(pa));
         a.close(); peer.close();
         clearTimeout(hang);
       })();`,
    );
    assert.deepEqual(out.trim().split('\n'), ['one two', 'r', 'sent 1', 'after close: EBADF', 'detached: EBADF', 'other: kept']);
  });

  test(`${backend}: a Socket object on the same descriptor that the garbage collector closes: the other's pending twin fails with EBADF instead of waiting for ever`, { skip: skipBackend(backend) }, () => {
    const out = child(
      backend,
      `const hang = setTimeout(() => { console.log('hang'); process.exit(1); }, ${10000 * SLOWDOWN});
       const within = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r('still waiting'), ${2000 * SLOWDOWN}))]);
       (async () => {
         const [a, peer] = s.socketpair();
         const fd = a.fileno();
         const isOpen = () => require('node:fs').existsSync('/proc/self/fd/' + fd);
         // Nothing holds the second object, so the collector closes the descriptor.
         (() => { new s.socket(a.family, a.type, 0, fd); })();
         const pa = a.recvAsync(10).then(
           (d) => String(d),
           (e) => [e instanceof s.error, e.constructor.name, e.errno, e.code].join(' '),
         );
         await new Promise((r) => setTimeout(r, 20));
         // Bounded: collections until the finalizer has closed it; a
         // runtime may run finalizers a while after the collection.
         for (let i = 0; i < ${100 * SLOWDOWN} && isOpen(); i++) {
           globalThis.gc();
           await new Promise((r) => setTimeout(r, 10));
         }
         const outcome = await within(pa);
         // The finalizer rejects the twin and closes in one go: once the
         // twin has settled, the descriptor is closed.
         console.log('closed:', !isOpen());
         console.log('after collection:', outcome);
         a.detach(); peer.close();
         clearTimeout(hang);
       })();`,
      ['--expose-gc', '--no-warnings'],
    );
    assert.deepEqual(out.trim().split('\n'), ['closed: true', 'after collection: true OSError 9 EBADF']);
  });

  test(`${backend}: a worker torn down with twins pending on many sockets exits cleanly, and the process too`, { skip: skipBackend(backend) }, () => {
    const out = child(
      backend,
      `const { Worker } = require('node:worker_threads');
       (async () => {
         for (let round = 0; round < 3; round++) {
           const w = new Worker(\`
             const s = require('bsdsock');
             const pairs = [];
             for (let i = 0; i < 50; i++) { const [a, b] = s.socketpair(); a.recvAsync(10); b.sendAsync(Buffer.alloc(1)); pairs.push(a, b); }
             const [c] = s.socketpair(); c.recvAsync(1).then(() => {}, () => {});
             require('node:worker_threads').parentPort.postMessage('waiting');
           \`, { eval: true });
           await new Promise((r) => w.once('message', r));
           console.log('exit', await w.terminate());
         }
       })();`,
    );
    assert.deepEqual(out.trim().split('\n'), ['exit 1', 'exit 1', 'exit 1']);
  });
}

test('BSDSOCK_READINESS other than uv or thread: the first wait rejects naming the variable', () => {
  const out = child(
    'poll',
    `const [a, b] = s.socketpair();
     a.recvAsync(1).catch((e) => { console.log(e.constructor.name, e.message); a.close(); b.close(); });`,
  );
  assert.equal(out.trim(), `Error BSDSOCK_READINESS must be 'uv' or 'thread', not "poll"`);
});
