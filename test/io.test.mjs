// Data transfer and connections over loopback TCP/UDP (IPv4 and IPv6) and
// AF_UNIX: blocking connect + accept in one thread, recv/recv_into/
// recvfrom/recvfrom_into, send/sendall/sendto (both forms), flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from 'bsdsock';

const E = osConstants.errno;

function isErrno(Cls, errno) {
  return (e) => {
    assert.equal(e.constructor, Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.errno, errno);
    return true;
  };
}

/** A connected TCP pair over loopback: [server side, client side, listener]. */
function tcpPair(family = socket.AF_INET, host = '127.0.0.1') {
  const srv = socket.socket(family, socket.SOCK_STREAM);
  srv.bind([host, 0]);
  srv.listen();
  const cli = socket.socket(family, socket.SOCK_STREAM);
  // Blocking connect completes in the kernel before accept is called.
  cli.connect(srv.getsockname());
  const [conn, addr] = srv.accept();
  return { srv, cli, conn, addr };
}

function closeAll(...socks) {
  for (const s of socks) s?.close();
}

test('TCP over IPv4: blocking connect and accept in one thread; addresses match', () => {
  const { srv, cli, conn, addr } = tcpPair();
  try {
    const [host, port] = srv.getsockname();
    assert.equal(host, '127.0.0.1');
    assert.ok(port > 0 && port < 65536);
    assert.ok(conn instanceof socket.Socket);
    assert.equal(conn.family, socket.AF_INET);
    assert.equal(conn.type, socket.SOCK_STREAM);
    assert.equal(conn.proto, 0);
    assert.equal(conn.get_inheritable(), false);
    assert.equal(conn.gettimeout(), null);
    assert.deepEqual(addr, cli.getsockname());
    assert.deepEqual(conn.getpeername(), cli.getsockname());
    assert.deepEqual(cli.getpeername(), srv.getsockname());
    assert.deepEqual(conn.getsockname(), srv.getsockname());
    assert.equal(cli.send(Buffer.from('hello')), 5);
    assert.deepEqual(conn.recv(1024), Buffer.from('hello'));
    conn.sendall(Buffer.from('world'));
    assert.deepEqual(cli.recv(1024), Buffer.from('world'));
    cli.close();
    assert.deepEqual(conn.recv(1024), Buffer.alloc(0));
  } finally {
    closeAll(srv, cli, conn);
  }
});

test('TCP over IPv6 ::1 with 4-element addresses', () => {
  const { srv, cli, conn, addr } = tcpPair(socket.AF_INET6, '::1');
  try {
    const name = srv.getsockname();
    assert.equal(name.length, 4);
    assert.equal(name[0], '::1');
    assert.equal(name[2], 0);
    assert.equal(name[3], 0);
    assert.deepEqual(addr, cli.getsockname());
    cli.sendall(Buffer.from('six'));
    assert.deepEqual(conn.recv(10), Buffer.from('six'));
  } finally {
    closeAll(srv, cli, conn);
  }
});

test('connect to a closed port: ConnectionRefusedError; connect_ex returns ECONNREFUSED', () => {
  const probe = socket.socket();
  probe.bind(['127.0.0.1', 0]);
  const port = probe.getsockname()[1];
  probe.close();
  const a = socket.socket();
  const b = socket.socket();
  try {
    assert.throws(() => a.connect(['127.0.0.1', port]), (e) => {
      assert.equal(e.constructor, socket.ConnectionRefusedError);
      assert.ok(e instanceof socket.ConnectionError);
      assert.ok(e instanceof socket.OSError);
      assert.equal(e.errno, E.ECONNREFUSED);
      assert.equal(e.code, 'ECONNREFUSED');
      assert.equal(e.syscall, 'connect');
      assert.equal(e.strerror, 'Connection refused');
      assert.equal(e.message, `[Errno ${E.ECONNREFUSED}] Connection refused`);
      return true;
    });
    assert.equal(b.connect_ex(['127.0.0.1', port]), E.ECONNREFUSED);
  } finally {
    closeAll(a, b);
  }
});

test('connect_ex returns 0 on success and EISCONN when already connected', () => {
  const srv = socket.socket();
  const cli = socket.socket();
  try {
    srv.bind(['127.0.0.1', 0]);
    srv.listen();
    assert.equal(cli.connect_ex(srv.getsockname()), 0);
    assert.equal(cli.connect_ex(srv.getsockname()), E.EISCONN);
    assert.throws(() => cli.connect(srv.getsockname()), isErrno(socket.OSError, E.EISCONN));
    srv.accept()[0].close();
  } finally {
    closeAll(srv, cli);
  }
});

