// AF_UNIX datagram and seqpacket sockets end to end: message boundaries,
// filesystem and abstract names, autobind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as os } from 'node:os';
import * as socket from 'bsdsock';
import { openFds } from './support/fds.mjs';

const linux = process.platform === 'linux';
const fdsAtStart = linux ? openFds() : 0;
const unique = () => `bsdsock-${process.pid}-${Math.random().toString(16).slice(2)}`;

test('SOCK_DGRAM over filesystem paths keeps each datagram whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-unix-'));
  const a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  const b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  try {
    a.bind(join(dir, 'a'));
    b.bind(join(dir, 'b'));
    assert.equal(a.getsockname(), join(dir, 'a'));
    const sizes = [1, 0, 3000, 17];
    for (const n of sizes) assert.equal(a.sendto(Buffer.alloc(n, n & 0xff), join(dir, 'b')), n);
    for (const n of sizes) {
      const [data, from] = b.recvfrom(65536);
      assert.deepEqual(data, Buffer.alloc(n, n & 0xff));
      assert.equal(from, join(dir, 'a'));
    }
    // A datagram is cut to the buffer; the rest of it is gone.
    a.sendto(Buffer.from('0123456789'), join(dir, 'b'));
    a.sendto(Buffer.from('next'), join(dir, 'b'));
    assert.deepEqual(b.recv(4), Buffer.from('0123'));
    assert.deepEqual(b.recv(100), Buffer.from('next'));
  } finally {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SOCK_DGRAM: abstract names, autobind, and null for an unbound sender', { skip: !linux && 'abstract names are Linux only' }, () => {
  const name = Buffer.from(`\0${unique()}`);
  const r = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  const auto = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  const anon = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  try {
    r.bind(name);
    assert.deepEqual(r.getsockname(), name);
    // Binding to '' asks the kernel for a unique abstract name: NUL + 5 hex digits.
    auto.bind('');
    const own = auto.getsockname();
    assert.ok(Buffer.isBuffer(own));
    assert.match(own.toString('latin1'), /^\0[0-9a-f]{5}$/);
    auto.sendto(Buffer.from('from auto'), name);
    assert.deepEqual(r.recvfrom(100), [Buffer.from('from auto'), own]);
    // An unbound, unnamed socket: its own name is '', the receiver sees null.
    assert.equal(anon.getsockname(), '');
    anon.sendto(Buffer.from('anonymous'), name);
    assert.deepEqual(r.recvfrom(100), [Buffer.from('anonymous'), null]);
    // Replying to an autobound name works like any abstract name.
    r.sendto(Buffer.from('reply'), own);
    assert.deepEqual(auto.recvfrom(100), [Buffer.from('reply'), name]);
    // A second bind to a taken abstract name fails as in Python.
    const dup = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    try {
      assert.throws(() => dup.bind(name), (e) => e instanceof socket.OSError && e.errno === os.errno.EADDRINUSE);
    } finally {
      dup.close();
    }
  } finally {
    r.close();
    auto.close();
    anon.close();
  }
});

test('SOCK_SEQPACKET: a connection that keeps message boundaries', { skip: !linux && 'Linux seqpacket' }, () => {
  const name = Buffer.from(`\0${unique()}`);
  const srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  const cli = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  let conn;
  try {
    srv.bind(name);
    srv.listen();
    cli.connect(name);
    const [c, peer] = srv.accept();
    conn = c;
    assert.equal(peer, ''); // the client has no name
    assert.deepEqual(cli.getpeername(), name);
    assert.equal(conn.type, socket.SOCK_SEQPACKET);
    const messages = ['one', '', 'three is longer', 'x'.repeat(5000)].map((s) => Buffer.from(s));
    for (const m of messages) assert.equal(cli.send(m), m.length);
    // The empty message arrives too, as an empty read (that is not end of file here).
    for (const m of messages) assert.deepEqual(conn.recv(65536), m);
    // A message longer than the buffer is cut; the next one starts clean.
    cli.sendall(Buffer.from('abcdefgh'));
    cli.send(Buffer.from('ij'));
    assert.deepEqual(conn.recv(3), Buffer.from('abc'));
    assert.deepEqual(conn.recv(100), Buffer.from('ij'));
    // And in the other direction, with an autobound client name.
    conn.send(Buffer.from('back'));
    assert.deepEqual(cli.recv(10), Buffer.from('back'));
    cli.close();
    assert.deepEqual(conn.recv(10), Buffer.alloc(0)); // end of the connection
  } finally {
    conn?.close();
    cli.close();
    srv.close();
  }
});

test('SOCK_SEQPACKET socketpair keeps boundaries both ways', () => {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET);
  try {
    a.send(Buffer.from('12'));
    a.send(Buffer.from('345'));
    b.send(Buffer.from('6'));
    assert.deepEqual(b.recv(100), Buffer.from('12'));
    assert.deepEqual(b.recv(100), Buffer.from('345'));
    assert.deepEqual(a.recv(100), Buffer.from('6'));
  } finally {
    a.close();
    b.close();
  }
});

test('no descriptor leaked by this file', { skip: !linux && 'Linux only' }, () => {
  assert.equal(openFds(), fdsAtStart);
});
