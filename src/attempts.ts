// The attempts of the socket object's data calls, each written once and
// shared by the sync call (src/socket.ts, through the sync engine in
// src/engine.ts) and its async twin (src/async.ts): one non-blocking try
// returning the result or a negative errno. The plain functions take their
// arguments (the fast path: no record, no closure); the steps read the
// same arguments from a record, for the engines' waits.
import { checkDecoded, type Address } from './address';
import { SOCKADDR_ENCODED, sendtoFamily } from './sendto-address';
import { binding, type Bytes } from './native';
import { recvOffset, recvTake, recvTarget } from './recvbuf';
import { EAGAIN, EALREADY, EINPROGRESS, EINTR, EINVAL, EISCONN, ENOTCONN, POLLIN, POLLOUT, syncCall, type EngineSocket, type Stored } from './engine';
import { fromErrno } from './errors';

const C = binding.constants;

// recv/recvfrom read where recvbuf.ts says (a shared slab, or a spare kept
// across attempts). MSG_TRUNC on a datagram socket makes the call report
// the datagram's whole length: the data is still at most `size` bytes.

/** One recv of at most `size` bytes. */
export function recvOnce(fd: number, size: number, flags: number): Buffer | number {
  const buf = recvTarget(size);
  const off = recvOffset(buf);
  const n = binding.recv(fd, buf, off, size, flags);
  return n < 0 ? n : recvTake(buf, off, n > size ? size : n);
}

/**
 * What binding.recvfrom and binding.accept write besides their result: the
 * byte count or the new descriptor, and an IP peer's address (see
 * ipPeer). `receivedBytes` views the same memory, for an IPv6 address.
 */
const received = new Int32Array(9);
const receivedBytes = new Uint8Array(received.buffer, 8, 16);

/** The host of the last IPv4 and IPv6 peers, kept: a socket mostly hears from a few peers. */
let lastInetAddress = 0;
let lastInetHost = '0.0.0.0';
const lastInet6Address = new Int32Array(4);
let lastInet6Host = '::';

/** The IP peer in `received`, as Python gives it: `[host, port]` or `[host, port, flowinfo, scope_id]`. */
function ipPeer(): Address {
  if (received[1] === 4) {
    const a = received[2];
    if (a !== lastInetAddress) {
      lastInetAddress = a;
      lastInetHost = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    }
    return [lastInetHost, received[3]];
  }
  const last = lastInet6Address;
  if (received[2] !== last[0] || received[3] !== last[1] || received[4] !== last[2] || received[5] !== last[3]) {
    last[0] = received[2];
    last[1] = received[3];
    last[2] = received[4];
    last[3] = received[5];
    lastInet6Host = inet6Text(receivedBytes);
  }
  return [lastInet6Host, received[6], received[7] >>> 0, received[8] >>> 0];
}

/**
 * The text of an IPv6 address, exactly as the C library's inet_ntop
 * writes it (which is what the addon gave before): lowercase hex groups,
 * the first longest run of two or more zero groups as `::`, and the last
 * 32 bits in dotted form after six zero groups, or after five and ffff
 * (IPv4-compatible and IPv4-mapped addresses).
 */
