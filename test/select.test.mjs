// bsdsock/select's behaviour: select()'s results (the same objects, in
// order), poll objects, epoll objects (edge-triggered, one-shot,
// maxevents, fromfd, close-on-exec, closing), the selectors (keys, data,
// modify, the map, unregistering closed sockets), 1,000 sockets on a
// DefaultSelector, waits resumed with the time left after a signal
// (PEP 475), the CommonJS entry, and no descriptor leaked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as socket from 'bsdsock';
import * as S from 'bsdsock/select';
import { nodeOnly } from './fixtures/runtime.mjs';
import { openFdsWithLoops } from './support/fds.mjs';
import { SLOWDOWN } from './support/emulation.mjs';

const linux = process.platform === 'linux';
const fdCount = openFdsWithLoops;
const havePython = spawnSync('python3', ['--version']).status === 0;

/** Runs `fn` with n socketpairs, closing them after; checks no descriptor is left behind. */
function withPairs(n, fn) {
  const before = fdCount();
  const pairs = [];
  try {
    for (let i = 0; i < n; i++) pairs.push(socket.socketpair());
    return fn(pairs);
  } finally {
    for (const [x, y] of pairs) {
      x.close();
      y.close();
    }
    // Deno and Bun open descriptors of their own while tests run.
    if (!nodeOnly('ownFds')) assert.equal(fdCount(), before, 'descriptors leaked');
  }
}

test('select(): the ready subsets of the same objects, in their order, duplicates kept', () => {
  withPairs(3, ([[a, a2], [b, b2], [c, c2]]) => {
    b2.send(Buffer.from('x'));
    c2.send(Buffer.from('y'));
    const fdOfC = { fileno: () => c.fileno() };
    const [r, w, x] = S.select([a, c, b, fdOfC, c], [a.fileno(), b], [a, b], 0);
    assert.deepEqual(r, [c, b, fdOfC, c]);
    assert.equal(r[0], c);
    assert.equal(r[2], fdOfC);
    assert.deepEqual(w, [a.fileno(), b]);
    assert.deepEqual(x, []);
    // Any iterable: a Set, a generator, a typed array.
    const gen = function* () {
      yield b;
    };
    assert.deepEqual(S.select(new Set([a, b]), [], [], 0)[0], [b]);
    assert.deepEqual(S.select(gen(), [], [], 0)[0], [b]);
    assert.deepEqual(S.select(new Int32Array([a.fileno(), b.fileno()]), [], [], 0)[0], [b.fileno()]);
    // Nothing ready: three empty arrays, after at least the timeout.
    const t0 = performance.now();
    assert.deepEqual(S.select([a], [], [a], 0.05), [[], [], []]);
    assert.ok(performance.now() - t0 >= 49, 'select returned before its timeout');
    // No lists at all: a sleep.
    const t1 = performance.now();
    assert.deepEqual(S.select([], [], [], 0.02), [[], [], []]);
    assert.ok(performance.now() - t1 >= 19);
    // Without a timeout it waits until something is ready: here at once.
    assert.deepEqual(S.select([b], [], []), [[b], [], []]);
  });
});

test('poll objects: registration order, modify, unregister, POLLHUP and POLLNVAL always reported', () => {
  withPairs(3, ([[a, a2], [b, b2], [c, c2]]) => {
    const p = S.poll();
    assert.ok(p instanceof S.Poll);
    p.register(c, S.POLLIN);
    p.register(a);
    p.register(b.fileno(), S.POLLIN);
    assert.deepEqual(p.poll(0), [[a.fileno(), S.POLLOUT]]);
    b2.send(Buffer.from('x'));
    c2.send(Buffer.from('x'));
    // Registration order, as Python's dict; registering again keeps the place.
    p.register(c, S.POLLIN | S.POLLOUT);
    assert.deepEqual(p.poll(0), [
      [c.fileno(), S.POLLIN | S.POLLOUT],
      [a.fileno(), S.POLLOUT],
      [b.fileno(), S.POLLIN],
    ]);
    p.modify(a, S.POLLIN);
    p.unregister(c);
    assert.deepEqual(p.poll(0), [[b.fileno(), S.POLLIN]]);
    // Hang-up is reported though not asked for.
    a2.close();
    assert.deepEqual(p.poll(0), [
      [a.fileno(), S.POLLIN | S.POLLHUP],
      [b.fileno(), S.POLLIN],
    ]);
    p.unregister(a);
    p.unregister(b);
    assert.deepEqual(p.poll(0), []);
    // Timeouts are milliseconds; fractions round up.
    p.register(a, S.POLLIN);
    a.recv(10); // end of stream consumed; the hang-up stays
    const t0 = performance.now();
    p.modify(a, 0);
    assert.deepEqual(p.poll(0.5), [[a.fileno(), S.POLLHUP]]);
    p.unregister(a);
    p.register(b2, S.POLLIN);
    assert.deepEqual(p.poll(30.2), []);
    assert.ok(performance.now() - t0 >= 30);
  });
  // A descriptor that is not open: POLLNVAL.
  const fd = socket.socket().detach();
  socket.close(fd);
  const p = S.poll();
  p.register(fd, S.POLLIN);
  assert.deepEqual(p.poll(0), [[fd, S.POLLNVAL]]);
});

