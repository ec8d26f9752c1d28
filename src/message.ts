// Messages: sendmsg/recvmsg/recvmsg_into with ancillary data, their async
// twins, sendmsg_afalg, and the module-level send_fds/recv_fds. Arguments
// are checked here, in Python's order; the addon (native/sys_msg.c) maps
// buffers onto iovecs and lays out or walks the control-message block.
import { endianness } from 'node:os';
import { toNativeAddress } from './address';
import { addressOnce, hostToLookUp, READ, rejecting, resolveHostAsync, signalOf, splitOptions, start, WRITE, type AsyncOptions } from './async';
import { isAborted } from './signal';
import { resized, totalLength } from './attempts';
import { callSync, POLLIN, POLLOUT, syncCall, type EngineSocket, type Stored } from './engine';
import { argRangeError, argTypeError, argValueError, plainOSError } from './errors';
import { binding, type Bytes } from './native';
import { Socket, type Address, type AddressArg } from './socket';
import { isOptions, toBytes, toBytesList, toCInt, toFlags, toSequence, toSize } from './validate';

const C = binding.constants;
const MSG_DONTWAIT = C.MSG_DONTWAIT;
const SOL_SOCKET = C.SOL_SOCKET;
const SCM_RIGHTS = C.SCM_RIGHTS;
const INT_MAX = 2147483647;
const LITTLE_ENDIAN = endianness() === 'LE';

/** A control message as recvmsg returns it: `[cmsg_level, cmsg_type, cmsg_data]`. */
export type Ancillary = [cmsg_level: number, cmsg_type: number, cmsg_data: Buffer];

/** A control message to send: `[cmsg_level, cmsg_type, cmsg_data]` with any bytes-like data. */
export type AncillaryInput = readonly [cmsg_level: number, cmsg_type: number, cmsg_data: Bytes];

/** What recvmsg returns: the data, the control messages, the message flags and the sender's address. */
export type RecvmsgResult = [data: Buffer, ancdata: Ancillary[], msg_flags: number, address: Address];

/** What recvmsg_into returns: like recvmsg, with the byte count in place of the data. */
export type RecvmsgIntoResult = [nbytes: number, ancdata: Ancillary[], msg_flags: number, address: Address];

/** What recv_fds returns: the data, the descriptors received, the message flags and the address. */
export type RecvFdsResult = [data: Buffer, fds: number[], msg_flags: number, address: Address];

/** The keyword arguments of sendmsg_afalg. */
export interface AfalgOptions {
  /** ALG_OP_ENCRYPT or ALG_OP_DECRYPT (required). */
  op: number;
  /** The initialization vector. */
  iv?: Bytes;
  /** The length of the associated data (AEAD ciphers). */
  assoclen?: number;
  /** sendmsg flags. */
  flags?: number;
}

/** [nbytes, ancdata, msg_flags, address, malformed] from the addon. */
type RawMsg = [number, Ancillary[], number, Address, number];

const native = binding;

/**
 * @internal Test seams. `afterReceive` runs once a receive has succeeded
 * and before its result is handed out; if it throws, the call fails as if
 * building the result had failed (and the descriptors received are closed).
 */
export const _hooks: { afterReceive: ((ancdata: Ancillary[]) => void) | null } = { afterReceive: null };

// --- argument checks -------------------------------------------------------


/** Checks ancillary items and lays them out; null when there are none. */
function encodeAncillary(value: unknown): Buffer | null {
  if (value === undefined) return null;
  const list = toSequence(value, 'ancdata', 'an iterable of [cmsg_level, cmsg_type, cmsg_data] arrays');
  if (list.length === 0) return null;
  const items: AncillaryInput[] = [];
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const name = `ancdata[${i}]`;
    if (!Array.isArray(item)) throw argTypeError(name, 'an array [cmsg_level, cmsg_type, cmsg_data]', item);
    if (item.length !== 3) {
      const e = argTypeError(name, 'an array of length 3 [cmsg_level, cmsg_type, cmsg_data]', item);
      e.message = `The "${name}" argument must be an array of length 3 [cmsg_level, cmsg_type, cmsg_data]. Received an array of length ${item.length}`;
      throw e;
    }
    const level = toCInt(item[0], `${name}[0] (cmsg_level)`);
    const type = toCInt(item[1], `${name}[1] (cmsg_type)`);
    const data = toBytes(item[2], `${name}[2] (cmsg_data)`);
    const space = native.cmsg_space(data.byteLength);
    if (space < 0) throw plainOSError('ancillary data item too large');
    total += space;
    if (total > INT_MAX) throw plainOSError('too much ancillary data');
    items.push([level, type, data]);
  }
  return native.cmsg_encode(items);
}

