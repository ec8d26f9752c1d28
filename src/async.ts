// The async twins: every socket call that can wait, as a Promise driven by
// the runtime's event loop. One piece of machinery serves them all: a twin
// is a `step` (one non-blocking system call, its arguments stored in the
// pending record) submitted on a direction; the step runs at once when
// nothing is queued before it, and otherwise (or on EAGAIN) waits in that
// direction's FIFO queue until the socket is ready.
//
// Readiness comes from the addon (native/readiness.h): one poll set for
// the whole environment, started by the first wait, delivering ready
// descriptors in batches to `onReady`. A socket costs nothing in it until
// it waits, and then only an entry in two tables indexed by descriptor.
import { constants as bufferConstants } from 'node:buffer';
import { constants as osConstants } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { domainToASCII } from 'node:url';
import { toNativeAddress } from './address';
import { argRangeError, argTypeError, argValueError, fromErrno, gaierror, timedOut } from './errors';
import { binding, type Bytes } from './native';
import { getaddrinfoAsync } from './resolver';
import { recvOffset, recvTake, recvTarget } from './recvbuf';
import { Socket, type Address } from './socket';
import { isBytes, toBytes, toCInt, toFlags, toSize } from './validate';

const C = binding.constants;
const E = osConstants.errno;
const EAGAIN = E.EAGAIN;
const EINPROGRESS = E.EINPROGRESS;
const EINTR = E.EINTR;
const EISCONN = E.EISCONN;
const EALREADY = E.EALREADY;
const EBADF = E.EBADF;
const MSG_DONTWAIT = C.MSG_DONTWAIT;
const POLLOUT = 4;
const MAX_BUFFER = bufferConstants.MAX_LENGTH;

/** Readiness directions; the values are the native readiness event bits. */
export const READ = 1;
export const WRITE = 2;
type Direction = typeof READ | typeof WRITE;

/** The options every async twin takes as its optional last argument. */
export interface AsyncOptions {
  /** Aborting rejects the call with `signal.reason`; nothing is consumed. */
  signal?: AbortSignal;
}

/**
 * One attempt of an operation: returns the result, or a negative errno
 * (`-EAGAIN` to go on waiting). It must not consume anything unless it
 * returns a result or a final error.
 */
export type Attempt<T> = () => T | number;

/** An attempt that reads its arguments from its pending record (no closure per call). */
type Step<T> = (op: Pending<T>, sock: Socket) => T | number;

// --- the environment's readiness --------------------------------------------

/** Selects the readiness backend: 'uv' or 'thread' (for tests and CI). */
const BACKEND_VARIABLE = 'BSDSOCK_READINESS';

/** The (fd, events) pairs of each delivery; null until the first wait. */
let delivered: Int32Array | null = null;
/** fd -> the socket waiting on it: kept alive while it waits, and only then. */
const waiting: Array<Socket | undefined> = [];

function onReady(count: number): void {
  const pairs = delivered!;
  for (let i = 0; i < count; i++) {
    const sock = waiting[pairs[2 * i]];
    if (sock !== undefined) (sock._aio as Aio).ready(sock, pairs[2 * i + 1]);
  }
}

function backendName(): string {
  const forced = process.env[BACKEND_VARIABLE];
  if (forced !== undefined && forced !== '') {
    if (forced !== 'uv' && forced !== 'thread') {
      throw new Error(`${BACKEND_VARIABLE} must be 'uv' or 'thread', not ${JSON.stringify(forced)}`);
    }
    return forced;
  }
  // Bun has no uv_poll: calling it ends the process (oven-sh/bun#18546).
  return typeof process.versions.bun === 'string' ? 'thread' : 'uv';
}

/** Starts the poll set on first use; 0 or -errno. */
function startReadiness(): number {
  const r = binding.readiness_start(onReady, backendName());
  if (typeof r === 'number') return r;
  delivered = new Int32Array(r);
  return 0;
}

// --- pending calls ------------------------------------------------------------

/** The timeout and abort bookkeeping of a pending call that has either. */
class Guard {
  timer: ReturnType<typeof setTimeout> | null = null;
  constructor(
    readonly syscall: string,
    readonly sock: Socket,
    readonly op: Pending<unknown>,
    readonly dir: Direction,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** The abort listener (an object, so that no closure is needed). */
  handleEvent(): void {
    (this.sock._aio as Aio).drop(this.sock, this.op, this.dir, this.signal!.reason);
  }
}

function onTimeout(g: Guard): void {
  (g.sock._aio as Aio).drop(g.sock, g.op, g.dir, timedOut(g.syscall));
}

/** A call waiting in a socket's queue. */
class Pending<T> {
  /** The next in its queue; queues are circular (the tail's next is the head). */
  next: Pending<unknown> | null = null;
  constructor(
    readonly step: Step<T>,
    /** The step's arguments. */
    public a: unknown,
    public b: unknown,
    public c: unknown,
    /** The system call errors name; a Guard (which knows it) when the call has a timeout or a signal. */
    public about: string | Guard,
  ) {}

