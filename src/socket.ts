// Python's socket object: the synchronous methods, in Python's three modes
// (blocking, non-blocking, timeout), over the addon's system calls. Each
// data call tries once (src/attempts.ts) and waits, when it must, in the
// sync engine (src/engine.ts). The class's other methods (the async twins,
// sendmsg and recvmsg, the mmsg batches, sendfile, makefile, streams,
// toNetSocket) are declared and installed in src/socket-methods.ts.
import { inspect } from 'node:util';
import { checkDecoded, toNativeAddress, type Address, type AddressArg } from './address';
import {
  ACCEPT,
  CONNECT,
  RECV,
  RECV_INTO,
  RECVFROM,
  RECVFROM_INTO,
  SEND,
  SENDALL,
  SENDTO,
  acceptOnce,
  recvfromIntoOnce,
  recvfromOnce,
  recvIntoOnce,
  recvOnce,
  sendallStep,
  sendOnce,
  sendtoOnce,
  syncConnectWaits,
} from './attempts';
import { EAGAIN, EBADF, ECONNRESET, ENOTSOCK, isSocketTimeout, retrySync, waitSync } from './engine';
import { argRangeError, argTypeError, argValueError, fromErrno, OSError, plainOSError } from './errors';
import { binding, type Bytes } from './native';
import { sendtoAddress } from './sendto-address';
import { bufsizeOf, intoLength, sendtoFlags, toBytes, toCInt, toFlags, toInteger, toTimeout } from './validate';

const C = binding.constants;

/** An integer as the 8 bytes of a C uint64_t, modulo 2**64 as Python's "K" format reads it. */
function u64Bytes(value: number | bigint): BigUint64Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    if (!Number.isInteger(value)) throw argTypeError('value', 'an integer', value);
    throw argRangeError('value', 'a safe integer (a bigint beyond)', value);
  }
  return new BigUint64Array([BigInt.asUintN(64, BigInt(value))]);
}
const SOCK_NONBLOCK = C.SOCK_NONBLOCK ?? 0;
const SOCK_CLOEXEC = C.SOCK_CLOEXEC ?? 0;

/** Python's default listen backlog: min(SOMAXCONN, 128). */
const DEFAULT_BACKLOG = Math.min(C.SOMAXCONN ?? 128, 128);

let defaultTimeout: number | null = null;
/**
 * The async engine's part in a close or detach (src/async.ts); none until
 * it loads. `sock` is null when the garbage collector closed the
 * descriptor of a socket nobody held.
 */
type ReleaseHook = (fd: number, sock: Socket | null, closing: boolean) => void;
let releaseHook: ReleaseHook | null = null;

/** @internal Set by the async engine: told of every close and detach. */
export function onDescriptorRelease(hook: ReleaseHook): void {
  releaseHook = hook;
}

/** Set while _adopt wraps a descriptor that accept() has just returned. */
let adopting = false;

/**
 * The default timeout, in seconds, of new socket objects, or `null` when new
 * sockets block (the initial setting).
 */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/**
 * Sets the timeout, in seconds, that new socket objects start with: `null`
 * for blocking sockets, `0` for non-blocking ones.
 */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = toTimeout(timeout);
}

// Sockets that are garbage-collected while open are closed and reported,
// as CPython's socket.__del__ does with a ResourceWarning. What the
// registry holds for each socket is usually one number packing the
// descriptor, family, type and protocol (a 12-byte heap number, where an
// object took 56 bytes of every open socket); values too large to pack
// are held as an object.
interface Held {
  fd: number;
  family: number;
  type: number;
  proto: number;
}
const FD_LIMIT = 2 ** 24;
const FAMILY_LIMIT = 2 ** 8;
const TYPE_LIMIT = 2 ** 4;
const PROTO_LIMIT = 2 ** 16;

function heldValue(fd: number, family: number, type: number, proto: number): number | Held {
  if (fd < FD_LIMIT && family >= 0 && family < FAMILY_LIMIT && type >= 0 && type < TYPE_LIMIT && proto >= 0 && proto < PROTO_LIMIT) {
    return ((fd * FAMILY_LIMIT + family) * TYPE_LIMIT + type) * PROTO_LIMIT + proto;
  }
  return { fd, family, type, proto };
}

