// if_nameindex, if_nametoindex, if_indextoname, has_ipv6, has_dualstack_ipv6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import * as socket from 'bsdsock';

test('if_nameindex lists [index, name] of every interface, loopback included', () => {
  const list = socket.if_nameindex();
  assert.ok(list.length >= 1);
  for (const [index, name] of list) {
    assert.ok(Number.isInteger(index) && index > 0);
    assert.equal(typeof name, 'string');
    assert.equal(socket.if_nametoindex(name), index);
    assert.equal(socket.if_indextoname(index), name);
  }
  const lo = Object.keys(networkInterfaces()).find((n) => n === 'lo' || n === 'lo0');
  if (lo) assert.ok(list.some(([, name]) => name === lo));
});

test('if_nametoindex takes a string or bytes and raises OSError for an unknown name', () => {
  const [[index, name]] = socket.if_nameindex();
  assert.equal(socket.if_nametoindex(Buffer.from(name)), index);
  for (const bad of ['bsdsock-none', '', 'x'.repeat(40)]) {
    assert.throws(
      () => socket.if_nametoindex(bad),
      (e) => e instanceof socket.OSError && e.errno === null && e.message === 'no interface with this name',
    );
  }
  assert.throws(() => socket.if_nametoindex(1), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.if_nametoindex('lo\0'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
});

test('if_indextoname raises OSError ENXIO for an unknown index and checks its range', () => {
  assert.throws(() => socket.if_indextoname(0), (e) => e instanceof socket.OSError && e.code === 'ENXIO');
  assert.throws(() => socket.if_indextoname(2 ** 31 - 1), (e) => e instanceof socket.OSError && e.code === 'ENXIO');
  assert.throws(() => socket.if_indextoname(-1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.if_indextoname(2 ** 32), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.if_indextoname('1'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
});

test('has_ipv6 is true and has_dualstack_ipv6 answers with a boolean', () => {
  assert.equal(socket.has_ipv6, true);
  const dual = socket.has_dualstack_ipv6();
  assert.equal(typeof dual, 'boolean');
  // Where an AF_INET6 stream socket exists, Linux and macOS let it turn IPV6_V6ONLY off.
  let probe = null;
  try {
    probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM);
  } catch {}
  if (probe !== null) {
    probe.close();
    assert.equal(dual, true);
  }
});