  /** Set by the Promise's executor (adopt), right after construction. */
  resolve: (v: T) => void = settleNothing;
  reject: (e: unknown) => void = settleNothing;

  get syscall(): string {
    const about = this.about;
    return typeof about === 'string' ? about : about.syscall;
  }

  /** Runs the step; true when the operation is finished (settled). */
  run(sock: Socket): boolean {
    let r: T | number;
    try {
      r = this.step(this, sock);
    } catch (e) {
      // A step that throws (a bug, or a conversion failing) must not
      // leave the operation stuck at the head of its queue.
      this.settle();
      this.reject(e);
      return true;
    }
    if (typeof r === 'number' && r < 0) {
      if (r === -EAGAIN) return false;
      this.settle();
      this.reject(fromErrno(-r, this.syscall));
      return true;
    }
    this.settle();
    this.resolve(r as T);
    return true;
  }

  /** Detaches the timer and the abort listener. */
  settle(): void {
    const g = this.about;
    if (typeof g === 'string') return;
    this.about = g.syscall;
    if (g.timer !== null) clearTimeout(g.timer);
    if (g.signal !== undefined) g.signal.removeEventListener('abort', g);
  }
}

/** A step that is a closure (the generic `submit`): the closure is `a`. */
function callAttempt<T>(op: Pending<T>): T | number {
  return (op.a as Attempt<T>)();
}

const WATCHED = READ | WRITE;
const UNREF = 4;
const CLOSED = 8;

/** Per-socket state of the async machinery, created on first use. */
class Aio {
  /** The tails of the read and write queues. */
  rq: Pending<unknown> | null = null;
  wq: Pending<unknown> | null = null;
  /**
   * The low 4 bits: WATCHED (what native readiness waits for), UNREF,
   * CLOSED; above them the descriptor (one field for both: this object
   * exists for every socket that ever waited).
   */
  flags: number;

  constructor(fd: number) {
    this.flags = fd * 16;
  }

  get fd(): number {
    return this.flags >> 4;
  }

  tail(dir: Direction): Pending<unknown> | null {
    return dir === READ ? this.rq : this.wq;
  }

  setTail(dir: Direction, op: Pending<unknown> | null): void {
    if (dir === READ) this.rq = op;
    else this.wq = op;
  }

  /** Rejects everything pending with EBADF and stops for good. */
  close(): void {
    if (this.flags & CLOSED) return;
    // The descriptor has already left the poll set (disown, native side).
    this.flags = (this.flags & ~WATCHED) | CLOSED;
    if (waiting[this.fd]?._aio === this) waiting[this.fd] = undefined;
    this.rejectAll(null);
  }

  /** Rejects every queued operation with `err`, or EBADF when null. */
  rejectAll(err: Error | null): void {
    for (const dir of [READ, WRITE] as const) {
      const t = this.tail(dir);
      if (t === null) continue;
      this.setTail(dir, null);
      let op = t.next;
      t.next = null; // the circle becomes a list ending at the tail
      while (op !== null) {
        const next: Pending<unknown> | null = op.next;
        op.next = null;
        op.settle();
        op.reject(err ?? fromErrno(EBADF, op.syscall));
        op = next;
      }
    }
  }

  enqueue(sock: Socket, op: Pending<unknown>, dir: Direction, signal: AbortSignal | undefined): void {
    if (this.flags & CLOSED || sock.fileno() < 0) {
      op.reject(fromErrno(EBADF, op.syscall));
      return;
    }
    if (delivered === null) {
      let r: number;
      try {
        r = startReadiness();
      } catch (e) {
        op.reject(e);
        return;
      }
      if (r < 0) {
        op.reject(fromErrno(-r, 'epoll_create1'));
        return;
      }
    }
    const t = this.tail(dir);
    if (t === null) op.next = op;
    else {
      op.next = t.next;
      t.next = op;
    }
    this.setTail(dir, op);
    const timeoutMs = sock._timeoutMs;
    if (timeoutMs > 0 || signal !== undefined) {
      const g = new Guard(op.about as string, sock, op, dir, signal);
      op.about = g;
      if (timeoutMs > 0) {
        g.timer = setTimeout(onTimeout, timeoutMs, g);
        if (this.flags & UNREF) g.timer.unref();
      }
      if (signal !== undefined) signal.addEventListener('abort', g, { once: true });
    }
    this.update(sock);
  }