function ancBufSize(value: unknown): number {
  if (value === undefined) return 0;
  return toSize(value, 'ancbufsize');
}

function checkAncBufSize(n: number): void {
  if (n < 0 || n > INT_MAX) throw argValueError('ancbufsize', 'invalid ancillary data buffer length');
}

// --- results ---------------------------------------------------------------

function readInt(buf: Buffer, offset: number): number {
  return LITTLE_ENDIAN ? buf.readInt32LE(offset) : buf.readInt32BE(offset);
}

/** The descriptors carried by SCM_RIGHTS items (whole ints only, as Python reads them). */
function rightsOf(ancdata: Ancillary[]): number[] {
  const fds: number[] = [];
  for (const [level, type, data] of ancdata) {
    if (level !== SOL_SOCKET || type !== SCM_RIGHTS) continue;
    for (let off = 0; off + 4 <= data.length; off += 4) fds.push(readInt(data, off));
  }
  return fds;
}

function closeRights(ancdata: Ancillary[]): void {
  for (const fd of rightsOf(ancdata)) binding.close(fd);
}

/**
 * Hands out a received message: Python warns (RuntimeWarning) when the
 * walk over the control block stopped at a cut-short or malformed item. If
 * anything fails here the descriptors received are closed, never leaked.
 */
function deliver<T>(raw: RawMsg, first: T): [T, Ancillary[], number, Address] {
  try {
    if (_hooks.afterReceive !== null) _hooks.afterReceive(raw[1]);
    if (raw[4] !== 0) process.emitWarning('received malformed or improperly-truncated ancillary data', 'RuntimeWarning');
    return [first, raw[1], raw[2], raw[3]];
  } catch (e) {
    closeRights(raw[1]);
    throw e;
  }
}

// recvmsg reads a message of up to this size into this and copies out what arrived.
const SCRATCH_SIZE = 65536;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_SIZE);

function copyOut(buf: Buffer, n: number, fromScratch: boolean): Buffer {
  // With MSG_TRUNC in flags the kernel reports the datagram's full length.
  if (n > buf.length) n = buf.length;
  if (fromScratch) {
    const out = Buffer.allocUnsafe(n);
    buf.copy(out, 0, 0, n);
    return out;
  }
  return n === buf.length ? buf : Buffer.from(buf.subarray(0, n));
}

// --- the methods -------------------------------------------------------------

/** The checked arguments of a sendmsg call. */
interface SendPlan {
  bufs: Bytes[];
  /** Their total length as the call began (src/attempts.ts: totalLength). */
  total: number;
  control: Buffer | null;
  flags: number;
  family: number;
  address: unknown;
}

function planSend(sock: Socket, buffers: unknown, ancdata: unknown, flags: unknown, address: unknown): SendPlan {
  // Python's order: flags (argument parsing), address, buffers, ancdata.
  const f = toFlags(flags);
  const family = sock.family;
  const a = address === undefined || address === null ? null : toNativeAddress(family, address, 'sendmsg', sock.proto);
  const bufs = toBytesList(buffers, 'buffers');
  const control = encodeAncillary(ancdata);
  return { bufs, total: totalLength(bufs), control, flags: f, family, address: a };
}

// The attempts, shared by each call and its twin.

/** sendmsg of the plan `a` with flags `b`. */
function sendmsgStep(op: Stored, sock: EngineSocket): number {
  const p = op.a as SendPlan;
  const bad = resized(p.bufs, p.total);
  if (bad !== 0) return bad;
  return native.sendmsg(sock.fileno(), p.bufs, p.control, op.b as number, p.family, p.address);
}

/**
 * recvmsg of at most `a` bytes, `b` bytes of ancillary data, flags `c`:
 * the message and its data, copied out of the buffer it arrived in. If the
 * copy fails, the descriptors received are closed, never leaked.
 */
function recvmsgStep(op: Stored, sock: EngineSocket): [RawMsg, Buffer] | number {
  const size = op.a as number;
  const small = size <= SCRATCH_SIZE;
  const buf = small ? scratch.subarray(0, size) : Buffer.allocUnsafeSlow(size);
  const r = native.recvmsg(sock.fileno(), buf, op.b as number, op.c as number);
  if (typeof r === 'number') return r;
  try {
    return [r, copyOut(buf, r[0], small)];
  } catch (e) {
    closeRights(r[1]);
    throw e;
  }
}

