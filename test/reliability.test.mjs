// Defects found by the fault-and-fuzz sweep (issue 11), each pinned by a
// test that fails without its fix: strings that have no UTF-8 form, the
// read-only `timeout` attribute, waits shorter than a millisecond, callers'
// lists read once, toDuplex with an aborted signal, booleans as integers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as socket from 'bsdsock';

const isRoot = process.getuid?.() === 0;
const require = createRequire(import.meta.url);

/** Python's UnicodeEncodeError for a lone surrogate, as bsdsock spells a ValueError. */
function surrogateError(name, position) {
  return {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_VALUE',
    message: `The argument '${name}' is invalid: 'utf-8' codec can't encode character '\\ud800' in position ${position}: surrogates not allowed`,
  };
}

/** bind(address) on a `family` socket object over a borrowed UDP descriptor (no such socket needed). */
function bindAs(family, type, address) {
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const s = new socket.Socket(family, type, 0, udp.fileno());
  try {
    s.bind(address);
  } finally {
    s.detach();
    udp.close();
  }
}

test('a lone surrogate in an AF_UNIX path is refused, and no file is bound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-surrogate-'));
  try {
    // Concatenated, not path.join()ed: Bun's join replaces a lone surrogate with U+FFFD.
    for (const [path, position] of [[`${dir}/\ud800`, dir.length + 1], [`${dir}/a\udc00b`, -1]]) {
      const s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
      try {
        const where = position >= 0 ? position : dir.length + 2;
        const want = surrogateError('address', where);
        if (position < 0) want.message = want.message.replace('\\ud800', '\\udc00');
        assert.throws(() => s.bind(path), want);
        assert.throws(() => s.connect(path), want);
      } finally {
        s.close();
      }
    }
    // A well-formed pair is one code point and binds.
    const s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    s.bind(join(dir, '\ud83d\ude00'));
    s.close();
    assert.deepEqual(readdirSync(dir), ['\u{1F600}'], 'only the well-formed name was bound');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lone surrogate is refused wherever a string is encoded for the kernel', () => {
  assert.throws(() => socket.if_nametoindex('\ud800'), surrogateError('if_name', 0));
  assert.throws(() => socket.getservbyname('\ud800'), surrogateError('servicename', 0));
  assert.throws(() => socket.getservbyname('http', 'tc\ud800'), surrogateError('protocolname', 2));
  assert.throws(() => socket.getaddrinfo('127.0.0.1', '\ud800'), surrogateError('port', 0));
  // AF_PACKET interface names and AF_ALG names, checked before any kernel call.
  assert.throws(() => bindAs(socket.AF_PACKET, socket.SOCK_RAW, ['l\ud800', 0]), surrogateError('ifname', 1));
  assert.throws(() => bindAs(socket.AF_ALG, socket.SOCK_SEQPACKET, ['hash', 'sha\ud800']), surrogateError('name', 3));
  assert.throws(() => bindAs(socket.AF_ALG, socket.SOCK_SEQPACKET, ['\ud800', 'sha256']), surrogateError('type', 0));
  // Host names fail their IDNA encoding (Python's UnicodeError, a ValueError).
  for (const f of [() => socket.gethostbyname('\ud800'), () => socket.getaddrinfo('\ud800', 80)]) {
    assert.throws(f, { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /'host' is invalid: encoding with 'idna' codec failed/ });
  }
});

test('sethostname refuses a lone surrogate instead of setting another name', { skip: !isRoot && 'needs root for a UTS namespace' }, () => {
  // In its own UTS namespace, so a regression could not rename this machine.
  const child = `
    const socket = require(${JSON.stringify(require.resolve('bsdsock'))});
    const before = require('node:os').hostname();
    try { socket.sethostname('\\ud800'); console.log('set', JSON.stringify(require('node:os').hostname())); }
    catch (e) { console.log(e.code, require('node:os').hostname() === before); }`;
  const r = spawnSync('unshare', ['--uts', process.execPath, '-e', child], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), 'ERR_INVALID_ARG_VALUE true');
});

