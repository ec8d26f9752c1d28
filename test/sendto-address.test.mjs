// sendto and sendtoAsync keep the encoded address of the last numeric IP
// destination (src/sendto-address.ts): every datagram still goes where
// its own address says, errors are the same on every call, a host name
// is looked up on every call (only /etc/hosts names here), and each
// element of an address is read once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'bsdsock';

function udpReceiver(family, host) {
  const s = socket.socket(family, socket.SOCK_DGRAM);
  s.bind([host, 0]);
  s.settimeout(5);
  return s;
}

test('datagrams alternating between destinations each reach their own, sync and async, IPv4 and IPv6', async () => {
  for (const [family, host] of [
    [socket.AF_INET, '127.0.0.1'],
    [socket.AF_INET6, '::1'],
  ]) {
    const r1 = udpReceiver(family, host);
    const r2 = udpReceiver(family, host);
    const sender = socket.socket(family, socket.SOCK_DGRAM);
    try {
      const p1 = r1.getsockname()[1];
      const p2 = r2.getsockname()[1];
      for (let i = 0; i < 20; i++) {
        const port = i % 3 === 0 ? p2 : p1;
        const data = Buffer.from(`m${i}`);
        // The same address object and fresh ones, sync and async in turn.
        if (i % 2 === 0) assert.equal(sender.sendto(data, [host, port]), data.length);
        else assert.equal(await sender.sendtoAsync(data, 0, [host, port]), data.length);
      }
      const got = (r) => Array.from({ length: r === r2 ? 7 : 13 }, () => r.recv(16).toString());
      const expected2 = [0, 3, 6, 9, 12, 15, 18].map((i) => `m${i}`);
      const expected1 = Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `m${i}`);
      assert.deepEqual(got(r2), expected2);
      assert.deepEqual(got(r1), expected1);
      // Two sockets of the process share the kept destination, each
      // sending from its own descriptor.
      const other = socket.socket(family, socket.SOCK_DGRAM);
      other.sendto(Buffer.from('x'), [host, p1]);
      const [, from] = r1.recvfrom(4);
      assert.equal(from[1], other.getsockname()[1]);
      other.close();
    } finally {
      r1.close();
      r2.close();
      sender.close();
    }
  }
});

test('a bad address raises the same error after the same host was used with a good port', async () => {
  const r = udpReceiver(socket.AF_INET, '127.0.0.1');
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    const port = r.getsockname()[1];
    for (let round = 0; round < 2; round++) {
      s.sendto(Buffer.from('ok'), ['127.0.0.1', port]);
      // Python's OverflowError is a RangeError here.
      assert.throws(() => s.sendto(Buffer.from('x'), ['127.0.0.1', 70000]), { name: 'RangeError', message: /sendto\(\): port must be 0-65535/ });
      await assert.rejects(s.sendtoAsync(Buffer.from('x'), ['127.0.0.1', -1]), { name: 'RangeError', message: /sendto\(\): port must be 0-65535/ });
      assert.throws(() => s.sendto(Buffer.from('x'), ['127.0.0.1', port, 0]), TypeError);
      assert.throws(() => s.sendto(Buffer.from('x'), ['127.0.0.1', String(port)]), TypeError);
      // An AF_INET6 socket given the kept AF_INET destination checks it as its own.
      const s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
      assert.throws(() => s6.sendto(Buffer.from('x'), ['127.0.0.1', port]), socket.gaierror);
      s6.close();
    }
  } finally {
    r.close();
    s.close();
  }
});

test('a host name is looked up on every call, never kept', async () => {
  const r = udpReceiver(socket.AF_INET, '127.0.0.1');
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    const port = r.getsockname()[1];
    for (let i = 0; i < 3; i++) {
      assert.equal(s.sendto(Buffer.from('n'), ['localhost', port]), 1);
      assert.equal(await s.sendtoAsync(Buffer.from('n'), ['localhost', port]), 1);
    }
    for (let i = 0; i < 6; i++) assert.equal(r.recv(4).toString(), 'n');
  } finally {
    r.close();
    s.close();
  }
});

test('each element of the address is read once per call, also when the destination is kept', () => {
  const r = udpReceiver(socket.AF_INET, '127.0.0.1');
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    const port = r.getsockname()[1];
    const reads = { 0: 0, 1: 0 };
    const address = new Proxy(['127.0.0.1', port], {
      get(target, key, receiver) {
        if (key === '0' || key === '1') reads[key]++;
        return Reflect.get(target, key, receiver);
      },
    });
    s.sendto(Buffer.from('a'), address);
    assert.deepEqual(reads, { 0: 1, 1: 1 });
    s.sendto(Buffer.from('b'), address);
    assert.deepEqual(reads, { 0: 2, 1: 2 });
    assert.equal(r.recv(4).toString(), 'a');
    assert.equal(r.recv(4).toString(), 'b');
  } finally {
    r.close();
    s.close();
  }
});