/** recvmsg into the buffers `a` (`d` bytes in all), `b` bytes of ancillary data, flags `c`. */
function recvmsgIntoStep(op: Stored, sock: EngineSocket): RawMsg | number {
  const bad = resized(op.a as Bytes[], op.d as number);
  if (bad !== 0) return bad;
  return native.recvmsg(sock.fileno(), op.a as Bytes[], op.b as number, op.c as number);
}

const SENDMSG = syncCall('sendmsg', POLLOUT, sendmsgStep);
const RECVMSG = syncCall('recvmsg', POLLIN, recvmsgStep);
const RECVMSG_INTO = syncCall('recvmsg_into', POLLIN, recvmsgIntoStep);

function sendPlanned(sock: Socket, p: SendPlan): number {
  return callSync(sock, SENDMSG, p, p.flags);
}

const sendmsg = function sendmsg(this: Socket, buffers: unknown, ancdata?: unknown, flags?: unknown, address?: unknown): number {
  return sendPlanned(this, planSend(this, buffers, ancdata, flags, address));
} as Socket['sendmsg'];

const recvmsg = function recvmsg(this: Socket, bufsize: unknown, ancbufsize?: unknown, flags?: unknown): RecvmsgResult {
  const size = toSize(bufsize, 'bufsize');
  const anc = ancBufSize(ancbufsize);
  const f = toFlags(flags);
  if (size < 0) throw argValueError('bufsize', 'negative buffer size in recvmsg()');
  checkAncBufSize(anc);
  const [r, data] = callSync(this, RECVMSG, size, anc, f);
  return deliver(r, data);
} as Socket['recvmsg'];

function intoPlan(buffers: unknown, ancbufsize: unknown, flags: unknown): [Bytes[], number, number] {
  // Python's order: ancbufsize and flags (argument parsing), buffers, then the ancbufsize range.
  const anc = ancBufSize(ancbufsize);
  const f = toFlags(flags);
  const bufs = toBytesList(buffers, 'buffers');
  checkAncBufSize(anc);
  return [bufs, anc, f];
}

const recvmsg_into = function recvmsg_into(this: Socket, buffers: unknown, ancbufsize?: unknown, flags?: unknown): RecvmsgIntoResult {
  const [bufs, anc, f] = intoPlan(buffers, ancbufsize, flags);
  const r = callSync(this, RECVMSG_INTO, bufs, anc, f, totalLength(bufs));
  return deliver(r, r[0]);
} as Socket['recvmsg_into'];

/** @internal The control messages sendmsg_afalg sends, as ancdata items (checked as Python checks them). */
export function _afalgAncdata(options: unknown): AncillaryInput[] {
  if (typeof options !== 'object' || options === null) throw argTypeError('options', 'an object { op, iv?, assoclen?, flags? }', options);
  const { op, iv, assoclen } = options as Partial<AfalgOptions>;
  if (op !== undefined && typeof op !== 'number' && typeof op !== 'bigint') throw argTypeError('op', 'an integer', op);
  const ivBytes = iv === undefined || iv === null ? null : toBytes(iv, 'iv');
  if (assoclen !== undefined && assoclen !== null && typeof assoclen !== 'number' && typeof assoclen !== 'bigint') {
    throw argTypeError('assoclen', 'an integer', assoclen);
  }
  // Python: a missing, negative or oversized op is a TypeError.
  const opNum = op === undefined ? -1 : Number(op);
  if (!Number.isInteger(opNum) || opNum < 0 || opNum > INT_MAX) {
    const e = argTypeError('op', 'a non-negative integer', op);
    e.message = "Invalid or missing argument 'op'";
    throw e;
  }
  let assoc = -1;
  if (assoclen !== undefined && assoclen !== null) {
    assoc = toCInt(assoclen, 'assoclen');
    if (assoc < 0) {
      const e = argTypeError('assoclen', 'a non-negative integer', assoclen);
      e.message = 'assoclen must be positive';
      throw e;
    }
  }
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    if (LITTLE_ENDIAN) b.writeUInt32LE(n);
    else b.writeUInt32BE(n);
    return b;
  };
  const items: AncillaryInput[] = [[C.SOL_ALG, C.ALG_SET_OP, u32(opNum)]];
  if (ivBytes !== null) {
    // struct af_alg_iv { u32 ivlen; u8 iv[]; }. CPython sets this item's
    // cmsg_len to CMSG_SPACE(4 + ivlen): padding the data to that length
    // gives the same bytes.
    const ivlen = ivBytes.byteLength;
    const padded = native.cmsg_space(4 + ivlen) - native.cmsg_len(0);
    const data = Buffer.alloc(padded);
    u32(ivlen).copy(data, 0);
    const ivView = ArrayBuffer.isView(ivBytes) ? new Uint8Array(ivBytes.buffer, ivBytes.byteOffset, ivlen) : new Uint8Array(ivBytes);
    data.set(ivView, 4);
    items.push([C.SOL_ALG, C.ALG_SET_IV, data]);
  }
  if (assoc >= 0) items.push([C.SOL_ALG, C.ALG_SET_AEAD_ASSOCLEN, u32(assoc)]);
  return items;
}

