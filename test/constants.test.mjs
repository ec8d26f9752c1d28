// Constants (from the system headers at build time) against CPython's, and
// the IntEnum maps AddressFamily, SocketKind, MsgFlag and AddressInfo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as socket from 'bsdsock';

function python(code) {
  try {
    return execFileSync('python3', ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

const PY_CONSTANTS = `
import json, socket
out = {}
for n in dir(socket):
    v = getattr(socket, n)
    if n.isupper() and isinstance(v, int):
        out[n] = int(v)
print(json.dumps(out))
`;

const PY_ENUMS = `
import json, socket
out = {}
for e in ('AddressFamily', 'SocketKind', 'MsgFlag', 'AddressInfo'):
    cls = getattr(socket, e)
    out[e] = {'members': {n: int(m) for n, m in cls.__members__.items()},
              'canonical': {str(int(m)): m.name for m in cls}}
print(json.dumps(out))
`;

test('every int constant that both bsdsock and python3 define has the same value', (t) => {
  const out = python(PY_CONSTANTS);
  if (out === null) {
    t.skip('python3 is not installed: cannot compare the constants with CPython');
    return;
  }
  const py = JSON.parse(out);
  const ours = Object.keys(socket).filter((n) => /^[A-Z][A-Z0-9_]*$/.test(n) && typeof socket[n] === 'number');
  const common = ours.filter((n) => n in py);
  const mismatched = common.filter((n) => socket[n] !== py[n]).map((n) => `${n}: bsdsock ${socket[n]}, python ${py[n]}`);
  assert.deepEqual(mismatched, []);
  // The core names every program uses are among the common ones.
  for (const n of ['AF_INET', 'AF_INET6', 'AF_UNIX', 'SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_SEQPACKET', 'SOCK_NONBLOCK',
    'SOCK_CLOEXEC', 'SOL_SOCKET', 'SO_REUSEADDR', 'SO_ERROR', 'SO_TYPE', 'SOMAXCONN', 'MSG_PEEK', 'MSG_DONTWAIT', 'SHUT_RD',
    'SHUT_WR', 'SHUT_RDWR', 'IPPROTO_TCP', 'IPPROTO_UDP', 'TCP_NODELAY', 'EAI_NONAME', 'AI_PASSIVE', 'INADDR_ANY']) {
    assert.ok(common.includes(n), `${n} is missing from bsdsock`);
  }
  const missing = Object.keys(py).filter((n) => !(n in socket));
  t.diagnostic(`python3 int constants: ${Object.keys(py).length}; bsdsock: ${ours.length}; common: ${common.length}; python-only: ${missing.length}${missing.length ? ` (${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''})` : ''}`);
});

test('AddressFamily, SocketKind, MsgFlag and AddressInfo map both ways, as Python\'s IntEnums', (t) => {
  assert.equal(socket.AddressFamily.AF_INET, socket.AF_INET);
  assert.equal(socket.AddressFamily[socket.AF_INET], 'AF_INET');
  assert.equal(socket.AddressFamily[socket.AF_UNIX], 'AF_UNIX');
  assert.equal(socket.SocketKind.SOCK_STREAM, socket.SOCK_STREAM);
  assert.equal(socket.SocketKind[socket.SOCK_DGRAM], 'SOCK_DGRAM');
  assert.equal(socket.SocketKind[socket.SOCK_NONBLOCK], 'SOCK_NONBLOCK');
  assert.equal(socket.MsgFlag[socket.MSG_PEEK], 'MSG_PEEK');
  assert.equal(socket.AddressInfo[socket.AI_PASSIVE], 'AI_PASSIVE');
  for (const e of [socket.AddressFamily, socket.SocketKind, socket.MsgFlag, socket.AddressInfo]) {
    assert.ok(Object.isFrozen(e));
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === 'number') {
        assert.equal(typeof e[v], 'string', `${k} has a reverse entry`);
        assert.equal(e[e[v]], v);
      }
    }
  }
  const out = python(PY_ENUMS);
  if (out === null) {
    t.skip('python3 is not installed: cannot compare the enums with CPython');
    return;
  }
  const py = JSON.parse(out);
  for (const [name, { members, canonical }] of Object.entries(py)) {
    const ours = socket[name];
    for (const [m, v] of Object.entries(members)) {
      if (m in ours) assert.equal(ours[m], v, `${name}.${m}`);
    }
    for (const [v, m] of Object.entries(canonical)) {
      if (m in ours) assert.equal(ours[v], m, `${name}[${v}] is Python's name for it`);
    }
  }
});

test('constants are plain numbers and the module namespace is complete', () => {
  for (const n of ['AF_INET', 'SOCK_STREAM', 'SOL_SOCKET']) assert.equal(typeof socket[n], 'number');
  for (const f of ['socket', 'socketpair', 'fromfd', 'close', 'getdefaulttimeout', 'setdefaulttimeout']) {
    assert.equal(typeof socket[f], 'function', f);
  }
  assert.equal(typeof socket.Socket, 'function');
  // Header names that only look like socket kinds stay out of SocketKind.
  for (const n of ['SOCK_SNDBUF_LOCK', 'SOCK_RCVBUF_LOCK', 'SOCK_BUF_LOCK_MASK', 'SOCK_IOC_TYPE', 'SOCK_TXREHASH_DEFAULT']) {
    assert.equal(n in socket.SocketKind, false, n);
  }
  assert.equal(socket.SocketKind[1], 'SOCK_STREAM');
  assert.equal(socket.SocketKind[0], undefined);
});
