// Batch datagram I/O, beyond Python: recvmmsg/sendmmsg (Linux's
// recvmmsg(2)/sendmmsg(2); a recvmsg/sendmsg loop where they do not exist)
// and their async twins. Many datagrams per system call and per trip
// through the event loop. Arguments are checked here; the addon
// (native/sys_mmsg.c) points one iovec per message at the caller's memory
// or at a scratch slab, and decodes the senders' addresses.
import { constants as bufferConstants } from 'node:buffer';
import { toNativeAddress } from './address';
import { addressOnce, hostToLookUp, READ, rejecting, resolveHostAsync, signalOf, splitOptions, start, WRITE } from './async';
import { isAborted } from './signal';
import { resized, totalLength } from './attempts';
import { callSync, EBADF, POLLIN, POLLOUT, syncCall, type EngineSocket, type Stored } from './engine';
import { argRangeError, argTypeError, argValueError } from './errors';
import { binding, type Bytes } from './native';
import { Socket, type Address, type AddressArg } from './socket';
import { isIterable, toBytes, toBytesList, toFlags, toInteger, toSequence, toSize } from './validate';

const C = binding.constants;
const MSG_DONTWAIT = C.MSG_DONTWAIT;
const MAX_BUFFER = bufferConstants.MAX_LENGTH;

/** The most datagrams one call moves: Linux's UIO_MAXIOV. */
export const MMSG_MAX = 1024;

/** One datagram from {@link Socket.recvmmsg}: its data, its sender's address and its `msg_flags` (`MSG_TRUNC`: it did not fit). */
export type RecvmmsgEntry = [data: Buffer, address: Address, msg_flags: number];

/** One datagram from {@link Socket.recvmmsg_into}: the bytes written into its buffer, its sender's address and its `msg_flags`. */
export type RecvmmsgIntoEntry = [nbytes: number, address: Address, msg_flags: number];

/**
 * One datagram for {@link Socket.sendmmsg}: `[data, address]`, `[data]` or
 * just `data` (the socket's connected peer; so is a `null` address).
 */
export type MmsgMessage = Bytes | readonly [data: Bytes] | readonly [data: Bytes, address: AddressArg | null];

const native = binding;

/**
 * @internal Test seam: `mmsg_loop(true)` makes the addon use its portable
 * recvmsg/sendmsg loop instead of recvmmsg/sendmmsg; returns 1 when the
 * batch system calls are in use.
 */
export const _mmsgLoop = (on?: boolean): number => native.mmsg_loop(on);

// [msg_len, msg_flags] per message, written by the addon and read at once
// (the twins read it inside their attempt, so one array serves every call).
const meta = new Int32Array(2 * MMSG_MAX);

// recvmmsg receives into this slab (vlen slots of bufsize bytes) and copies
// each datagram out; it grows up to SLAB_MAX, beyond which a call gets its own.
const SLAB_MAX = 4 << 20;
let slab = Buffer.allocUnsafeSlow(65536);

function slabFor(size: number): Buffer {
  if (size <= slab.length) return slab;
  if (size > SLAB_MAX) return Buffer.allocUnsafeSlow(size);
  let n = slab.length;
  while (n < size) n *= 2;
  slab = Buffer.allocUnsafeSlow(n);
  return slab;
}

// --- argument checks -------------------------------------------------------

function countError(name: string, what: string, n: number): RangeError {
  const e = argRangeError(name, `>= 1 and <= ${MMSG_MAX}`, n);
  e.message = `The number of ${what} in "${name}" is out of range. It must be >= 1 and <= ${MMSG_MAX} (UIO_MAXIOV). Received ${n}`;
  return e;
}

interface RecvPlan {
  vlen: number;
  bufsize: number;
  flags: number;
}

function planRecv(vlen: unknown, bufsize: unknown, flags: unknown): RecvPlan {
  const n = toInteger(vlen, 'vlen');
  const size = toSize(bufsize, 'bufsize');
  const f = toFlags(flags);
  if (n < 1 || n > MMSG_MAX) throw argRangeError('vlen', `>= 1 and <= ${MMSG_MAX}`, vlen);
  if (size < 0) throw argValueError('bufsize', 'negative buffersize in recvmmsg');
  if (size * n > MAX_BUFFER) throw argRangeError('bufsize', `<= ${Math.floor(MAX_BUFFER / n)} (vlen * bufsize must fit in a Buffer)`, bufsize);
  return { vlen: n, bufsize: size, flags: f };
}

function intoBuffers(buffers: unknown): Bytes[] {
  if (typeof buffers === 'string') throw argTypeError('buffers', 'an iterable of bytes-like objects', buffers);
  const out = toBytesList(buffers, 'buffers');
  if (out.length < 1 || out.length > MMSG_MAX) throw countError('buffers', 'buffers', out.length);
  return out;
}

interface SendPlan {
  datas: Bytes[];
  /** Their total length as the call began (src/attempts.ts: totalLength). */
  total: number;
  addresses: unknown[] | null;
  flags: number;
}