/** @internal The control block sendmsg would send for `ancdata` (checked as sendmsg checks it); empty when there is none. */
export function _encodeAncillary(ancdata: unknown): Buffer {
  return encodeAncillary(ancdata) ?? Buffer.alloc(0);
}

const sendmsg_afalg = function sendmsg_afalg(this: Socket, msgOrOptions?: unknown, maybeOptions?: unknown): number {
  if (this.family !== C.AF_ALG) throw plainOSError('algset is only supported for AF_ALG');
  let msg: unknown = msgOrOptions;
  let options: unknown = maybeOptions;
  if (maybeOptions === undefined && isOptions(msgOrOptions)) {
    msg = undefined;
    options = msgOrOptions;
  }
  if (options === undefined) options = {};
  const items = _afalgAncdata(options);
  const f = toFlags((options as AfalgOptions).flags);
  const bufs = msg === undefined || msg === null ? [] : toBytesList(msg, 'msg');
  const plan: SendPlan = { bufs, total: totalLength(bufs), control: native.cmsg_encode(items), flags: f, family: this.family, address: null };
  return sendPlanned(this, plan);
} as Socket['sendmsg_afalg'];

const sendmsgAsync = function sendmsgAsync(this: Socket, ...args: unknown[]): Promise<number> {
  return rejecting(() => {
    const [[buffers, ancdata, flags, given], options] = splitOptions(args, 4);
    const address = addressOnce(given);
    const signal = signalOf(options);
    // A host name is looked up on the thread pool first (checked the same
    // way once it is an address).
    if (hostToLookUp(this.family, address) !== null && !isAborted(signal)) {
      return resolveHostAsync(this.family, address, signal).then((resolved) =>
        this.sendmsgAsync(buffers as Iterable<Bytes>, ancdata as Iterable<AncillaryInput>, flags as number, resolved as Address, { signal }),
      );
    }
    // The plan's buffer list is its own (toBytesList), so the caller may
    // reuse its array while the call waits.
    const plan = planSend(this, buffers, ancdata, flags, address);
    return start(this, WRITE, 'sendmsg', sendmsgStep, plan, plan.flags | MSG_DONTWAIT, undefined, undefined, signal);
  });
} as Socket['sendmsgAsync'];

const recvmsgAsync = function recvmsgAsync(this: Socket, ...args: unknown[]): Promise<RecvmsgResult> {
  return rejecting(() => {
    const [[bufsize, ancbufsize, flags], options] = splitOptions(args, 3);
    const size = toSize(bufsize, 'bufsize');
    const anc = ancBufSize(ancbufsize);
    const f = toFlags(flags) | MSG_DONTWAIT;
    if (size < 0) throw argValueError('bufsize', 'negative buffer size in recvmsg()');
    checkAncBufSize(anc);
    return start(this, READ, 'recvmsg', recvmsgStep, size, anc, f, undefined, signalOf(options)).then((v) => deliver(v[0], v[1]));
  });
} as Socket['recvmsgAsync'];

const recvmsg_intoAsync = function recvmsg_intoAsync(this: Socket, ...args: unknown[]): Promise<RecvmsgIntoResult> {
  return rejecting(() => {
    const [[buffers, ancbufsize, flags], options] = splitOptions(args, 3);
    // intoPlan's list is a fresh array of checked views: the call keeps it.
    const [bufs, anc, f] = intoPlan(buffers, ancbufsize, flags);
    return start(this, READ, 'recvmsg_into', recvmsgIntoStep, bufs, anc, f | MSG_DONTWAIT, totalLength(bufs), signalOf(options)).then((v) =>
      deliver(v, v[0]),
    );
  });
} as Socket['recvmsg_intoAsync'];

// --- send_fds / recv_fds ------------------------------------------------------

function checkSocket(sock: unknown): Socket {
  if (!(sock instanceof Socket)) throw argTypeError('sock', 'an instance of Socket', sock);
  return sock;
}

/** The SCM_RIGHTS item for `fds`: native-endian C ints, as Python's array('i'). */
function rightsItem(fds: unknown): AncillaryInput {
  const list = toSequence(fds, 'fds', 'an iterable of integers');
  const ints = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) ints[i] = toCInt(list[i], `fds[${i}]`);
  return [SOL_SOCKET, SCM_RIGHTS, ints];
}