function unpackHeld(held: number | Held): Held {
  if (typeof held !== 'number') return held;
  const proto = held % PROTO_LIMIT;
  let rest = (held - proto) / PROTO_LIMIT;
  const type = rest % TYPE_LIMIT;
  rest = (rest - type) / TYPE_LIMIT;
  const family = rest % FAMILY_LIMIT;
  return { fd: (rest - family) / FAMILY_LIMIT, family, type, proto };
}

const unclosed = new FinalizationRegistry<number | Held>((value) => {
  const held = unpackHeld(value);
  const text = describeSocket(held.fd, held.family, held.type, held.proto, false);
  binding.disown(held.fd);
  // Another Socket object may wait on this descriptor (socket(fileno=...)):
  // it must fail as after a close, not wait for a descriptor that is gone.
  if (releaseHook !== null) releaseHook(held.fd, null, true);
  binding.close(held.fd);
  process.emitWarning(`unclosed ${text}`, 'ResourceWarning');
});

function formatValue(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  return inspect(v);
}

function describeSocket(fd: number, family: number, type: number, proto: number, closed: boolean): string {
  let s = `<socket${closed ? ' [closed]' : ''} fd=${fd}, family=${family}, type=${type}, proto=${proto}`;
  if (fd !== -1) {
    const laddr = binding.getsockname(fd);
    if (typeof laddr !== 'number' && laddr !== null && laddr !== '') s += `, laddr=${formatValue(laddr)}`;
    const raddr = binding.getpeername(fd);
    if (typeof raddr !== 'number' && raddr !== null && raddr !== '') s += `, raddr=${formatValue(raddr)}`;
  }
  return `${s}>`;
}

export type { Address, AddressArg };

// The methods of its other modules are added in src/socket-methods.ts.
/**
 * A socket object: Python's `socket.socket`. Create one with
 * `socket(family, type, proto)` or `new Socket(...)`; `fileno` adopts an
 * existing descriptor, reading family, type and protocol from it when they
 * are left at -1.
 */
export class Socket {
  #fd: number;
  #family: number;
  #type: number;
  #proto: number;
  /** Seconds; null = blocking. */
  #timeout: number | null;
  /** The timeout as the hot paths test it: -1 blocking, 0 non-blocking, else ms. */
  #timeoutMs: number;
  /** Whether the socket is in the `unclosed` registry (and owned by its environment). */
  #registered = false;
  /** Open makefile() objects; the fd is closed when the last one and the socket are. */
  #ioRefs = 0;
  #closed = false;
  /** @internal The async machinery's state (src/async.ts), created on first use. */
  _aio: object | null = null;

