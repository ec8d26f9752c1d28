// Empty byte arrays through every native path that copies bytes. Node
// reports the memory of an empty (or detached) buffer as a NULL pointer;
// copying from it, even 0 bytes, is undefined behaviour that UBSan stops on,
// so these tests fail under `npm run test:sanitize` unless the addon never
// hands NULL to memcpy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { constants as os } from 'node:os';
import * as socket from 'bsdsock';

const { binding } = createRequire(import.meta.url)('../dist/cjs/native.js');
const linux = process.platform === 'linux';

/** Every kind of empty bytes-like object, a detached one included. */
function emptyBytes() {
  const detached = new ArrayBuffer(8);
  const viewOfDetached = new Uint8Array(detached);
  structuredClone(detached, { transfer: [detached] });
  const kinds = [
    Buffer.alloc(0),
    new Uint8Array(0),
    new Float64Array(0),
    new DataView(new ArrayBuffer(0)),
    new ArrayBuffer(0),
    detached,
    viewOfDetached,
  ];
  return Object.assign(kinds, { attached: kinds.slice(0, -2) });
}

test('an empty AF_UNIX address autobinds to an abstract name, for every empty bytes-like object', { skip: !linux && 'abstract names are Linux' }, () => {
  const all = emptyBytes();
  // The native encoder directly, detached buffers included (TypeScript
  // refuses those before the addon could see them).
  for (const empty of all) assert.deepEqual(binding.sockaddr_encode(socket.AF_UNIX, empty), Buffer.from([socket.AF_UNIX, 0]));
  for (const empty of all.attached) {
    const s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    s.bind(empty);
    const name = s.getsockname();
    s.close();
    assert.ok(Buffer.isBuffer(name), String(name));
    assert.equal(name.length, 6);
    assert.equal(name[0], 0);
    assert.match(name.subarray(1).toString('latin1'), /^[0-9a-f]{5}$/);
  }
});

test('decoding an empty sockaddr gives null, for every empty bytes-like object', () => {
  for (const empty of emptyBytes()) assert.equal(binding.sockaddr_decode(empty), null);
});

test('an AF_PACKET address with an empty hardware address encodes with sll_halen 0', { skip: !linux && 'AF_PACKET' }, () => {
  const lo = binding.sockaddr_encode(socket.AF_PACKET, ['lo', 0x0800]);
  assert.ok(Buffer.isBuffer(lo));
  for (const empty of emptyBytes()) {
    const encoded = binding.sockaddr_encode(socket.AF_PACKET, ['lo', 0x0800, 0, 0, empty]);
    assert.deepEqual(encoded, lo);
    assert.equal(encoded[11], 0, 'sll_halen');
  }
});

test('an empty bytes name is read as the empty name', { skip: !linux && 'Linux families' }, () => {
  const alg = binding.sockaddr_encode(socket.AF_ALG, ['', 'sha256']);
  for (const empty of emptyBytes()) {
    assert.equal(binding.sockaddr_encode(socket.AF_PACKET, [empty, 0]), -os.errno.ENODEV);
    assert.deepEqual(binding.sockaddr_encode(socket.AF_ALG, [empty, 'sha256']), alg);
  }
});
