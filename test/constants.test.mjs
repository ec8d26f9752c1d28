// Constants (from the system headers at build time) against CPython's, and
// the IntEnum maps AddressFamily, SocketKind, MsgFlag and AddressInfo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
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
  t.diagnostic(`python3 int constants: ${Object.keys(py).length}; bsdsock: ${ours.length}; common: ${common.length}`);
});

// The upper-case names of Python's socket module (str.isupper(), so private
// _NAMES too) that bsdsock leaves out on purpose, each with the reason.
// Anything else Python has and bsdsock lacks is a gap: a dropped prefix in
// scripts/gen-constants.mjs, a lost fallback, or a name a newer python3 added.
const PYTHON_ONLY = {
  // A PyCapsule holding _socket's C API for C extensions: nothing to port.
  CAPI: 'C-API capsule',
  // socket.py's private sentinel for "no timeout given" in create_connection;
  // bsdsock tells an omitted (undefined) timeout from null instead.
  _GLOBAL_DEFAULT_TIMEOUT: 'private sentinel object',
  // socket.py's private addresses for its socketpair() emulation (Windows).
  _LOCALHOST: 'private',
  _LOCALHOST_V6: 'private',
};

const PY_UPPER_NAMES = `
import json, socket
print(json.dumps(sorted(n for n in dir(socket) if n.isupper())))
`;

// The names that come from BlueZ's headers (libbluetooth-dev), which a
// CPython build and a bsdsock build may each have had or not: Debian's
// python3 has them, a python3 built without BlueZ's headers has not.
const BLUEZ_NAMES = ['BTPROTO_HCI', 'BTPROTO_L2CAP', 'BTPROTO_RFCOMM', 'BTPROTO_SCO', 'HCI_DATA_DIR', 'HCI_FILTER', 'HCI_TIME_STAMP', 'SOL_HCI'];

test('the upper-case names python3 has and bsdsock lacks are exactly the allow-list', (t) => {
  const out = python(PY_UPPER_NAMES);
  if (out === null) {
    t.skip('python3 is not installed: cannot compare the names with CPython');
    return;
  }
  const pyNames = JSON.parse(out);
  const missing = pyNames.filter((n) => !(n in socket) || socket[n] === undefined).sort();
  // Entries this python3 lacks are left out of the comparison (older versions).
  const allowed = Object.keys(PYTHON_ONLY).filter((n) => pyNames.includes(n));
  // A bsdsock built without BlueZ's headers lacks every one of their names
  // (never some of them); this python3 may still have them.
  const withBluez = BLUEZ_NAMES.filter((n) => socket.CONSTANT_NAMES.includes(n));
  assert.ok(withBluez.length === 0 || withBluez.length === BLUEZ_NAMES.length, `some BlueZ names only: ${withBluez.join(', ')}`);
  if (withBluez.length === 0) allowed.push(...BLUEZ_NAMES.filter((n) => pyNames.includes(n)));
  assert.deepEqual(missing, allowed.sort());
  t.diagnostic(
    `python3 upper-case names: ${pyNames.length}; missing from bsdsock: ${missing.join(', ') || 'none'}` +
      (withBluez.length === 0 ? ' (bsdsock built without BlueZ headers)' : ''),
  );
});

test('ALG_OP_SIGN, ALG_OP_VERIFY, ALG_SET_PUBKEY, UDPLITE_SEND_CSCOV, UDPLITE_RECV_CSCOV: CPython\'s fallback values', (t) => {
  if (process.platform !== 'linux') {
    t.skip('Linux names');
    return;
  }
  // The Linux headers (glibc's, the kernel's uapi) define none of them (see
  // scripts/gen-constants.mjs): the kernel ABI values CPython defines under
  // #ifndef. Were a header to define one, its value would win, as in CPython.
  const want = { ALG_OP_SIGN: 2, ALG_OP_VERIFY: 3, ALG_SET_PUBKEY: 6, UDPLITE_SEND_CSCOV: 10, UDPLITE_RECV_CSCOV: 11 };
  for (const [n, v] of Object.entries(want)) {
    assert.equal(socket[n], v, n);
    assert.ok(socket.CONSTANT_NAMES.includes(n), `${n} is in the addon's table`);
  }
  // Beside the header's own names of the same families.
  assert.equal(socket.ALG_OP_DECRYPT, 0);
  assert.equal(socket.ALG_OP_ENCRYPT, 1);
  assert.equal(socket.IPPROTO_UDPLITE, 136);
  const out = python(`import json, socket\nprint(json.dumps({n: getattr(socket, n, None) for n in ${JSON.stringify(Object.keys(want))}}))`);
  if (out !== null) {
    for (const [n, v] of Object.entries(JSON.parse(out))) if (v !== null) assert.equal(socket[n], v, `${n} as in python3`);
  }
});