  constructor(family: number = -1, type: number = -1, proto: number = -1, fileno: number | null = null) {
    family = toCInt(family, 'family');
    type = toCInt(type, 'type');
    proto = toCInt(proto, 'proto');
    let fd: number;
    if (fileno === null || fileno === undefined) {
      if (family === -1) family = C.AF_INET;
      if (type === -1) type = C.SOCK_STREAM;
      if (proto === -1) proto = 0;
      fd = binding.socket(family, type, proto);
      if (fd < 0) throw fromErrno(-fd, 'socket');
    } else {
      fd = toCInt(fileno, 'fileno');
      if (fd < 0) throw argValueError('fileno', 'negative file descriptor');
      // As Python does, the descriptor must be an open socket even when
      // family, type and protocol are all given; one accept() has just
      // made is one.
      if (!adopting) {
        const name = binding.getsockname(fd);
        if (name === -EBADF || name === -ENOTSOCK) throw fromErrno(-name, 'getsockname');
      }
      if (family === -1 || type === -1 || proto === -1) {
        const info = binding.sockinfo(fd);
        if (typeof info === 'number') throw fromErrno(-info, 'getsockopt');
        if (family === -1) family = info[0];
        if (type === -1) type = info[1];
        if (proto === -1) proto = info[2];
      }
    }
    this.#fd = fd;
    this.#family = family;
    this.#type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    this.#proto = proto;
    if (SOCK_NONBLOCK !== 0 && (type & SOCK_NONBLOCK) !== 0) {
      this.#timeout = 0;
      this.#timeoutMs = 0;
    } else {
      this.#timeout = defaultTimeout;
      this.#timeoutMs = -1;
      if (defaultTimeout !== null) this.#applyTimeout(defaultTimeout, fd);
    }
    unclosed.register(this, heldValue(fd, family, this.#type, proto), this);
    this.#registered = true;
    // Released with its environment if never closed (a terminated worker).
    binding.own(fd);
  }

  /** The socket's address family (`AF_INET`, `AF_UNIX`, ...). */
  get family(): number {
    return this.#family;
  }

  /** The socket type (`SOCK_STREAM`, ...), without the SOCK_NONBLOCK/SOCK_CLOEXEC bits. */
  get type(): number {
    return this.#type;
  }

  /** The socket protocol. */
  get proto(): number {
    return this.#proto;
  }

  /** @internal The timeout in ms as the mode tests see it: -1 blocking, 0 non-blocking. */
  get _timeoutMs(): number {
    return this.#timeoutMs;
  }

  // --- descriptor and lifetime -------------------------------------------

  /** The socket's file descriptor, or -1 once it is closed or detached. */
  fileno(): number {
    return this.#fd;
  }

  /** Whether close() (or detach()) has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Marks the socket closed and releases its descriptor (once every file
   * made by makefile() is closed too). Closing twice is harmless; any later
   * operation raises OSError EBADF.
   */
  close(): void {
    this.#closed = true;
    if (this.#ioRefs <= 0) this._realClose();
  }

  /** @internal Closes the descriptor now. */
  _realClose(): void {
    const fd = this.#fd;
    if (fd === -1) return;
    this.#fd = -1;
    this.#forget(fd);
    // Pending async calls (this socket's, and those of other Socket objects
    // on the same descriptor) are rejected and their watcher stopped before
    // the descriptor can be reused.
    if (releaseHook !== null) releaseHook(fd, this, true);
    const r = binding.close(fd);
    // Python ignores ECONNRESET from close() (bpo-30319).
    if (r < 0 && -r !== ECONNRESET) throw fromErrno(-r, 'close');
  }

  /** @internal makefile() bookkeeping. */
  _ioRef(delta: number): void {
    this.#ioRefs += delta;
    if (this.#ioRefs <= 0 && this.#closed) this._realClose();
  }

  /**
   * Puts the socket into the closed state without closing its descriptor,
   * and returns the descriptor, which the caller now owns.
   */
  detach(): number {
    const fd = this.#fd;
    this.#closed = true;
    this.#fd = -1;
    this.#forget(fd);
    if (releaseHook !== null && fd !== -1) releaseHook(fd, this, false);
    return fd;
  }

  #forget(fd: number): void {
    if (this.#registered) {
      binding.disown(fd);
      unclosed.unregister(this);
      this.#registered = false;
    }
  }

  /** Closes the socket: `using s = socket(...)` is Python's `with`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** A new socket object on a duplicate (close-on-exec) of the descriptor, with the same timeout. */
  dup(): Socket {
    const fd = binding.dup(this.#fd);
    if (fd < 0) throw fromErrno(-fd, 'dup');
    const s = new Socket(this.#family, this.#type, this.#proto, fd);
    s.settimeout(this.#timeout);
    return s;
  }

  /** Whether the descriptor is inherited by child processes (not close-on-exec). */
  get_inheritable(): boolean {
    const f = binding.getflags(this.#fd);
    if (f < 0) throw fromErrno(-f, 'fcntl');
    return (f & 2) === 0;
  }

  /** Makes the descriptor inheritable by child processes, or not. */
  set_inheritable(inheritable: boolean): void {
    // Python takes any integer (a C int); so does this, besides booleans.
    const on = typeof inheritable === 'boolean' ? inheritable : toCInt(inheritable, 'inheritable') !== 0;
    const r = binding.setcloexec(this.#fd, !on);
    if (r < 0) throw fromErrno(-r, 'fcntl');
  }

  // --- modes ----------------------------------------------------------------

  /**
   * The socket's timeout, read-only, as Python's `sock.timeout` attribute:
   * the value {@link Socket.gettimeout} returns. Change it with
   * {@link Socket.settimeout}.
   */
  get timeout(): number | null {
    return this.#timeout;
  }

  /** The timeout in seconds, `0` for non-blocking, `null` for blocking. */
  gettimeout(): number | null {
    return this.#timeout;
  }

  /**
   * Sets the mode: `null` blocks, `0` never waits (calls that would wait
   * raise BlockingIOError), a positive number of seconds waits at most that
   * long (then raises TimeoutError `timed out`).
   */
  settimeout(value: number | null): void {
    const t = toTimeout(value);
    this.#applyTimeout(t, this.#fd);
  }

  #applyTimeout(t: number | null, fd: number): void {
    this.#timeout = t;
    this.#timeoutMs = t === null ? -1 : t === 0 ? 0 : t * 1000;
    const r = binding.setnonblocking(fd, t !== null);
    if (r < 0) throw fromErrno(-r, 'fcntl');
  }

  /** Whether the socket is in blocking mode (its timeout is not 0). */
  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  /** `setblocking(true)` is `settimeout(null)`; `setblocking(false)` is `settimeout(0)`. */
  setblocking(flag: boolean): void {
    // Python takes any integer here; a float or None is a TypeError.
    const on = typeof flag === 'boolean' ? flag : toInteger(flag, 'flag') !== 0;
    this.settimeout(on ? null : 0);
  }

  // --- addresses and connections ----------------------------------------

  /** Binds the socket to `address` (its form depends on the family). */
  bind(address: AddressArg): void {
    const a = toNativeAddress(this.#family, address, 'bind', this.#proto);
    const r = binding.bind(this.#fd, this.#family, a);
    if (r < 0) throw fromErrno(-r, 'bind');
  }

  /** Lets a stream socket accept connections; `backlog` defaults to min(SOMAXCONN, 128). */
  listen(backlog?: number): void {
    let b = backlog === undefined ? DEFAULT_BACKLOG : toCInt(backlog, 'backlog');
    if (b < 0) b = 0;
    const r = binding.listen(this.#fd, b);
    if (r < 0) throw fromErrno(-r, 'listen');
  }

  /**
   * Waits for a connection and returns `[conn, address]`: a new socket for
   * it and the peer's address. The new socket takes the default timeout,
   * and blocks when there is no default timeout and this one has a timeout.
   */
  accept(): [Socket, Address] {
    let r = acceptOnce(this.#fd);
    if (typeof r === 'number') r = retrySync(this, r, ACCEPT, undefined, undefined);
    return this._adopt(r);
  }

  /** @internal Wraps an accepted [fd, address] as Python's accept() does. */
  _adopt(r: [number, Address | number]): [Socket, Address] {
    let address: Address;
    try {
      address = checkDecoded(r[1]);
    } catch (e) {
      // As Python: the new connection is closed when its address has no form.
      binding.close(r[0]);
      throw e;
    }
    let sock: Socket;
    adopting = true;
    try {
      sock = new Socket(this.#family, this.#type, this.#proto, r[0]);
    } finally {
      adopting = false;
    }
    if (defaultTimeout === null && this.#timeout) sock.setblocking(true);
    return [sock, address];
  }

  /**
   * Connects to `address`. With a timeout, waits at most that long for the
   * connection (TimeoutError); a non-blocking socket raises BlockingIOError
   * EINPROGRESS while the connection is under way.
   */
  connect(address: AddressArg): void {
    const a = toNativeAddress(this.#family, address, 'connect', this.#proto);
    this.#connect(a, true);
  }

  /** Like connect(), but returns 0 or the errno instead of raising for errors of the call itself. */
  connect_ex(address: AddressArg): number {
    const a = toNativeAddress(this.#family, address, 'connect_ex', this.#proto);
    return this.#connect(a, false);
  }

  #connect(a: unknown, raise: boolean): number {
    const r = binding.connect(this.#fd, this.#family, a);
    if (r === 0) return 0;
    if (!syncConnectWaits(-r, this.#timeoutMs)) {
      if (raise) throw fromErrno(-r, 'connect');
      return -r;
    }
    const op = { a: undefined, b: undefined, c: undefined, d: undefined };
    if (raise) return waitSync(this, CONNECT, op);
    try {
      return waitSync(this, CONNECT, op);
    } catch (e) {
      // connect_ex reports the errno of the connection, and a timeout as
      // EWOULDBLOCK, as CPython does; getsockopt's own failure is raised.
      if (!(e instanceof OSError) || e.syscall !== 'connect') throw e;
      return isSocketTimeout(e) ? EAGAIN : (e.errno as number);
    }
  }

  /** The socket's own address. */
  getsockname(): Address {
    // A number is an errno, or (not negative) a Bluetooth HCI device.
    return checkDecoded(binding.getsockname(this.#fd), 'getsockname');
  }

  /** The address of the connected peer. */
  getpeername(): Address {
    // A number is an errno, or (not negative) a Bluetooth HCI device.
    return checkDecoded(binding.getpeername(this.#fd), 'getpeername');
  }

  /** Shuts down one or both halves of the connection: SHUT_RD, SHUT_WR or SHUT_RDWR. */
  shutdown(how: number): void {
    const r = binding.shutdown(this.#fd, toCInt(how, 'how'));
    if (r < 0) throw fromErrno(-r, 'shutdown');
  }

  // --- receiving ------------------------------------------------------------

  /**
   * Receives at most `bufsize` bytes. An empty Buffer means the peer closed
   * the connection (for a stream socket).
   */
  recv(bufsize: number, flags?: number): Buffer {
    const size = bufsizeOf(bufsize, 'recv');
    const f = flags === undefined ? 0 : toCInt(flags, 'flags');
    // As in Python, asking for nothing returns at once without a system
    // call (a blocking recv of 0 bytes would otherwise wait for data).
    if (size === 0) return Buffer.alloc(0);
    const r = recvOnce(this.#fd, size, f);
    return typeof r === 'number' ? retrySync(this, r, RECV, size, f) : r;
  }

  /**
   * Receives into `buffer` (at most `nbytes` bytes, all of it when 0) and
   * returns how many bytes arrived.
   */
  recv_into(buffer: Bytes, nbytes?: number, flags?: number): number {
    const buf = toBytes(buffer, 'buffer');
    const n = intoLength(buf, nbytes, 'recv_into');
    const f = toFlags(flags);
    if (n === 0) return 0;
    const r = recvIntoOnce(this.#fd, buf, n, f);
    return r >= 0 ? r : retrySync(this, r, RECV_INTO, buf, n, f);
  }

  /** Receives at most `bufsize` bytes: `[data, address]`. */
  recvfrom(bufsize: number, flags?: number): [Buffer, Address] {
    const size = bufsizeOf(bufsize, 'recvfrom');
    const f = toFlags(flags);
    const r = recvfromOnce(this.#fd, size, f);
    return typeof r === 'number' ? retrySync(this, r, RECVFROM, size, f) : r;
  }

  /** Receives into `buffer`: `[nbytes, address]`. */
  recvfrom_into(buffer: Bytes, nbytes?: number, flags?: number): [number, Address] {
    const buf = toBytes(buffer, 'buffer');
    const n = intoLength(buf, nbytes, 'recvfrom_into');
    const f = toFlags(flags);
    const r = recvfromIntoOnce(this.#fd, buf, n, f);
    return typeof r === 'number' ? retrySync(this, r, RECVFROM_INTO, buf, n, f) : r;
  }

  // --- sending --------------------------------------------------------------

  /** Sends `data` and returns how many bytes went out (possibly fewer than all). */
  send(data: Bytes, flags?: number): number {
    const buf = toBytes(data, 'data');
    const f = toFlags(flags);
    const r = sendOnce(this.#fd, buf, f);
    return r >= 0 ? r : retrySync(this, r, SEND, buf, f, buf.byteLength);
  }

  /**
   * Sends all of `data`. With a timeout, the timeout bounds the whole call;
   * on error, how much was sent is unknown.
   */
  sendall(data: Bytes, flags?: number): void {
    const buf = toBytes(data, 'data');
    const f = toFlags(flags);
    // Usually all of it goes in one call.
    const r = sendOnce(this.#fd, buf, f);
    if (r === buf.byteLength) return;
    if (r < 0) {
      retrySync(this, r, SENDALL, buf, 0, f, buf.byteLength);
      return;
    }
    const op = { a: buf, b: r, c: f, d: buf.byteLength };
    const rest = sendallStep(op, this);
    if (rest !== undefined) retrySync(this, rest, SENDALL, buf, op.b, f, op.d);
  }

  /**
   * Sends a datagram to `address`: `sendto(data, address)` or
   * `sendto(data, flags, address)`. Returns the number of bytes sent.
   */
  sendto(data: Bytes, address: AddressArg): number;
  sendto(data: Bytes, flags: number, address: AddressArg): number;
  sendto(data: Bytes, flagsOrAddress: unknown, address?: AddressArg): number {
    const flags = sendtoFlags(arguments.length, flagsOrAddress);
    const addr = arguments.length === 2 ? flagsOrAddress : address;
    const buf = toBytes(data, 'data');
    const a = sendtoAddress(this.#family, addr, 'sendto', this.#proto);
    const r = sendtoOnce(this.#fd, buf, buf.byteLength, flags, this.#family, a);
    return r >= 0 ? r : retrySync(this, r, SENDTO, buf, flags, a, buf.byteLength);
  }

  // --- options --------------------------------------------------------------

  #sockoptInt(level: number, option: number): number {
    const out = new Int32Array(1);
    const r = binding.getsockopt(this.#fd, level, option, out);
    if (r < 0) throw fromErrno(-r, 'getsockopt');
    return out[0];
  }

  /** A 64-bit unsigned option (level AF_VSOCK): a number while it is a safe integer, else a bigint. */
  #sockoptU64(level: number, option: number): number | bigint {
    const out = new BigUint64Array(1);
    const r = binding.getsockopt(this.#fd, level, option, out);
    if (r < 0) throw fromErrno(-r, 'getsockopt');
    const v = out[0];
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /**
   * Reads a socket option: an integer, or with `buflen` a Buffer of at most
   * that many bytes (1 to 1024) holding the raw option. Options at level
   * `AF_VSOCK` are 64-bit unsigned, as in the kernel and in Python: a
   * number while the value is a safe integer, a bigint above that.
   */
  getsockopt(level: number, optname: number, buflen?: number): number | bigint | Buffer {
    const lvl = toCInt(level, 'level');
    const opt = toCInt(optname, 'optname');
    const len = buflen === undefined ? 0 : toCInt(buflen, 'buflen');
    if (len === 0) return lvl === C.AF_VSOCK ? this.#sockoptU64(lvl, opt) : this.#sockoptInt(lvl, opt);
    if (len < 0 || len > 1024) throw plainOSError('getsockopt buflen out of range');
    const buf = Buffer.alloc(len);
    const r = binding.getsockopt(this.#fd, lvl, opt, buf);
    if (r < 0) throw fromErrno(-r, 'getsockopt');
    return r === len ? buf : buf.subarray(0, r);
  }

  /**
   * Sets a socket option to an integer, to raw bytes, or with `value` null
   * to a NULL pointer of length `optlen` (as some AF_ALG options need).
   * An integer at level `AF_VSOCK` is written as 64 bits unsigned: a safe
   * integer or a bigint, taken modulo 2**64 as Python does (-1 is the
   * largest value).
   */
  setsockopt(level: number, optname: number, value: number | boolean | Bytes | null, optlen?: number): void {
    const lvl = toCInt(level, 'level');
    const opt = toCInt(optname, 'optname');
    let r: number;
    if (value === null) {
      if (optlen === undefined) throw argTypeError('optlen', 'of type number when value is null', optlen);
      // Python reads optlen as a C unsigned int without an overflow check:
      // -1 reaches the kernel as 4294967295 (which refuses it).
      const n = Number(BigInt.asUintN(32, BigInt(toInteger(optlen, 'optlen'))));
      r = binding.setsockopt(this.#fd, lvl, opt, null, n);
    } else {
      if (optlen !== undefined) {
        // Python: TypeError (setsockopt() takes exactly 3 arguments).
        const e = new TypeError('setsockopt() takes optlen only when value is null') as TypeError & { code: string };
        e.code = 'ERR_INVALID_ARG_TYPE';
        throw e;
      }
      const given: unknown = typeof value === 'boolean' ? Number(value) : value;
      let v: number | Bytes;
      if (typeof given === 'number' || typeof given === 'bigint') v = lvl === C.AF_VSOCK ? u64Bytes(given) : toCInt(given, 'value');
      else v = toBytes(given, 'value');
      r = binding.setsockopt(this.#fd, lvl, opt, v, 0);
    }
    if (r < 0) throw fromErrno(-r, 'setsockopt');
  }

  // --- printing -------------------------------------------------------------

  /** Python's repr: `<socket fd=3, family=2, type=1, proto=0, laddr=['127.0.0.1', 8080]>`. */
  toString(): string {
    return describeSocket(this.#fd, this.#family, this.#type, this.#proto, this.#closed);
  }

  /** What `util.inspect` (and so `console.log`) shows: the repr, as {@link Socket.toString}. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** `'Socket'`, so `Object.prototype.toString` names the class. */
  get [Symbol.toStringTag](): string {
    return 'Socket';
  }
}

/**
 * Creates a socket: Python's `socket.socket(family=AF_INET, type=SOCK_STREAM,
 * proto=0, fileno=None)`. Equivalent to `new Socket(...)`.
 */
export function socket(family?: number, type?: number, proto?: number, fileno?: number | null): Socket {
  return new Socket(family, type, proto, fileno ?? null);
}

/**
 * A pair of connected sockets, `[a, b]`, of the given family (AF_UNIX by
 * default), type and protocol.
 */
export function socketpair(family?: number, type?: number, proto?: number): [Socket, Socket] {
  const fam = family === undefined || family === null ? C.AF_UNIX : toCInt(family, 'family');
  const typ = type === undefined || type === null ? C.SOCK_STREAM : toCInt(type, 'type');
  const pro = proto === undefined || proto === null ? 0 : toCInt(proto, 'proto');
  const r = binding.socketpair(fam, typ, pro);
  if (typeof r === 'number') throw fromErrno(-r, 'socketpair');
  return [new Socket(fam, typ, pro, r[0]), new Socket(fam, typ, pro, r[1])];
}

/**
 * A socket object on a duplicate of `fd`, which may be any socket
 * descriptor; the original stays open and owned by the caller.
 */
export function fromfd(fd: number, family: number, type: number, proto: number = 0): Socket {
  const n = binding.dup(toCInt(fd, 'fd'));
  if (n < 0) throw fromErrno(-n, 'dup');
  try {
    return new Socket(family, type, proto, n);
  } catch (e) {
    binding.close(n);
    throw e;
  }
}

/** Closes a socket file descriptor, as `os.close` would. */
export function close(fd: number): void {
  const r = binding.close(toCInt(fd, 'fd'));
  if (r < 0 && -r !== ECONNRESET) throw fromErrno(-r, 'close');
}

/**
 * Duplicates a socket file descriptor: Python's `socket.dup(fd)`. The new
 * descriptor is close-on-exec (non-inheritable, as every descriptor bsdsock
 * makes) and belongs to the caller, who closes it (`close(fd)`, or a socket
 * made on it with `socket(-1, -1, -1, fd)`). A bad descriptor raises OSError
 * EBADF; `fd` must be an integer in the C int range (TypeError, RangeError).
 */
export function dup(fd: number): number {
  const r = binding.dup(toCInt(fd, 'fd'));
  if (r < 0) throw fromErrno(-r, 'dup');
  return r;
}

/**
 * Python's `socket.SocketType`: the type of socket objects, which is the
 * socket class itself (`SocketType === Socket`, so `s instanceof
 * SocketType` holds for every socket). Also usable as a type.
 */
export const SocketType = Socket;
/** The type of socket objects: {@link Socket}. */
export type SocketType = Socket;
