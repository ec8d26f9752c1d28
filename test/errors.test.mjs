// Python's exception hierarchy (PEP 3151): classes, aliases, errno to
// subclass, errno/strerror/code/syscall and the message format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import * as socket from 'bsdsock';

const E = osConstants.errno;
// Node's os.constants.errno has no ESHUTDOWN; its value from <errno.h>.
const ESHUTDOWN = E.ESHUTDOWN ?? (process.platform === 'linux' ? 108 : 58);

function python(code) {
  try {
    return execFileSync('python3', ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

test('the hierarchy: every class extends OSError, which extends Error; aliases are the same objects', () => {
  const {
    OSError, BlockingIOError, ChildProcessError, ConnectionError, BrokenPipeError, ConnectionAbortedError,
    ConnectionRefusedError, ConnectionResetError, FileExistsError, FileNotFoundError, InterruptedError,
    IsADirectoryError, NotADirectoryError, PermissionError, ProcessLookupError, TimeoutError, herror, gaierror,
  } = socket;
  assert.equal(socket.error, OSError);
  assert.equal(socket.timeout, TimeoutError);
  assert.equal(Object.getPrototypeOf(OSError), Error);
  const parent = new Map([
    [BlockingIOError, OSError],
    [ChildProcessError, OSError],
    [ConnectionError, OSError],
    [BrokenPipeError, ConnectionError],
    [ConnectionAbortedError, ConnectionError],
    [ConnectionRefusedError, ConnectionError],
    [ConnectionResetError, ConnectionError],
    [FileExistsError, OSError],
    [FileNotFoundError, OSError],
    [InterruptedError, OSError],
    [IsADirectoryError, OSError],
    [NotADirectoryError, OSError],
    [PermissionError, OSError],
    [ProcessLookupError, OSError],
    [TimeoutError, OSError],
    [herror, OSError],
    [gaierror, OSError],
  ]);
  for (const [cls, base] of parent) {
    assert.equal(Object.getPrototypeOf(cls), base, cls.name);
    const e = new cls(5, 'five');
    assert.ok(e instanceof cls);
    assert.ok(e instanceof OSError);
    assert.ok(e instanceof Error);
    assert.equal(e.constructor, cls, 'a subclass constructor never switches class');
    assert.equal(e.name, cls.name);
    assert.equal(e.errno, 5);
    assert.equal(e.strerror, 'five');
    assert.equal(e.message, '[Errno 5] five');
    assert.equal(String(e), `${cls.name}: [Errno 5] five`);
    assert.ok(typeof e.stack === 'string');
  }
});

test('new OSError(errno, strerror) returns the PEP 3151 subclass', () => {
  const cases = [
    [E.EAGAIN, socket.BlockingIOError],
    [E.EWOULDBLOCK, socket.BlockingIOError],
    [E.EALREADY, socket.BlockingIOError],
    [E.EINPROGRESS, socket.BlockingIOError],
    [E.ECHILD, socket.ChildProcessError],
    [E.EPIPE, socket.BrokenPipeError],
    [ESHUTDOWN, socket.BrokenPipeError],
    [E.ECONNABORTED, socket.ConnectionAbortedError],
    [E.ECONNREFUSED, socket.ConnectionRefusedError],
    [E.ECONNRESET, socket.ConnectionResetError],
    [E.EEXIST, socket.FileExistsError],
    [E.ENOENT, socket.FileNotFoundError],
    [E.EINTR, socket.InterruptedError],
    [E.EISDIR, socket.IsADirectoryError],
    [E.ENOTDIR, socket.NotADirectoryError],
    [E.EACCES, socket.PermissionError],
    [E.EPERM, socket.PermissionError],
    [E.ESRCH, socket.ProcessLookupError],
    [E.ETIMEDOUT, socket.TimeoutError],
    [E.EBADF, socket.OSError],
    [E.EINVAL, socket.OSError],
    [E.EADDRINUSE, socket.OSError],
    [0, socket.OSError],
    [-1, socket.OSError],
    [99999, socket.OSError],
  ];
  for (const [errno, cls] of cases) {
    const e = new socket.OSError(errno, 'msg');
    assert.equal(e.constructor, cls, `errno ${errno}`);
    assert.equal(e.errno, errno);
    assert.equal(e.strerror, 'msg');
    assert.equal(e.message, `[Errno ${errno}] msg`);
    assert.deepEqual(e.args, [errno, 'msg']);
    const viaAlias = new socket.error(errno, 'msg');
    assert.equal(viaAlias.constructor, cls);
  }
  assert.equal(new socket.OSError(E.ECONNREFUSED, 'x').code, 'ECONNREFUSED');
  assert.equal(new socket.OSError(E.EAGAIN, 'x').code, 'EAGAIN');
  assert.equal(new socket.OSError(ESHUTDOWN, 'x').code, 'ESHUTDOWN');
  assert.equal(new socket.OSError(99999, 'x').code, undefined);
  assert.equal(new socket.OSError(E.EAGAIN, 'x', { syscall: 'recv' }).syscall, 'recv');
  // ConnectionError(111, ...) stays a ConnectionError, as in Python.
  assert.equal(new socket.ConnectionError(E.ECONNREFUSED, 'x').constructor, socket.ConnectionError);
});

test('errno -> class matches python3 for every errno 0..150', (t) => {
  const out = python(
    'import json\nprint(json.dumps([type(OSError(n, "x")).__name__ for n in range(151)]))',
  );
  if (out === null) {
    t.skip('python3 is not installed: cannot compare with CPython');
    return;
  }
  const names = JSON.parse(out);
  for (let n = 0; n < names.length; n++) {
    assert.equal(new socket.OSError(n, 'x').constructor.name, names[n], `errno ${n}`);
  }
});

test('strerror and message come from the C library, as Python\'s os.strerror', (t) => {
  const out = python('import os, json\nprint(json.dumps([os.strerror(n) for n in (1, 9, 11, 32, 98, 104, 110, 111)]))');
  if (out === null) {
    t.skip('python3 is not installed');
    return;
  }
  const expected = JSON.parse(out);
  const [a] = socket.socketpair();
  const errs = [];
  a.close();
  try {
    a.recv(1);
  } catch (e) {
    errs.push(e);
  }
  assert.equal(errs[0].strerror, expected[1]);
  assert.equal(errs[0].message, `[Errno 9] ${expected[1]}`);
  assert.equal(errs[0].code, 'EBADF');
  assert.equal(errs[0].syscall, 'recv');
});

test('OSError without an errno: message only, errno and strerror null', () => {
  const e = new socket.OSError('just text');
  assert.equal(e.constructor, socket.OSError);
  assert.equal(e.message, 'just text');
  assert.equal(e.errno, null);
  assert.equal(e.strerror, null);
  assert.deepEqual(e.args, ['just text']);
  const empty = new socket.OSError();
  assert.equal(empty.message, '');
  assert.deepEqual(empty.args, []);
  assert.equal(empty.errno, null);
  // One number alone is not an errno (Python: OSError(1).errno is None).
  const one = new socket.OSError(1);
  assert.equal(one.constructor, socket.OSError);
  assert.equal(one.errno, null);
  assert.equal(one.message, '1');
});

test('socket timeouts: TimeoutError "timed out", errno null, code ETIMEDOUT', () => {
  const [a, b] = socket.socketpair();
  try {
    a.settimeout(0.01);
    assert.throws(() => a.recv(1), (e) => {
      assert.equal(e.constructor, socket.TimeoutError);
      assert.ok(e instanceof socket.timeout);
      assert.ok(e instanceof socket.error);
      assert.equal(e.message, 'timed out');
      assert.equal(e.errno, null);
      assert.equal(e.strerror, null);
      assert.equal(e.code, 'ETIMEDOUT');
      assert.deepEqual(e.args, ['timed out']);
      return true;
    });
  } finally {
    a.close();
    b.close();
  }
});

test('herror and gaierror carry their own numbers', () => {
  const h = new socket.herror(1, 'Unknown host');
  assert.equal(h.constructor, socket.herror);
  assert.equal(h.errno, 1);
  assert.equal(h.message, '[Errno 1] Unknown host');
  assert.equal(h.code, undefined, 'h_errno 1 is not EPERM');
  const g = new socket.gaierror(socket.EAI_NONAME, 'Name or service not known');
  assert.equal(g.constructor, socket.gaierror);
  assert.equal(g.errno, socket.EAI_NONAME);
  assert.equal(g.strerror, 'Name or service not known');
  assert.equal(g.message, `[Errno ${socket.EAI_NONAME}] Name or service not known`);
  assert.equal(g.code, 'EAI_NONAME');
});

test('errors raised by the system carry errno, strerror, code and syscall', () => {
  const s = socket.socket();
  const t = socket.socket();
  try {
    s.bind(['127.0.0.1', 0]);
    s.listen();
    assert.throws(() => t.bind(s.getsockname()), (e) => {
      assert.equal(e.constructor, socket.OSError);
      assert.equal(e.errno, E.EADDRINUSE);
      assert.equal(e.code, 'EADDRINUSE');
      assert.equal(e.syscall, 'bind');
      assert.equal(e.strerror, 'Address already in use');
      assert.equal(e.message, `[Errno ${E.EADDRINUSE}] Address already in use`);
      return true;
    });
  } finally {
    s.close();
    t.close();
  }
});
