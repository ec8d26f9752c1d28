// Every public function and method of the synchronous layer called with
// wrong types and out-of-range values: each raises TypeError (code
// ERR_INVALID_ARG_TYPE or ERR_INVALID_ARG_VALUE) or RangeError
// (ERR_OUT_OF_RANGE), and nothing reaches the kernel or crashes the process.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { constants as bufferConstants } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import * as socket from 'bsdsock';
import { nodeOnly } from './fixtures/runtime.mjs';

afterEach(() => socket.setdefaulttimeout(null));

const TYPE = 'ERR_INVALID_ARG_TYPE';
const VALUE = 'ERR_INVALID_ARG_VALUE';
const RANGE = 'ERR_OUT_OF_RANGE';

/** Asserts that `fn` throws the argument error `code`, naming `name`. */
function expectArgError(fn, code, name, label) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `${label}: no error`);
  const cls = code === RANGE ? RangeError : TypeError;
  assert.equal(err.constructor, cls, `${label}: ${err.constructor?.name} ${err.code}: ${err.message}`);
  assert.equal(err.code, code, `${label}: ${err.message}`);
  if (name) assert.ok(err.message.includes(name), `${label}: message ${JSON.stringify(err.message)} does not name ${name}`);
}

// Values that are never an integer (Python's TypeError for an int argument).
const NOT_INT = [
  ['a string', '1'],
  ['an object', {}],
  ['an array', [1]],
  ['NaN', NaN],
  ['1.5', 1.5],
  ['Infinity', Infinity],
  ['a symbol', Symbol('s')],
  ['a function', () => 1],
  ['null', null],
  ['a boolean', true],
];
// Integers outside a C int (Python's OverflowError).
const NOT_CINT = [
  ['2**31', 2 ** 31],
  ['-(2**31)-1', -(2 ** 31) - 1],
  ['2n**64n', 2n ** 64n],
  ['2**53', 2 ** 53],
];
const NOT_BYTES = [
  ['a string', 'data'],
  ['a number', 1],
  ['an object', {}],
  ['an array', [1, 2]],
  ['null', null],
  ['undefined', undefined],
  ['a symbol', Symbol('s')],
  ['a bigint', 1n],
];

/**
 * Checks one argument position of `call(args)`: each bad value raises
 * as specified. `good` holds valid arguments to vary one at a time.
 */
function checkIntArg(label, good, index, name, { optional = false } = {}) {
  return (call) => {
    const bad = optional ? NOT_INT : [...NOT_INT, ['undefined', undefined]];
    for (const [what, v] of bad) {
      const args = [...good];
      args[index] = v;
      expectArgError(() => call(args), TYPE, name, `${label} ${name}=${what}`);
    }
    for (const [what, v] of NOT_CINT) {
      const args = [...good];
      args[index] = v;
      expectArgError(() => call(args), RANGE, name, `${label} ${name}=${what}`);
    }
  };
}

function checkBytesArg(label, good, index, name) {
  return (call) => {
    for (const [what, v] of NOT_BYTES) {
      const args = [...good];
      args[index] = v;
      expectArgError(() => call(args), TYPE, name, `${label} ${name}=${what}`);
    }
  };
}

function fresh(family = socket.AF_INET, type = socket.SOCK_STREAM) {
  return socket.socket(family, type);
}

test('socket() / new Socket(): family, type, proto, fileno', () => {
  for (const make of [(a) => socket.socket(...a), (a) => new socket.Socket(...a)]) {
    for (const i of [0, 1, 2]) {
      const name = ['family', 'type', 'proto'][i];
      const good = [socket.AF_INET, socket.SOCK_STREAM, 0];
      checkIntArg('socket', good, i, name, { optional: true })((a) => make(a));
    }
    for (const [what, v] of NOT_INT.filter(([, v]) => v !== null)) {
      expectArgError(() => make([-1, -1, -1, v]), TYPE, 'fileno', `socket fileno=${what}`);
    }
    for (const [what, v] of NOT_CINT) expectArgError(() => make([-1, -1, -1, v]), RANGE, 'fileno', `socket fileno=${what}`);
    expectArgError(() => make([-1, -1, -1, -1]), VALUE, 'fileno', 'socket fileno=-1');
  }
});

