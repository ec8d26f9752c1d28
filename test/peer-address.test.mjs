// The peer's address that recvfrom, recvfrom_into, accept and their twins
// return. For an IPv4 sender the addon hands over the raw address and port
// and the host string is made (and the last one kept) in TypeScript
// (src/attempts.ts): senders that alternate, on every octet, must each be
// reported as themselves, and other families still come whole from the
// codecs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as socket from 'bsdsock';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.1.2.3', '127.255.254.253', '127.0.0.1', '127.128.0.255'];

/** A receiver on 127.0.0.1 and one bound sender per host in HOSTS (127/8 is all loopback). */
function setUp(t) {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  r.bind(['127.0.0.1', 0]);
  const senders = HOSTS.map((host) => {
    const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind([host, 0]);
    return s;
  });
  t.after(() => {
    r.close();
    for (const s of senders) s.close();
  });
  return [r, senders];
}

const receivers = {
  recvfrom: (r) => r.recvfrom(100),
  recvfrom_into: (r) => {
    const buf = Buffer.alloc(100);
    const [n, address] = r.recvfrom_into(buf);
    return [buf.subarray(0, n), address];
  },
  recvfromAsync: (r) => r.recvfromAsync(100),
  recvfrom_intoAsync: async (r) => {
    const buf = Buffer.alloc(100);
    const [n, address] = await r.recvfrom_intoAsync(buf);
    return [buf.subarray(0, n), address];
  },
};

for (const [name, receive] of Object.entries(receivers)) {
  test(`${name}: IPv4 senders that alternate are each reported with their own host and port`, async (t) => {
    const [r, senders] = setUp(t);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < senders.length; i++) {
        const payload = Buffer.from(`${round}:${i}`);
        senders[i].sendto(payload, r.getsockname());
        const [data, address] = await receive(r);
        assert.deepEqual(data, payload);
        assert.deepEqual(address, senders[i].getsockname(), `${HOSTS[i]} in round ${round}`);
        assert.equal(address[0], HOSTS[i]);
      }
    }
  });
}

test('the address is a fresh array each time: changing one result does not change the next', () => {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    r.bind(['127.0.0.1', 0]);
    s.sendto(Buffer.from('a'), r.getsockname());
    s.sendto(Buffer.from('b'), r.getsockname());
    const [, first] = r.recvfrom(10);
    first[0] = 'changed';
    first[1] = -1;
    const [, second] = r.recvfrom(10);
    assert.deepEqual(second, ['127.0.0.1', s.getsockname()[1]]);
  } finally {
    r.close();
    s.close();
  }
});

test('other families come from their codecs: IPv6 (4 elements), AF_UNIX paths, an unnamed sender', (t) => {
  let v6 = null;
  try {
    v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    v6.bind(['::1', 0]);
  } catch {
    v6?.close();
    v6 = null;
  }
  if (v6 !== null) {
    const s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    s.bind(['::1', 0]);
    s.sendto(Buffer.from('six'), v6.getsockname());
    assert.deepEqual(v6.recvfrom(10), [Buffer.from('six'), ['::1', s.getsockname()[1], 0, 0]]);
    s.close();
    v6.close();
  } else {
    t.diagnostic('no ::1 here: the IPv6 case was left out');
  }
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  b.send(Buffer.from('unnamed'));
  // An unnamed AF_UNIX sender: Python gives None (null here).
  assert.deepEqual(a.recvfrom(10), [Buffer.from('unnamed'), null]);
  a.close();
  b.close();
});

for (const [name, accept] of [['accept', (srv) => srv.accept()], ['acceptAsync', (srv) => srv.acceptAsync()]]) {
  test(`${name}: IPv4 peers that alternate are each reported with their own host and port`, async (t) => {
    const srv = socket.create_server(['127.0.0.1', 0]);
    const opened = [srv];
    t.after(() => {
      for (const s of opened) s.close();
    });
    for (const host of HOSTS) {
      const c = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
      opened.push(c);
      c.bind([host, 0]);
      c.connect(srv.getsockname());
      const [conn, address] = await accept(srv);
      opened.push(conn);
      assert.deepEqual(address, c.getsockname());
      assert.deepEqual(conn.getpeername(), address);
    }
  });
}

// IPv6 peers: the host text is made in TypeScript too (inet6Text), and must
// be what the C library's inet_ntop writes, as the codec gave it before.
const require = createRequire(import.meta.url);
const { inet6Text } = require('../dist/cjs/attempts.js');

/** Whether ::1 can be bound here. */
function hasLoopback6() {
  try {
    const s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
    try {
      s.bind(['::1', 0]);
      return true;
    } finally {
      s.close();
    }
  } catch {
    return false;
  }
}

test('IPv6 host text is inet_ntop\'s: special forms and 20,000 random addresses with zero runs', () => {
  const special = [
    '::', '::1', '1::', '::ffff:127.0.0.1', '::127.0.0.1', '::ffff:0:1', '::1:0:0:0', '1:0:0:1::', '1::1:0:0:1',
    '0:1:0:0:1:0:0:0', '1:0:1:0:1:0:1:0', 'fe80::1', '2001:db8::ff00:42:8329', '64:ff9b::192.0.2.33', '::ffff:ffff:ffff',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '0:0:0:0:0:1:0:0', '::2:3:4:5:6:7', '1:2:3:4:5:6:7::',
  ];
  const check = (bytes) => assert.equal(inet6Text(bytes), socket.inet_ntop(socket.AF_INET6, bytes), bytes.toString('hex'));
  for (const text of special) check(socket.inet_pton(socket.AF_INET6, text));
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  for (let n = 0; n < 20000; n++) {
    const b = Buffer.alloc(16);
    // Each group zero, one, 0xffff or random, so that runs of zeros and the
    // embedded IPv4 forms are frequent.
    for (let g = 0; g < 8; g++) {
      const kind = next() % 4;
      const v = kind === 0 ? 0 : kind === 1 ? 1 + (next() % 3) : kind === 2 ? 0xffff : next();
      b.writeUInt16BE(v, 2 * g);
    }
    check(b);
  }
});

test('IPv6 senders and peers over ::1, and an IPv4 sender seen by a dual-stack socket (::ffff:127.0.0.1)', { skip: !hasLoopback6() && 'no ::1 here' }, async (t) => {
  const r = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  r.bind(['::', 0]);
  const v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  v4.bind(['127.0.0.1', 0]);
  v6.bind(['::1', 0]);
  const srv = socket.create_server(['::1', 0], { family: socket.AF_INET6 });
  t.after(() => {
    for (const s of [r, v4, v6, srv]) s.close();
  });
  const port = r.getsockname()[1];
  for (let round = 0; round < 2; round++) {
    v6.sendto(Buffer.from('6'), ['::1', port]);
    assert.deepEqual(r.recvfrom(10), [Buffer.from('6'), ['::1', v6.getsockname()[1], 0, 0]]);
    v4.sendto(Buffer.from('4'), ['127.0.0.1', port]);
    assert.deepEqual(await r.recvfromAsync(10), [Buffer.from('4'), ['::ffff:127.0.0.1', v4.getsockname()[1], 0, 0]]);
  }
  const c = socket.create_connection(['::1', srv.getsockname()[1]]);
  t.after(() => c.close());
  const [conn, address] = srv.accept();
  t.after(() => conn.close());
  assert.deepEqual(address, c.getsockname());
  assert.deepEqual(address, ['::1', c.getsockname()[1], 0, 0]);
});
