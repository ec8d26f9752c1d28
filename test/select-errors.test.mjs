// bsdsock/select's arguments and errors against CPython's: each case runs
// in bsdsock and, spelled in Python, in one python3 process, and the
// outcomes must match as API.md maps them (ValueError -> TypeError
// ERR_INVALID_ARG_VALUE, TypeError -> TypeError ERR_INVALID_ARG_TYPE,
// OverflowError -> RangeError ERR_OUT_OF_RANGE, KeyError -> KeyError,
// OSError subclasses by name and errno), with Python's reason in the
// message. Then the departures (booleans), errors thrown by fileno(),
// Proxies, and the addon's own guards against bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSync, closeSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as socket from 'bsdsock';
import * as S from 'bsdsock/select';
import { openFdsWithLoops } from './support/fds.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';
import { SLOWDOWN } from './support/emulation.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const linux = process.platform === 'linux';
const havePython = spawnSync('python3', ['--version']).status === 0;
const fdCount = openFdsWithLoops;

class Boom extends Error {}
/** An object whose fileno() returns `v`, or throws it when it is an Error. */
const F = (v) => ({
  fileno() {
    if (v instanceof Error) throw v;
    return v;
  },
});
const stateValueError = (e) => e.code === 'ERR_INVALID_STATE';
/** Python's text with bsdsock's socket repr, and descriptor numbers (which differ between the processes) blanked. */
// Python's repr of a plain object (<__main__.F object at 0x...>) has no
// JavaScript spelling: the text is compared up to it.
const norm = (s) => s.replace(/<__main__\..*$/, '').replace(/<socket\.socket /g, '<socket ').replace(/\d+/g, 'N');

/**
 * [name, bsdsock code, Python code]. Both run in a scope with a, b (a
 * connected socketpair), c (a closed socket), p (a poll object), ep (an
 * epoll object), sel (a DefaultSelector), file (a regular file's fd) and
 * F (fileno() returning or raising). Cases run in order and may leave
 * registrations behind for the next ones.
 */