  /** Removes a waiting operation (timeout, abort) and rejects it. */
  drop(sock: Socket, op: Pending<unknown>, dir: Direction, reason: unknown): void {
    const t = this.tail(dir);
    if (t === null || op.next === null) return;
    // Find the one before op in the circle.
    let prev = t;
    while (prev.next !== op) {
      prev = prev.next!;
      if (prev === t) return; // not in this queue
    }
    const wasHead = prev === t;
    if (op === t && prev === op) this.setTail(dir, null);
    else {
      prev.next = op.next;
      if (op === t) this.setTail(dir, prev);
    }
    op.next = null;
    op.settle();
    op.reject(reason);
    // The next in line may be able to go now.
    if (wasHead && this.tail(dir) !== null) this.drain(sock, dir);
    this.update(sock);
  }

  ready(sock: Socket, events: number): void {
    if (this.flags & CLOSED) return;
    // Native readiness stops wanting what it delivers; update() below
    // asks again for what still waits.
    this.flags &= ~events;
    if (events & READ) this.drain(sock, READ);
    if (events & WRITE) this.drain(sock, WRITE);
    this.update(sock);
  }

  /** Runs the queued operations in order until one has to wait. */
  drain(sock: Socket, dir: Direction): void {
    for (let t = this.tail(dir); t !== null; t = this.tail(dir)) {
      const head = t.next!;
      if (!head.run(sock)) break;
      if (head === t) this.setTail(dir, null);
      else t.next = head.next;
      head.next = null;
    }
  }

  /** Watches exactly the directions something waits on. */
  update(sock: Socket): void {
    if (this.flags & CLOSED) return;
    const want = (this.rq !== null ? READ : 0) | (this.wq !== null ? WRITE : 0);
    if (want === (this.flags & WATCHED)) {
      // Delivered and done: nothing waits, so nothing keeps the socket.
      if (want === 0 && waiting[this.fd] === sock) waiting[this.fd] = undefined;
      return;
    }
    const r = binding.readiness_watch(this.fd, want);
    if (r < 0) {
      this.flags &= ~WATCHED;
      waiting[this.fd] = undefined;
      this.rejectAll(fromErrno(-r, 'epoll_ctl'));
      return;
    }
    this.flags = (this.flags & ~WATCHED) | want;
    waiting[this.fd] = want !== 0 ? sock : undefined;
  }

  setRef(on: boolean): void {
    this.flags = on ? this.flags & ~UNREF : this.flags | UNREF;
    binding.readiness_ref(this.fd, on);
    for (const dir of [READ, WRITE] as const) {
      const t = this.tail(dir);
      let op = t;
      while (op !== null) {
        const timer = typeof op.about === 'string' ? null : op.about.timer;
        if (timer) {
          if (on) timer.ref();
          else timer.unref();
        }
        op = op.next === t ? null : op.next;
      }
    }
  }
}

function aioOf(sock: Socket): Aio {
  let a = sock._aio as Aio | null;
  if (a === null) {
    a = new Aio(sock.fileno());
    sock._aio = a;
  }
  return a;
}

function checkSignal(options: AsyncOptions | undefined): AbortSignal | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') throw argTypeError('options', 'of type object', options);
  const signal = options.signal;
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw argTypeError('options.signal', 'an instance of AbortSignal', signal);
  return signal;
}

/** True when nothing waits in `dir` before a new call, so it may try at once. */
function idle(sock: Socket, dir: Direction): boolean {
  const aio = sock._aio as Aio | null;
  return aio === null || aio.tail(dir) === null;
}

/** Queues an operation whose first try would block (or that must wait its turn). */
function wait<T>(
  sock: Socket,
  dir: Direction,
  syscall: string,
  step: Step<T>,
  a: unknown,
  b: unknown,
  c: unknown,
  signal: AbortSignal | undefined,
): Promise<T> {
  const op = new Pending<T>(step, a, b, c, syscall);
  adopting = op as Pending<unknown>;
  const p = new Promise<T>(adopt);
  adopting = null;
  aioOf(sock).enqueue(sock, op as Pending<unknown>, dir, signal);
  return p;
}

/** The record whose Promise is being made: one executor serves every call, so no closure is made per call. */
let adopting: Pending<unknown> | null = null;

function adopt(resolve: (v: never) => void, reject: (e: unknown) => void): void {
  adopting!.resolve = resolve as (v: unknown) => void;
  adopting!.reject = reject;
}

function settleNothing(): void {}

/** The settled Promise of a first try: a result, or the error of a negative errno. */
function settled<T>(r: T | number, syscall: string): Promise<T> {
  return typeof r === 'number' && r < 0 ? Promise.reject(fromErrno(-r, syscall)) : Promise.resolve(r as T);
}