test('socketpair(), fromfd(), close(fd)', () => {
  for (const i of [0, 1, 2]) {
    const name = ['family', 'type', 'proto'][i];
    const good = [socket.AF_UNIX, socket.SOCK_STREAM, 0];
    // null means "the default" for socketpair, so it is left out here.
    for (const [what, v] of NOT_INT.filter(([, v]) => v !== null)) {
      const args = [...good];
      args[i] = v;
      expectArgError(() => socket.socketpair(...args), TYPE, name, `socketpair ${name}=${what}`);
    }
    for (const [what, v] of NOT_CINT) {
      const args = [...good];
      args[i] = v;
      expectArgError(() => socket.socketpair(...args), RANGE, name, `socketpair ${name}=${what}`);
    }
  }
  const s = fresh();
  try {
    checkIntArg('fromfd', [s.fileno(), socket.AF_INET, socket.SOCK_STREAM, 0], 0, 'fd')((a) => socket.fromfd(...a));
    for (const i of [1, 2, 3]) {
      const name = ['fd', 'family', 'type', 'proto'][i];
      // A failed fromfd must not leak its duplicate: checked by the fd-count test.
      checkIntArg('fromfd', [s.fileno(), socket.AF_INET, socket.SOCK_STREAM, 0], i, name, { optional: true })((a) => socket.fromfd(...a));
    }
  } finally {
    s.close();
  }
  checkIntArg('close', [99999], 0, 'fd')((a) => socket.close(...a));
});

test('setdefaulttimeout() and settimeout(): types, NaN, negative, too large', () => {
  const s = fresh();
  try {
    for (const set of [(v) => socket.setdefaulttimeout(v), (v) => s.settimeout(v)]) {
      for (const [what, v] of [['a string', '1'], ['an object', {}], ['a symbol', Symbol('t')], ['a boolean', true], ['an array', [1]]]) {
        expectArgError(() => set(v), TYPE, 'timeout', `timeout=${what}`);
      }
      expectArgError(() => set(NaN), VALUE, 'timeout', 'timeout=NaN');
      expectArgError(() => set(-1), VALUE, 'timeout', 'timeout=-1');
      expectArgError(() => set(-0.001), VALUE, 'timeout', 'timeout=-0.001');
      expectArgError(() => set(-Infinity), VALUE, 'timeout', 'timeout=-Infinity');
      expectArgError(() => set(Infinity), RANGE, 'timeout', 'timeout=Infinity');
      expectArgError(() => set(1e10), RANGE, 'timeout', 'timeout=1e10');
      expectArgError(() => set(2n ** 64n), RANGE, 'timeout', 'timeout=2n**64n');
    }
    assert.equal(socket.getdefaulttimeout(), null);
    assert.equal(s.gettimeout(), null);
  } finally {
    s.close();
  }
});

test('setblocking() and set_inheritable() take integers or booleans', () => {
  const s = fresh();
  try {
    for (const [what, v] of [['a string', 'yes'], ['an object', {}], ['1.5', 1.5], ['NaN', NaN], ['null', null], ['undefined', undefined], ['a symbol', Symbol('b')]]) {
      expectArgError(() => s.setblocking(v), TYPE, 'flag', `setblocking ${what}`);
      expectArgError(() => s.set_inheritable(v), TYPE, 'inheritable', `set_inheritable ${what}`);
    }
    expectArgError(() => s.set_inheritable(2 ** 40), RANGE, 'inheritable', 'set_inheritable 2**40');
    s.setblocking(2 ** 40);
    assert.equal(s.gettimeout(), null);
    s.setblocking(0n);
    assert.equal(s.gettimeout(), 0);
    assert.equal(s.get_inheritable(), false);
  } finally {
    s.close();
  }
});

test('listen(), shutdown(), getsockopt(), setsockopt()', () => {
  const s = fresh();
  try {
    checkIntArg('listen', [5], 0, 'backlog', { optional: true })((a) => s.listen(...a));
    checkIntArg('shutdown', [socket.SHUT_RDWR], 0, 'how')((a) => s.shutdown(...a));
    const gs = [socket.SOL_SOCKET, socket.SO_TYPE, 4];
    checkIntArg('getsockopt', gs, 0, 'level')((a) => s.getsockopt(...a));
    checkIntArg('getsockopt', gs, 1, 'optname')((a) => s.getsockopt(...a));
    checkIntArg('getsockopt', gs, 2, 'buflen', { optional: true })((a) => s.getsockopt(...a));
    const ss = [socket.SOL_SOCKET, socket.SO_REUSEADDR, 1];
    checkIntArg('setsockopt', ss, 0, 'level')((a) => s.setsockopt(...a));
    checkIntArg('setsockopt', ss, 1, 'optname')((a) => s.setsockopt(...a));
    for (const [what, v] of [['a string', '1'], ['an object', {}], ['undefined', undefined], ['a symbol', Symbol('v')], ['an array', [1]]]) {
      expectArgError(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, v), TYPE, 'value', `setsockopt value=${what}`);
    }
    for (const [what, v] of [['1.5', 1.5], ['NaN', NaN], ['Infinity', Infinity]]) {
      expectArgError(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, v), TYPE, 'value', `setsockopt value=${what}`);
    }
    for (const [what, v] of NOT_CINT) {
      expectArgError(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, v), RANGE, 'value', `setsockopt value=${what}`);
    }
    for (const [what, v] of [['a string', '4'], ['an object', {}], ['1.5', 1.5], ['NaN', NaN], ['a symbol', Symbol('o')], ['undefined', undefined]]) {
      expectArgError(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, v), TYPE, 'optlen', `setsockopt optlen=${what}`);
    }
    // optlen with a value: Python's "takes exactly 3 arguments" TypeError.
    expectArgError(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, 4), TYPE, 'optlen', 'setsockopt value and optlen');
    expectArgError(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, Buffer.alloc(4), 4), TYPE, 'optlen', 'setsockopt bytes and optlen');
    assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 0);
  } finally {
    s.close();
  }
});