const CASES = [
  ['select: not a list', (o) => S.select(5, [], [], 0), 'select.select(5, [], [], 0)'],
  ['select: a string item', (o) => S.select(['x'], [], [], 0), "select.select(['x'], [], [], 0)"],
  ['select: a fractional item', (o) => S.select([1.5], [], [], 0), 'select.select([1.5], [], [], 0)'],
  ['select: a negative fd', (o) => S.select([-1], [], [], 0), 'select.select([-1], [], [], 0)'],
  ['select: fd 1024', (o) => S.select([1024], [], [], 0), 'select.select([1024], [], [], 0)'],
  ['select: fd beyond a C int', (o) => S.select([2 ** 31], [], [], 0), 'select.select([2**31], [], [], 0)'],
  ['select: fileno() returns a string', (o) => S.select([F('3')], [], [], 0), "select.select([F('3')], [], [], 0)"],
  ['select: fileno() returns a negative', (o) => S.select([F(-5)], [], [], 0), 'select.select([F(-5)], [], [], 0)'],
  ['select: fileno() returns a fraction', (o) => S.select([F(3.5)], [], [], 0), 'select.select([F(3.5)], [], [], 0)'],
  ['select: fileno is not callable', (o) => S.select([{ fileno: 5 }], [], [], 0), 'select.select([NoCall()], [], [], 0)'],
  ['select: a closed socket', (o) => S.select([o.c], [], [], 0), 'select.select([c], [], [], 0)'],
  ['select: 1025 items', (o) => S.select(Array(1025).fill(o.a), [], [], 0), 'select.select([a] * 1025, [], [], 0)'],
  ['select: a string timeout', (o) => S.select([], [], [], '1'), "select.select([], [], [], '1')"],
  ['select: a negative timeout', (o) => S.select([], [], [], -1), 'select.select([], [], [], -1)'],
  ['select: a tiny negative timeout', (o) => S.select([], [], [], -1e-10), 'select.select([], [], [], -1e-10)'],
  ['select: a NaN timeout', (o) => S.select([], [], [], NaN), "select.select([], [], [], float('nan'))"],
  ['select: an infinite timeout', (o) => S.select([], [], [], Infinity), "select.select([], [], [], float('inf'))"],
  ['select: a huge timeout', (o) => S.select([], [], [], 1e30), 'select.select([], [], [], 1e30)'],
  ['select: fine', (o) => S.select([o.a], [o.a.fileno()], [], 0), 'select.select([a], [a.fileno()], [], 0)'],

  ['poll.register: a negative fd', (o) => o.p.register(-1), 'p.register(-1)'],
  ['poll.register: a string', (o) => o.p.register('x'), "p.register('x')"],
  ['poll.register: mask over 16 bits', (o) => o.p.register(o.a, 70000), 'p.register(a, 70000)'],
  ['poll.register: a negative mask', (o) => o.p.register(o.a, -1), 'p.register(a, -1)'],
  ['poll.register: a string mask', (o) => o.p.register(o.a, 'x'), "p.register(a, 'x')"],
  ['poll.modify: not registered', (o) => o.p.modify(o.b, 1), 'p.modify(b, 1)'],
  ['poll.unregister: not registered', (o) => o.p.unregister(o.b), 'p.unregister(b)'],
  ['poll.poll: a string timeout', (o) => o.p.poll('x'), "p.poll('x')"],
  ['poll.poll: a NaN timeout', (o) => o.p.poll(NaN), "p.poll(float('nan'))"],
  ['poll.poll: an infinite timeout', (o) => o.p.poll(Infinity), "p.poll(float('inf'))"],
  ['poll.poll: beyond a C int of ms', (o) => o.p.poll(2 ** 31), 'p.poll(2**31)'],
  ['poll: fine', (o) => (o.p.register(o.a), o.p.modify(o.a, S.POLLOUT), o.p.poll(0)), 'p.register(a); p.modify(a, select.POLLOUT); p.poll(0)'],
  ['poll.unregister: fine', (o) => o.p.unregister(o.a), 'p.unregister(a)'],

  ['epoll: sizehint 0', (o) => S.epoll(0), 'select.epoll(0)'],
  ['epoll: sizehint -2', (o) => S.epoll(-2), 'select.epoll(-2)'],
  ['epoll: bad flags', (o) => S.epoll(-1, 1), 'select.epoll(-1, 1)'],
  ['epoll: EPOLL_CLOEXEC', (o) => S.epoll(-1, S.EPOLL_CLOEXEC).close(), 'select.epoll(-1, select.EPOLL_CLOEXEC).close()'],
  ['epoll.register: fine', (o) => o.ep.register(o.a), 'ep.register(a)'],
  ['epoll.register: twice', (o) => o.ep.register(o.a), 'ep.register(a)'],
  ['epoll.register: a negative fd', (o) => o.ep.register(-1), 'ep.register(-1)'],
  ['epoll.register: a regular file', (o) => o.ep.register(o.file), 'ep.register(file)'],
  ['epoll.register: a string mask', (o) => o.ep.register(o.b, 'x'), "ep.register(b, 'x')"],
  ['epoll.modify: not registered', (o) => o.ep.modify(o.b, 1), 'ep.modify(b, 1)'],
  ['epoll.unregister: not registered', (o) => o.ep.unregister(o.b), 'ep.unregister(b)'],
  ['epoll.poll: maxevents 0', (o) => o.ep.poll(0, 0), 'ep.poll(0, 0)'],
  ['epoll.poll: maxevents -2', (o) => o.ep.poll(0, -2), 'ep.poll(0, -2)'],
  ['epoll.poll: fractional maxevents', (o) => o.ep.poll(0, 1.5), 'ep.poll(0, 1.5)'],
  ['epoll.poll: maxevents beyond a C int', (o) => o.ep.poll(0, 2 ** 31), 'ep.poll(0, 2**31)'],
  ['epoll.poll: a string timeout', (o) => o.ep.poll('x'), "ep.poll('x')"],
  ['epoll.poll: a NaN timeout', (o) => o.ep.poll(NaN), "ep.poll(float('nan'))"],
  ['epoll.poll: an infinite timeout', (o) => o.ep.poll(Infinity), "ep.poll(float('inf'))"],
  ['epoll.poll: just beyond a C int of ms', (o) => o.ep.poll(2147483.6471), 'ep.poll(2147483.6471)'],
  ['epoll.poll: fine', (o) => o.ep.poll(0, -1), 'ep.poll(0, -1)'],
  ['epoll: fileno after close', (o) => (o.ep.close(), o.ep.fileno()), 'ep.close(); ep.fileno()'],
  ['epoll: poll after close', (o) => o.ep.poll(0), 'ep.poll(0)'],
  ['epoll: register after close', (o) => o.ep.register(o.a), 'ep.register(a)'],
  ['epoll: close twice', (o) => o.ep.close(), 'ep.close()'],

  ['selector.register: events 0', (o) => o.sel.register(o.a, 0), 'sel.register(a, 0)'],
  ['selector.register: events 4', (o) => o.sel.register(o.a, 4), 'sel.register(a, 4)'],
  ['selector.register: string events', (o) => o.sel.register(o.a, 'x'), "sel.register(a, 'x')"],
  ['selector.register: a string file object', (o) => o.sel.register('x', 1), "sel.register('x', 1)"],
  ['selector.register: a negative fd', (o) => o.sel.register(-3, 1), 'sel.register(-3, 1)'],
  ['selector.register: a closed socket', (o) => o.sel.register(o.c, 1), 'sel.register(c, 1)'],
  ['selector.register: fileno() throws a TypeError', (o) => o.sel.register(F(new TypeError('no')), 1), "sel.register(F(TypeError('no')), 1)"],
  ['selector.register: fileno is not callable', (o) => o.sel.register({ fileno: 5 }, 1), 'sel.register(NoCall(), 1)'],
  ['selector.register: a regular file', (o) => o.sel.register(o.file, 1), 'sel.register(file, 1)'],
  ['selector.register: fine', (o) => o.sel.register(o.a, S.EVENT_READ, 'data').fd === o.a.fileno(), "sel.register(a, selectors.EVENT_READ, 'data').fd == a.fileno()"],
  ['selector.register: twice', (o) => o.sel.register(o.a, 1), 'sel.register(a, 1)'],
  ['selector.register: same fd, another object', (o) => o.sel.register(o.a.fileno(), 1), 'sel.register(a.fileno(), 1)'],
  ['selector.modify: not registered', (o) => o.sel.modify(o.b, 1), 'sel.modify(b, 1)'],
  ['selector.unregister: not registered', (o) => o.sel.unregister(o.b), 'sel.unregister(b)'],
  ['selector.get_key: not registered', (o) => o.sel.get_key(o.b), 'sel.get_key(b)'],
  ['selector.get_key: invalid', (o) => o.sel.get_key('x'), "sel.get_key('x')"],
  ['selector.get_map: invalid lookup', (o) => o.sel.get_map().has('x'), "'x' in sel.get_map()"],
  ['selector.select: a string timeout', (o) => o.sel.select('x'), "sel.select('x')"],
  ['selector.select: a NaN timeout', (o) => o.sel.select(NaN), "sel.select(float('nan'))"],
  ['selector.select: an infinite timeout', (o) => o.sel.select(Infinity), "sel.select(float('inf'))"],
  ['selector: get_key after close', (o) => (o.sel.close(), o.sel.get_key(o.a)), 'sel.close(); sel.get_key(a)'],
  ['selector: get_map after close', (o) => o.sel.get_map(), 'sel.get_map()'],
  ['selector: register after close', (o) => o.sel.register(o.a, 1), 'sel.register(a, 1)'],
  ['selector: close twice', (o) => o.sel.close(), 'sel.close()'],

  ['SelectSelector: select with fd 1024 registered', (o) => {
    const s = new S.SelectSelector();
    s.register(1024, 1);
    return s.select(0);
  }, 's = selectors.SelectSelector(); s.register(1024, 1); s.select(0)'],
  ['PollSelector: register after close', (o) => {
    const s = new S.PollSelector();
    s.close();
    return s.register(o.a, 1).fd === o.a.fileno();
  }, 's = selectors.PollSelector(); s.close(); s.register(a, 1).fd == a.fileno()'],
];