/**
 * Runs `attempt` as an async operation of `sock` in direction `dir`: at
 * once if nothing waits before it, otherwise when the socket is ready. The
 * socket's timeout bounds the wait; `options.signal` aborts it. This is the
 * whole machinery a new twin needs.
 */
export function submit<T>(
  sock: Socket,
  dir: Direction,
  syscall: string,
  attempt: Attempt<T>,
  options?: AsyncOptions,
): Promise<T> {
  let signal: AbortSignal | undefined;
  try {
    signal = checkSignal(options);
  } catch (e) {
    return Promise.reject(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (idle(sock, dir)) {
    let r: T | number;
    try {
      r = attempt();
    } catch (e) {
      return Promise.reject(e);
    }
    if (r !== -EAGAIN) return settled(r, syscall);
  }
  return wait(sock, dir, syscall, callAttempt as Step<T>, attempt, undefined, undefined, signal);
}

/**
 * Whether a trailing argument is a twin's options object: a plain object,
 * not an address array, a bytes-like object or an iterable of buffers.
 */
export function isOptions(v: unknown): v is AsyncOptions {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof ArrayBuffer) &&
    !(v instanceof SharedArrayBuffer) &&
    typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  );
}

/** Splits `(...args, options?)` of a twin taking at most `max` positional arguments. */
export function splitOptions(args: unknown[], max: number): [unknown[], AsyncOptions | undefined] {
  if (args.length > 0 && args.length <= max + 1 && isOptions(args[args.length - 1])) {
    return [args.slice(0, -1), args[args.length - 1] as AsyncOptions];
  }
  return [args, undefined];
}

/** Runs `fn`, turning a synchronous throw (bad arguments) into a rejection. */
export function rejecting<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}

// Sockets in blocking mode keep a blocking descriptor, as in Python: data
// calls add MSG_DONTWAIT, and accept/connect switch O_NONBLOCK on around
// the call.
export function withNonblocking<T>(sock: Socket, call: () => T): T {
  if (sock._timeoutMs !== -1) return call();
  const fd = sock.fileno();
  binding.setnonblocking(fd, true);
  try {
    return call();
  } finally {
    binding.setnonblocking(fd, false);
  }
}

function intoLength(buf: Bytes, nbytes: unknown, caller: string, tooSmall: string): number {
  const len = buf.byteLength;
  if (nbytes === undefined) return len;
  const n = toSize(nbytes, 'nbytes');
  if (n < 0) throw argValueError('nbytes', `negative buffersize in ${caller}`);
  if (n > len) throw argValueError('nbytes', tooSmall);
  return n === 0 ? len : n;
}

declare module './socket' {
  interface Socket {
    /** Promise twin of {@link Socket.accept}: resolves `[conn, address]`. */
    acceptAsync(options?: AsyncOptions): Promise<[Socket, Address]>;
    /** Promise twin of {@link Socket.connect}; host names are resolved without blocking the loop. */
    connectAsync(address: Address, options?: AsyncOptions): Promise<void>;
    /** Promise twin of {@link Socket.connect_ex}: resolves 0 or an errno. */
    connect_exAsync(address: Address, options?: AsyncOptions): Promise<number>;
    /** Promise twin of {@link Socket.recv}; a `bufsize` of 0 resolves an empty Buffer at once, as recv(0) returns. */
    recvAsync(bufsize: number, flags?: number, options?: AsyncOptions): Promise<Buffer>;
    /** {@link Socket.recvAsync} called as `recvAsync(bufsize, options?)`. */
    recvAsync(bufsize: number, options?: AsyncOptions): Promise<Buffer>;
    /** Promise twin of {@link Socket.recv_into}; an empty `buffer` resolves 0 at once (`nbytes` 0 means all of `buffer`). */
    recv_intoAsync(buffer: Bytes, nbytes?: number, flags?: number, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.recv_intoAsync} called as `recv_intoAsync(buffer, options?)`. */
    recv_intoAsync(buffer: Bytes, options?: AsyncOptions): Promise<number>;
    /** Promise twin of {@link Socket.recvfrom}. */
    recvfromAsync(bufsize: number, flags?: number, options?: AsyncOptions): Promise<[Buffer, Address]>;
    /** {@link Socket.recvfromAsync} called as `recvfromAsync(bufsize, options?)`. */
    recvfromAsync(bufsize: number, options?: AsyncOptions): Promise<[Buffer, Address]>;
    /** Promise twin of {@link Socket.recvfrom_into}. */
    recvfrom_intoAsync(buffer: Bytes, nbytes?: number, flags?: number, options?: AsyncOptions): Promise<[number, Address]>;
    /** {@link Socket.recvfrom_intoAsync} called as `recvfrom_intoAsync(buffer, options?)`. */
    recvfrom_intoAsync(buffer: Bytes, options?: AsyncOptions): Promise<[number, Address]>;
    /** Promise twin of {@link Socket.send}. */
    sendAsync(data: Bytes, flags?: number, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.sendAsync} called as `sendAsync(data, options?)`. */
    sendAsync(data: Bytes, options?: AsyncOptions): Promise<number>;
    /** Promise twin of {@link Socket.sendall}; the timeout bounds the whole call. */
    sendallAsync(data: Bytes, flags?: number, options?: AsyncOptions): Promise<void>;
    /** {@link Socket.sendallAsync} called as `sendallAsync(data, options?)`. */
    sendallAsync(data: Bytes, options?: AsyncOptions): Promise<void>;
    /** Promise twin of {@link Socket.sendto}. */
    sendtoAsync(data: Bytes, address: Address, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.sendtoAsync} called as `sendtoAsync(data, flags, address, options?)`. */
    sendtoAsync(data: Bytes, flags: number, address: Address, options?: AsyncOptions): Promise<number>;
    /** Lets a waiting async call keep the process alive (the default), as `net.Socket.ref()`. */
    ref(): this;
    /** Lets the process exit even while an async call waits, as `net.Socket.unref()`. */
    unref(): this;
  }
}

