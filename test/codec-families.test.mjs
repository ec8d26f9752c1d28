// The sockaddr codecs of the families beyond AF_INET/AF_INET6/AF_UNIX,
// through the native codec directly (struct bytes at known offsets), so
// that families this kernel lacks are covered too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { constants as os } from 'node:os';
import { openFds } from './support/fds.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The addon the package loaded (the sanitizer build under test:sanitize).
const { binding } = createRequire(import.meta.url)(join(root, 'dist', 'cjs', 'native.js'));
const C = binding.constants;
const linux = process.platform === 'linux';
const loIndex = linux ? Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8')) : 0;
// The codecs look interface names up (if_nametoindex/if_indextoname open a
// socket each time): the count must come back to this.
const fdsAtStart = linux ? openFds() : 0;

const { decodeAddress, checkDecoded } = createRequire(import.meta.url)(join(root, 'dist', 'cjs', 'address.js'));
const encode = (family, address) => binding.sockaddr_encode(family, address);
const decode = (buffer, proto) => binding.sockaddr_decode(buffer, proto);

test('every family codec is registered', { skip: !linux && 'Linux families' }, () => {
  for (const name of ['AF_PACKET', 'AF_NETLINK', 'AF_VSOCK', 'AF_CAN', 'AF_ALG', 'AF_TIPC', 'AF_RDS', 'AF_BLUETOOTH', 'AF_QIPCRTR']) {
    assert.ok(binding.codec_families.includes(C[name]), name);
  }
});