const PY = `
import json, os, select, selectors, socket, sys
codes = json.loads(sys.argv[1])
a, b = socket.socketpair()
c = socket.socket(); c.close()
p = select.poll()
ep = select.epoll()
sel = selectors.DefaultSelector()
file = os.open(sys.argv[2], os.O_RDONLY)
class F:
    def __init__(self, v): self.v = v
    def fileno(self):
        if isinstance(self.v, BaseException): raise self.v
        return self.v
class NoCall:
    fileno = 5
out = []
for code in codes:
    ns = dict(globals())
    stmts = code.split('; ')
    try:
        for s in stmts[:-1]:
            exec(s, ns)
        v = eval(stmts[-1], ns)
        out.append(['ok', v if v is None or isinstance(v, bool) else None])
    except BaseException as e:
        out.append([type(e).__name__, str(e.args[0]) if e.args else '', getattr(e, 'errno', None)])
    globals().update({k: ns[k] for k in ('a', 'b', 'p', 'ep', 'sel') if k in ns})
print(json.dumps(out))
`;

function outcome(fn, scope) {
  try {
    const v = fn(scope);
    return { ok: true, value: v };
  } catch (e) {
    return { ok: false, error: e };
  }
}

/** Asserts that bsdsock's outcome is Python's, as API.md maps the exceptions. */
function assertSame(name, ours, py) {
  const [cls, message, errno] = py;
  if (cls === 'ok') {
    assert.ok(ours.ok, `${name}: Python succeeds, bsdsock threw ${ours.error}`);
    if (py[1] !== null) assert.equal(ours.value ?? null, py[1], name);
    return;
  }
  assert.ok(!ours.ok, `${name}: Python raises ${cls}(${message}), bsdsock succeeded`);
  const e = ours.error;
  switch (cls) {
    case 'ValueError':
      assert.equal(e.constructor, TypeError, `${name}: ${e}`);
      assert.ok(e.code === 'ERR_INVALID_ARG_VALUE' || stateValueError(e), `${name}: code ${e.code}`);
      assert.ok(norm(e.message).includes(norm(message)), `${name}: "${e.message}" lacks "${message}"`);
      break;
    case 'TypeError':
      assert.equal(e.constructor, TypeError, `${name}: ${e}`);
      assert.equal(e.code, 'ERR_INVALID_ARG_TYPE', `${name}: ${e.message}`);
      break;
    case 'OverflowError':
      assert.equal(e.constructor, RangeError, `${name}: ${e}`);
      assert.equal(e.code, 'ERR_OUT_OF_RANGE', name);
      break;
    case 'KeyError':
      assert.equal(e.constructor, S.KeyError, `${name}: ${e}`);
      assert.equal(e.name, 'KeyError');
      assert.equal(norm(e.message), norm(message), name);
      break;
    case 'RuntimeError':
      assert.equal(e.constructor, Error, `${name}: ${e}`);
      assert.equal(e.code, 'ERR_INVALID_STATE', name);
      assert.equal(e.message, message, name);
      break;
    default:
      assert.equal(e.constructor.name, cls, `${name}: ${e}`);
      assert.ok(e instanceof socket.OSError, name);
      assert.equal(e.errno, errno, name);
      if (errno === null) assert.equal(e.message, message, name);
  }
}