const proto = Socket.prototype;

function acceptOnce(sock: Socket): [Socket, Address] | number {
  const fd = sock.fileno();
  const blocking = sock._timeoutMs === -1;
  if (blocking) binding.setnonblocking(fd, true);
  let r: [number, Address] | number;
  try {
    r = binding.accept(fd);
  } finally {
    if (blocking) binding.setnonblocking(fd, false);
  }
  return typeof r === 'number' ? r : sock._adopt(r);
}

function acceptStep(op: Pending<[Socket, Address]>, sock: Socket): [Socket, Address] | number {
  return acceptOnce(sock);
}

proto.acceptAsync = function acceptAsync(this: Socket, options?: AsyncOptions) {
  let signal: AbortSignal | undefined;
  try {
    signal = checkSignal(options);
  } catch (e) {
    return badArgument(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (idle(this, READ)) {
    const r = acceptOnce(this);
    if (r !== -EAGAIN) return settled(r, 'accept');
  }
  return wait(this, READ, 'accept', acceptStep, undefined, undefined, undefined, signal);
};

/** SO_ERROR's value, read right after getsockopt (one buffer for every connect). */
const soError = new Int32Array(1);

/** The outcome of a connect in progress, from SO_ERROR: 0, -EAGAIN (still going) or -errno. */
function connectOutcome(fd: number): number {
  const g = binding.getsockopt(fd, C.SOL_SOCKET, C.SO_ERROR, soError);
  if (g < 0) return g;
  const err = soError[0];
  if (err === 0 || err === EISCONN) {
    // A wake-up alone proves nothing (Deno's uv_poll reports the events it
    // was asked for, denoland/deno#36317): no peer yet means still going.
    return binding.getpeername(fd) === -E.ENOTCONN ? -EAGAIN : 0;
  }
  if (err === EINPROGRESS || err === EALREADY) return -EAGAIN;
  return -err;
}

/**
 * Starts a connect: 0 (connected), -EINPROGRESS (started: wait until
 * writable), -EAGAIN (not started: an AF_UNIX listener's backlog is full,
 * try again when writable) or -errno.
 */
function connectStart(sock: Socket, family: number, address: unknown): number {
  const fd = sock.fileno();
  const blocking = sock._timeoutMs === -1;
  if (blocking) binding.setnonblocking(fd, true);
  let r: number;
  try {
    r = binding.connect(fd, family, address);
  } finally {
    if (blocking) binding.setnonblocking(fd, false);
  }
  if (r === 0 || r === -EAGAIN) return r;
  if (r !== -EINPROGRESS && r !== -EINTR && r !== -EALREADY) return r;
  // A loopback or LAN connect is often done by now: one poll() spares a
  // trip through the loop.
  if (binding.poll(fd, POLLOUT, 0) <= 0) return -EINPROGRESS;
  r = connectOutcome(fd);
  return r === -EAGAIN ? -EINPROGRESS : r;
}

/**
 * The connect step: `a` is the native address until the connect has
 * started (null after), `b` the family, `c` the value to resolve.
 */
function connectStep(op: Pending<unknown>, sock: Socket): unknown {
  if (op.a === null) {
    const r = connectOutcome(sock.fileno());
    return r === 0 ? op.c : r;
  }
  const r = connectStart(sock, op.b as number, op.a);
  if (r === -EINPROGRESS) {
    op.a = null;
    return -EAGAIN;
  }
  return r === 0 ? op.c : r;
}

/** connect (resolves undefined) or connect_ex (resolves 0 or the errno) once the address is an IP address. */
function connectNow(sock: Socket, address: Address, signal: AbortSignal | undefined, raise: boolean): Promise<unknown> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const family = sock.family;
  const done = raise ? undefined : 0;
  let p: Promise<unknown>;
  try {
    const a = toNativeAddress(family, address, raise ? 'connect' : 'connect_ex', sock.proto);
    if (idle(sock, WRITE)) {
      const r = connectStart(sock, family, a);
      if (r === 0) p = Promise.resolve(done);
      else if (r === -EINPROGRESS) p = wait(sock, WRITE, 'connect', connectStep, null, family, done, signal);
      else if (r === -EAGAIN) p = wait(sock, WRITE, 'connect', connectStep, a, family, done, signal);
      else p = Promise.reject(fromErrno(-r, 'connect'));
    } else {
      p = wait(sock, WRITE, 'connect', connectStep, a, family, done, signal);
    }
  } catch (e) {
    return Promise.reject(e);
  }
  if (raise) return p;
  return p.then(undefined, (e: unknown) => {
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === 'number') return errno;
    // connect_ex reports a timeout as EWOULDBLOCK, as CPython does.
    if ((e as { message?: unknown }).message === 'timed out') return EAGAIN;
    throw e;
  });
}

