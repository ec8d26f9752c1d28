// Python's select module: select(), poll objects and epoll objects, over
// the addon's one-call bindings (native/sys_select.c). Every wait here is
// synchronous: it blocks the calling thread, as Python's does.
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';
import { argRangeError, argTypeError, argValueError, fromErrno, plainOSError } from '../errors';
import { stateError } from '../io/raw';
import { binding } from '../native';
import { isIterable, toCInt, toInteger } from '../validate';
import { KeyError } from './errors';
import { toSelectFd } from './fd';

const C = binding.select_constants;
const EINTR = osConstants.errno.EINTR;
const EINVAL = osConstants.errno.EINVAL;
const ENOENT = osConstants.errno.ENOENT;
/** The most descriptors an fd_set holds: select() refuses descriptors from here on. */
export const FD_SETSIZE: number = binding.select_limits.FD_SETSIZE;
/** Whether this system has epoll (Linux). */
export const HAVE_EPOLL: boolean = binding.select_limits.epoll === 1;
const INT_MAX = 2147483647;
/** Python keeps timeouts as int64 nanoseconds: about 292 years. */
const MAX_TIMEOUT_SECONDS = 9223372036;
/** The kernel's cap on epoll_wait's maxevents (INT_MAX / sizeof(struct epoll_event)). */
const EPOLL_MAX_EVENTS = Math.floor(INT_MAX / 12);
/** The most events one epoll.poll() call asks the kernel for; the rest stay queued for the next call. */
const EPOLL_BATCH = 65536;

// ---- timeouts ---------------------------------------------------------

function timeoutNumber(value: unknown, expected: string): number {
  if (typeof value !== 'number' && typeof value !== 'bigint') throw argTypeError('timeout', expected, value);
  const n = Number(value);
  if (Number.isNaN(n)) throw argValueError('timeout', 'Invalid value NaN (not a number)');
  return n;
}

/** Rounded away from zero, as Python rounds a timeout (so a wait is never shorter than asked). */
function roundAway(x: number): number {
  return x < 0 ? -Math.ceil(-x) : Math.ceil(x);
}

/** select()'s timeout: seconds, or null/undefined to wait without limit; microseconds out (-1: no limit). */
function selectTimeoutUs(value: unknown): number {
  if (value === null || value === undefined) return -1;
  const n = timeoutNumber(value, 'a number of seconds or null');
  if (!Number.isFinite(n) || n > MAX_TIMEOUT_SECONDS) throw argRangeError('timeout', `<= ${MAX_TIMEOUT_SECONDS} seconds`, value);
  if (n < 0) throw argValueError('timeout', 'timeout must be non-negative');
  return Math.ceil(Math.ceil(n * 1e9) / 1e3);
}

/**
 * A timeout in `unit` (1e6 for milliseconds, 1e9 for seconds) as the
 * milliseconds poll(2)/epoll_wait(2) take: -1 (no limit) for null,
 * undefined or a negative value; RangeError beyond a C int.
 */
function waitTimeoutMs(value: unknown, nsPerUnit: number, expected: string): number {
  if (value === null || value === undefined) return -1;
  const n = timeoutNumber(value, expected);
  const ns = roundAway(n * nsPerUnit);
  if (ns < 0 && Number.isFinite(ns)) return -1;
  const ms = Math.ceil(ns / 1e6);
  if (!(ms <= INT_MAX)) {
    throw argRangeError('timeout', nsPerUnit === 1e6 ? `<= ${INT_MAX} milliseconds` : `<= ${INT_MAX / 1000} seconds`, value);
  }
  return ms;
}

/**
 * Makes one wait, and again after each EINTR with the time that is left
 * (PEP 475). `timeout` is in units of 1/unitsPerMs ms, negative for no
 * limit. Returns the call's count, or -1 when the time ran out while a
 * signal was being handled (nothing is ready then).
 */
function waitRetrying(timeout: number, unitsPerMs: number, call: (timeout: number) => number, syscall: string): number {
  const deadline = timeout >= 0 ? performance.now() + timeout / unitsPerMs : 0;
  for (;;) {
    const r = call(timeout);
    if (r >= 0) return r;
    if (-r !== EINTR) throw fromErrno(-r, syscall);
    if (timeout >= 0) {
      const left = deadline - performance.now();
      if (left < 0) return -1;
      timeout = Math.ceil(left * unitsPerMs);
    }
  }
}

// ---- select() ---------------------------------------------------------

interface SelectList {
  items: unknown[];
  fds: Int32Array;
}