test('bind errors: EADDRINUSE, EADDRNOTAVAIL, bound twice EINVAL', () => {
  const a = socket.socket();
  const b = socket.socket();
  const c = socket.socket();
  try {
    a.bind(['127.0.0.1', 0]);
    a.listen();
    assert.throws(() => b.bind(a.getsockname()), isErrno(socket.OSError, E.EADDRINUSE));
    assert.throws(() => a.bind(['127.0.0.1', 0]), isErrno(socket.OSError, E.EINVAL));
    // 192.0.2.1 (TEST-NET) is never a local address; bind does not send anything.
    assert.throws(() => c.bind(['192.0.2.1', 0]), isErrno(socket.OSError, E.EADDRNOTAVAIL));
  } finally {
    closeAll(a, b, c);
  }
});

test('recv flags: MSG_PEEK leaves data queued; MSG_DONTWAIT on a blocking socket raises BlockingIOError', () => {
  const { srv, cli, conn } = tcpPair();
  try {
    assert.throws(() => conn.recv(10, socket.MSG_DONTWAIT), isErrno(socket.BlockingIOError, E.EAGAIN));
    cli.sendall(Buffer.from('peekaboo'));
    // Wait for the bytes with a blocking peek, then read them twice.
    assert.deepEqual(conn.recv(4, socket.MSG_PEEK), Buffer.from('peek'));
    assert.deepEqual(conn.recv(100), Buffer.from('peekaboo'));
    assert.equal(conn.gettimeout(), null);
  } finally {
    closeAll(srv, cli, conn);
  }
});

test('recv returns exactly what arrived, for small and large bufsize; recv(0) is empty', () => {
  const [a, b] = socket.socketpair();
  try {
    const big = Buffer.alloc(100000, 7);
    a.sendall(Buffer.from('abc'));
    const r = b.recv(1 << 20);
    assert.deepEqual(r, Buffer.from('abc'));
    assert.equal(r.length, 3);
    // recv(0) returns at once without waiting, as in Python (even on a blocking socket with nothing queued).
    assert.deepEqual(b.recv(0), Buffer.alloc(0));
    assert.equal(b.recv_into(Buffer.alloc(0)), 0);
    const [c, d] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
    c.send(big);
    const got = d.recv(200000);
    assert.equal(got.length, 100000);
    assert.ok(got.equals(big));
    c.send(Buffer.from('x'));
    const one = d.recv(70000);
    assert.deepEqual(one, Buffer.from('x'));
    c.close();
    d.close();
    // Results are independent copies: a later recv does not change an earlier result.
    a.send(Buffer.from('first'));
    const first = b.recv(10);
    a.send(Buffer.from('XXXXX'));
    b.recv(10);
    assert.deepEqual(first, Buffer.from('first'));
  } finally {
    closeAll(a, b);
  }
});

test('recv_into fills the buffer, honours nbytes and accepts any bytes-like object', () => {
  const [a, b] = socket.socketpair();
  try {
    a.sendall(Buffer.from('0123456789'));
    const buf = Buffer.alloc(4);
    assert.equal(b.recv_into(buf), 4);
    assert.deepEqual(buf, Buffer.from('0123'));
    const buf2 = Buffer.alloc(8, 0x2e);
    assert.equal(b.recv_into(buf2, 2), 2);
    assert.deepEqual(buf2, Buffer.from('45......'));
    assert.equal(b.recv_into(buf2, 0, socket.MSG_PEEK), 4);
    assert.deepEqual(buf2, Buffer.from('6789....'));
    const u16 = new Uint16Array(2);
    assert.equal(b.recv_into(u16), 4);
    assert.deepEqual(Buffer.from(u16.buffer), Buffer.from('6789'));
    a.sendall(Buffer.from('abcdef'));
    const ab = new ArrayBuffer(2);
    assert.equal(b.recv_into(ab), 2);
    assert.deepEqual(Buffer.from(ab), Buffer.from('ab'));
    const backing = new Uint8Array(10);
    const dv = new DataView(backing.buffer, 3, 4);
    assert.equal(b.recv_into(dv), 4);
    assert.deepEqual(Buffer.from(backing), Buffer.from('\0\0\0cdef\0\0\0', 'latin1'));
    assert.throws(() => b.recv_into(Buffer.alloc(2), 3), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /buffer too small for requested bytes/ });
    assert.throws(() => b.recv_into(Buffer.alloc(2), -1), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /negative buffersize in recv_into/ });
    assert.equal(b.recv_into(Buffer.alloc(0), 0, socket.MSG_DONTWAIT), 0);
  } finally {
    closeAll(a, b);
  }
});