/**
 * The host of an AF_INET/AF_INET6 address that only a name lookup can turn
 * into an IP address (as latin-1 text), or null: numeric hosts, '',
 * '<broadcast>', other families and malformed addresses need none (the
 * sync rules take them, or raise).
 */
export function hostToLookUp(family: number, address: unknown): string | null {
  if (family !== C.AF_INET && family !== C.AF_INET6) return null;
  if (!Array.isArray(address) || address.length < 1) return null;
  const raw: unknown = address[0];
  let host: string;
  if (typeof raw === 'string') host = raw;
  else if (isBytes(raw)) host = Buffer.from(raw as Uint8Array).toString('latin1');
  else return null;
  // As the sync rules (address.ts numericHost): a scoped IPv6 literal goes
  // through getaddrinfo, which reads its zone without a DNS query.
  const numeric = family === C.AF_INET ? isIPv4(host) : isIPv6(host) && !host.includes('%');
  if (numeric || host === '' || host === '<broadcast>' || host.includes('\0')) return null;
  return host;
}

/**
 * An IP address whose host is a name, resolved on the thread pool the way
 * bind() and connect() would resolve it (CPython's setipaddr: the first
 * getaddrinfo answer of the socket's family), so that binding or
 * connecting never blocks the loop on a lookup. The host may be a string
 * (IDNA-encoded as the sync rules do) or bytes (passed as they are).
 * Numeric hosts, '', '<broadcast>' and anything the sync rules reject are
 * returned as given, for them to handle.
 */
export async function resolveHostAsync(family: number, address: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  const host = hostToLookUp(family, address);
  if (host === null) return address;
  let name = host;
  if (/[^\x00-\x7f]/.test(name)) {
    name = domainToASCII(name);
    if (name === '') return address; // the sync rules raise the IDNA error
  }
  // As bytes: the name goes to the C library as the sync rules pass it.
  const res = await getaddrinfoAsync(Buffer.from(name, 'latin1'), null, family, 0, 0, 0, { signal });
  const found = res.find((r) => r[0] === family);
  if (found === undefined) throw new gaierror(C.EAI_ADDRFAMILY ?? C.EAI_FAMILY, 'Address family for hostname not supported');
  const text = found[4][0];
  const zone = text.indexOf('%');
  return [zone < 0 ? text : text.slice(0, zone), ...(address as unknown[]).slice(1)];
}

/** connectAsync and connect_exAsync: a host name is first resolved on the thread pool. */
function connectResolved(sock: Socket, address: Address, options: AsyncOptions | undefined, raise: boolean): Promise<unknown> {
  let signal: AbortSignal | undefined;
  try {
    signal = checkSignal(options);
  } catch (e) {
    return Promise.reject(e);
  }
  if (hostToLookUp(sock.family, address) === null) return connectNow(sock, address, signal, raise);
  return resolveHostAsync(sock.family, address, signal).then((a) => connectNow(sock, a as Address, signal, raise));
}

proto.connectAsync = function connectAsync(this: Socket, address: Address, options?: AsyncOptions) {
  return connectResolved(this, address, options, true) as Promise<void>;
};

proto.connect_exAsync = function connect_exAsync(this: Socket, address: Address, options?: AsyncOptions) {
  return connectResolved(this, address, options, false) as Promise<number>;
};

// The twins below validate their arguments, try the call at once when
// nothing waits before them (no closure, no Pending), and only on EAGAIN
// queue an attempt. `flags` may be left out with the options in its place.