export function inet6Text(b: Uint8Array): string {
  let bestStart = -1;
  let bestLength = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[2 * i] === 0 && b[2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLength) {
        bestStart = runStart;
        bestLength = i - runStart + 1;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLength < 2) bestStart = -1;
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLength) {
      if (i === bestStart) text += ':';
      continue;
    }
    if (i !== 0) text += ':';
    if (i === 6 && bestStart === 0 && (bestLength === 6 || (bestLength === 5 && b[10] === 0xff && b[11] === 0xff))) {
      return `${text}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    }
    text += ((b[2 * i] << 8) | b[2 * i + 1]).toString(16);
  }
  if (bestStart >= 0 && bestStart + bestLength === 8) text += ':';
  return text;
}

/** A sender's address as Python gives it (see binding.recvfrom), or the -errno of the call. */
function senderAddress(r: Address | number | undefined): Address | number {
  if (received[0] < 0) return r as number;
  return r === undefined ? ipPeer() : checkDecoded(r);
}

/** One recvfrom of at most `size` bytes: `[data, address]`. */
export function recvfromOnce(fd: number, size: number, flags: number): [Buffer, Address] | number {
  const buf = recvTarget(size);
  const off = recvOffset(buf);
  const address = senderAddress(binding.recvfrom(fd, buf, off, size, flags, received));
  if (typeof address === 'number') return address;
  const n = received[0];
  return [recvTake(buf, off, n > size ? size : n), address];
}

/** One recv into the first `n` bytes of `buf`. */
export function recvIntoOnce(fd: number, buf: Bytes, n: number, flags: number): number {
  return n === buf.byteLength ? binding.recvbuf(fd, buf, flags) : binding.recv(fd, buf, 0, n, flags);
}

/** One recvfrom into the first `n` bytes of `buf`: `[nbytes, address]`. */
export function recvfromIntoOnce(fd: number, buf: Bytes, n: number, flags: number): [number, Address] | number {
  const address = senderAddress(binding.recvfrom(fd, buf, 0, n, flags, received));
  return typeof address === 'number' ? address : [received[0], address];
}

/** One send of all of `buf` (the kernel may take less). */
export function sendOnce(fd: number, buf: Bytes, flags: number): number {
  return binding.sendbuf(fd, buf, flags);
}

/** One sendto of the first `len` bytes of `buf` to `address` (sendtoAddress's answer) on a socket of `family`. */
export function sendtoOnce(fd: number, buf: Bytes, len: number, flags: number, family: number, address: unknown): number {
  return sendtoFamily(family, address) === SOCKADDR_ENCODED
    ? binding.sendto_sockaddr(fd, buf, 0, len, flags, address as Buffer)
    : binding.sendto(fd, buf, 0, len, flags, family, address);
}

// A call that waits keeps the caller's buffers, and the caller may detach
// or resize them meanwhile: the steps send or receive the lengths the call
// began with (the addon refuses a span past a buffer's end with -EINVAL),
// and the steps taking lists compare the total length, so such a call
// fails instead of moving other bytes (an empty datagram, a dropped one).

/** The total byte length of `bufs`, as a call begins (see above). */
export function totalLength(bufs: readonly Bytes[]): number {
  let n = 0;
  for (let i = 0; i < bufs.length; i++) n += bufs[i].byteLength;
  return n;
}

/** -EINVAL when `bufs` no longer total `total` bytes, else 0. */
export function resized(bufs: readonly Bytes[], total: number): number {
  return totalLength(bufs) === total ? 0 : -EINVAL;
}

/**
 * Sends what it can of `a` (the bytes, `d` of them) from offset `b` with
 * flags `c`, keeping the offset in `b`: undefined once all is out, else
 * the errno of the send that stopped (-EAGAIN: wait, then go on from `b`).
 */
export function sendallStep(op: Stored, sock: EngineSocket): undefined | number {
  const fd = sock.fileno();
  const buf = op.a as Bytes;
  const len = op.d as number;
  let off = op.b as number;
  do {
    const r = binding.send(fd, buf, off, len - off, op.c as number);
    if (r < 0) {
      op.b = off;
      return r;
    }
    off += r;
  } while (off < len);
  op.b = off;
  return undefined;
}

// The steps: the attempts above reading their arguments from a record.

export function recvStep(op: Stored, sock: EngineSocket): Buffer | number {
  return recvOnce(sock.fileno(), op.a as number, op.b as number);
}

export function recvIntoStep(op: Stored, sock: EngineSocket): number {
  return recvIntoOnce(sock.fileno(), op.a as Bytes, op.b as number, op.c as number);
}

export function recvfromStep(op: Stored, sock: EngineSocket): [Buffer, Address] | number {
  return recvfromOnce(sock.fileno(), op.a as number, op.b as number);
}

/** recvfrom into the first `b` bytes of `a`, flags `c`: `[nbytes, address]`. */
export function recvfromIntoStep(op: Stored, sock: EngineSocket): [number, Address] | number {
  return recvfromIntoOnce(sock.fileno(), op.a as Bytes, op.b as number, op.c as number);
}

/** send of the `c` bytes of `a` with flags `b`. */
export function sendStep(op: Stored, sock: EngineSocket): number {
  return binding.send(sock.fileno(), op.a as Bytes, 0, op.c as number, op.b as number);
}

/** sendto of the `d` bytes of `a` with flags `b` to the native address `c`. */
export function sendtoStep(op: Stored, sock: EngineSocket): number {
  return sendtoOnce(sock.fileno(), op.a as Bytes, op.d as number, op.b as number, sock.family, op.c);
}

/** recv into `a[b, b + c)` with flags `d` (the makefile() layers). */
export function recvAtStep(op: Stored, sock: EngineSocket): number {
  return binding.recv(sock.fileno(), op.a as Bytes, op.b as number, op.c as number, op.d as number);
}

/** send of `a[b, b + c)` with flags `d` (the makefile() layers). */
export function sendAtStep(op: Stored, sock: EngineSocket): number {
  return binding.send(sock.fileno(), op.a as Bytes, op.b as number, op.c as number, op.d as number);
}

/**
 * One accept: `[fd, address]`, or -errno. An address without a form is
 * left as the codec's negative errno for Socket._adopt, which closes the
 * descriptor before raising.
 */
export function acceptOnce(fd: number): [number, Address | number] | number {
  const r = binding.accept(fd, received);
  const conn = received[0];
  if (conn < 0) return r as number;
  return [conn, r === undefined ? ipPeer() : r];
}

export function acceptStep(_op: Stored, sock: EngineSocket): [number, Address | number] | number {
  return acceptOnce(sock.fileno());
}

/** The sync calls as the sync engine runs them. */
export const RECV = syncCall('recv', POLLIN, recvStep);
export const RECV_INTO = syncCall('recv_into', POLLIN, recvIntoStep);
export const RECVFROM = syncCall('recvfrom', POLLIN, recvfromStep);
export const RECVFROM_INTO = syncCall('recvfrom_into', POLLIN, recvfromIntoStep);
export const SEND = syncCall('send', POLLOUT, sendStep);
export const SENDALL = syncCall('send', POLLOUT, sendallStep, 'sendall');
export const SENDTO = syncCall('sendto', POLLOUT, sendtoStep);
export const ACCEPT = syncCall('accept', POLLIN, acceptStep);
export const RECV_AT = syncCall('recv_into', POLLIN, recvAtStep);
export const SEND_AT = syncCall('send', POLLOUT, sendAtStep);

// --- connect -------------------------------------------------------------------
//
// A connect interrupted by a signal goes on in the kernel (PEP 475,
// bpo-23618): the sync call waits for it unless the socket is
// non-blocking; the twin always waits, as it does for EINPROGRESS.

/** Whether the sync connect waits after its first try failed with `errno`. */
export function syncConnectWaits(errno: number, timeoutMs: number): boolean {
  return errno === EINTR ? timeoutMs !== 0 : timeoutMs > 0 && errno === EINPROGRESS;
}

/** Whether a non-blocking connect that answered `-errno` is under way. */
export function connectUnderWay(errno: number): boolean {
  return errno === EINPROGRESS || errno === EINTR || errno === EALREADY;
}

/** SO_ERROR's value, read right after getsockopt (one buffer for every connect). */
const soError = new Int32Array(1);

/** SO_ERROR of `fd` (raising the error of getsockopt itself). */
function pendingError(fd: number): number {
  const g = binding.getsockopt(fd, C.SOL_SOCKET, C.SO_ERROR, soError);
  if (g < 0) throw fromErrno(-g, 'getsockopt');
  return soError[0];
}

/** The sync connect's step once poll says writable: 0, -EAGAIN (still going) or -errno. */
function connectDoneStep(_op: Stored, sock: EngineSocket): number {
  const err = pendingError(sock.fileno());
  if (err === 0 || err === EISCONN) return 0;
  return -err;
}

/** The sync connect's wait: every failure names connect (connect_ex returns its errno). */
export const CONNECT = syncCall('connect', POLLOUT, connectDoneStep, 'connect', 'connect');

/**
 * The outcome of a twin's connect in progress, from SO_ERROR: 0, -EAGAIN
 * (still going) or -errno. `polled`: poll() itself has just said writable,
 * which a connect under way never is, so SO_ERROR alone decides.
 */
export function connectOutcome(fd: number, polled = false): number {
  const g = binding.getsockopt(fd, C.SOL_SOCKET, C.SO_ERROR, soError);
  if (g < 0) return g;
  const err = soError[0];
  if (err === 0 || err === EISCONN) {
    if (polled) return 0;
    // A wake-up alone proves nothing (Deno's uv_poll reports the events it
    // was asked for, denoland/deno#36317): no peer yet means still going.
    return binding.getpeername(fd) === -ENOTCONN ? -EAGAIN : 0;
  }
  if (err === EINPROGRESS || err === EALREADY) return -EAGAIN;
  return -err;
}