test('UDP over IPv4: sendto in its 2- and 3-argument forms, recvfrom and recvfrom_into', () => {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    r.bind(['127.0.0.1', 0]);
    const to = r.getsockname();
    assert.equal(s.sendto(Buffer.from('two-arg'), to), 7);
    const [data, from] = r.recvfrom(100);
    assert.deepEqual(data, Buffer.from('two-arg'));
    // The sender was bound implicitly to the wildcard address.
    assert.deepEqual(from, ['127.0.0.1', s.getsockname()[1]]);
    assert.equal(s.getsockname()[0], '0.0.0.0');
    assert.equal(s.sendto(Buffer.from('three-arg'), 0, to), 9);
    const buf = Buffer.alloc(20);
    const [n, from2] = r.recvfrom_into(buf);
    assert.equal(n, 9);
    assert.deepEqual(buf.subarray(0, n), Buffer.from('three-arg'));
    assert.deepEqual(from2, from);
    s.sendto(Buffer.from('truncated datagram'), to);
    const small = Buffer.alloc(20, 0x2e);
    const [n3] = r.recvfrom_into(small, 5);
    assert.equal(n3, 5);
    assert.deepEqual(small.subarray(0, 6), Buffer.from('trunc.'));
    s.sendto(Buffer.from('peek'), socket.MSG_DONTWAIT, to);
    assert.deepEqual(r.recvfrom(100, socket.MSG_PEEK)[0], Buffer.from('peek'));
    assert.deepEqual(r.recvfrom(2)[0], Buffer.from('pe'));
    assert.throws(() => r.recvfrom_into(Buffer.alloc(2), 3), { code: 'ERR_INVALID_ARG_VALUE', message: /nbytes is greater than the length of the buffer/ });
    assert.throws(() => r.recvfrom_into(Buffer.alloc(2), -1), { code: 'ERR_INVALID_ARG_VALUE', message: /negative buffersize in recvfrom_into/ });
    assert.throws(() => r.recvfrom(-1), { code: 'ERR_INVALID_ARG_VALUE', message: /negative buffersize in recvfrom/ });
    // A connected UDP socket uses send/recv; the peer's port closed yields ECONNREFUSED later.
    s.connect(to);
    s.send(Buffer.from('connected'));
    assert.deepEqual(r.recv(100), Buffer.from('connected'));
    assert.deepEqual(s.getpeername(), to);
  } finally {
    closeAll(r, s);
  }
});

test('UDP over IPv6: 2-, 3- and 4-element addresses are accepted', () => {
  const r = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  const s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  try {
    r.bind(['::1', 0, 0]);
    const port = r.getsockname()[1];
    s.sendto(Buffer.from('a'), ['::1', port]);
    s.sendto(Buffer.from('b'), ['::1', port, 0]);
    s.sendto(Buffer.from('c'), 0, ['::1', port, 0, 0]);
    for (const ch of 'abc') {
      const [d, from] = r.recvfrom(10);
      assert.deepEqual(d, Buffer.from(ch));
      assert.deepEqual(from, ['::1', s.getsockname()[1], 0, 0]);
    }
  } finally {
    closeAll(r, s);
  }
});

test('sendto on a connected TCP socket ignores the address; send before connect: EPIPE, recv: ENOTCONN', () => {
  const { srv, cli, conn } = tcpPair();
  const fresh = socket.socket();
  try {
    assert.equal(cli.sendto(Buffer.from('x'), ['127.0.0.1', 9]), 1);
    assert.deepEqual(conn.recv(10), Buffer.from('x'));
    assert.throws(() => fresh.send(Buffer.from('x')), isErrno(socket.BrokenPipeError, E.EPIPE));
    assert.throws(() => fresh.recv(1), isErrno(socket.OSError, E.ENOTCONN));
  } finally {
    closeAll(srv, cli, conn, fresh);
  }
});

