// The async twins: every socket call that can wait, as a Promise driven by
// Node's event loop. One piece of machinery serves them all: a twin is an
// `attempt` (one non-blocking system call) submitted on a direction; the
// attempt runs at once when nothing is queued before it, and otherwise (or
// on EAGAIN) waits in that direction's FIFO queue for readiness.
import { constants as bufferConstants } from 'node:buffer';
import { constants as osConstants } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';
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

/** Readiness directions; the values are the native watcher's event bits. */
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

type Handle = object;

class Pending<T> {
  timer: NodeJS.Timeout | null = null;
  onAbort: (() => void) | null = null;
  constructor(
    readonly attempt: Attempt<T>,
    readonly syscall: string,
    readonly resolve: (v: T) => void,
    readonly reject: (e: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** Runs the attempt; true when the operation is finished (settled). */
  run(): boolean {
    let r: T | number;
    try {
      r = this.attempt();
    } catch (e) {
      // An attempt that throws (a bug, or a conversion failing) must not
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
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.onAbort !== null) this.signal!.removeEventListener('abort', this.onAbort);
    this.timer = null;
    this.onAbort = null;
  }
}

/** Per-socket state of the async machinery, created on first use. */
class Aio {
  readonly queues: [Pending<unknown>[], Pending<unknown>[]] = [[], []];
  watcher: Handle | null = null;
  watching = 0;
  refed = true;
  closed = false;
  onReady: ((events: number) => void) | null = null;

  constructor(readonly sock: Socket) {}

  /**
   * Closes the watcher when nothing waits, so an idle socket costs no more
   * than one that never waited (a socket after connectAsync, say). The next
   * wait opens a new one.
   */
  release(): void {
    if (this.watcher === null || this.queues[0].length > 0 || this.queues[1].length > 0) return;
    binding.watcher_close(this.watcher);
    this.watcher = null;
    this.watching = 0;
    // Nothing left worth keeping (the ref state is the default): drop the
    // state too; the next wait makes it anew.
    if (this.refed && (this.sock._aio as Aio | null) === this) this.sock._aio = null;
  }

  queue(dir: Direction): Pending<unknown>[] {
    return this.queues[dir - 1];
  }

  /** Made in its own scope, so that it keeps nothing but this object alive. */
  readyCallback(): (events: number) => void {
    return (events) => this.ready(events);
  }

  /** Rejects everything pending with EBADF and stops watching for good. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watcher !== null) binding.watcher_close(this.watcher);
    this.watcher = null;
    this.watching = 0;
    for (const q of this.queues) {
      const ops = q.splice(0);
      for (const op of ops) {
        op.settle();
        op.reject(fromErrno(EBADF, op.syscall));
      }
    }
  }

  enqueue(op: Pending<unknown>, dir: Direction): void {
    const fd = this.sock.fileno();
    if (this.closed || fd < 0) {
      op.reject(fromErrno(EBADF, op.syscall));
      return;
    }
    if (this.watcher === null) {
      // Held here: the native side holds it only weakly while nothing waits.
      this.onReady ??= this.readyCallback();
      const w = binding.watcher_open(fd, this.onReady);
      if (typeof w === 'number') {
        op.reject(fromErrno(-w, 'uv_poll_init'));
        return;
      }
      this.watcher = w;
      if (!this.refed) binding.watcher_ref(w, false);
    }
    const q = this.queue(dir);
    q.push(op);
    const timeoutMs = this.sock._timeoutMs;
    if (timeoutMs > 0) {
      op.timer = setTimeout(() => this.drop(op, dir, timedOut(op.syscall)), timeoutMs);
      if (!this.refed) op.timer.unref();
    }
    if (op.signal !== undefined) {
      op.onAbort = () => this.drop(op, dir, op.signal!.reason);
      op.signal.addEventListener('abort', op.onAbort, { once: true });
    }
    this.update();
  }

  /** Removes a waiting operation (timeout, abort) and rejects it. */
  drop(op: Pending<unknown>, dir: Direction, reason: unknown): void {
    const q = this.queue(dir);
    const i = q.indexOf(op);
    if (i < 0) return;
    q.splice(i, 1);
    op.settle();
    op.reject(reason);
    // The next in line may be able to go now.
    if (i === 0 && q.length > 0) this.drain(q);
    this.update();
  }

  ready(events: number): void {
    if (this.closed) return;
    // A negative value is a polling error: let the calls report it.
    if (events < 0) events = READ | WRITE;
    // The native watcher stops wanting what it delivers; update() below
    // asks again for what still waits.
    this.watching &= ~events;
    if (events & READ) this.drain(this.queues[0]);
    if (events & WRITE) this.drain(this.queues[1]);
    this.update();
  }

  drain(q: Pending<unknown>[]): void {
    while (q.length > 0) {
      if (!q[0].run()) break;
      q.shift();
    }
  }

  /** Watches exactly the directions something waits on. */
  update(): void {
    if (this.watcher === null || this.closed) return;
    const want = (this.queues[0].length > 0 ? READ : 0) | (this.queues[1].length > 0 ? WRITE : 0);
    if (want !== this.watching) {
      const r = binding.watcher_set(this.watcher, want);
      if (r < 0) {
        const err = fromErrno(-r, 'uv_poll_start');
        for (const q of this.queues) for (const op of q.splice(0)) (op.settle(), op.reject(err));
        this.watching = 0;
        return;
      }
      this.watching = want;
    }
  }

  setRef(on: boolean): void {
    this.refed = on;
    if (this.watcher !== null) binding.watcher_ref(this.watcher, on);
    for (const q of this.queues) {
      for (const op of q) {
        if (op.timer !== null) {
          if (on) op.timer.ref();
          else op.timer.unref();
        }
      }
    }
  }
}

function aioOf(sock: Socket): Aio {
  let a = sock._aio as Aio | null;
  if (a === null) {
    a = new Aio(sock);
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
  return aio === null || aio.queues[dir - 1].length === 0;
}

/** Queues an operation whose first try would block (or that must wait its turn). */
function wait<T>(sock: Socket, dir: Direction, syscall: string, attempt: Attempt<T>, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const op = new Pending<T>(attempt, syscall, resolve, reject, signal);
    aioOf(sock).enqueue(op as Pending<unknown>, dir);
  });
}

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
  return wait(sock, dir, syscall, attempt, signal);
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

proto.acceptAsync = function acceptAsync(this: Socket, options?: AsyncOptions) {
  return submit(
    this,
    READ,
    'accept',
    () => {
      const r = withNonblocking(this, () => binding.accept(this.fileno()));
      return typeof r === 'number' ? r : this._adopt(r);
    },
    options,
  );
};

function connectOp(sock: Socket, address: Address, options: AsyncOptions | undefined, raise: boolean): Promise<number> {
  return rejecting(() => {
    const family = sock.family;
    const a = toNativeAddress(family, address, raise ? 'connect' : 'connect_ex', sock.proto);
    let started = false;
    const out = new Int32Array(1);
    const attempt = (): number => {
      const fd = sock.fileno();
      if (!started) {
        const r = withNonblocking(sock, () => binding.connect(fd, family, a));
        if (r === 0) return 0;
        // In progress (EAGAIN: an AF_UNIX listener's backlog is full).
        if (r !== -EINPROGRESS && r !== -EINTR && r !== -EALREADY) return r;
        started = true;
        // A loopback or LAN connect is often done by now: one poll() spares
        // the readiness watcher and a trip through the loop.
        if (binding.poll(fd, POLLOUT, 0) <= 0) return -EAGAIN;
      }
      // Writable: the outcome is in SO_ERROR.
      const g = binding.getsockopt(fd, C.SOL_SOCKET, C.SO_ERROR, out);
      if (g < 0) return g;
      const err = out[0];
      if (err === 0 || err === EISCONN) return 0;
      if (err === EINPROGRESS || err === EALREADY) return -EAGAIN;
      return -err;
    };
    // A connected socket may never wait again: let its watcher go.
    const p = submit(sock, WRITE, 'connect', attempt, options).then((v) => {
      (sock._aio as Aio | null)?.release();
      return v;
    });
    if (raise) return p;
    return p.then(
      () => 0,
      (e: unknown) => {
        const errno = (e as { errno?: unknown }).errno;
        if (typeof errno === 'number') return errno;
        // connect_ex reports a timeout as EWOULDBLOCK, as CPython does.
        if ((e as { message?: unknown }).message === 'timed out') return EAGAIN;
        throw e;
      },
    );
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

function connectResolved(sock: Socket, address: Address, options: AsyncOptions | undefined, raise: boolean): Promise<number> {
  return rejecting(() => {
    checkSignal(options);
    return resolveHostAsync(sock.family, address, options?.signal).then((a) => connectOp(sock, a, options, raise));
  });
}

proto.connectAsync = function connectAsync(this: Socket, address: Address, options?: AsyncOptions) {
  return connectResolved(this, address, options, true).then(() => undefined);
};

proto.connect_exAsync = function connect_exAsync(this: Socket, address: Address, options?: AsyncOptions) {
  return connectResolved(this, address, options, false);
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
  return wait(this, READ, 'recv', () => recvOnce(this.fileno(), size, f), signal);
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
  return wait(this, READ, 'recv_into', () => binding.recv(this.fileno(), buf, 0, n, f), signal);
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
  return wait(this, READ, 'recvfrom', () => recvfromOnce(this.fileno(), size, f), signal);
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
  return wait(this, READ, 'recvfrom_into', () => binding.recvfrom(this.fileno(), buf, 0, n, f), signal);
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
  return wait(this, WRITE, 'send', () => binding.send(this.fileno(), buf, 0, len, f), signal);
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
  const len = buf.byteLength;
  let off = 0;
  // Sends what it can; -EAGAIN until all of it is out.
  const attempt = (): undefined | number => {
    const fd = this.fileno();
    do {
      const r = binding.send(fd, buf, off, len - off, f);
      if (r < 0) return r;
      off += r;
    } while (off < len);
    return undefined;
  };
  if (idle(this, WRITE)) {
    const r = attempt();
    if (r !== -EAGAIN) return settled(r, 'send');
  }
  return wait(this, WRITE, 'send', attempt, signal);
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
  return wait(this, WRITE, 'sendto', () => binding.sendto(this.fileno(), buf, 0, len, f, family, a), signal);
} as Socket['sendtoAsync'];

proto.ref = function ref(this: Socket) {
  aioOf(this).setRef(true);
  return this;
};

proto.unref = function unref(this: Socket) {
  aioOf(this).setRef(false);
  return this;
};