test('epoll objects: level and edge triggering, one-shot, maxevents', { skip: !linux && 'Linux only' }, () => {
  withPairs(3, ([[a, a2], [b, b2], [c, c2]]) => {
    const ep = S.epoll();
    try {
      assert.ok(ep instanceof S.Epoll);
      ep.register(a, S.EPOLLIN);
      ep.register(b, S.EPOLLIN | S.EPOLLET);
      ep.register(c.fileno(), S.EPOLLIN | S.EPOLLONESHOT);
      assert.deepEqual(ep.poll(0), []);
      a2.send(Buffer.from('1'));
      b2.send(Buffer.from('2'));
      c2.send(Buffer.from('3'));
      const sorted = (evs) => evs.sort((x, y) => x[0] - y[0]);
      assert.deepEqual(sorted(ep.poll(1)), sorted([[a.fileno(), S.EPOLLIN], [b.fileno(), S.EPOLLIN], [c.fileno(), S.EPOLLIN]]));
      // Level-triggered a is reported again; edge-triggered b not until
      // new data; one-shot c not until modify() re-arms it.
      assert.deepEqual(ep.poll(0), [[a.fileno(), S.EPOLLIN]]);
      b2.send(Buffer.from('more'));
      assert.deepEqual(sorted(ep.poll(0)), sorted([[a.fileno(), S.EPOLLIN], [b.fileno(), S.EPOLLIN]]));
      ep.modify(c, S.EPOLLIN);
      assert.deepEqual(sorted(ep.poll(0)), sorted([[a.fileno(), S.EPOLLIN], [c.fileno(), S.EPOLLIN]]));
      // maxevents caps the count.
      assert.equal(ep.poll(0, 2).length, 2);
      assert.equal(ep.poll(null, 1).length, 1);
      assert.equal(ep.poll(0, -1).length, 2);
      // A huge maxevents costs no huge buffer; beyond the kernel's limit it is EINVAL, as the kernel says.
      assert.equal(ep.poll(0, 100_000_000).length, 2);
      assert.throws(() => ep.poll(0, 2 ** 31 - 1), (e) => e instanceof socket.OSError && e.code === 'EINVAL');
      ep.unregister(a);
      ep.unregister(b);
      ep.unregister(c);
      const t0 = performance.now();
      assert.deepEqual(ep.poll(0.03), []);
      assert.ok(performance.now() - t0 >= 30);
    } finally {
      ep.close();
    }
  });
});

test('epoll objects: close-on-exec descriptor, closed, close twice, Symbol.dispose, fromfd, garbage collection', { skip: !linux && 'Linux only' }, () => {
  const before = fdCount();
  const ep = S.epoll();
  const fd = ep.fileno();
  assert.equal(String(ep), `<select.epoll fd=${fd}>`);
  const flags = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  assert.match(flags, /^flags:\s*0*2\d{6}$/m, 'O_CLOEXEC (02000000) missing');
  assert.equal(ep.closed, false);
  ep[Symbol.dispose]();
  assert.equal(ep.closed, true);
  assert.equal(String(ep), '<select.epoll [closed]>');
  ep.close();
  assert.equal(fdCount(), before);
  assert.throws(() => ep.fileno(), { code: 'ERR_INVALID_STATE', message: 'I/O operation on closed epoll object' });

  // fromfd adopts: closing the new object closes the descriptor. It adopts
  // a duplicate here, so that `first` keeps a descriptor of its own: an
  // object left holding a closed number would close it again when it is
  // garbage-collected, by then maybe another thread's descriptor (a worker's
  // event loop aborted on Node 26 when this test shared one number).
  const first = S.epoll();
  const [a, b] = socket.socketpair();
  try {
    first.register(a, S.EPOLLOUT);
    const copy = socket.dup(first.fileno());
    const again = S.epoll.fromfd(copy);
    assert.ok(again instanceof S.Epoll);
    assert.equal(again.fileno(), copy);
    // The same kernel event queue: first's registration shows.
    assert.deepEqual(again.poll(0), [[a.fileno(), S.EPOLLOUT]]);
    again.close();
    assert.equal(existsSync(`/proc/self/fd/${copy}`), false, 'closing the adopting object closed the descriptor');
    assert.deepEqual(first.poll(0), [[a.fileno(), S.EPOLLOUT]]);
  } finally {
    first.close();
    a.close();
    b.close();
  }
  // The epoll(), new Epoll() and Epoll.fromfd spellings.
  const made = new S.Epoll(10, S.EPOLL_CLOEXEC);
  made.close();
  assert.throws(() => S.epoll.fromfd(-1), { code: 'ERR_INVALID_ARG_VALUE' });
  // A child process inherits no epoll descriptor.
  const kept = S.epoll();
  try {
    const child = spawnSync('sh', ['-c', `test -e /proc/self/fd/${kept.fileno()} && echo open || echo closed`], { encoding: 'utf8' });
    assert.equal(child.stdout.trim(), 'closed');
  } finally {
    kept.close();
  }
});