test('bad and good arguments: the outcomes CPython has, as API.md maps them', { skip: !linux || (!havePython && 'python3 is not installed') }, () => {
  const before = fdCount();
  const [a, b] = socket.socketpair();
  const c = socket.socket();
  c.close();
  const file = openSync(join(root, 'package.json'), 'r');
  const scope = { a, b, c, p: S.poll(), ep: S.epoll(), sel: new S.DefaultSelector(), file };
  try {
    const py = spawnSync('python3', ['-c', PY, JSON.stringify(CASES.map(([, , code]) => code)), join(root, 'package.json')], {
      encoding: 'utf8',
      timeout: 20000 * SLOWDOWN,
    });
    assert.equal(py.status, 0, py.stderr);
    const answers = JSON.parse(py.stdout);
    assert.equal(answers.length, CASES.length);
    const seen = new Set();
    CASES.forEach(([name, fn], i) => {
      assertSame(name, outcome(fn, scope), answers[i]);
      seen.add(answers[i][0]);
    });
    for (const cls of ['ok', 'ValueError', 'TypeError', 'OverflowError', 'KeyError', 'RuntimeError', 'OSError', 'FileExistsError', 'FileNotFoundError', 'PermissionError']) {
      assert.ok(seen.has(cls), `no case where Python gives ${cls}`);
    }
  } finally {
    a.close();
    b.close();
    closeSync(file);
  }
  if (!nodeOnly('ownFds')) assert.equal(fdCount(), before, 'descriptors leaked');
});