test('sendall sends everything: a 4 MB buffer through a socketpair read in this thread', () => {
  // The reader is a dup in non-blocking mode so one thread can pump both ends.
  const [a, b] = socket.socketpair();
  try {
    const data = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    // sendall on a non-blocking socket stops with BlockingIOError when full:
    a.setblocking(false);
    assert.throws(() => a.sendall(data), isErrno(socket.BlockingIOError, E.EAGAIN));
    b.setblocking(false);
    const drained = [];
    for (;;) {
      try {
        drained.push(b.recv(1 << 16));
      } catch (e) {
        assert.equal(e.constructor, socket.BlockingIOError);
        break;
      }
    }
    assert.ok(drained.length > 0);
  } finally {
    closeAll(a, b);
  }
});

test('AF_UNIX stream over a filesystem path; accept gives \'\' for an unnamed peer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-'));
  const path = join(dir, 'sock');
  const srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  const cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  let conn;
  try {
    srv.bind(path);
    assert.ok(existsSync(path));
    srv.listen(1);
    assert.equal(srv.getsockname(), path);
    cli.connect(path);
    let addr;
    [conn, addr] = srv.accept();
    assert.equal(addr, '');
    assert.equal(cli.getpeername(), path);
    assert.equal(conn.getsockname(), path);
    assert.equal(String(cli), `<socket fd=${cli.fileno()}, family=1, type=1, proto=0, raddr='${path}'>`);
    cli.sendall(Buffer.from('unix'));
    assert.deepEqual(conn.recv(10), Buffer.from('unix'));
    const again = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
    assert.throws(() => again.bind(path), isErrno(socket.OSError, E.EADDRINUSE));
    assert.throws(() => again.connect(join(dir, 'missing')), isErrno(socket.FileNotFoundError, E.ENOENT));
    assert.throws(() => again.bind(join(dir, 'no', 'such', 'dir')), isErrno(socket.FileNotFoundError, E.ENOENT));
    again.close();
  } finally {
    closeAll(srv, cli, conn);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AF_UNIX datagrams: a path, a Buffer path, an abstract name, and null from an unbound sender', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-'));
  const path = join(dir, 'dgram');
  const r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  const s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  try {
    r.bind(Buffer.from(path));
    assert.equal(r.getsockname(), path);
    s.sendto(Buffer.from('anon'), path);
    assert.deepEqual(r.recvfrom(10), [Buffer.from('anon'), null]);
    const abstract = Buffer.from(`\0bsdsock-test-${process.pid}-${Date.now()}`);
    s.bind(abstract);
    assert.deepEqual(s.getsockname(), abstract);
    s.sendto(Buffer.from('named'), new Uint8Array(Buffer.from(path)));
    const [d, from] = r.recvfrom(10);
    assert.deepEqual(d, Buffer.from('named'));
    assert.ok(Buffer.isBuffer(from));
    assert.deepEqual(from, abstract);
    // Reply to the abstract name.
    r.sendto(Buffer.from('reply'), from);
    assert.deepEqual(s.recv(10), Buffer.from('reply'));
  } finally {
    closeAll(r, s);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AF_UNIX autobind: bind(\'\') gives an abstract name as a Buffer', () => {
  const s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  const r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  try {
    assert.equal(s.getsockname(), '');
    s.bind('');
    const name = s.getsockname();
    assert.ok(Buffer.isBuffer(name));
    assert.equal(name[0], 0);
    assert.equal(name.length, 6);
    assert.match(name.subarray(1).toString('latin1'), /^[0-9a-f]{5}$/);
    assert.equal(String(s), `<socket fd=${s.fileno()}, family=1, type=2, proto=0, laddr=${require_inspect(name)}>`);
    r.bind(Buffer.alloc(0));
    r.sendto(Buffer.from('to auto'), name);
    const [d, from] = s.recvfrom(20);
    assert.deepEqual(d, Buffer.from('to auto'));
    assert.deepEqual(from, r.getsockname());
  } finally {
    closeAll(r, s);
  }
});

function require_inspect(v) {
  // util.inspect of a Buffer, as the repr shows it.
  return `<Buffer ${[...v].map((b) => b.toString(16).padStart(2, '0')).join(' ')}>`;
}

test('AF_UNIX SOCK_SEQPACKET pair keeps record boundaries', () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  try {
    assert.equal(a.type, socket.SOCK_SEQPACKET);
    a.send(Buffer.from('rec1'));
    a.send(Buffer.from('record2'));
    assert.deepEqual(b.recv(100), Buffer.from('rec1'));
    assert.deepEqual(b.recv(100), Buffer.from('record2'));
  } finally {
    closeAll(a, b);
  }
});