test('recv(), recvfrom(), recv_into(), recvfrom_into()', { skip: nodeOnly('maxLength', ['deno']) }, () => {
  const [a, b] = socket.socketpair();
  try {
    a.setblocking(false);
    const size = (label, call) => {
      for (const [what, v] of [...NOT_INT, ['undefined', undefined]]) expectArgError(() => call(v), TYPE, 'bufsize', `${label} bufsize=${what}`);
      expectArgError(() => call(2n ** 64n), RANGE, 'bufsize', `${label} bufsize=2n**64n`);
      expectArgError(() => call(2 ** 53), RANGE, 'bufsize', `${label} bufsize=2**53`);
      // bsdsock's own limit: the largest Buffer this Node allows (2**32 on Node 20,
      // 2**53 - 1 from Node 22 on); one byte more is out of range, and nothing is allocated.
      expectArgError(() => call(bufferConstants.MAX_LENGTH + 1), RANGE, 'bufsize', `${label} bufsize=MAX_LENGTH+1`);
      expectArgError(() => call(-1), VALUE, 'bufsize', `${label} bufsize=-1`);
    };
    size('recv', (v) => a.recv(v));
    size('recvfrom', (v) => a.recvfrom(v));
    checkIntArg('recv', [10, 0], 1, 'flags', { optional: true })((x) => a.recv(...x));
    checkIntArg('recvfrom', [10, 0], 1, 'flags', { optional: true })((x) => a.recvfrom(...x));
    const buf = Buffer.alloc(8);
    for (const [label, call] of [['recv_into', (x) => a.recv_into(...x)], ['recvfrom_into', (x) => a.recvfrom_into(...x)]]) {
      checkBytesArg(label, [buf, 0, 0], 0, 'buffer')(call);
      checkIntArg(label, [buf, 0, 0], 2, 'flags', { optional: true })(call);
      for (const [what, v] of NOT_INT) expectArgError(() => call([buf, v]), TYPE, 'nbytes', `${label} nbytes=${what}`);
      expectArgError(() => call([buf, 2n ** 64n]), RANGE, 'nbytes', `${label} nbytes=2n**64n`);
      expectArgError(() => call([buf, -1]), VALUE, 'nbytes', `${label} nbytes=-1`);
      expectArgError(() => call([buf, 9]), VALUE, 'nbytes', `${label} nbytes=9`);
    }
    // Nothing was consumed by the failed calls.
    b.send(Buffer.from('intact'));
    assert.deepEqual(a.recv(10), Buffer.from('intact'));
  } finally {
    a.close();
    b.close();
  }
});

test('send(), sendall(), sendto() in both forms', () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    const data = Buffer.from('x');
    for (const [label, call] of [['send', (x) => a.send(...x)], ['sendall', (x) => a.sendall(...x)]]) {
      checkBytesArg(label, [data, 0], 0, 'data')(call);
      checkIntArg(label, [data, 0], 1, 'flags', { optional: true })(call);
    }
    const to = ['127.0.0.1', 9];
    checkBytesArg('sendto', [data, to], 0, 'data')((x) => u.sendto(...x));
    checkBytesArg('sendto', [data, 0, to], 0, 'data')((x) => u.sendto(...x));
    checkIntArg('sendto', [data, 0, to], 1, 'flags')((x) => u.sendto(...x));
    for (const args of [[], [data], [data, 0, to, 1]]) {
      let err;
      try {
        u.sendto(...args);
      } catch (e) {
        err = e;
      }
      assert.equal(err?.constructor, TypeError, `sendto with ${args.length} arguments`);
      assert.equal(err.message, `sendto() takes 2 or 3 arguments (${args.length} given)`);
    }
    for (const [what, v] of [['a string', '127.0.0.1:9'], ['a number', 9], ['undefined', undefined], ['a symbol', Symbol('a')], ['a bigint', 9n]]) {
      expectArgError(() => u.sendto(data, v), TYPE, 'address', `sendto address=${what}`);
      expectArgError(() => u.sendto(data, 0, v), TYPE, 'address', `sendto address=${what}`);
    }
    // None of the failed calls sent anything.
    b.setblocking(false);
    assert.throws(() => b.recv(10), (e) => e.constructor === socket.BlockingIOError);
  } finally {
    a.close();
    b.close();
    u.close();
  }
});