function badArgument(e: unknown): Promise<never> {
  return Promise.reject(e);
}

// One attempt of recvAsync/recvfromAsync: reads where the sync calls read
// (recvbuf.ts: a shared slab, or a spare kept across attempts). MSG_TRUNC
// on a datagram socket makes the call report the datagram's whole length:
// the data is still at most `size` bytes, as the sync calls return.
function recvOnce(fd: number, size: number, flags: number): Buffer | number {
  const buf = recvTarget(size);
  const off = recvOffset(buf);
  const n = binding.recv(fd, buf, off, size, flags);
  return n < 0 ? n : recvTake(buf, off, n > size ? size : n);
}

function recvfromOnce(fd: number, size: number, flags: number): [Buffer, Address] | number {
  const buf = recvTarget(size);
  const off = recvOffset(buf);
  const r = binding.recvfrom(fd, buf, off, size, flags);
  if (typeof r === 'number') return r;
  const n = r[0];
  return [recvTake(buf, off, n > size ? size : n), r[1]];
}

// The steps of the twins below, their arguments stored in the pending
// record (a, b, c) instead of a closure per call.
function recvStep(op: Pending<Buffer>, sock: Socket): Buffer | number {
  return recvOnce(sock.fileno(), op.a as number, op.b as number);
}

function recvIntoStep(op: Pending<number>, sock: Socket): number {
  return binding.recv(sock.fileno(), op.a as Bytes, 0, op.b as number, op.c as number);
}

function recvfromStep(op: Pending<[Buffer, Address]>, sock: Socket): [Buffer, Address] | number {
  return recvfromOnce(sock.fileno(), op.a as number, op.b as number);
}

function recvfromIntoStep(op: Pending<[number, Address]>, sock: Socket): [number, Address] | number {
  return binding.recvfrom(sock.fileno(), op.a as Bytes, 0, op.b as number, op.c as number);
}

function sendStep(op: Pending<number>, sock: Socket): number {
  const buf = op.a as Bytes;
  return binding.send(sock.fileno(), buf, 0, buf.byteLength, op.b as number);
}