const MAX_FDS = Math.floor((INT_MAX - native.cmsg_len(0)) / 4);

/** recv_fds's ancillary buffer: CMSG_LEN(maxfds * sizeof(int)), as Python's. */
function fdsBufSize(maxfds: unknown): number {
  const n = toSize(maxfds, 'maxfds');
  if (n < 0 || n > MAX_FDS) throw argRangeError('maxfds', `>= 0 and <= ${MAX_FDS} (CMSG_LEN() argument out of range)`, maxfds);
  return native.cmsg_len(n * 4);
}

/**
 * Sends the descriptors `fds` (integers) with the data `buffers` over an
 * AF_UNIX socket, in one SCM_RIGHTS control message. Returns the number of
 * data bytes sent. Unlike CPython (whose send_fds drops them, gh-107898),
 * `flags` and `address` are passed on to sendmsg.
 */
export function send_fds(sock: Socket, buffers: Iterable<Bytes>, fds: Iterable<number>, flags?: number, address?: AddressArg | null): number {
  const s = checkSocket(sock);
  const item = rightsItem(fds);
  return s.sendmsg(buffers, [item], flags, address);
}

/**
 * Receives at most `bufsize` bytes and at most `maxfds` descriptors over
 * an AF_UNIX socket: `[data, fds, msg_flags, address]`. The descriptors
 * are the caller's to close, and are close-on-exec. `flags` is passed on
 * to recvmsg (CPython's recv_fds drops it, gh-107898).
 */
export function recv_fds(sock: Socket, bufsize: number, maxfds: number, flags?: number): RecvFdsResult {
  const s = checkSocket(sock);
  const anc = fdsBufSize(maxfds);
  const [data, ancdata, msgFlags, address] = s.recvmsg(bufsize, anc, flags);
  return [data, rightsOf(ancdata), msgFlags, address];
}

/** Promise twin of {@link send_fds}. */
export function send_fdsAsync(
  sock: Socket,
  buffers: Iterable<Bytes>,
  fds: Iterable<number>,
  flags?: number,
  address?: AddressArg | null,
  options?: AsyncOptions,
): Promise<number>;
export function send_fdsAsync(sock: Socket, buffers: Iterable<Bytes>, fds: Iterable<number>, flags: number, options?: AsyncOptions): Promise<number>;
export function send_fdsAsync(sock: Socket, buffers: Iterable<Bytes>, fds: Iterable<number>, options?: AsyncOptions): Promise<number>;
export function send_fdsAsync(sock: Socket, buffers: unknown, fds: unknown, ...rest: unknown[]): Promise<number> {
  return rejecting(() => {
    const s = checkSocket(sock);
    const [[flags, address], options] = splitOptions(rest, 2);
    const item = rightsItem(fds);
    return s.sendmsgAsync(buffers as Iterable<Bytes>, [item], flags as number | undefined, address as Address, options);
  });
}

/**
 * Promise twin of {@link recv_fds}. Aborting it or timing out consumes
 * nothing: the message and its descriptors stay queued.
 */
export function recv_fdsAsync(sock: Socket, bufsize: number, maxfds: number, flags?: number, options?: AsyncOptions): Promise<RecvFdsResult>;
export function recv_fdsAsync(sock: Socket, bufsize: number, maxfds: number, options?: AsyncOptions): Promise<RecvFdsResult>;
export function recv_fdsAsync(sock: Socket, bufsize: number, maxfds: number, ...rest: unknown[]): Promise<RecvFdsResult> {
  return rejecting(() => {
    const s = checkSocket(sock);
    const [[flags], options] = splitOptions(rest, 1);
    const anc = fdsBufSize(maxfds);
    return s.recvmsgAsync(bufsize, anc, flags as number | undefined, options).then(([data, ancdata, msgFlags, address]): RecvFdsResult => [
      data,
      rightsOf(ancdata),
      msgFlags,
      address,
    ]);
  });
}

/** The methods this module adds to {@link Socket}, installed by src/socket-methods.ts. */
export const messageMethods: Pick<
  Socket,
  | 'sendmsg'
  | 'recvmsg'
  | 'recvmsg_into'
  | 'sendmsg_afalg'
  | 'sendmsgAsync'
  | 'recvmsgAsync'
  | 'recvmsg_intoAsync'
> = {
  sendmsg,
  recvmsg,
  recvmsg_into,
  sendmsg_afalg,
  sendmsgAsync,
  recvmsgAsync,
  recvmsg_intoAsync,
};
