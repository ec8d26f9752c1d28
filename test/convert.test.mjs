// inet_aton/inet_ntoa, inet_pton/inet_ntop, the byte-order functions and
// CMSG_LEN/CMSG_SPACE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import * as socket from 'bsdsock';

const hex = (b) => Buffer.from(b).toString('hex');
const isOSError = (message) => (e) => e instanceof socket.OSError && e.errno === null && e.message === message;

test('inet_aton takes every legacy form the C library does', () => {
  const cases = {
    '1.2.3.4': '01020304',
    '1.2.3': '01020003',
    '1.2': '01000002',
    '16909060': '01020304',
    '0x7f.1': '7f000001',
    '0177.0.0.1': '7f000001',
    '0X7F000001': '7f000001',
    '4294967295': 'ffffffff',
    '1.2.3.4 and anything after a space': '01020304',
  };
  for (const [text, packed] of Object.entries(cases)) {
    const b = socket.inet_aton(text);
    assert.ok(Buffer.isBuffer(b));
    assert.equal(hex(b), packed, text);
  }
  for (const bad of ['', ' 1.2.3.4', '256.0.0.1', '1.2.3.4.5', '08', 'a.b.c.d', '4294967296']) {
    assert.throws(() => socket.inet_aton(bad), isOSError('illegal IP address string passed to inet_aton'), bad);
  }
  assert.throws(() => socket.inet_aton(Buffer.from('1.2.3.4')), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.inet_aton('1.2.3.4\0'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
});

test('inet_ntoa formats 4 bytes of any bytes-like kind', () => {
  assert.equal(socket.inet_ntoa(Buffer.from([127, 0, 0, 1])), '127.0.0.1');
  assert.equal(socket.inet_ntoa(new Uint8Array([255, 255, 255, 255])), '255.255.255.255');
  assert.equal(socket.inet_ntoa(new Uint8Array([9, 1, 2, 3, 4]).subarray(1)), '1.2.3.4');
  assert.equal(socket.inet_ntoa(new Uint8Array([10, 0, 0, 1]).buffer), '10.0.0.1');
  assert.throws(() => socket.inet_ntoa(Buffer.alloc(3)), isOSError('packed IP wrong length for inet_ntoa'));
  assert.throws(() => socket.inet_ntoa('1234'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
});

test('inet_pton and inet_ntop round-trip both families', () => {
  assert.equal(hex(socket.inet_pton(socket.AF_INET, '192.0.2.1')), 'c0000201');
  assert.equal(hex(socket.inet_pton(socket.AF_INET6, '::ffff:1.2.3.4')), '00000000000000000000ffff01020304');
  assert.equal(hex(socket.inet_pton(socket.AF_INET6, '2001:db8::1')), '20010db8000000000000000000000001');
  for (const text of ['::', '::1', '1::', '2001:db8::1', '::ffff:1.2.3.4', 'fe80::1:2', '1:2:3:4:5:6:7:8']) {
    assert.equal(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, text)), text);
  }
  assert.equal(socket.inet_ntop(socket.AF_INET, Buffer.from([192, 0, 2, 1])), '192.0.2.1');
  assert.throws(() => socket.inet_pton(socket.AF_INET, '1.2.3'), isOSError('illegal IP address string passed to inet_pton'));
  assert.throws(() => socket.inet_pton(socket.AF_INET, '01.2.3.4'), isOSError('illegal IP address string passed to inet_pton'));
  assert.throws(() => socket.inet_pton(socket.AF_INET6, '1::2::3'), isOSError('illegal IP address string passed to inet_pton'));
  assert.throws(
    () => socket.inet_pton(99, '1.2.3.4'),
    (e) => e instanceof socket.OSError && e.code === 'EAFNOSUPPORT' && e.errno > 0,
  );
  assert.throws(() => socket.inet_ntop(socket.AF_INET, Buffer.alloc(16)), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => socket.inet_ntop(socket.AF_INET6, Buffer.alloc(4)), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => socket.inet_ntop(99, Buffer.alloc(4)), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => socket.inet_ntop(socket.AF_INET, '1234'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
});

test('htons, ntohs, htonl, ntohl convert byte order and check ranges', () => {
  const le = endianness() === 'LE';
  assert.equal(socket.htons(0x1234), le ? 0x3412 : 0x1234);
  assert.equal(socket.ntohs(socket.htons(0xabcd)), 0xabcd);
  assert.equal(socket.htonl(0x01020304), le ? 0x04030201 : 0x01020304);
  assert.equal(socket.ntohl(socket.htonl(0xdeadbeef)), 0xdeadbeef);
  assert.equal(socket.htonl(0xffffffff), 0xffffffff);
  assert.equal(socket.htons(1n), le ? 256 : 1);
  for (const [fn, max] of [['htons', 0xffff], ['ntohs', 0xffff], ['htonl', 0xffffffff], ['ntohl', 0xffffffff]]) {
    assert.throws(() => socket[fn](max + 1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => socket[fn](-1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => socket[fn](1.5), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => socket[fn]('1'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  }
});

test('CMSG_LEN and CMSG_SPACE are the C macros, bounded as Python bounds them', () => {
  const header = socket.CMSG_LEN(0);
  assert.ok(header > 0);
  assert.equal(socket.CMSG_LEN(4), header + 4);
  assert.ok(socket.CMSG_SPACE(4) >= socket.CMSG_LEN(4));
  assert.equal(socket.CMSG_SPACE(1) % 4, 0);
  assert.equal(socket.CMSG_SPACE(0), header);
  const maxLen = 2 ** 31 - 1 - header;
  assert.equal(socket.CMSG_LEN(maxLen), 2 ** 31 - 1);
  assert.throws(() => socket.CMSG_LEN(maxLen + 1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.CMSG_LEN(-1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.CMSG_SPACE(2 ** 31), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.CMSG_SPACE(2n ** 64n), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.CMSG_LEN(1.5), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
});
