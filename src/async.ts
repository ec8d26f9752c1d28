// The async twins: every socket call that can wait, as a Promise driven by
// the runtime's event loop. One engine serves them all (`start`): a twin
// is a `step` (one non-blocking system call, its arguments stored in the
// pending record; the same step its sync call uses, src/attempts.ts)
// started on a direction; the step runs at once when nothing is queued
// before it, and otherwise (or on EAGAIN) waits in that direction's FIFO
// queue until the socket is ready.
//
// Readiness comes from the addon (native/readiness.h): one poll set for
// the whole environment, started by the first wait, delivering ready
// descriptors in batches to `onReady`. A socket costs nothing in it until
// it waits, and then only an entry in two tables indexed by descriptor.
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { toNativeAddress } from './address';
import {
  acceptStep,
  connectOutcome,
  connectUnderWay,
  recvfromIntoStep,
  recvfromStep,
  recvIntoStep,
  recvStep,
  sendallStep,
  sendStep,
  sendtoStep,
} from './attempts';
import { EAGAIN, EBADF, EINPROGRESS, isSocketTimeout, POLLOUT, type EngineSocket, type Step, type Stored } from './engine';
import { argTypeError, fromErrno, timedOut } from './errors';
import { answerOfFamily, asciiHost, isNumericHost } from './host-lookup';
import { binding, type Bytes } from './native';
import { sendtoAddress } from './sendto-address';
import { getaddrinfoAsync } from './resolver';
import { abortReason, checkSignal, isAborted, offAbort, onAbort } from './signal';
import { onDescriptorRelease, Socket, type Address, type AddressArg } from './socket';
import { bufsizeOf, intoLength, isBytes, isOptions, sendtoFlags, toBytes, toFlags } from './validate';

const C = binding.constants;
const MSG_DONTWAIT = C.MSG_DONTWAIT;

/** Readiness directions; the values are the native readiness event bits. */
export const READ = 1;
export const WRITE = 2;
type Direction = typeof READ | typeof WRITE;

/** The options every async twin takes as its optional last argument. */
export interface AsyncOptions {
  /** Aborting rejects the call with `signal.reason`; nothing is consumed. */
  signal?: AbortSignal;
}

// --- the environment's readiness --------------------------------------------

/** Selects the readiness backend: 'uv' or 'thread' (for tests and CI). */
const BACKEND_VARIABLE = 'BSDSOCK_READINESS';

/** The (fd, events) pairs of each delivery; null until the first wait. */
let delivered: Int32Array | null = null;
/**
 * fd -> the socket waiting on it: kept alive while it waits, and only
 * then. Two Socket objects may share a descriptor (`socket(fileno=...)`
 * of another's fileno, as in Python): then the entry is an array of them,
 * each is told of every event, and the descriptor is watched for what any
 * of them waits for.
 */
const waiting: Array<Socket | Socket[] | undefined> = [];

function onReady(count: number): void {
  const pairs = delivered!;
  for (let i = 0; i < count; i++) {
    const w = waiting[pairs[2 * i]];
    if (w === undefined) continue;
    if (!Array.isArray(w)) (w._aio as Aio).ready(w, pairs[2 * i + 1]);
    else for (const sock of w.slice()) (sock._aio as Aio).ready(sock, pairs[2 * i + 1]);
  }
}

/** Records that `sock` waits on `fd`. */
function addWaiter(fd: number, sock: Socket): void {
  const w = waiting[fd];
  if (w === undefined || w === sock) waiting[fd] = sock;
  else if (!Array.isArray(w)) waiting[fd] = [w, sock];
  else if (!w.includes(sock)) w.push(sock);
}

/** Records that `sock` no longer waits on `fd`. */
function removeWaiter(fd: number, sock: Socket): void {
  const w = waiting[fd];
  if (w === sock) waiting[fd] = undefined;
  else if (Array.isArray(w)) {
    const i = w.indexOf(sock);
    if (i >= 0) w.splice(i, 1);
    if (w.length === 1) waiting[fd] = w[0];
  }
}