test('ETHERTYPE_ARP, ETHERTYPE_IP, ETHERTYPE_IPV6, ETHERTYPE_VLAN: Python 3.12+\'s EtherTypes, from net/ethernet.h', (t) => {
  if (process.platform !== 'linux') {
    t.skip('checked against glibc\'s header');
    return;
  }
  const want = { ETHERTYPE_ARP: 0x0806, ETHERTYPE_IP: 0x0800, ETHERTYPE_IPV6: 0x86dd, ETHERTYPE_VLAN: 0x8100 };
  for (const [n, v] of Object.entries(want)) {
    assert.equal(socket[n], v, n);
    assert.ok(socket.CONSTANT_NAMES.includes(n), `${n} is in the addon's table`);
  }
  // Only the four Python names, not the whole ETHERTYPE_ family of the header.
  assert.equal(socket.ETHERTYPE_PUP, undefined);
  // They fit AF_PACKET's protocol argument (host order, as Python's examples use them).
  assert.equal(socket.ETHERTYPE_IP, socket.ETH_P_IP ?? 0x0800);
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
  for (const f of ['socket', 'socketpair', 'fromfd', 'close', 'dup', 'getdefaulttimeout', 'setdefaulttimeout']) {
    assert.equal(typeof socket[f], 'function', f);
  }
  assert.equal(typeof socket.Socket, 'function');
  assert.equal(socket.SocketType, socket.Socket);
  // Header names that only look like socket kinds stay out of SocketKind.
  for (const n of ['SOCK_SNDBUF_LOCK', 'SOCK_RCVBUF_LOCK', 'SOCK_BUF_LOCK_MASK', 'SOCK_IOC_TYPE', 'SOCK_TXREHASH_DEFAULT']) {
    assert.equal(n in socket.SocketKind, false, n);
  }
  assert.equal(socket.SocketKind[1], 'SOCK_STREAM');
  assert.equal(socket.SocketKind[0], undefined);
});

// One dist serves every prebuilt binary (scripts/build.mjs): the names are
// declared over every platform's table, the values come from the binary that
// is loaded, and a name that binary lacks is no number of another platform.
test('constants are the loaded binary\'s: CommonJS has no undefined constant; the ES module\'s undefined names are the ones this platform lacks', () => {
  const require = createRequire(import.meta.url);
  const cjs = require('bsdsock');
  const table = require('node-gyp-build')(fileURLToPath(new URL('..', import.meta.url))).constants;
  assert.deepEqual([...socket.CONSTANT_NAMES], Object.keys(table).sort());
  assert.ok(Object.isFrozen(socket.CONSTANT_NAMES));
  for (const n of socket.CONSTANT_NAMES) {
    assert.equal(cjs[n], table[n], n);
    assert.equal(socket[n], table[n], n);
  }
  const undefinedInCjs = Object.keys(cjs).filter((k) => cjs[k] === undefined);
  assert.deepEqual(undefinedInCjs, []);
  // Declared (from another platform's table) but not this platform's: undefined in ESM, absent in CommonJS.
  const lacking = Object.keys(socket).filter((k) => socket[k] === undefined);
  for (const n of lacking) {
    assert.ok(/^[A-Z][A-Z0-9_]*$/.test(n), `${n} is a constant's name`);
    assert.equal(n in cjs, false, n);
    assert.equal(socket.CONSTANT_NAMES.includes(n), false, n);
  }
});
