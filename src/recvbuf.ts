// Where recv()/recvfrom() and their async twins read when the caller gives
// no buffer, so that a call costs no copy and no allocation beyond the
// result's view, whatever the bufsize:
//
// - bufsize <= SLAB_MAX: straight into a shared slab (as Buffer.allocUnsafe
//   uses Node's pool); the result is a view of the bytes that arrived, and
//   the slab's free space moves on by that many bytes (rounded up to 8, as
//   Node's pool aligns), not by bufsize. A fresh slab is taken when the rest
//   of this one is shorter than bufsize. A result keeps its slab alive, as a
//   pooled Buffer keeps Node's pool alive.
// - larger: into a spare buffer of at least bufsize, made once and kept,
//   so a try that gets EAGAIN allocates nothing (a bufsize above SPARE_MAX
//   gets a buffer per try instead, which is never kept). When it
//   is mostly filled it is handed out (a view of it) and the next call makes
//   a new one, as net.Socket hands out each read's buffer; otherwise what
//   arrived is copied out and the spare stays.
//
// Reads and takes happen in one synchronous step (a sync call, or one
// attempt of a twin), so the slab cannot move in between.

const SLAB_SIZE = 65536;
const SLAB_MAX = 8192;
const SPARE_MAX = 1 << 20;

/** Node's Buffer class proper (Buffer[Symbol.species]): `new FastBuffer(ab, offset, length)` is a Buffer view. */
type ViewCtor = new (ab: ArrayBufferLike, byteOffset: number, length: number) => Buffer;
const FastBuffer: ViewCtor = (() => {
  const species = (Buffer as unknown as Record<symbol, unknown>)[Symbol.species];
  if (typeof species === 'function' && species !== Buffer) {
    try {
      const probe = new (species as ViewCtor)(new ArrayBuffer(8), 2, 3);
      if (Buffer.isBuffer(probe) && probe.byteOffset === 2 && probe.length === 3) return species as ViewCtor;
    } catch {
      // Not a Buffer constructor after all: the fallback below.
    }
  }
  return function view(ab: ArrayBufferLike, byteOffset: number, length: number): Buffer {
    return Buffer.from(ab as ArrayBuffer, byteOffset, length);
  } as unknown as ViewCtor;
})();

let slab: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabBuffer: ArrayBufferLike = slab.buffer;
let slabOffset = 0;
let spare: Buffer | null = null;

/** The buffer a receive of up to `size` bytes reads into, at {@link recvOffset}. */
export function recvTarget(size: number): Buffer {
  if (size <= SLAB_MAX) {
    // A caller may transfer the ArrayBuffer under a result it was given
    // (postMessage, structuredClone): that detaches the slab, which then
    // has no bytes left to read into.
    if (slabOffset + size > SLAB_SIZE || slabBuffer.byteLength === 0) {
      slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      slabBuffer = slab.buffer;
      slabOffset = 0;
    }
    return slab;
  }
  const s = spare;
  if (s !== null && s.length >= size) return s;
  const b = Buffer.allocUnsafeSlow(size);
  if (size <= SPARE_MAX) spare = b;
  return b;
}

/** Where in `buf` (from {@link recvTarget}) the bytes go. */
export function recvOffset(buf: Buffer): number {
  return buf === slab ? slabOffset : 0;
}

/** Hands out the `n` bytes just read into `buf` at `off`: a view, or a copy of a few bytes read into a big spare. */
export function recvTake(buf: Buffer, off: number, n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  if (buf === slab) {
    slabOffset = (off + n + 7) & ~7;
    return new FastBuffer(slabBuffer, off, n);
  }
  if (n >= buf.length >>> 1) {
    // Mostly filled: hand it out; the next call makes a new spare.
    if (buf === spare) spare = null;
    return n === buf.length ? buf : new FastBuffer(buf.buffer, buf.byteOffset, n);
  }
  let out: Buffer;
  if (n <= SLAB_MAX) {
    const s = recvTarget(n);
    const o = slabOffset;
    out = recvTake(s, o, n);
  } else {
    out = Buffer.allocUnsafe(n);
  }
  out.set(new Uint8Array(buf.buffer, buf.byteOffset, n));
  return out;
}