test('messages name the argument and give Python\'s reason', () => {
  assert.throws(() => S.select([3, -1], [], [], 0), {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'rlist[1]' is invalid: file descriptor cannot be a negative integer (-1)",
  });
  assert.throws(() => S.select([], [0, 2000], [], 0), {
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'wlist[1]' is invalid: filedescriptor out of range in select()",
  });
  assert.throws(() => S.select([], [], ['3'], 0), {
    code: 'ERR_INVALID_ARG_TYPE',
    message: 'The "xlist[0]" argument must be an integer or an object with a fileno() method. Received type string (\'3\')',
  });
  assert.throws(() => S.select([F('3')], [], [], 0), {
    code: 'ERR_INVALID_ARG_TYPE',
    message: /^The "rlist\[0\]" argument must be an object whose fileno\(\) returns an integer \(its fileno\(\) returned a non-integer\)\. Received type string/,
  });
  assert.throws(() => S.poll().register(1, -1), {
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'eventmask' is invalid: value must be positive",
  });
  assert.throws(() => new S.DefaultSelector().register(1, 5), {
    code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'events' is invalid: Invalid events: 5",
  });
  const unknown = outcome(() => S.poll().unregister(7));
  assert.ok(unknown.error instanceof S.KeyError);
  assert.equal(unknown.error.key, 7);
  assert.equal(unknown.error.message, '7');
});

test('booleans are refused where Python takes an int (a documented departure)', () => {
  const isType = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
  assert.throws(() => S.select([true], [], [], 0), isType);
  assert.throws(() => S.select([F(true)], [], [], 0), isType);
  assert.throws(() => S.select([], [], [], false), isType);
  assert.throws(() => S.poll().register(1, true), isType);
  assert.throws(() => S.poll().poll(false), isType);
  const ep = S.epoll();
  try {
    assert.throws(() => ep.poll(0, true), isType);
    assert.throws(() => ep.register(true), isType);
  } finally {
    ep.close();
  }
  const sel = new S.PollSelector();
  // selectors' ValueError "Invalid file object" (Python would take True as fd 1).
  assert.throws(() => sel.register(true, 1), { code: 'ERR_INVALID_ARG_VALUE', message: "The argument 'fileobj' is invalid: Invalid file object: true" });
  assert.throws(() => sel.register(1, true), isType);
  // The selectors' fileno() must return an integer (Python would convert '3' or 3.5 with int()).
  for (const odd of ['3', 3.5, null]) {
    assert.throws(() => sel.register(F(odd), 1), { code: 'ERR_INVALID_ARG_VALUE', message: /Invalid file object/ });
  }
  sel.close();
});