test('sock.timeout is the read-only value gettimeout() returns', () => {
  const s = socket.socket();
  try {
    assert.equal(s.timeout, null);
    s.settimeout(2.5);
    assert.equal(s.timeout, 2.5);
    s.setblocking(false);
    assert.equal(s.timeout, 0);
    s.settimeout(1e-10);
    assert.equal(s.timeout, 1e-9);
    assert.throws(() => {
      s.timeout = 5;
    }, TypeError);
    assert.equal(s.timeout, 1e-9);
    assert.ok('timeout' in s);
  } finally {
    s.close();
  }
});

test('a timeout under a millisecond still polls once: a loopback connect succeeds, as in CPython', () => {
  const server = socket.create_server(['127.0.0.1', 0], { backlog: 64 });
  const addr = server.getsockname();
  try {
    let connected = 0;
    for (let i = 0; i < 50; i++) {
      const c = socket.socket();
      c.settimeout(1e-9);
      try {
        c.connect(addr);
        connected++;
      } catch (e) {
        assert.ok(e instanceof socket.TimeoutError, String(e));
      } finally {
        c.close();
      }
      server.accept()[0].close();
    }
    assert.equal(connected, 50, 'a loopback connect completes within the first poll, as in CPython');

    // create_connection takes the same path with its own timeout.
    for (let i = 0; i < 20; i++) {
      socket.create_connection(addr, 1e-9).close();
      server.accept()[0].close();
    }
  } finally {
    server.close();
  }
});

test('toDuplex with an already aborted signal: an AbortError, and the socket is closed', async () => {
  const [a, b] = socket.socketpair();
  try {
    const reason = new Error('stop');
    const d = a.toDuplex({ signal: AbortSignal.abort(reason) });
    const [err] = await new Promise((resolve) => d.once('error', (e) => resolve([e])));
    assert.equal(err.name, 'AbortError');
    assert.equal(err.code, 'ABORT_ERR');
    assert.equal(err.cause, reason);
    assert.equal(d.destroyed, true);
    assert.equal(a.fileno(), -1, 'the Duplex owned the socket and closed it');
    // With close: false the socket stays usable.
    const [c, e] = socket.socketpair();
    const d2 = c.toDuplex({ signal: AbortSignal.abort(), close: false });
    await new Promise((resolve) => d2.once('error', resolve));
    e.sendall(Buffer.from('still here'));
    assert.deepEqual(c.recv(64), Buffer.from('still here'));
    c.close();
    e.close();
    // A signal that is not an AbortSignal is refused before anything is made.
    assert.throws(() => b.toDuplex({ signal: {} }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    assert.notEqual(b.fileno(), -1);
  } finally {
    a.close();
    b.close();
  }
});

test('toDuplex: a signal aborted later destroys the stream with an AbortError', async () => {
  const [a, b] = socket.socketpair();
  const ac = new AbortController();
  const d = a.toDuplex({ signal: ac.signal });
  d.resume();
  const failed = new Promise((resolve) => d.once('error', resolve));
  ac.abort();
  const err = await failed;
  assert.equal(err.name, 'AbortError');
  assert.equal(a.fileno(), -1);
  b.close();
});

/**
 * A buffer list whose element 1 is a getter. On its second read (a read
 * the caller's value should never get), the getter moves element 0's memory
 * away (structuredClone with transfer detaches it): had the addon read the
 * list itself, after taking element 0's memory, the kernel would use memory
 * the caller no longer owns.
 */
function trappedList(first, second) {
  const list = [first];
  const state = { reads: 0, moved: null };
  Object.defineProperty(list, 1, {
    enumerable: true,
    get() {
      state.reads++;
      if (state.reads === 2) state.moved = new Uint8Array(structuredClone(first.buffer, { transfer: [first.buffer] }));
      return second;
    },
  });
  return { list, state };
}

test('scatter/gather calls read each element of the caller\'s list once, before any memory goes to the kernel', async () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  try {
    for (const into of [(l) => b.recvmsg_into(l), (l) => b.recvmsg_intoAsync(l)]) {
      const bufA = new Uint8Array(new ArrayBuffer(4));
      const bufB = new Uint8Array(4);
      const { list, state } = trappedList(bufA, bufB);
      a.send(Buffer.from('abcdefgh'));
      const [nbytes] = await into(list);
      assert.equal(state.reads, 1, 'element 1 read once');
      assert.equal(state.moved, null);
      assert.equal(nbytes, 8);
      assert.deepEqual(Buffer.from(bufA), Buffer.from('abcd'));
      assert.deepEqual(Buffer.from(bufB), Buffer.from('efgh'));
    }
    for (const send of [
      (l) => a.sendmsg(l),
      (l) => a.sendmsgAsync(l),
      (l) => socket.send_fds(a, l, [b.fileno()]),
      (l) => socket.send_fdsAsync(a, l, [b.fileno()]),
    ]) {
      const { list, state } = trappedList(new Uint8Array(Buffer.from('1234')), Buffer.from('5678'));
      assert.equal(await send(list), 8);
      assert.equal(state.reads, 1, 'element 1 read once');
      const [data, fds] = socket.recv_fds(b, 64, 4);
      for (const fd of fds) socket.close(fd);
      assert.deepEqual(data, Buffer.from('12345678'));
    }
    // A Proxy over the list: every index is read once.
    const reads = new Map();
    const target = [Buffer.from('xy'), Buffer.from('z')];
    const proxy = new Proxy(target, {
      get(t, key, r) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.set(key, (reads.get(key) ?? 0) + 1);
        return Reflect.get(t, key, r);
      },
    });
    assert.equal(a.sendmsg(proxy), 3);
    assert.deepEqual([...reads], [['0', 1], ['1', 1]]);
    assert.deepEqual(b.recv(8), Buffer.from('xyz'));
  } finally {
    a.close();
    b.close();
  }
});