/** The other sockets waiting on `fd` (rare: usually none). */
function othersOn(fd: number, sock: Socket | null): Socket[] {
  const w = waiting[fd];
  if (!Array.isArray(w)) return w === undefined || w === sock ? [] : [w];
  return w.filter((s) => s !== sock);
}

/**
 * `sock` closed or detached `fd`, which took it out of the poll set. Other
 * Socket objects waiting on the same descriptor would then wait for ever:
 * after a close they fail as their next call would (EBADF); a detached
 * descriptor stays open, and they watch it again.
 */
function othersLoseWatch(fd: number, sock: Socket | null, closing: boolean): void {
  if (waiting[fd] === undefined) return;
  for (const other of othersOn(fd, sock)) {
    const aio = other._aio as Aio;
    aio.flags &= ~WATCHED;
    if (closing) {
      removeWaiter(fd, other);
      aio.rejectAll(null);
    } else {
      aio.update(other);
    }
  }
}

// A socket that never waited has no Aio, yet others may wait on its
// descriptor; a socket the garbage collector closed (null) waited on nothing.
onDescriptorRelease((fd, sock, closing) => {
  if (sock !== null && sock._aio !== null) (sock._aio as Aio).close(sock, closing);
  else othersLoseWatch(fd, sock, closing);
});