test('an epoll object dropped while open has its descriptor closed, silently', { skip: (!linux && 'Linux only') || nodeOnly('cli', ['deno']) }, async () => {
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--input-type=module',
      '-e',
      `
      import { readdirSync } from 'node:fs';
      import * as S from 'bsdsock/select';
      const count = () => readdirSync('/proc/self/fd').length;
      const before = count();
      let warned = 0;
      process.on('warning', () => warned++);
      (() => { for (let i = 0; i < 50; i++) S.epoll(); })();
      const during = count();
      for (let i = 0; i < 20 && count() > before; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(JSON.stringify({ grew: during - before, left: count() - before, warned }));
      `,
    ],
    { encoding: 'utf8', timeout: 10000 * SLOWDOWN, cwd: new URL('..', import.meta.url) },
  );
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { grew: 50, left: 0, warned: 0 });
});

test('selectors: keys, data, modify, the map, unregistering a closed socket', () => {
  const selectorClasses = linux ? [S.SelectSelector, S.PollSelector, S.EpollSelector] : [S.SelectSelector, S.PollSelector];
  assert.equal(S.DefaultSelector, linux ? S.EpollSelector : S.PollSelector);
  for (const Cls of selectorClasses) {
    withPairs(2, ([[a, a2], [b, b2]]) => {
      const sel = new Cls();
      try {
        assert.ok(sel instanceof S.BaseSelector);
        const ka = sel.register(a, S.EVENT_READ | S.EVENT_WRITE, { name: 'a' });
        assert.ok(ka instanceof S.SelectorKey);
        assert.equal(ka.fileobj, a);
        assert.equal(ka.fd, a.fileno());
        assert.equal(ka.events, 3);
        assert.deepEqual(ka.data, { name: 'a' });
        const [fileobj, fd, events, data] = ka;
        assert.deepEqual([fileobj, fd, events, data], [a, a.fileno(), 3, ka.data]);
        assert.ok(Object.isFrozen(ka));
        const kb = sel.register(b.fileno(), S.EVENT_READ);
        assert.equal(kb.data, null);

        // Only the events asked for are reported.
        let ready = sel.select(0);
        assert.deepEqual(ready, [[ka, S.EVENT_WRITE]]);
        b2.send(Buffer.from('x'));
        ready = sel.select(0).sort((x, y) => x[0].fd - y[0].fd);
        assert.deepEqual(ready.map(([k, ev]) => [k.fd, ev]).sort(), [[a.fileno(), 2], [b.fileno(), 1]].sort());
        assert.equal(ready.find(([k]) => k.fd === b.fileno())[0], kb);

        // modify: same events and data -> the same key; data only -> a new
        // key; data not given -> null, as in Python.
        assert.equal(sel.modify(a, 3, ka.data), ka);
        const ka2 = sel.modify(a, 3, 'other');
        assert.notEqual(ka2, ka);
        assert.equal(ka2.data, 'other');
        const ka3 = sel.modify(a, S.EVENT_READ);
        assert.equal(ka3.data, null);
        assert.equal(ka3.events, S.EVENT_READ);
        assert.equal(sel.get_key(a), ka3);
        assert.equal(sel.get_key(a.fileno()), ka3);

        // The map: a live view, looked up by object or fd, iterating fds.
        const map = sel.get_map();
        assert.ok(map instanceof S.SelectorMapping);
        assert.equal(map.size, 2);
        assert.deepEqual([...map].sort(), [a.fileno(), b.fileno()].sort());
        assert.equal(map.get(b), kb);
        assert.equal(map.get(b2), null);
        assert.equal(map.get(b2, ka3), ka3);
        assert.equal(map.has(a), true);
        assert.equal(map.has(a2), false);
        assert.deepEqual([...map.values()].sort((x, y) => x.fd - y.fd), [ka3, kb].sort((x, y) => x.fd - y.fd));
        assert.equal([...map.entries()].length, 2);

        // A socket closed while registered can still be unregistered, by identity.
        const fdOfA = a.fileno();
        a.close();
        assert.equal(sel.get_key(a).fd, fdOfA);
        assert.equal(sel.unregister(a), ka3);
        assert.equal(map.size, 1);
        assert.throws(() => sel.unregister(a), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE');
        assert.equal(sel.unregister(b.fileno()), kb);
        assert.deepEqual(sel.select(0), []);
      } finally {
        sel.close();
      }
      assert.equal(sel.get_map(), null);
      if (Cls === S.EpollSelector) assert.throws(() => sel.fileno(), { code: 'ERR_INVALID_STATE' });
    });
  }
});

/** The soft limit on open descriptors (RLIMIT_NOFILE), from /proc. */
function openFileLimit() {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m === null || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}
// 1,000 socketpairs: 2,000 descriptors and the process's own.
const tooFewFds = linux && openFileLimit() < 2200 && `ulimit -n is ${openFileLimit()}; needs 2200`;

test('1,000 sockets on a DefaultSelector', { timeout: 60000, skip: !linux ? 'Linux only' : tooFewFds }, () => {
  withPairs(1000, (pairs) => {
    const sel = new S.DefaultSelector();
    try {
      pairs.forEach(([mine], i) => sel.register(mine, S.EVENT_READ, i));
      assert.equal(sel.get_map().size, 1000);
      assert.deepEqual(sel.select(0), []);
      // Every seventh peer writes: exactly those are readable, with their data.
      const writers = pairs.map((_, i) => i).filter((i) => i % 7 === 3);
      for (const i of writers) pairs[i][1].send(Buffer.from([i & 0xff]));
      const ready = sel.select(1);
      assert.deepEqual(ready.map(([k]) => k.data).sort((x, y) => x - y), writers);
      for (const [key, events] of ready) {
        assert.equal(events, S.EVENT_READ);
        assert.equal(key.fileobj, pairs[key.data][0]);
        assert.deepEqual([...key.fileobj.recv(4)], [key.data & 0xff]);
      }
      assert.deepEqual(sel.select(0), []);
      // All writable once asked.
      for (const [mine] of pairs) sel.modify(mine, S.EVENT_WRITE, 'w');
      const writable = sel.select(0);
      assert.equal(writable.length, 1000);
      assert.ok(writable.every(([k, ev]) => ev === S.EVENT_WRITE && k.data === 'w'));
      for (const [mine] of pairs) sel.unregister(mine);
      assert.equal(sel.get_map().size, 0);
    } finally {
      sel.close();
    }
    // A PollSelector takes them too; a SelectSelector refuses descriptors of 1024 and more, as Python's.
    const poller = new S.PollSelector();
    try {
      for (const [mine] of pairs) poller.register(mine, S.EVENT_WRITE);
      assert.equal(poller.select(0).length, 1000);
    } finally {
      poller.close();
    }
    const high = pairs.map(([m]) => m).find((m) => m.fileno() >= 1024);
    assert.ok(high, 'no descriptor reached 1024');
    const old = new S.SelectSelector();
    old.register(high, S.EVENT_READ);
    assert.throws(() => old.select(0), { code: 'ERR_INVALID_ARG_VALUE', message: /filedescriptor out of range in select\(\)/ });
    old.close();
  });
});

// PEP 475: a signal handled during a wait does not end it; the wait goes
// on for the time left. The child blocks in each call with a 0.4 s timeout
// while a shell sends it SIGUSR2 (which it listens for) after 0.1 s.
test('a signal during a wait: the wait resumes with the time left (PEP 475)', { skip: (!linux && 'Linux only') || nodeOnly('cli', ['deno']), timeout: 30000 }, () => {
  const script = `
    import { spawn } from 'node:child_process';
    import { performance } from 'node:perf_hooks';
    import * as socket from 'bsdsock';
    import * as S from 'bsdsock/select';
    let signals = 0;
    process.on('SIGUSR2', () => signals++);
    const [a, b] = socket.socketpair();
    const ep = S.epoll();
    ep.register(a, S.EPOLLIN);
    const p = S.poll();
    p.register(a, S.POLLIN);
    const sel = new S.DefaultSelector();
    sel.register(a, S.EVENT_READ);
    const waits = {
      select: () => S.select([a], [], [], 0.4),
      poll: () => p.poll(400),
      epoll: () => ep.poll(0.4),
      selector: () => sel.select(0.4),
    };
    const out = {};
    for (const [name, wait] of Object.entries(waits)) {
      const killer = spawn('sh', ['-c', 'sleep 0.1; kill -USR2 ' + process.pid], { stdio: 'ignore' });
      const t0 = performance.now();
      let result;
      try {
        result = JSON.stringify(wait());
      } catch (e) {
        result = e.name + ': ' + e.message;
      }
      out[name] = { result, waited: performance.now() - t0 >= 399 };
      await new Promise((r) => killer.on('exit', r));
      await new Promise((r) => setImmediate(r));
    }
    out.signals = signals;
    console.log(JSON.stringify(out));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20000 * SLOWDOWN,
    cwd: new URL('..', import.meta.url),
  });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout);
  assert.deepEqual(out, {
    select: { result: '[[],[],[]]', waited: true },
    poll: { result: '[]', waited: true },
    epoll: { result: '[]', waited: true },
    selector: { result: '[]', waited: true },
    signals: 4,
  });
});

test("the README's bsdsock/select example runs", { skip: nodeOnly('cli', ['deno']) }, () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Waiting on many sockets'));
  const code = /```js\n([\s\S]*?)```/.exec(section)[1];
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 10000,
    cwd: new URL('..', import.meta.url),
  });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '');
});

test('in a worker thread; an epoll object left open there is closed when the worker ends', { skip: (!linux && 'Linux only') || nodeOnly('workerCleanup') }, async () => {
  const before = fdCount();
  const worker = new Worker(
    `
    const { parentPort } = require('node:worker_threads');
    const socket = require('bsdsock');
    const S = require('bsdsock/select');
    const [a, b] = socket.socketpair();
    const sel = new S.DefaultSelector();
    sel.register(a, S.EVENT_READ, 'a');
    b.send(Buffer.from('x'));
    const ready = sel.select(1).map(([key, events]) => [key.data, events]);
    sel.close();
    a.close();
    b.close();
    const leftOpen = S.epoll();
    parentPort.postMessage({ ready, fd: leftOpen.fileno() });
    `,
    { eval: true },
  );
  // Bounded: a worker that never exits would keep this file's process
  // alive past the end of the suite, so it is terminated and unreferenced.
  const exited = once(worker, 'exit');
  let timer;
  const limitMs = 30000 * SLOWDOWN;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limitMs);
  });
  try {
    const received = await Promise.race([once(worker, 'message'), timedOut]);
    assert.notEqual(received, 'timeout', `the worker sent nothing within ${limitMs} ms`);
    const [message] = received;
    assert.deepEqual(message.ready, [['a', S.EVENT_READ]]);
    assert.notEqual(await Promise.race([exited, timedOut]), 'timeout', `the worker did not exit within ${limitMs} ms`);
  } finally {
    clearTimeout(timer);
    worker.unref();
    void worker.terminate();
  }
  assert.equal(fdCount(), before, 'the worker\'s epoll descriptor is still open');
});

test('the CommonJS entry is the same module', () => {
  const require = createRequire(import.meta.url);
  const cjs = require('bsdsock/select');
  assert.equal(cjs.select, S.select);
  assert.equal(cjs.DefaultSelector, S.DefaultSelector);
  assert.equal(cjs.KeyError, S.KeyError);
  assert.equal(typeof cjs.POLLIN, 'number');
  assert.equal(cjs.error, socket.OSError);
});

test('the constants are CPython\'s', { skip: !havePython && 'python3 is not installed' }, () => {
  const py = spawnSync(
    'python3',
    ['-c', 'import json, select; print(json.dumps({n: getattr(select, n) for n in dir(select) if n.isupper()}))'],
    { encoding: 'utf8' },
  );
  assert.equal(py.status, 0, py.stderr);
  const theirs = JSON.parse(py.stdout);
  const ours = Object.fromEntries(Object.entries(S).filter(([n, v]) => /^[A-Z][A-Z0-9_]*$/.test(n) && typeof v === 'number'));
  for (const [name, value] of Object.entries(theirs)) assert.equal(ours[name], value, name);
  // Beyond Python: the header's other POLL*/EPOLL* bits, and the selectors' two.
  assert.deepEqual(
    Object.keys(ours).filter((n) => !(n in theirs)).sort(),
    ['EPOLLWAKEUP', 'EVENT_READ', 'EVENT_WRITE', 'POLLREMOVE'],
  );
});