test('bind(), connect(), connect_ex() with odd values of every kind', () => {
  const cases = [
    [socket.AF_INET, socket.SOCK_STREAM],
    [socket.AF_INET6, socket.SOCK_STREAM],
    [socket.AF_UNIX, socket.SOCK_STREAM],
  ];
  const odd = [undefined, null, 1, 1.5, NaN, 1n, Symbol('x'), {}, () => 0, true, [[]], [{}, {}], [Symbol('h'), 1], ['127.0.0.1', Symbol('p')], ['::1', 1, {}], ['::1', 1, 0, 1.5]];
  for (const [family, type] of cases) {
    const s = socket.socket(family, type);
    try {
      for (const v of odd) {
        for (const m of ['bind', 'connect', 'connect_ex']) {
          let err;
          try {
            s[m](v);
          } catch (e) {
            err = e;
          }
          assert.ok(err instanceof TypeError || err instanceof RangeError, `${m}(${inspect(v)}) on family ${family}: ${err}`);
          assert.ok([TYPE, VALUE, RANGE].includes(err.code), `${m}: code ${err.code}`);
          assert.match(err.message, /address|host|port|flowinfo|scope_id/);
        }
      }
    } finally {
      s.close();
    }
  }
});

test('methods called on something that is not a Socket raise TypeError', () => {
  const { recv, fileno, close } = socket.Socket.prototype;
  assert.throws(() => recv.call({}, 1), TypeError);
  assert.throws(() => fileno.call(null), TypeError);
  assert.throws(() => close.call(undefined), TypeError);
});

test('the native layer never crashes on bad input (checked in a child process)', () => {
  // Every native function called with wrong types, too few arguments and
  // out-of-range integers; the child reports how many calls were refused:
  // -EINVAL (native/bsd.h), or a TypeError of an address codec.
  const native = fileURLToPath(new URL('../dist/cjs/native.js', import.meta.url));
  const script = `
    const { binding } = require(${JSON.stringify(native)});
    // A descriptor number that is never open, as every value wraps or is rejected.
    const BADFD = 99999;
    const values = [undefined, null, 'x', {}, [], NaN, 1.5, -1, 2 ** 32, 2 ** 32 + BADFD, 2 ** 63, -(2 ** 63), 1n, Symbol('s'), Buffer.alloc(0), new ArrayBuffer(3), () => 0, true];
    // The calls of the synchronous socket layer (resolver calls are left
    // out: a string host would go to DNS).
    const names = ['strerror', 'getflags', 'setnonblocking', 'setcloexec', 'poll', 'socket', 'socketpair', 'bind',
      'connect', 'listen', 'accept', 'send', 'sendto', 'recv', 'recvfrom', 'shutdown', 'getsockname', 'getpeername',
      'setsockopt', 'getsockopt', 'sockinfo', 'sockaddr_encode', 'sockaddr_decode'];
    let calls = 0, refused = 0;
    for (const name of names) {
      const fn = binding[name];
      for (let n = 0; n <= 7; n++) {
        for (const v of values) {
          const args = Array.from({ length: n }, (_, i) => (i === 0 && typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31 ? BADFD : v));
          // Waiting calls get a descriptor that is not open, so they return at once.
          if (n > 0 && (name === 'poll' || name.startsWith('recv') || name === 'accept' || name === 'connect')) args[0] = BADFD;
          calls++;
          try { if (fn(...args) === -22) refused++; } catch (e) { refused++; if (!(e instanceof Error)) throw e; }
        }
      }
    }
    // close and dup only ever see descriptors that are not open.
    for (const fn of [binding.close, binding.dup]) for (const v of values) {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31) continue;
      calls++;
      try { if (fn(v) === -22) refused++; } catch { refused++; }
    }
    process.stdout.write(JSON.stringify({ calls, refused }));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.signal, null, `the child died of ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const { calls, refused } = JSON.parse(r.stdout);
  assert.ok(calls > 1000);
  assert.ok(refused > calls / 2, `${refused} of ${calls}`);
});