function planSend(sock: Socket, messages: unknown, flags: unknown): SendPlan {
  const f = toFlags(flags);
  // A string is refused whole, not iterated (its characters are no messages).
  const list = toSequence(messages, 'messages', 'an iterable of messages ([data, address], [data] or data)', false);
  const n = list.length;
  if (n > MMSG_MAX) throw countError('messages', 'messages', n);
  const family = sock.family;
  const datas: Bytes[] = new Array(n);
  let addresses: unknown[] | null = null;
  // The same address object (or string) is converted once.
  let lastIn: unknown = undefined;
  let lastOut: unknown = undefined;
  for (let i = 0; i < n; i++) {
    const m = list[i];
    let address: unknown = null;
    if (Array.isArray(m)) {
      if (m.length < 1 || m.length > 2) {
        const e = argTypeError(`messages[${i}]`, 'an array [data] or [data, address]', m);
        e.message = `The "messages[${i}]" argument must be an array [data] or [data, address]. Received an array of length ${m.length}`;
        throw e;
      }
      datas[i] = toBytes(m[0], `messages[${i}][0]`);
      address = m[1];
    } else if (ArrayBuffer.isView(m) || m instanceof ArrayBuffer || m instanceof SharedArrayBuffer) {
      datas[i] = toBytes(m, `messages[${i}]`);
    } else {
      throw argTypeError(`messages[${i}]`, 'an array [data, address], [data] or a bytes-like object', m);
    }
    if (address === undefined || address === null) continue;
    if (addresses === null) addresses = new Array<unknown>(n).fill(null);
    if (address !== lastIn) {
      lastOut = toNativeAddress(family, address, 'sendmmsg', sock.proto);
      lastIn = address;
    }
    addresses[i] = lastOut;
  }
  return { datas, total: totalLength(datas), addresses, flags: f };
}

// --- results -----------------------------------------------------------------

/** A deep copy of a decoded address (arrays and Buffers), for a message that shares its sender with the one before. */
function copyAddress(a: unknown): unknown {
  if (Array.isArray(a)) return a.map(copyAddress);
  if (a instanceof Uint8Array) return Buffer.from(a);
  return a;
}

/** The address of message i: the addon hands the same value for consecutive messages from one sender. */
function addressAt(addrs: Address[], i: number): Address {
  const a = addrs[i];
  return i > 0 && a === addrs[i - 1] && typeof a === 'object' && a !== null ? (copyAddress(a) as Address) : a;
}

function collect(addrs: Address[], buf: Buffer, size: number): RecvmmsgEntry[] {
  const n = addrs.length;
  const out: RecvmmsgEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let len = meta[2 * i];
    // With MSG_TRUNC in flags the kernel reports a datagram's full length.
    if (len > size) len = size;
    const off = i * size;
    const data = Buffer.allocUnsafe(len);
    buf.copy(data, 0, off, off + len);
    out[i] = [data, addressAt(addrs, i), meta[2 * i + 1]];
  }
  return out;
}

function collectInto(addrs: Address[]): RecvmmsgIntoEntry[] {
  const n = addrs.length;
  const out: RecvmmsgIntoEntry[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = [meta[2 * i], addressAt(addrs, i), meta[2 * i + 1]];
  return out;
}

/**
 * For sendmmsgAsync: the messages as read once (planSend rejects what is
 * not an iterable of messages): each `[data, address]` copied with its
 * address, one copy per address object, so the same address stays one
 * value for the lookups and the conversion.
 */
function messagesOnce(given: unknown): unknown {
  if (typeof given === 'string' || !isIterable(given)) return given;
  const list = Array.from(given);
  let lastIn: unknown = undefined;
  let lastOut: unknown = undefined;
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!Array.isArray(m)) continue;
    if (m.length !== 2) {
      list[i] = m.slice();
      continue;
    }
    const data: unknown = m[0];
    const address: unknown = m[1];
    if (address !== lastIn) {
      lastIn = address;
      lastOut = addressOnce(address);
    }
    list[i] = [data, lastOut];
  }
  return list;
}

/**
 * For sendmmsgAsync: when a message's address has a host name, the
 * messages with every such address looked up on the thread pool (each
 * distinct address once), so that the batch never blocks the loop on a
 * lookup; null when none needs one (or `messages` is not an array, which
 * planSend rejects).
 */
function resolveNames(family: number, messages: unknown, signal: AbortSignal | undefined): Promise<MmsgMessage[]> | null {
  if (!Array.isArray(messages) || isAborted(signal)) return null;
  const lookups = new Map<unknown, Promise<unknown>>();
  for (const m of messages) {
    if (!Array.isArray(m) || m.length !== 2 || lookups.has(m[1])) continue;
    if (hostToLookUp(family, m[1]) !== null) lookups.set(m[1], resolveHostAsync(family, m[1], signal));
  }
  if (lookups.size === 0) return null;
  return Promise.all(lookups.values()).then((values) => {
    const resolved = new Map<unknown, unknown>();
    let i = 0;
    for (const key of lookups.keys()) resolved.set(key, values[i++]);
    return messages.map((m) => (Array.isArray(m) && m.length === 2 && resolved.has(m[1]) ? [m[0], resolved.get(m[1])] : m)) as MmsgMessage[];
  });
}