/** What the other sockets on `fd` have native readiness watch for. */
function watchedByOthers(fd: number, sock: Socket): number {
  const w = waiting[fd];
  if (w === undefined || w === sock) return 0;
  let events = 0;
  for (const s of othersOn(fd, sock)) events |= (s._aio as Aio).flags & WATCHED;
  return events;
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
  /** When a timeout longer than one timer can wait ends (performance.now()); 0 otherwise. */
  deadline = 0;
  constructor(
    readonly syscall: string,
    readonly sock: Socket,
    readonly op: Pending<unknown>,
    readonly dir: Direction,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** The abort listener (an object, so that no closure is needed). */
  handleEvent(): void {
    (this.sock._aio as Aio).drop(this.sock, this.op, this.dir, abortReason(this.signal!));
  }
}

/** setTimeout's longest delay (a longer one fires after 1 ms): longer timeouts wait in steps. */
const MAX_DELAY = 2147483647;

function armTimer(g: Guard, ms: number, unref: boolean): void {
  g.timer = setTimeout(onTimeout, ms > MAX_DELAY ? MAX_DELAY : ms, g);
  if (unref) g.timer.unref();
}

function onTimeout(g: Guard): void {
  const aio = g.sock._aio as Aio;
  if (g.deadline !== 0) {
    const left = g.deadline - performance.now();
    if (left > 0) {
      armTimer(g, left, (aio.flags & UNREF) !== 0);
      return;
    }
  }
  // The loop may run a due timer before the readiness event of data that
  // came in time: the call tries once more first, as a poll() at the
  // deadline would have seen that data.
  if (aio.lastTry(g.sock, g.op, g.dir)) return;
  aio.drop(g.sock, g.op, g.dir, timedOut(g.syscall));
}

/** A call waiting in a socket's queue. */
class Pending<T> implements Stored {
  /** The next in its queue; queues are circular (the tail's next is the head). */
  next: Pending<unknown> | null = null;
  constructor(
    readonly step: Step<T>,
    /** The step's arguments. */
    public a: unknown,
    public b: unknown,
    public c: unknown,
    public d: unknown,
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
    if (g.signal !== undefined) offAbort(g.signal, g);
  }
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

  /**
   * Rejects everything pending with EBADF and stops for good. `sock` has
   * closed its descriptor (`closing`) or detached it; it has already left
   * the poll set (disown, native side).
   */
  close(sock: Socket, closing: boolean): void {
    if (this.flags & CLOSED) return;
    this.flags = (this.flags & ~WATCHED) | CLOSED;
    removeWaiter(this.fd, sock);
    this.rejectAll(null);
    othersLoseWatch(this.fd, sock, closing);
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
        if (timeoutMs > MAX_DELAY) g.deadline = performance.now() + timeoutMs;
        armTimer(g, timeoutMs, (this.flags & UNREF) !== 0);
      }
      if (signal !== undefined) onAbort(signal, g);
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

  /**
   * Runs `op` once more if it is first in its queue (a timed-out call);
   * true when that finished it.
   */
  lastTry(sock: Socket, op: Pending<unknown>, dir: Direction): boolean {
    if (this.flags & CLOSED) return false;
    const t = this.tail(dir);
    if (t === null || t.next !== op || !op.run(sock)) return false;
    if (op === t) this.setTail(dir, null);
    else t.next = op.next;
    op.next = null;
    if (this.tail(dir) !== null) this.drain(sock, dir);
    this.update(sock);
    return true;
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
    const fd = this.fd;
    if (want === (this.flags & WATCHED)) {
      // Delivered and done: nothing waits, so nothing keeps the socket.
      if (want === 0) removeWaiter(fd, sock);
      return;
    }
    const r = binding.readiness_watch(fd, want | watchedByOthers(fd, sock));
    if (r < 0) {
      this.flags &= ~WATCHED;
      removeWaiter(fd, sock);
      this.rejectAll(fromErrno(-r, 'epoll_ctl'));
      return;
    }
    this.flags = (this.flags & ~WATCHED) | want;
    if (want !== 0) addWaiter(fd, sock);
    else removeWaiter(fd, sock);
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

/** The signal of a twin's optional last argument (TypeError for anything but an options object). */
export function signalOf(options: unknown): AbortSignal | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') throw argTypeError('options', 'of type object', options);
  return checkSignal((options as AsyncOptions).signal, 'options.signal');
}

/** True when nothing waits in `dir` before a new call, so it may try at once. */
function idle(sock: Socket, dir: Direction): boolean {
  const aio = sock._aio as Aio | null;
  return aio === null || aio.tail(dir) === null;
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
 * The record of a first try, made once: a twin tries at once with no
 * Pending made, and the step's arguments (as it left them) move into a
 * Pending only when it has to wait. A step never starts another call, so
 * one record serves every first try.
 */
const firstTry: Stored = { a: undefined, b: undefined, c: undefined, d: undefined };

/**
 * The async engine: runs `step` (with arguments a-d) as an operation of
 * `sock` in direction `dir`: at once if nothing waits before it, otherwise
 * when the socket is ready. The socket's timeout bounds the wait;
 * `signal` aborts it. Every twin goes through here; arguments are checked
 * before (a twin turns a bad argument into a rejection).
 */
export function start<T>(
  sock: Socket,
  dir: Direction,
  syscall: string,
  step: Step<T>,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (isAborted(signal)) return Promise.reject(abortReason(signal!));
  if (!idle(sock, dir)) return queue(sock, dir, syscall, step, a, b, c, d, signal);
  const op = firstTry;
  op.a = a;
  op.b = b;
  op.c = c;
  op.d = d;
  let r: T | number;
  try {
    r = step(op, sock);
  } catch (e) {
    op.a = op.b = op.c = op.d = undefined;
    return Promise.reject(e);
  }
  if (r === -EAGAIN) return queue(sock, dir, syscall, step, op.a, op.b, op.c, op.d, signal);
  // Holds no caller's buffer once done.
  op.a = op.b = op.c = op.d = undefined;
  return settled(r, syscall);
}

/**
 * The slow half of {@link start}: a call that would block, or must wait
 * its turn, queued with its arguments (as its first try left them).
 */
function queue<T>(
  sock: Socket,
  dir: Direction,
  syscall: string,
  step: Step<T>,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
  signal: AbortSignal | undefined,
): Promise<T> {
  const first = firstTry;
  first.a = first.b = first.c = first.d = undefined;
  const op = new Pending<T>(step, a, b, c, d, syscall);
  adopting = op as Pending<unknown>;
  const p = new Promise<T>(adopt);
  adopting = null;
  aioOf(sock).enqueue(sock, op as Pending<unknown>, dir, signal);
  return p;
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
// calls add MSG_DONTWAIT, and accept, connect and sendfile switch
// O_NONBLOCK on around their step.
export function nonblockingStep<T>(op: Stored, sock: EngineSocket, step: Step<T>): T | number {
  if (sock._timeoutMs !== -1) return step(op, sock);
  const fd = sock.fileno();
  binding.setnonblocking(fd, true);
  try {
    return step(op, sock);
  } finally {
    binding.setnonblocking(fd, false);
  }
}

/** accept's step for a twin: never blocks, and wraps the descriptor as accept() does. */
function acceptTwinStep(op: Stored, sock: EngineSocket): [Socket, Address] | number {
  const r = nonblockingStep(op, sock, acceptStep);
  return typeof r === 'number' ? r : (sock as Socket)._adopt(r);
}

const acceptAsync = function acceptAsync(this: Socket, options?: AsyncOptions) {
  let signal: AbortSignal | undefined;
  try {
    signal = signalOf(options);
  } catch (e) {
    return badArgument(e);
  }
  return start(this, READ, 'accept', acceptTwinStep, undefined, undefined, undefined, undefined, signal);
};

/** One non-blocking connect (`a` the native address, `b` the family). */
function connectCall(op: Stored, sock: EngineSocket): number {
  return binding.connect(sock.fileno(), op.b as number, op.a);
}

/**
 * Starts a connect: 0 (connected), -EINPROGRESS (started: wait until
 * writable), -EAGAIN (not started: an AF_UNIX listener's backlog is full,
 * try again when writable) or -errno.
 */
function connectStart(op: Stored, sock: EngineSocket): number {
  let r = nonblockingStep(op, sock, connectCall);
  if (r === 0 || r === -EAGAIN) return r;
  if (!connectUnderWay(-r)) return r;
  // A loopback or LAN connect is often done by now: one poll() spares a
  // trip through the loop.
  const fd = sock.fileno();
  const revents = binding.poll(fd, POLLOUT, 0);
  if (revents <= 0) return -EINPROGRESS;
  r = connectOutcome(fd, (revents & POLLOUT) !== 0);
  return r === -EAGAIN ? -EINPROGRESS : r;
}

/**
 * The connect step: `a` is the native address until the connect has
 * started (null after), `b` the family, `c` the value to resolve.
 */
function connectStep(op: Stored, sock: EngineSocket): unknown {
  if (op.a === null) {
    const r = connectOutcome(sock.fileno());
    return r === 0 ? op.c : r;
  }
  const r = connectStart(op, sock);
  if (r === -EINPROGRESS) {
    op.a = null;
    return -EAGAIN;
  }
  return r === 0 ? op.c : r;
}

/** connect (resolves undefined) or connect_ex (resolves 0 or the errno) once the address is an IP address. */
function connectNow(sock: Socket, address: AddressArg, signal: AbortSignal | undefined, raise: boolean): Promise<unknown> {
  if (isAborted(signal)) return Promise.reject(abortReason(signal!));
  let a: unknown;
  try {
    a = toNativeAddress(sock.family, address, raise ? 'connect' : 'connect_ex', sock.proto);
  } catch (e) {
    return Promise.reject(e);
  }
  const p = start(sock, WRITE, 'connect', connectStep, a, sock.family, raise ? undefined : 0, undefined, signal);
  if (raise) return p;
  return p.then(undefined, (e: unknown) => {
    // connect_ex reports a timeout as EWOULDBLOCK, as CPython does.
    if (isSocketTimeout(e)) return EAGAIN;
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === 'number') return errno;
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
  if (isNumericHost(host, family) || host === '' || host === '<broadcast>' || host.includes('\0')) return null;
  return host;
}

/**
 * A twin's address as read once: an array is copied, so that deciding on a
 * lookup and converting the address see the same elements (a getter or a
 * Proxy runs once, as in the sync call).
 */
export function addressOnce(address: unknown): unknown {
  return Array.isArray(address) ? address.slice() : address;
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
  const name = asciiHost(host);
  if (name === '') return address; // the sync rules raise the IDNA error
  // As bytes: the name goes to the C library as the sync rules pass it.
  const res = await getaddrinfoAsync(Buffer.from(name, 'latin1'), null, family, 0, 0, 0, { signal });
  return [answerOfFamily(res, family), ...(address as unknown[]).slice(1)];
}

/** connectAsync and connect_exAsync: a host name is first resolved on the thread pool. */
function connectResolved(sock: Socket, given: AddressArg, options: AsyncOptions | undefined, raise: boolean): Promise<unknown> {
  const address = addressOnce(given) as AddressArg;
  let signal: AbortSignal | undefined;
  try {
    signal = signalOf(options);
  } catch (e) {
    return Promise.reject(e);
  }
  if (hostToLookUp(sock.family, address) === null) return connectNow(sock, address, signal, raise);
  return resolveHostAsync(sock.family, address, signal).then((a) => connectNow(sock, a as Address, signal, raise));
}

const connectAsync = function connectAsync(this: Socket, address: AddressArg, options?: AsyncOptions) {
  return connectResolved(this, address, options, true) as Promise<void>;
};

const connect_exAsync = function connect_exAsync(this: Socket, address: AddressArg, options?: AsyncOptions) {
  return connectResolved(this, address, options, false) as Promise<number>;
};

// The twins below validate their arguments and start their step (the
// sync call's, src/attempts.ts) with MSG_DONTWAIT added: it runs at once
// when nothing waits before it (no closure, no Pending), and waits only
// on EAGAIN. `flags` may be left out with the options in its place.

function badArgument(e: unknown): Promise<never> {
  return Promise.reject(e);
}

const recvAsync = function recvAsync(this: Socket, bufsize: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(flags)) [flags, options] = [undefined, flags];
  let size: number, f: number, signal: AbortSignal | undefined;
  try {
    size = bufsizeOf(bufsize, 'recv');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = signalOf(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  // As the sync recv (and Python's, and asyncio's sock_recv): asking for
  // nothing returns at once, without a system call, whatever is queued.
  if (size === 0 && !isAborted(signal)) return Promise.resolve(Buffer.alloc(0));
  return start(this, READ, 'recv', recvStep, size, f, undefined, undefined, signal);
} as Socket['recvAsync'];

const recv_intoAsync = function recv_intoAsync(this: Socket, buffer: unknown, nbytes?: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(nbytes)) [nbytes, flags, options] = [undefined, undefined, nbytes];
  else if (isOptions(flags)) [flags, options] = [undefined, flags];
  let buf: Bytes, n: number, f: number, signal: AbortSignal | undefined;
  try {
    buf = toBytes(buffer, 'buffer');
    n = intoLength(buf, nbytes, 'recv_into');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = signalOf(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  // An empty buffer: 0 at once, without a system call, as the sync recv_into.
  if (n === 0 && !isAborted(signal)) return Promise.resolve(0);
  return start(this, READ, 'recv_into', recvIntoStep, buf, n, f, undefined, signal);
} as Socket['recv_intoAsync'];

const recvfromAsync = function recvfromAsync(this: Socket, bufsize: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(flags)) [flags, options] = [undefined, flags];
  let size: number, f: number, signal: AbortSignal | undefined;
  try {
    size = bufsizeOf(bufsize, 'recvfrom');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = signalOf(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  return start(this, READ, 'recvfrom', recvfromStep, size, f, undefined, undefined, signal);
} as Socket['recvfromAsync'];

const recvfrom_intoAsync = function recvfrom_intoAsync(this: Socket, buffer: unknown, nbytes?: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(nbytes)) [nbytes, flags, options] = [undefined, undefined, nbytes];
  else if (isOptions(flags)) [flags, options] = [undefined, flags];
  let buf: Bytes, n: number, f: number, signal: AbortSignal | undefined;
  try {
    buf = toBytes(buffer, 'buffer');
    n = intoLength(buf, nbytes, 'recvfrom_into');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = signalOf(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  return start(this, READ, 'recvfrom_into', recvfromIntoStep, buf, n, f, undefined, signal);
} as Socket['recvfrom_intoAsync'];

const sendAsync = function sendAsync(this: Socket, data: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(flags)) [flags, options] = [undefined, flags];
  let buf: Bytes, f: number, signal: AbortSignal | undefined;
  try {
    buf = toBytes(data, 'data');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = signalOf(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  return start(this, WRITE, 'send', sendStep, buf, f, buf.byteLength, undefined, signal);
} as Socket['sendAsync'];

const sendallAsync = function sendallAsync(this: Socket, data: unknown, flags?: unknown, options?: unknown) {
  if (isOptions(flags)) [flags, options] = [undefined, flags];
  let buf: Bytes, f: number, signal: AbortSignal | undefined;
  try {
    buf = toBytes(data, 'data');
    f = toFlags(flags) | MSG_DONTWAIT;
    signal = signalOf(options as AsyncOptions | undefined);
  } catch (e) {
    return badArgument(e);
  }
  // The offset sent so far lives in the record (b).
  return start(this, WRITE, 'send', sendallStep, buf, 0, f, buf.byteLength, signal);
} as Socket['sendallAsync'];

const sendtoAsync = function sendtoAsync(this: Socket, ...args: unknown[]) {
  let flags: number;
  let buf: Bytes, a: unknown, signal: AbortSignal | undefined;
  try {
    const [rest, options] = splitOptions(args, 3);
    flags = sendtoFlags(rest.length, rest[1]);
    const address = addressOnce(rest[rest.length - 1]);
    buf = toBytes(rest[0], 'data');
    signal = signalOf(options);
    // A host name is looked up on the thread pool first; the call joins
    // the queue once it has its address.
    if (hostToLookUp(this.family, address) !== null && !isAborted(signal)) {
      return resolveHostAsync(this.family, address, signal).then((resolved) =>
        options === undefined
          ? this.sendtoAsync(buf, flags, resolved as Address)
          : this.sendtoAsync(buf, flags, resolved as Address, options as AsyncOptions),
      );
    }
    a = sendtoAddress(this.family, address, 'sendto', this.proto);
  } catch (e) {
    return badArgument(e);
  }
  return start(this, WRITE, 'sendto', sendtoStep, buf, flags | MSG_DONTWAIT, a, buf.byteLength, signal);
} as Socket['sendtoAsync'];

const ref = function ref(this: Socket) {
  aioOf(this).setRef(true);
  return this;
};

const unref = function unref(this: Socket) {
  aioOf(this).setRef(false);
  return this;
};

/** The methods this module adds to {@link Socket}, installed by src/socket-methods.ts. */
export const asyncMethods: Pick<
  Socket,
  | 'acceptAsync'
  | 'connectAsync'
  | 'connect_exAsync'
  | 'recvAsync'
  | 'recv_intoAsync'
  | 'recvfromAsync'
  | 'recvfrom_intoAsync'
  | 'sendAsync'
  | 'sendallAsync'
  | 'sendtoAsync'
  | 'ref'
  | 'unref'
> = {
  acceptAsync,
  connectAsync,
  connect_exAsync,
  recvAsync,
  recv_intoAsync,
  recvfromAsync,
  recvfrom_intoAsync,
  sendAsync,
  sendallAsync,
  sendtoAsync,
  ref,
  unref,
};