test('AF_PACKET: struct sockaddr_ll', { skip: !linux && 'Linux only' }, () => {
  const hw = Buffer.from([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
  const b = encode(C.AF_PACKET, ['lo', 0x0800, C.PACKET_OUTGOING, 772, hw]);
  assert.equal(b.length, 20);
  assert.equal(b.readUInt16LE(0), C.AF_PACKET);
  assert.equal(b.readUInt16BE(2), 0x0800); // sll_protocol, network order
  assert.equal(b.readInt32LE(4), loIndex); // sll_ifindex
  assert.equal(b.readUInt16LE(8), 772); // sll_hatype
  assert.equal(b[10], C.PACKET_OUTGOING); // sll_pkttype
  assert.equal(b[11], 6); // sll_halen
  assert.deepEqual(b.subarray(12, 18), hw);
  assert.deepEqual(decode(b), ['lo', 0x0800, C.PACKET_OUTGOING, 772, hw]);
  // Two elements: PACKET_HOST, hatype 0, no hardware address.
  const short = encode(C.AF_PACKET, ['lo', 3]);
  assert.deepEqual(decode(short), ['lo', 3, C.PACKET_HOST, 0, Buffer.alloc(0)]);
  // The interface name may come as bytes.
  assert.deepEqual(encode(C.AF_PACKET, [Buffer.from('lo'), 3]), short);
  // An index that names no interface decodes as ''.
  const gone = Buffer.from(short);
  gone.writeInt32LE(0x7ffffff0, 4);
  assert.equal(decode(gone)[0], '');
  assert.equal(encode(C.AF_PACKET, ['bsdsock-none0', 0]), -os.errno.ENODEV);
  assert.equal(encode(C.AF_PACKET, ['', 0]), -os.errno.ENODEV);
  assert.equal(encode(C.AF_PACKET, ['lo', 0, 0, 0, Buffer.alloc(9)]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_PACKET, ['lo', 0x10000]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_PACKET, ['lo', 0, 256]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_PACKET, ['l\0o', 0]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_PACKET, ['x'.repeat(16), 0]), -os.errno.ENAMETOOLONG);
});

test('AF_NETLINK, AF_VSOCK, AF_QIPCRTR: pairs of unsigned 32-bit numbers', { skip: !linux && 'Linux only' }, () => {
  const nl = encode(C.AF_NETLINK, [4000000000, 0x80000001]);
  assert.equal(nl.length, 12);
  assert.equal(nl.readUInt16LE(0), C.AF_NETLINK);
  assert.equal(nl.readUInt32LE(4), 4000000000); // nl_pid
  assert.equal(nl.readUInt32LE(8), 0x80000001); // nl_groups
  assert.deepEqual(decode(nl), [4000000000, 0x80000001]);

  const vm = encode(C.AF_VSOCK, [C.VMADDR_CID_ANY, 1234]);
  assert.equal(vm.length, 16);
  assert.equal(vm.readUInt16LE(0), C.AF_VSOCK);
  assert.equal(vm.readUInt32LE(4), 1234); // svm_port
  assert.equal(vm.readUInt32LE(8), C.VMADDR_CID_ANY); // svm_cid
  assert.deepEqual(vm.subarray(12), Buffer.alloc(4)); // svm_flags, svm_zero
  assert.deepEqual(decode(vm), [C.VMADDR_CID_ANY, 1234]);

  const q = encode(C.AF_QIPCRTR, [7, 0xfffffffe]);
  assert.equal(q.length, 12);
  assert.equal(q.readUInt16LE(0), C.AF_QIPCRTR);
  assert.equal(q.readUInt32LE(4), 7); // sq_node
  assert.equal(q.readUInt32LE(8), 0xfffffffe); // sq_port
  assert.deepEqual(decode(q), [7, 0xfffffffe]);

  for (const family of [C.AF_NETLINK, C.AF_VSOCK, C.AF_QIPCRTR]) {
    assert.equal(encode(family, [-1, 0]), -os.errno.EINVAL);
    assert.equal(encode(family, [2 ** 32, 0]), -os.errno.EINVAL);
    assert.equal(encode(family, [1.5, 0]), -os.errno.EINVAL);
    // Forms the address rules never pass: refused, not thrown.
    assert.equal(encode(family, ['1', 0]), -os.errno.EINVAL);
    assert.equal(encode(family, [1]), -os.errno.EINVAL);
    assert.equal(encode(family, 5), -os.errno.EINVAL);
  }
});

test('AF_CAN: struct sockaddr_can for each protocol', { skip: !linux && 'Linux only' }, () => {
  const raw = encode(C.AF_CAN, ['lo']);
  assert.equal(raw.length, 24);
  assert.equal(raw.readUInt16LE(0), C.AF_CAN);
  assert.equal(raw.readInt32LE(4), loIndex); // can_ifindex
  assert.deepEqual(raw.subarray(8), Buffer.alloc(16));
  assert.deepEqual(decode(raw, C.CAN_RAW), ['lo']);
  assert.deepEqual(decode(raw, C.CAN_BCM), ['lo']);
  // '' is every interface, index 0.
  assert.equal(encode(C.AF_CAN, [''])?.readInt32LE(4), 0);
  assert.deepEqual(decode(encode(C.AF_CAN, ['']), C.CAN_RAW), ['']);

  const tp = encode(C.AF_CAN, ['lo', 0x7e0, 0x80000123]);
  assert.equal(tp.readUInt32LE(8), 0x7e0); // can_addr.tp.rx_id
  assert.equal(tp.readUInt32LE(12), 0x80000123); // can_addr.tp.tx_id
  assert.deepEqual(decode(tp, C.CAN_ISOTP), ['lo', 0x7e0, 0x80000123]);

  const j = encode(C.AF_CAN, ['lo', 0x1234567890abcdefn, C.J1939_PGN_REQUEST, C.J1939_NO_ADDR]);
  assert.equal(j.readBigUInt64LE(8), 0x1234567890abcdefn); // can_addr.j1939.name
  assert.equal(j.readUInt32LE(16), C.J1939_PGN_REQUEST); // can_addr.j1939.pgn
  assert.equal(j[20], C.J1939_NO_ADDR); // can_addr.j1939.addr
  assert.deepEqual(decode(j, C.CAN_J1939), ['lo', 0x1234567890abcdefn, C.J1939_PGN_REQUEST, C.J1939_NO_ADDR]);
  assert.deepEqual(decode(encode(C.AF_CAN, ['lo', 5, 6, 7]), C.CAN_J1939), ['lo', 5n, 6, 7]);

  // Without the protocol, the length the kernel reports tells the forms apart.
  assert.deepEqual(decode(raw.subarray(0, 8)), ['lo']);
  assert.deepEqual(decode(tp.subarray(0, 16)), ['lo', 0x7e0, 0x80000123]);
  assert.deepEqual(decode(j), ['lo', 0x1234567890abcdefn, C.J1939_PGN_REQUEST, C.J1939_NO_ADDR]);

  assert.equal(encode(C.AF_CAN, ['bsdsock-none0']), -os.errno.ENODEV);
  assert.equal(encode(C.AF_CAN, ['x'.repeat(16)]), -os.errno.ENAMETOOLONG);
  assert.equal(encode(C.AF_CAN, ['lo', 1]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_CAN, ['lo', 2n ** 64n, 0, 0]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_CAN, ['lo', 0, 0, 256]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_CAN, [5]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_CAN, ['lo', 'x', 0, 0]), -os.errno.EINVAL);
});

test('AF_ALG: struct sockaddr_alg', { skip: !linux && 'Linux only' }, () => {
  const b = encode(C.AF_ALG, ['skcipher', 'cbc(aes)', 0x8001, 0xffffffff]);
  assert.equal(b.length, 88);
  assert.equal(b.readUInt16LE(0), C.AF_ALG);
  assert.equal(b.toString('latin1', 2, 16), 'skcipher'.padEnd(14, '\0')); // salg_type[14]
  assert.equal(b.readUInt32LE(16), 0x8001); // salg_feat
  assert.equal(b.readUInt32LE(20), 0xffffffff); // salg_mask
  assert.equal(b.toString('latin1', 24, 88), 'cbc(aes)'.padEnd(64, '\0')); // salg_name[64]
  assert.deepEqual(decode(b), ['skcipher', 'cbc(aes)', 0x8001, 0xffffffff]);
  assert.deepEqual(decode(encode(C.AF_ALG, ['hash', 'sha256'])), ['hash', 'sha256', 0, 0]);
  // Fields filled to the last byte decode without their NUL.
  const full = encode(C.AF_ALG, ['t'.repeat(13), 'n'.repeat(63)]);
  full.fill(0x74, 2, 16);
  full.fill(0x6e, 24, 88);
  assert.deepEqual(decode(full), ['t'.repeat(14), 'n'.repeat(64), 0, 0]);
  assert.equal(encode(C.AF_ALG, ['t'.repeat(14), 'x']), -os.errno.ENAMETOOLONG);
  assert.equal(encode(C.AF_ALG, ['hash', 'n'.repeat(64)]), -os.errno.ENAMETOOLONG);
});

test('AF_TIPC: struct sockaddr_tipc for each address type', { skip: !linux && 'Linux only' }, () => {
  const seq = encode(C.AF_TIPC, [C.TIPC_ADDR_NAMESEQ, 1000, 1, 9, C.TIPC_NODE_SCOPE]);
  assert.equal(seq.length, 16);
  assert.equal(seq.readUInt16LE(0), C.AF_TIPC);
  assert.equal(seq[2], C.TIPC_ADDR_NAMESEQ); // addrtype
  assert.equal(seq[3], C.TIPC_NODE_SCOPE); // scope
  assert.deepEqual([seq.readUInt32LE(4), seq.readUInt32LE(8), seq.readUInt32LE(12)], [1000, 1, 9]); // type, lower, upper
  assert.deepEqual(decode(seq), [C.TIPC_ADDR_NAMESEQ, 1000, 1, 9, C.TIPC_NODE_SCOPE]);

  const name = encode(C.AF_TIPC, [C.TIPC_ADDR_NAME, 1000, 5, 77, C.TIPC_CLUSTER_SCOPE]);
  assert.deepEqual([name.readUInt32LE(4), name.readUInt32LE(8), name.readUInt32LE(12)], [1000, 5, 0]); // type, instance, domain
  assert.deepEqual(decode(name), [C.TIPC_ADDR_NAME, 1000, 5, 5, C.TIPC_CLUSTER_SCOPE]);

  const id = encode(C.AF_TIPC, [C.TIPC_ADDR_ID, 0x01001001, 42, 77, C.TIPC_ZONE_SCOPE]);
  assert.equal(id.readUInt32LE(4), 42); // addr.id.ref
  assert.equal(id.readUInt32LE(8), 0x01001001); // addr.id.node
  assert.deepEqual(decode(id), [C.TIPC_ADDR_ID, 0x01001001, 42, 0, C.TIPC_ZONE_SCOPE]);

  // scope is a signed char that Python reports as an unsigned int.
  assert.equal(decode(encode(C.AF_TIPC, [C.TIPC_ADDR_ID, 1, 2, 3, 255]))[4], 4294967295);
  assert.equal(encode(C.AF_TIPC, [9, 1, 2, 3, 2]), -os.errno.EINVAL);
  const bad = Buffer.from(seq);
  bad[2] = 9;
  // The codec words nothing: an address type Python does not know is
  // -EAFNOSUPPORT, which the TypeScript wrapper raises as Python's ValueError.
  assert.equal(decode(bad), -os.errno.EAFNOSUPPORT);
  assert.throws(() => decodeAddress(bad), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: 'Invalid address type' });
  assert.deepEqual(decodeAddress(id), [C.TIPC_ADDR_ID, 0x01001001, 42, 0, C.TIPC_ZONE_SCOPE]);
});

test('AF_RDS: a struct sockaddr_in that says AF_INET, as CPython builds it', { skip: !linux && 'Linux only' }, () => {
  const b = encode(C.AF_RDS, ['127.0.0.1', 4000]);
  assert.equal(b.length, 16);
  assert.equal(b.readUInt16LE(0), C.AF_INET);
  assert.equal(b.readUInt16BE(2), 4000);
  assert.deepEqual([...b.subarray(4, 8)], [127, 0, 0, 1]);
  assert.deepEqual(decode(b), ['127.0.0.1', 4000]);
});

// The Bluetooth protocol numbers are kernel ABI (include/net/bluetooth/
// bluetooth.h): the codec is compiled with or without BlueZ's headers, and
// is tested with these numbers when the build has no BTPROTO_* constants.
const BT = { L2CAP: 0, HCI: 1, SCO: 2, RFCOMM: 3 };

test('AF_BLUETOOTH protocol numbers: BlueZ\'s constants, where the build has them, are the kernel\'s', { skip: !linux && 'Linux only' }, () => {
  assert.equal(C.AF_BLUETOOTH, 31);
  for (const [name, value] of Object.entries(BT)) {
    if (C[`BTPROTO_${name}`] !== undefined) assert.equal(C[`BTPROTO_${name}`], value, name);
  }
});

test('AF_BLUETOOTH: the four structs', { skip: !linux && 'Linux only' }, () => {
  const bd = '01:23:45:67:89:AB';
  const rev = [0xab, 0x89, 0x67, 0x45, 0x23, 0x01];

  const l2 = encode(C.AF_BLUETOOTH, [BT.L2CAP, bd, 0x1001]);
  assert.equal(l2.length, 14);
  assert.equal(l2.readUInt16LE(0), C.AF_BLUETOOTH);
  assert.equal(l2.readUInt16LE(2), 0x1001); // l2_psm, little-endian
  assert.deepEqual([...l2.subarray(4, 10)], rev); // l2_bdaddr, least significant byte first
  assert.equal(l2.readUInt16LE(10), 0); // l2_cid
  assert.equal(l2[12], 0); // l2_bdaddr_type
  assert.deepEqual(decode(l2, BT.L2CAP), [bd, 0x1001]);
  assert.deepEqual(decode(l2), [bd, 0x1001]);

  const rc = encode(C.AF_BLUETOOTH, [BT.RFCOMM, bd.toLowerCase(), 30]);
  assert.equal(rc.length, 10);
  assert.deepEqual([...rc.subarray(2, 8)], rev);
  assert.equal(rc[8], 30); // rc_channel
  assert.deepEqual(decode(rc, BT.RFCOMM), [bd, 30]);
  assert.deepEqual(decode(rc), [bd, 30]);

  const hci = encode(C.AF_BLUETOOTH, [BT.HCI, 0, 1]);
  assert.equal(hci.length, 6);
  assert.equal(hci.readUInt16LE(2), 0); // hci_dev
  assert.equal(hci.readUInt16LE(4), 1); // hci_channel
  assert.equal(decode(hci, BT.HCI), 0);
  assert.equal(decode(encode(C.AF_BLUETOOTH, [BT.HCI, 3, 0])), 3);

  const sco = encode(C.AF_BLUETOOTH, [BT.SCO, bd]);
  assert.equal(sco.length, 8);
  assert.deepEqual([...sco.subarray(2, 8)], rev);
  assert.equal(decode(sco, BT.SCO), bd);
  assert.equal(decode(sco), bd);

  // A protocol without an address form: -EPROTONOSUPPORT from the codec,
  // Python's ValueError from the TypeScript wrapper.
  assert.equal(decode(l2, 99), -os.errno.EPROTONOSUPPORT);
  assert.throws(() => decodeAddress(l2, 99), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: 'Unknown Bluetooth protocol' });
  // An HCI device number is an address, not a failure, however it is read.
  assert.equal(decodeAddress(hci, BT.HCI), 0);
  assert.equal(checkDecoded(0), 0);
  assert.equal(checkDecoded(7, 'getsockname'), 7);
  // getsockname's own errno, in the same slot, stays an OSError.
  assert.throws(() => checkDecoded(-os.errno.EBADF, 'getsockname'), { name: 'OSError', errno: os.errno.EBADF, syscall: 'getsockname' });
  assert.equal(decodeAddress(encode(C.AF_BLUETOOTH, [BT.HCI, 0xffff, 0])), 0xffff);
  assert.equal(encode(C.AF_BLUETOOTH, [99, bd]), -os.errno.EPROTONOSUPPORT);
  assert.equal(encode(C.AF_BLUETOOTH, [BT.SCO, '01:23:45:67:89']), -os.errno.EINVAL);
  assert.equal(encode(C.AF_BLUETOOTH, [BT.SCO, '01:23:45:67:89:AG']), -os.errno.EINVAL);
  assert.equal(encode(C.AF_BLUETOOTH, [BT.L2CAP, bd, 0x10000]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_BLUETOOTH, [BT.RFCOMM, bd, 256]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_BLUETOOTH, [BT.HCI, 0x10000, 0]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_BLUETOOTH, [BT.HCI, 0, 0x10000]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_BLUETOOTH, [BT.L2CAP, 5, 1]), -os.errno.EINVAL);
  assert.equal(encode(C.AF_BLUETOOTH, ['0', bd, 1]), -os.errno.EINVAL);
});