// --- the methods -------------------------------------------------------------

// The attempts, shared by each call and its twin: `a` the checked
// arguments, `b` the flags.

function recvmmsgStep(op: Stored, sock: EngineSocket): RecvmmsgEntry[] | number {
  const p = op.a as RecvPlan;
  const buf = slabFor(p.vlen * p.bufsize);
  const r = native.mmsg_recv(sock.fileno(), buf, p.bufsize, p.vlen, op.b as number, meta);
  return typeof r === 'number' ? r : collect(r, buf, p.bufsize);
}

function recvmmsgIntoStep(op: Stored, sock: EngineSocket): RecvmmsgIntoEntry[] | number {
  const bad = resized(op.a as Bytes[], op.c as number);
  if (bad !== 0) return bad;
  const r = native.mmsg_recv(sock.fileno(), op.a as Bytes[], 0, 0, op.b as number, meta);
  return typeof r === 'number' ? r : collectInto(r);
}

function sendmmsgStep(op: Stored, sock: EngineSocket): number {
  const p = op.a as SendPlan;
  const fd = sock.fileno();
  // Nothing to send; still EBADF on a closed socket.
  if (p.datas.length === 0) return fd < 0 ? -EBADF : 0;
  const bad = resized(p.datas, p.total);
  if (bad !== 0) return bad;
  return native.mmsg_send(fd, p.datas, p.addresses, sock.family, op.b as number);
}

const RECVMMSG = syncCall('recvmmsg', POLLIN, recvmmsgStep);
const RECVMMSG_INTO = syncCall('recvmmsg_into', POLLIN, recvmmsgIntoStep);
const SENDMMSG = syncCall('sendmmsg', POLLOUT, sendmmsgStep);

const recvmmsg = function recvmmsg(this: Socket, vlen: unknown, bufsize: unknown, flags?: unknown): RecvmmsgEntry[] {
  const p = planRecv(vlen, bufsize, flags);
  return callSync(this, RECVMMSG, p, p.flags);
} as Socket['recvmmsg'];

const recvmmsg_into = function recvmmsg_into(this: Socket, buffers: unknown, flags?: unknown): RecvmmsgIntoEntry[] {
  const f = toFlags(flags);
  const bufs = intoBuffers(buffers);
  return callSync(this, RECVMMSG_INTO, bufs, f, totalLength(bufs));
} as Socket['recvmmsg_into'];

const sendmmsg = function sendmmsg(this: Socket, messages: unknown, flags?: unknown): number {
  const p = planSend(this, messages, flags);
  return callSync(this, SENDMMSG, p, p.flags);
} as Socket['sendmmsg'];

const recvmmsgAsync = function recvmmsgAsync(this: Socket, ...args: unknown[]): Promise<RecvmmsgEntry[]> {
  return rejecting(() => {
    const [[vlen, bufsize, flags], options] = splitOptions(args, 3);
    const p = planRecv(vlen, bufsize, flags);
    return start(this, READ, 'recvmmsg', recvmmsgStep, p, p.flags | MSG_DONTWAIT, undefined, undefined, signalOf(options));
  });
} as Socket['recvmmsgAsync'];

const recvmmsg_intoAsync = function recvmmsg_intoAsync(this: Socket, ...args: unknown[]): Promise<RecvmmsgIntoEntry[]> {
  return rejecting(() => {
    const [[buffers, flags], options] = splitOptions(args, 2);
    const f = toFlags(flags) | MSG_DONTWAIT;
    const bufs = intoBuffers(buffers);
    return start(this, READ, 'recvmmsg_into', recvmmsgIntoStep, bufs, f, totalLength(bufs), undefined, signalOf(options));
  });
} as Socket['recvmmsg_intoAsync'];

const sendmmsgAsync = function sendmmsgAsync(this: Socket, ...args: unknown[]): Promise<number> {
  return rejecting(() => {
    const [[given, flags], options] = splitOptions(args, 2);
    // Read once, here, so the lookups and the send see the same messages.
    const messages = messagesOnce(given);
    const signal = signalOf(options);
    const resolving = resolveNames(this.family, messages, signal);
    if (resolving !== null) {
      return resolving.then((resolved) => this.sendmmsgAsync(resolved, flags as number, { signal }));
    }
    const p = planSend(this, messages, flags);
    return start(this, WRITE, 'sendmmsg', sendmmsgStep, p, p.flags | MSG_DONTWAIT, undefined, undefined, signal);
  });
} as Socket['sendmmsgAsync'];

/** The methods this module adds to {@link Socket}, installed by src/socket-methods.ts. */
export const mmsgMethods: Pick<Socket, 'recvmmsg' | 'recvmmsg_into' | 'sendmmsg' | 'recvmmsgAsync' | 'recvmmsg_intoAsync' | 'sendmmsgAsync'> = {
  recvmmsg,
  recvmmsg_into,
  sendmmsg,
  recvmmsgAsync,
  recvmmsg_intoAsync,
  sendmmsgAsync,
};