function selectList(list: unknown, name: string): SelectList {
  if (!isIterable(list)) {
    throw argTypeError(name, 'an iterable (arguments 1-3 must be sequences)', list);
  }
  const items = Array.from(list);
  const fds = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const where = `${name}[${i}]`;
    const fd = toSelectFd(items[i], where);
    if (fd >= FD_SETSIZE) throw argValueError(where, 'filedescriptor out of range in select()');
    if (i >= FD_SETSIZE) throw argValueError(name, 'too many file descriptors in select()');
    fds[i] = fd;
  }
  return { items, fds };
}

function readyItems<T>(list: SelectList): T[] {
  const out: T[] = [];
  for (let i = 0; i < list.fds.length; i++) if (list.fds[i] !== -1) out.push(list.items[i] as T);
  return out;
}

/**
 * Python's `select.select(rlist, wlist, xlist, timeout=None)`: waits until
 * some of the descriptors are ready for reading (`rlist`), writing
 * (`wlist`) or have an exceptional condition such as TCP urgent data
 * (`xlist`), and returns the ready subsets of the same objects, in their
 * order. Items are integer descriptors or objects with a `fileno()` method
 * (bsdsock sockets). `timeout` is in seconds; null or omitted waits until
 * something is ready, `0` only looks.
 *
 * This blocks the calling thread for the whole wait: use it in scripts,
 * command-line tools and worker threads; on the event loop use the
 * sockets' `...Async` methods. A signal that interrupts the wait is
 * handled and the wait resumed with the time left.
 *
 * Errors, as in Python: a descriptor of `FD_SETSIZE` (1024) or more, or
 * more than `FD_SETSIZE` items in a list, is a TypeError with code
 * `ERR_INVALID_ARG_VALUE` (Python's ValueError; use `poll` or `epoll` for
 * such descriptors), and so is a negative descriptor (a closed bsdsock
 * socket's `fileno()` is -1); a descriptor that is not open is an
 * `OSError` (EBADF).
 */
export function select<R = unknown, W = unknown, X = unknown>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout?: number | null,
): [R[], W[], X[]] {
  const timeoutUs = selectTimeoutUs(timeout);
  const r = selectList(rlist, 'rlist');
  const w = selectList(wlist, 'wlist');
  const x = selectList(xlist, 'xlist');
  const n = waitRetrying(timeoutUs, 1000, (t) => binding.select_fds(r.fds, w.fds, x.fds, t), 'select');
  if (n <= 0) return [[], [], []];
  return [readyItems<R>(r), readyItems<W>(w), readyItems<X>(x)];
}

// ---- poll objects -----------------------------------------------------

/** A poll(2) event mask: Python's unsigned short. */
function toPollMask(value: unknown, name: string): number {
  const n = toInteger(value, name);
  if (n < 0) throw argValueError(name, 'value must be positive');
  if (n > 0xffff) throw argRangeError(name, '>= 0 and <= 65535', value);
  return n;
}

/** A ready descriptor and its events, as `poll()` returns them: `[fd, events]`. */
export type PollEvent = [fd: number, events: number];

/**
 * Python's poll object (`select.poll()`): a set of descriptors, each with
 * the events to wait for, waited on together with poll(2). Create one with
 * `poll()` or `new Poll()`.
 */
export class Poll {
  /** Descriptor -> event mask, in registration order (as Python's dict). */
  readonly #masks = new Map<number, number>();
  #fds = new Int32Array(0);
  #events = new Int32Array(0);
  #revents = new Int32Array(0);
  #stale = false;

  /**
   * Adds a descriptor (an integer or an object with `fileno()`), or changes
   * the mask of one already added. `eventmask` defaults to
   * `POLLIN | POLLPRI | POLLOUT`; `POLLHUP`, `POLLERR` and `POLLNVAL` are
   * always reported.
   */
  register(fd: unknown, eventmask: number = C.POLLIN | C.POLLPRI | C.POLLOUT): void {
    const n = toSelectFd(fd, 'fd');
    const mask = toPollMask(eventmask, 'eventmask');
    this.#masks.set(n, mask);
    this.#stale = true;
  }