test('sendmmsg and recvmmsg_into read each message and buffer once', () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  try {
    const { list, state } = trappedList(new Uint8Array(Buffer.from('one')), Buffer.from('two'));
    assert.equal(a.sendmmsg(list), 2);
    assert.equal(state.reads, 1);
    const bufA = new Uint8Array(new ArrayBuffer(8));
    const into = trappedList(bufA, new Uint8Array(8));
    const got = b.recvmmsg_into(into.list);
    assert.equal(into.state.reads, 1);
    assert.equal(into.state.moved, null);
    assert.deepEqual(got.map((m) => m[0]), [3, 3]);
    assert.deepEqual(Buffer.from(bufA).subarray(0, 3), Buffer.from('one'));
  } finally {
    a.close();
    b.close();
  }
});

test('a boolean is refused as a count, size, port, family, flags, index, timeout or descriptor, and taken as a switch', async () => {
  const [a, b] = socket.socketpair();
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const T = true;
  const refused = {
    'socket(family)': () => socket.socket(T),
    'socket(type)': () => socket.socket(socket.AF_INET, T),
    'socket(proto)': () => socket.socket(socket.AF_INET, socket.SOCK_STREAM, T),
    'socket(fileno)': () => socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, T),
    'socketpair(family)': () => socket.socketpair(T),
    'listen(backlog)': () => a.listen(T),
    'recv(bufsize)': () => b.recv(T),
    'recv(flags)': () => b.recv(10, T),
    'recv_into(nbytes)': () => b.recv_into(Buffer.alloc(4), T),
    'recvfrom(bufsize)': () => b.recvfrom(T),
    'recvfrom_into(nbytes)': () => b.recvfrom_into(Buffer.alloc(4), T),
    'recvmsg(bufsize)': () => b.recvmsg(T),
    'recvmsg(ancbufsize)': () => b.recvmsg(10, T),
    'recvmmsg(vlen)': () => udp.recvmmsg(T, 10),
    'send(flags)': () => a.send(Buffer.from('x'), T),
    'sendall(flags)': () => a.sendall(Buffer.from('x'), T),
    'sendto(flags)': () => udp.sendto(Buffer.from('x'), T, ['127.0.0.1', 9]),
    'sendmsg(flags)': () => a.sendmsg([Buffer.from('x')], [], T),
    'ancdata level': () => a.sendmsg([Buffer.from('x')], [[T, socket.SCM_RIGHTS, Buffer.alloc(0)]]),
    'send_fds(fds)': () => socket.send_fds(a, [Buffer.from('x')], [T]),
    'address port': () => udp.bind(['127.0.0.1', T]),
    'shutdown(how)': () => a.shutdown(T),
    'getsockopt(level)': () => a.getsockopt(T, socket.SO_TYPE),
    'getsockopt(buflen)': () => a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, T),
    'setsockopt(level)': () => a.setsockopt(T, socket.SO_KEEPALIVE, 1),
    htons: () => socket.htons(T),
    ntohl: () => socket.ntohl(T),
    CMSG_LEN: () => socket.CMSG_LEN(T),
    if_indextoname: () => socket.if_indextoname(T),
    settimeout: () => a.settimeout(T),
    setdefaulttimeout: () => socket.setdefaulttimeout(T),
    'getaddrinfo(family)': () => socket.getaddrinfo('127.0.0.1', 80, T),
    'getnameinfo(flags)': () => socket.getnameinfo(['127.0.0.1', 80], T),
    getservbyport: () => socket.getservbyport(T),
    'inet_ntop(family)': () => socket.inet_ntop(T, Buffer.alloc(4)),
    'fromfd(fd)': () => socket.fromfd(T, socket.AF_INET, socket.SOCK_STREAM),
    'dup(fd)': () => socket.dup(T),
    'close(fd)': () => socket.close(T),
    'create_server backlog': () => socket.create_server(['127.0.0.1', 0], { backlog: T }),
    'makefile buffering': () => a.makefile('rb', T),
  };
  try {
    b.setblocking(false);
    for (const [name, call] of Object.entries(refused)) {
      assert.throws(call, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, name);
    }
    await assert.rejects(b.recvAsync(T), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    await assert.rejects(socket.getaddrinfoAsync('127.0.0.1', 80, T), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    // getaddrinfo's port: Python's OSError for a port of another type.
    assert.throws(() => socket.getaddrinfo('127.0.0.1', T), (e) => e instanceof socket.OSError && e.message === 'Int or String expected');
    // Bluetooth reports every malformed address as Python does, "wrong format".
    const { bluetoothAddress } = require('../dist/cjs/families/bluetooth.js');
    assert.throws(() => bluetoothAddress.toNative([T], 'bind', 1), (e) => e instanceof socket.OSError && e.message === 'bind(): wrong format');
    assert.throws(() => bluetoothAddress.toNative(['01:23:45:67:89:ab', T], 'bind', 0), (e) => e instanceof socket.OSError);

    // A switch takes a boolean.
    a.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, true);
    assert.equal(a.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1);
    a.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, false);
    assert.equal(a.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE), 0);
    a.setblocking(false);
    assert.equal(a.timeout, 0);
    a.set_inheritable(true);
    assert.equal(a.get_inheritable(), true);
  } finally {
    a.close();
    b.close();
    udp.close();
  }
});

test('a detached buffer where bytes are wanted reads as empty bytes, never as an internal error', () => {
  const detached = () => {
    const ab = new ArrayBuffer(8);
    const view = new Uint8Array(ab);
    structuredClone(ab, { transfer: [ab] });
    return [ab, view];
  };
  const [ab, view] = detached();
  assert.equal(ab.byteLength, 0);
  // As the empty name: an unknown interface, a failed lookup, an autobind.
  for (const name of [ab, view]) {
    assert.throws(() => socket.if_nametoindex(name), (e) => e instanceof socket.OSError && e.message === 'no interface with this name');
    assert.equal(socket.gethostbyname(name), '0.0.0.0', 'the empty host, as gethostbyname(b"")');
    const u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    try {
      u.bind(name);
      const bound = u.getsockname();
      assert.ok(Buffer.isBuffer(bound) && bound[0] === 0 && bound.length === 6, 'autobound to an abstract name');
    } finally {
      u.close();
    }
  }
});