test('errors thrown by fileno() reach the caller; Proxies and odd objects never crash', () => {
  const boom = new Boom('boom');
  for (const call of [
    (o) => S.select([o], [], [], 0),
    (o) => S.select([], [o], [], 0),
    (o) => S.poll().register(o),
    (o) => S.poll().unregister(o),
    (o) => new S.DefaultSelector().register(o, 1),
    (o) => new S.SelectSelector().register(o, 1),
  ]) {
    assert.throws(() => call(F(boom)), (e) => e === boom);
  }
  const ep = S.epoll();
  try {
    assert.throws(() => ep.register(F(boom)), (e) => e === boom);
    // A Proxy whose trap throws: the trap's error, as an attribute error would be in Python.
    const trapping = new Proxy({}, { get() { throw boom; } });
    assert.throws(() => S.select([trapping], [], [], 0), (e) => e === boom);
    assert.throws(() => ep.register(trapping), (e) => e === boom);
    assert.throws(() => new S.PollSelector().register(trapping, 1), (e) => e === boom);
    // A revoked Proxy: the engine's TypeError; for the selectors an invalid file object.
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.throws(() => S.select([proxy], [], [], 0), TypeError);
    assert.throws(() => new S.PollSelector().register(proxy, 1), { code: 'ERR_INVALID_ARG_VALUE' });
    // A Proxy that forwards fileno() works like its target.
    const [a, b] = socket.socketpair();
    try {
      const forwarding = new Proxy(a, { get: (t, k) => (k === 'fileno' ? () => t.fileno() : Reflect.get(t, k)) });
      assert.deepEqual(S.select([], [forwarding], [], 0)[1], [forwarding]);
      ep.register(forwarding, S.EPOLLOUT);
      assert.deepEqual(ep.poll(0), [[a.fileno(), S.EPOLLOUT]]);
    } finally {
      a.close();
      b.close();
    }
    // fileno is read once, and called once, per item and call.
    let reads = 0;
    let calls = 0;
    const counted = {
      get fileno() {
        reads++;
        return () => {
          calls++;
          return 0;
        };
      },
    };
    S.select([counted], [], [], 0);
    assert.deepEqual([reads, calls], [1, 1]);
    // Symbols, functions, nested arrays, huge numbers, bigints.
    for (const bad of [Symbol('x'), () => 3, [3], {}, null, undefined, 2 ** 53 + 2, -0.5]) {
      assert.throws(() => S.select([bad], [], [], 0), (e) => e instanceof TypeError || e instanceof RangeError);
      assert.throws(() => ep.register(bad), (e) => e instanceof TypeError || e instanceof RangeError);
    }
    // A bigint descriptor is an integer.
    const [r, w] = socket.socketpair();
    try {
      assert.deepEqual(S.select([], [BigInt(w.fileno())], [], 0)[1], [BigInt(w.fileno())]);
    } finally {
      r.close();
      w.close();
    }
  } finally {
    ep.close();
  }
});

test('the addon refuses what TypeScript would never pass, without crashing', () => {
  const binding = createRequire(import.meta.url)('node-gyp-build')(root);
  const none = new Int32Array(0);
  // A refused argument is -EINVAL (native/bsd.h), never a message of the addon's.
  assert.equal(binding.select_fds([1], none, none, 0), -22);
  assert.equal(binding.select_fds(new Uint32Array(1), none, none, 0), -22);
  // Descriptors an fd_set cannot hold: EINVAL, never a write past the set.
  for (const fd of [-1, 1024, 100000, 2 ** 31 - 1]) {
    assert.equal(binding.select_fds(new Int32Array([fd]), none, none, 0), -22);
  }
  assert.equal(binding.poll_fds(new Int32Array(2), new Int32Array(1), new Int32Array(2), 0), -22);
  assert.equal(binding.poll_fds(none, none, none, 'x'), -22);
  const out = new Uint32Array(4);
  for (const max of [0, -1, 3, 2 ** 31 - 1]) {
    assert.equal(binding.epoll_wait(0, out, max, 0), -22);
  }
  assert.equal(binding.epoll_wait(0, new Int32Array(4), 1, 0), -22);
  assert.equal(binding.epoll_wait(-1, out, 2, 0), -9);
  assert.equal(binding.epoll_add(-1, 0, 1), -9);
  assert.equal(binding.epoll_add(-1, 0, -1), -22);
});