  /** Changes the mask of a registered descriptor; `FileNotFoundError` (ENOENT) if it is not registered. */
  modify(fd: unknown, eventmask: number): void {
    const n = toSelectFd(fd, 'fd');
    const mask = toPollMask(eventmask, 'eventmask');
    if (!this.#masks.has(n)) throw fromErrno(ENOENT, 'modify');
    this.#masks.set(n, mask);
    this.#stale = true;
  }

  /** Removes a descriptor; `KeyError` (with `key` the descriptor) if it is not registered. */
  unregister(fd: unknown): void {
    const n = toSelectFd(fd, 'fd');
    if (!this.#masks.delete(n)) throw new KeyError(n, String(n));
    this.#stale = true;
  }

  /**
   * Waits until a registered descriptor has an event, and returns
   * `[fd, events]` for each that has (an empty array when the time ran
   * out). `timeout` is in MILLISECONDS, as in Python; null, omitted or
   * negative waits until something happens. A closed descriptor is
   * reported with `POLLNVAL`. Blocks the calling thread (see `select`).
   */
  poll(timeout?: number | null): PollEvent[] {
    const timeoutMs = waitTimeoutMs(timeout, 1e6, 'a number of milliseconds or null');
    if (this.#stale) this.#rebuild();
    const fds = this.#fds;
    const revents = this.#revents;
    const n = waitRetrying(timeoutMs, 1, (t) => binding.poll_fds(fds, this.#events, revents, t), 'poll');
    const out: PollEvent[] = [];
    for (let i = 0; i < fds.length && out.length < n; i++) if (revents[i] !== 0) out.push([fds[i], revents[i]]);
    return out;
  }

  #rebuild(): void {
    const size = this.#masks.size;
    this.#fds = new Int32Array(size);
    this.#events = new Int32Array(size);
    this.#revents = new Int32Array(size);
    let i = 0;
    for (const [fd, mask] of this.#masks) {
      this.#fds[i] = fd;
      this.#events[i] = mask;
      i++;
    }
    this.#stale = false;
  }

  [inspect.custom](): string {
    return `<select.poll, ${this.#masks.size} registered>`;
  }
}

/** Python's `select.poll()`: a new, empty poll object. */
export function poll(): Poll {
  return new Poll();
}

// ---- epoll objects ----------------------------------------------------

// An epoll object that is garbage-collected while open has its descriptor
// closed, silently, as CPython's does.
const unclosedEpolls = new FinalizationRegistry<number>((fd) => {
  binding.disown(fd);
  binding.close(fd);
});

/** epoll's event masks: Python's unsigned int, taken modulo 2**32 as Python does. */
function toEpollMask(value: unknown, name: string): number {
  const n = toInteger(value, name);
  return Number(BigInt.asUintN(32, BigInt(n)));
}

let epollBuffer = new Uint32Array(2 * 64);
/** The descriptor epoll.fromfd() is adopting, for the constructor; -1 otherwise. */
let adopting = -1;

/**
 * Python's epoll object (`select.epoll()`, Linux): a kernel event queue
 * watching many descriptors, level-triggered by default, edge-triggered
 * with `EPOLLET`. Its own descriptor is close-on-exec. `using ep = epoll()`
 * closes it at the end of the block. Create one with `epoll()`,
 * `new Epoll()` or `epoll.fromfd(fd)`.
 */
export class Epoll {
  #fd: number;

  /**
   * `sizehint` is ignored by the kernel, as in Python; it must be -1 or
   * positive. `flags` may be 0 or `EPOLL_CLOEXEC` (the descriptor is
   * close-on-exec either way); anything else is an `OSError`
   * (`invalid flags`) as in Python. `OSError` ENOSYS where epoll does not
   * exist (macOS).
   */
  constructor(sizehint: number = -1, flags: number = 0) {
    if (adopting >= 0) {
      this.#fd = adopting;
      this.#adopt();
      return;
    }
    const hint = toCInt(sizehint, 'sizehint');
    const f = toCInt(flags, 'flags');
    if (hint !== -1 && hint <= 0) throw argValueError('sizehint', 'negative sizehint');
    if (f !== 0 && f !== C.EPOLL_CLOEXEC) throw plainOSError('invalid flags');
    const fd = binding.epoll_create(C.EPOLL_CLOEXEC ?? 0);
    if (fd < 0) throw fromErrno(-fd, 'epoll_create1');
    this.#fd = fd;
    this.#adopt();
  }

  #adopt(): void {
    unclosedEpolls.register(this, this.#fd, this);
    binding.own(this.#fd);
  }

  /**
   * An epoll object that owns the existing epoll descriptor `fd` (closing
   * the object closes it). A negative `fd` is a TypeError with code
   * `ERR_INVALID_ARG_VALUE` (Python would make a new queue instead).
   */
  static fromfd(fd: number): Epoll {
    const n = toCInt(fd, 'fd');
    if (n < 0) throw argValueError('fd', `file descriptor cannot be a negative integer (${n})`);
    adopting = n;
    try {
      return new Epoll();
    } finally {
      adopting = -1;
    }
  }

  /** Whether the object is closed. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Closes the epoll descriptor; closing twice is harmless. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    unclosedEpolls.unregister(this);
    binding.disown(fd);
    const r = binding.close(fd);
    if (r < 0) throw fromErrno(-r, 'close');
  }

  /** Closes the object: `using ep = epoll()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The epoll descriptor. */
  fileno(): number {
    return this.#open();
  }

  #open(): number {
    if (this.#fd < 0) throw stateError('I/O operation on closed epoll object');
    return this.#fd;
  }

  #control(op: 'epoll_add' | 'epoll_modify' | 'epoll_delete', fd: number, mask: number): void {
    const r = binding[op](this.#open(), fd, mask);
    if (r < 0) throw fromErrno(-r, 'epoll_ctl');
  }

  /**
   * Starts watching a descriptor (an integer or an object with `fileno()`)
   * for `eventmask`, by default `EPOLLIN | EPOLLPRI | EPOLLOUT`.
   * `FileExistsError` if it is already registered, `PermissionError`
   * (EPERM) for a descriptor epoll cannot watch (a regular file), `OSError`
   * EBADF for one that is not open.
   */
  register(fd: unknown, eventmask: number = C.EPOLLIN | C.EPOLLPRI | C.EPOLLOUT): void {
    const n = toSelectFd(fd, 'fd');
    const mask = toEpollMask(eventmask, 'eventmask');
    this.#control('epoll_add', n, mask);
  }

  /** Changes the events of a registered descriptor; `FileNotFoundError` (ENOENT) if it is not registered. */
  modify(fd: unknown, eventmask: number): void {
    const n = toSelectFd(fd, 'fd');
    const mask = toEpollMask(eventmask, 'eventmask');
    this.#control('epoll_modify', n, mask);
  }

  /** Stops watching a descriptor; `FileNotFoundError` (ENOENT) if it is not registered. */
  unregister(fd: unknown): void {
    const n = toSelectFd(fd, 'fd');
    this.#control('epoll_delete', n, 0);
  }

  /**
   * Waits for events and returns `[fd, events]` for each ready descriptor
   * (an empty array when the time ran out). `timeout` is in SECONDS; null,
   * omitted or negative waits until something happens. `maxevents` caps
   * the number returned (-1: `FD_SETSIZE - 1`, as Python); one call
   * returns at most 65,536, the others stay queued for the next call.
   * Blocks the calling thread (see `select`).
   */
  poll(timeout?: number | null, maxevents: number = -1): PollEvent[] {
    let max = toCInt(maxevents, 'maxevents');
    const epfd = this.#open();
    const timeoutMs = waitTimeoutMs(timeout, 1e9, 'a number of seconds or null');
    if (max === -1) max = FD_SETSIZE - 1;
    else if (max <= 0) throw argValueError('maxevents', `maxevents must be greater than 0, got ${max}`);
    if (max > EPOLL_MAX_EVENTS) throw fromErrno(EINVAL, 'epoll_wait');
    const batch = Math.min(max, EPOLL_BATCH);
    if (epollBuffer.length < 2 * batch) epollBuffer = new Uint32Array(2 * batch);
    const out = epollBuffer;
    const n = waitRetrying(timeoutMs, 1, (t) => binding.epoll_wait(epfd, out, batch, t), 'epoll_wait');
    const events: PollEvent[] = [];
    for (let i = 0; i < n; i++) events.push([out[2 * i], out[2 * i + 1]]);
    return events;
  }

  [inspect.custom](): string {
    return this.#fd < 0 ? '<select.epoll [closed]>' : `<select.epoll fd=${this.#fd}>`;
  }

  toString(): string {
    return this[inspect.custom]();
  }
}

/**
 * Python's `select.epoll(sizehint=-1, flags=0)`: a new epoll object (see
 * `Epoll`). `epoll.fromfd(fd)` adopts an existing epoll descriptor.
 */
export function epoll(sizehint?: number, flags?: number): Epoll {
  return new Epoll(sizehint, flags);
}
epoll.fromfd = (fd: number): Epoll => Epoll.fromfd(fd);

/** Python's `select.error`: an alias of `OSError`. */
export { OSError as error } from '../errors';