// Each form as Python returns it (getsockname/recvfrom/accept): what the
// kernel fills in is read back into Python's spelling, and that spelling,
// passed through the address rules (the native form names the protocol
// first), encodes to the same struct again.
test('AF_BLUETOOTH: every address form round-trips as Python spells it', { skip: !linux && 'Linux only' }, () => {
  const struct = (length, fill) => {
    const b = Buffer.alloc(length);
    b.writeUInt16LE(C.AF_BLUETOOTH, 0);
    fill(b);
    return b;
  };
  const setBdaddr = (b, at, s) => b.set(s.split(':').map((h) => parseInt(h, 16)).reverse(), at);
  const cases = [
    // [protocol, struct the kernel fills in, Python's form, native (encode) form]
    [BT.L2CAP, struct(14, (b) => { b.writeUInt16LE(0x0019, 2); setBdaddr(b, 4, 'FE:DC:BA:98:76:54'); }),
      ['FE:DC:BA:98:76:54', 0x19], [BT.L2CAP, 'FE:DC:BA:98:76:54', 0x19]],
    [BT.L2CAP, struct(14, (b) => { b.writeUInt16LE(0xffff, 2); }), ['00:00:00:00:00:00', 0xffff], [BT.L2CAP, '00:00:00:00:00:00', 0xffff]],
    [BT.RFCOMM, struct(10, (b) => { setBdaddr(b, 2, '00:1A:7D:DA:71:13'); b[8] = 255; }),
      ['00:1A:7D:DA:71:13', 255], [BT.RFCOMM, '00:1A:7D:DA:71:13', 255]],
    [BT.RFCOMM, struct(10, (b) => { setBdaddr(b, 2, '00:00:00:FF:FF:FF'); b[8] = 1; }), ['00:00:00:FF:FF:FF', 1], [BT.RFCOMM, '00:00:00:FF:FF:FF', 1]],
    [BT.HCI, struct(6, (b) => { b.writeUInt16LE(0xfffe, 2); }), 0xfffe, [BT.HCI, 0xfffe, 0]],
    [BT.HCI, struct(6, (b) => { b.writeUInt16LE(2, 2); }), 2, [BT.HCI, 2, 0]],
    [BT.SCO, struct(8, (b) => { setBdaddr(b, 2, 'AA:BB:CC:DD:EE:FF'); }), 'AA:BB:CC:DD:EE:FF', [BT.SCO, 'AA:BB:CC:DD:EE:FF']],
  ];
  for (const [proto, kernel, python, native] of cases) {
    const label = `${proto} ${JSON.stringify(python)}`;
    // With the socket's protocol, and without it (the length tells).
    assert.deepEqual(decode(kernel, proto), python, label);
    assert.deepEqual(decode(kernel), python, `${label} (by length)`);
    assert.deepEqual(encode(C.AF_BLUETOOTH, native), kernel, label);
  }
  // Fields Python does not report (l2_cid, l2_bdaddr_type, hci_channel) are
  // ignored when decoding.
  const l2 = struct(14, (b) => { b.writeUInt16LE(0x1001, 2); b.writeUInt16LE(0x40, 10); b[12] = 1; });
  assert.deepEqual(decode(l2, BT.L2CAP), ['00:00:00:00:00:00', 0x1001]);
  const hci = struct(6, (b) => { b.writeUInt16LE(7, 2); b.writeUInt16LE(1, 4); });
  assert.equal(decode(hci, BT.HCI), 7);
});