/** Sends what it can from offset `b`; -EAGAIN until all of it is out. */
function sendallOnce(op: { a: unknown; b: unknown; c: unknown }, sock: Socket): undefined | number {
  const fd = sock.fileno();
  const buf = op.a as Bytes;
  const len = buf.byteLength;
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

function sendtoStep(op: Pending<number>, sock: Socket): number {
  const buf = op.a as Bytes;
  return binding.sendto(sock.fileno(), buf, 0, buf.byteLength, op.b as number, sock.family, op.c);
}

/** recv's and recvfrom's `bufsize`, checked as the sync calls check it. */
function bufsizeOf(bufsize: unknown, caller: string): number {
  const size = toSize(bufsize, 'bufsize');
  if (size < 0) throw argValueError('bufsize', `negative buffersize in ${caller}`);
  if (size > MAX_BUFFER) throw argRangeError('bufsize', `<= ${MAX_BUFFER} (the largest Buffer)`, bufsize);
  return size;
}

proto.recvAsync = function recvAsync(this: Socket, bufsize: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(flags)) [flags, options] = [undefined, flags];
  let size: number, f: number, signal: AbortSignal | undefined;
  try {
    size = bufsizeOf(bufsize, 'recv');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = checkSignal(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  // As the sync recv (and Python's, and asyncio's sock_recv): asking for
  // nothing returns at once, without a system call, whatever is queued.
  if (size === 0) return Promise.resolve(Buffer.alloc(0));
  if (idle(this, READ)) {
    const r = recvOnce(this.fileno(), size, f);
    if (r !== -EAGAIN) return settled(r, 'recv');
  }
  return wait(this, READ, 'recv', recvStep, size, f, undefined, signal);
} as Socket['recvAsync'];

proto.recv_intoAsync = function recv_intoAsync(this: Socket, buffer: unknown, nbytes?: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(nbytes)) [nbytes, flags, options] = [undefined, undefined, nbytes];
  else if (isOptions(flags)) [flags, options] = [undefined, flags];
  let buf: Bytes, n: number, f: number, signal: AbortSignal | undefined;
  try {
    buf = toBytes(buffer, 'buffer');
    n = intoLength(buf, nbytes, 'recv_into', 'buffer too small for requested bytes');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = checkSignal(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  // An empty buffer: 0 at once, without a system call, as the sync recv_into.
  if (n === 0) return Promise.resolve(0);
  if (idle(this, READ)) {
    const r = binding.recv(this.fileno(), buf, 0, n, f);
    if (r !== -EAGAIN) return settled(r, 'recv_into');
  }
  return wait(this, READ, 'recv_into', recvIntoStep, buf, n, f, signal);
} as Socket['recv_intoAsync'];

proto.recvfromAsync = function recvfromAsync(this: Socket, bufsize: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(flags)) [flags, options] = [undefined, flags];
  let size: number, f: number, signal: AbortSignal | undefined;
  try {
    size = bufsizeOf(bufsize, 'recvfrom');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = checkSignal(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (idle(this, READ)) {
    const r = recvfromOnce(this.fileno(), size, f);
    if (r !== -EAGAIN) return settled(r, 'recvfrom');
  }
  return wait(this, READ, 'recvfrom', recvfromStep, size, f, undefined, signal);
} as Socket['recvfromAsync'];

proto.recvfrom_intoAsync = function recvfrom_intoAsync(this: Socket, buffer: unknown, nbytes?: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(nbytes)) [nbytes, flags, options] = [undefined, undefined, nbytes];
  else if (isOptions(flags)) [flags, options] = [undefined, flags];
  let buf: Bytes, n: number, f: number, signal: AbortSignal | undefined;
  try {
    buf = toBytes(buffer, 'buffer');
    n = intoLength(buf, nbytes, 'recvfrom_into', 'nbytes is greater than the length of the buffer');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = checkSignal(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (idle(this, READ)) {
    const r = binding.recvfrom(this.fileno(), buf, 0, n, f);
    if (r !== -EAGAIN) return settled(r, 'recvfrom_into');
  }
  return wait(this, READ, 'recvfrom_into', recvfromIntoStep, buf, n, f, signal);
} as Socket['recvfrom_intoAsync'];

proto.sendAsync = function sendAsync(this: Socket, data: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(flags)) [flags, options] = [undefined, flags];
  let buf: Bytes, f: number, signal: AbortSignal | undefined;
  try {
    buf = toBytes(data, 'data');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = checkSignal(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  const len = buf.byteLength;
  if (idle(this, WRITE)) {
    const r = binding.send(this.fileno(), buf, 0, len, f);
    if (r !== -EAGAIN) return settled(r, 'send');
  }
  return wait(this, WRITE, 'send', sendStep, buf, f, undefined, signal);
} as Socket['sendAsync'];

proto.sendallAsync = function sendallAsync(this: Socket, data: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(flags)) [flags, options] = [undefined, flags];
  let buf: Bytes, f: number, signal: AbortSignal | undefined;
  try {
    buf = toBytes(data, 'data');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = checkSignal(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  // The offset sent so far lives in the pending record (b).
  const op = { a: buf, b: 0, c: f };
  if (idle(this, WRITE)) {
    const r = sendallOnce(op, this);
    if (r !== -EAGAIN) return settled(r, 'send');
  }
  return wait(this, WRITE, 'send', sendallOnce, buf, op.b, f, signal);
} as Socket['sendallAsync'];

proto.sendtoAsync = function sendtoAsync(this: Socket, ...args: unknown[]) {
  let flags = 0;
  let buf: Bytes, address: unknown, a: unknown, signal: AbortSignal | undefined;
  try {
    const [rest, options] = splitOptions(args, 3);
    if (rest.length === 2) {
      address = rest[1];
    } else if (rest.length === 3) {
      flags = toCInt(rest[1], 'flags');
      address = rest[2];
    } else {
      const e = new TypeError(`sendto() takes 2 or 3 arguments (${rest.length} given)`) as TypeError & { code: string };
      e.code = 'ERR_MISSING_ARGS';
      throw e;
    }
    buf = toBytes(rest[0], 'data');
    signal = checkSignal(options);
    // A host name is looked up on the thread pool first; the call joins
    // the queue once it has its address.
    if (hostToLookUp(this.family, address) !== null && !signal?.aborted) {
      return resolveHostAsync(this.family, address, signal).then((resolved) =>
        options === undefined
          ? this.sendtoAsync(buf, flags, resolved as Address)
          : this.sendtoAsync(buf, flags, resolved as Address, options as AsyncOptions),
      );
    }
    a = toNativeAddress(this.family, address, 'sendto', this.proto);
  } catch (e) {
    return badArgument(e);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  const family = this.family;
  const len = buf.byteLength;
  const f = flags | MSG_DONTWAIT;
  if (idle(this, WRITE)) {
    const r = binding.sendto(this.fileno(), buf, 0, len, f, family, a);
    if (r !== -EAGAIN) return settled(r, 'sendto');
  }
  return wait(this, WRITE, 'sendto', sendtoStep, buf, f, a, signal);
} as Socket['sendtoAsync'];

proto.ref = function ref(this: Socket) {
  aioOf(this).setRef(true);
  return this;
};

proto.unref = function unref(this: Socket) {
  aioOf(this).setRef(false);
  return this;
};