test('decoding never reads past the buffer it is given', { skip: !linux && 'Linux only' }, () => {
  for (const family of [C.AF_PACKET, C.AF_NETLINK, C.AF_VSOCK, C.AF_CAN, C.AF_ALG, C.AF_QIPCRTR, C.AF_BLUETOOTH]) {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(family);
    assert.doesNotThrow(() => decode(b), String(family));
  }
  // A packet address claiming a 255-byte hardware address stays inside the storage.
  const b = Buffer.alloc(20);
  b.writeUInt16LE(C.AF_PACKET);
  b[11] = 255;
  assert.ok(decode(b)[4].length <= 128 - 12);
});

test('the decode wrapper checks its arguments in TypeScript, the codec only refuses them', { skip: !linux && 'Linux struct layout' }, () => {
  // One byte cannot hold sa_family: TypeScript words it, C answers -EINVAL.
  assert.throws(() => decodeAddress(Buffer.alloc(1)), {
    name: 'RangeError',
    code: 'ERR_OUT_OF_RANGE',
    message: 'The "address" buffer is too short for a sockaddr',
  });
  assert.equal(decode(Buffer.alloc(1)), -os.errno.EINVAL);
  assert.throws(() => decodeAddress('xx'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"address" argument must be a bytes-like object/ });
  assert.throws(() => decodeAddress(Buffer.alloc(16), 'x'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"proto" argument must be an integer/ });
  assert.equal(decodeAddress(Buffer.alloc(0)), null);
  const sin = Buffer.alloc(16);
  sin.writeUInt16LE(2, 0);
  sin.writeUInt16BE(80, 2);
  sin.set([127, 0, 0, 1], 4);
  assert.deepEqual(decodeAddress(sin), ['127.0.0.1', 80]);
  assert.deepEqual(decodeAddress(new Uint8Array(sin)), ['127.0.0.1', 80]);
});

test('random input never crashes or throws in the codecs: a -errno, or a struct and its address', { skip: !linux && 'Linux families' }, () => {
  let seed = 0x5eed;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const atoms = [0, -1, 1.5, 2 ** 32, 2 ** 53, NaN, Infinity, 'lo', '', 'x'.repeat(100), '\0', 1n, -1n, 2n ** 70n, null,
    undefined, {}, [], Buffer.alloc(3), Buffer.alloc(20), new Uint16Array(2), new ArrayBuffer(4), true, Symbol('s'),
    '01:02:03:04:05:06', 0, 1, 2, 3, C.TIPC_ADDR_NAME];
  const fams = ['AF_PACKET', 'AF_NETLINK', 'AF_VSOCK', 'AF_CAN', 'AF_ALG', 'AF_TIPC', 'AF_RDS', 'AF_BLUETOOTH', 'AF_QIPCRTR'].map((n) => C[n]);
  const proto = () => (rnd() < 0.5 ? undefined : Math.floor(rnd() * 10) - 1);
  // A decoded address: a string, array, null or number >= 0, or one of
  // the two negative errnos of an address without a Python form.
  const undecodable = [-os.errno.EAFNOSUPPORT, -os.errno.EPROTONOSUPPORT];
  const decoded = (a, label) => {
    if (typeof a === 'number' && a < 0) assert.ok(undecodable.includes(a), `${label}: ${a}`);
    else assert.ok(a === null || typeof a === 'string' || typeof a === 'number' || Array.isArray(a), label);
  };
  for (let i = 0; i < 20000; i++) {
    const family = pick(fams);
    const address = rnd() < 0.1 ? pick(atoms) : Array.from({ length: Math.floor(rnd() * 7) }, () => pick(atoms));
    const r = encode(family, address);
    if (typeof r === 'number') assert.ok(r < 0);
    else decoded(decode(r, proto()), `encoded ${family}`);
    const buf = Buffer.alloc(Math.floor(rnd() * 140));
    for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rnd() * 256);
    if (buf.length >= 2) buf.writeUInt16LE(family, 0);
    const got = decode(buf.length === 1 ? Buffer.alloc(0) : buf, proto());
    decoded(got, `decoded ${family}`);
  }
});

test('no descriptor leaked by this file', { skip: !linux && 'Linux only' }, () => {
  assert.equal(openFds(), fdsAtStart);
});
