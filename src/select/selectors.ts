// Python's selectors module: file objects registered with events and
// data, waited on through select(), poll or epoll, with Python's results
// and errors. Synchronous: select() blocks the calling thread.
import { inspect } from 'node:util';
import { argTypeError, argValueError, OSError } from '../errors';
import { binding } from '../native';
import { toInteger } from '../validate';
import { KeyError, selectorClosed } from './errors';
import { describeFileobj, fileobjToFd } from './fd';
import { Epoll, HAVE_EPOLL, Poll, select as selectFds } from './select';

const C = binding.select_constants;

/** The file object is ready for reading. */
export const EVENT_READ = 1;
/** The file object is ready for writing. */
export const EVENT_WRITE = 2;

/**
 * A registration: Python's `SelectorKey` named tuple. `fileobj` is what was
 * registered, `fd` its descriptor, `events` the `EVENT_READ`/`EVENT_WRITE`
 * mask waited for, `data` the caller's value. It destructures like the
 * tuple: `const [fileobj, fd, events, data] = key`.
 */
export class SelectorKey<T = unknown> {
  constructor(
    readonly fileobj: unknown,
    readonly fd: number,
    readonly events: number,
    readonly data: T | null,
  ) {
    Object.freeze(this);
  }

  *[Symbol.iterator](): IterableIterator<unknown> {
    yield this.fileobj;
    yield this.fd;
    yield this.events;
    yield this.data;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  toString(): string {
    const show = (v: unknown): string => describeFileobj(v);
    return `SelectorKey(fileobj=${show(this.fileobj)}, fd=${this.fd}, events=${this.events}, data=${show(this.data)})`;
  }
}

/** What `select()` returns for each ready file object: its key and the ready events. */
export type SelectorEvent<T = unknown> = [key: SelectorKey<T>, events: number];

/**
 * The read-only, live view of a selector's registrations that `get_map()`
 * returns (Python's Mapping from file objects to keys). Looked up by file
 * object or descriptor; iterates over the registered descriptors.
 */
export class SelectorMapping<T = unknown> {
  readonly #selector: BaseSelector<T>;

  /** @internal */
  constructor(selector: BaseSelector<T>) {
    this.#selector = selector;
  }

  /** How many file objects are registered (Python's `len()`). */
  get size(): number {
    return this.#selector._fdToKey.size;
  }

  /**
   * The key of a file object, or `fallback` (null) when it is not
   * registered. An invalid file object is a TypeError with code
   * `ERR_INVALID_ARG_VALUE` (Python's ValueError), as in Python.
   */
  get(fileobj: unknown, fallback: SelectorKey<T> | null = null): SelectorKey<T> | null {
    return this.#selector._fdToKey.get(this.#selector._lookup(fileobj)) ?? fallback;
  }

  /** Whether a file object is registered (Python's `in`). */
  has(fileobj: unknown): boolean {
    return this.#selector._fdToKey.has(this.#selector._lookup(fileobj));
  }

  /** The registered descriptors. */
  keys(): IterableIterator<number> {
    return this.#selector._fdToKey.keys();
  }

  /** The keys. */
  values(): IterableIterator<SelectorKey<T>> {
    return this.#selector._fdToKey.values();
  }

  /** `[fd, key]` pairs. */
  entries(): IterableIterator<[number, SelectorKey<T>]> {
    return this.#selector._fdToKey.entries();
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.keys();
  }
}

function toEvents(value: unknown): number {
  const events = toInteger(value, 'events');
  if (events === 0 || (events & ~(EVENT_READ | EVENT_WRITE)) !== 0 || events > 3) {
    throw argValueError('events', `Invalid events: ${inspect(value)}`);
  }
  return events;
}

/** A selector's timeout: null/undefined (no limit) or a number of seconds. */
function toSelectorTimeout(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' && typeof value !== 'bigint') throw argTypeError('timeout', 'a number of seconds or null', value);
  return Number(value);
}

/**
 * What every selector shares (Python's `BaseSelector` with its
 * registration table). Register file objects (bsdsock sockets, anything
 * with `fileno()`, integer descriptors) with the events to wait for and
 * any data, then call `select()`. `using sel = new DefaultSelector()`
 * closes it at the end of the block.
 *
 * `select()` blocks the calling thread: use selectors in scripts,
 * command-line tools and worker threads; on the event loop use the
 * sockets' `...Async` methods.
 */
export abstract class BaseSelector<T = unknown> {
  /** @internal Descriptor -> key. */
  readonly _fdToKey = new Map<number, SelectorKey<T>>();
  #map: SelectorMapping<T> | null = new SelectorMapping<T>(this);

  /**
   * @internal The descriptor of a file object; one that no longer yields a
   * descriptor (a closed socket) is found by identity among the keys, so
   * it can still be unregistered.
   */
  _lookup(fileobj: unknown): number {
    try {
      return fileobjToFd(fileobj);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      for (const key of this._fdToKey.values()) if (key.fileobj === fileobj) return key.fd;
      throw e;
    }
  }

  /**
   * Registers a file object for `events` (`EVENT_READ`, `EVENT_WRITE` or
   * both) with optional `data`, and returns its key. `KeyError` if its
   * descriptor is already registered; TypeError `ERR_INVALID_ARG_VALUE`
   * (Python's ValueError) for invalid events or an invalid file object.
   */
  register(fileobj: unknown, events: number, data: T | null = null): SelectorKey<T> {
    const mask = toEvents(events);
    const key = new SelectorKey<T>(fileobj, this._lookup(fileobj), mask, data);
    if (this._fdToKey.has(key.fd)) {
      throw new KeyError(fileobj, `${describeFileobj(fileobj)} (FD ${key.fd}) is already registered`);
    }
    this._fdToKey.set(key.fd, key);
    return key;
  }

  /**
   * Unregisters a file object (which may be closed by now) and returns its
   * key; `KeyError` if it is not registered. Unregister a file object
   * before closing it.
   */
  unregister(fileobj: unknown): SelectorKey<T> {
    const fd = this._lookup(fileobj);
    const key = this._fdToKey.get(fd);
    if (key === undefined) throw new KeyError(fileobj, `${describeFileobj(fileobj)} is not registered`);
    this._fdToKey.delete(fd);
    return key;
  }

  /**
   * Changes the events or data of a registered file object and returns the
   * new key; `data` not given means null, as in Python. `KeyError` if it
   * is not registered.
   */
  modify(fileobj: unknown, events: number, data: T | null = null): SelectorKey<T> {
    const key = this._registered(fileobj);
    if (events !== key.events) {
      this.unregister(fileobj);
      return this.register(fileobj, events, data);
    }
    if (!Object.is(data, key.data)) {
      const changed = new SelectorKey<T>(key.fileobj, key.fd, key.events, data);
      this._fdToKey.set(key.fd, changed);
      return changed;
    }
    return key;
  }

  /** @internal The key of a registered file object, or KeyError. */
  _registered(fileobj: unknown): SelectorKey<T> {
    const key = this._fdToKey.get(this._lookup(fileobj));
    if (key === undefined) throw new KeyError(fileobj, `${describeFileobj(fileobj)} is not registered`);
    return key;
  }

  /**
   * Waits until some registered file objects are ready, or `timeout`
   * seconds pass (null or omitted: no limit; 0 or less: only looks), and
   * returns `[key, events]` for each ready one, `events` being the ready
   * subset of `EVENT_READ | EVENT_WRITE`. An empty array when the time ran
   * out. A signal during the wait is handled and the wait resumed with the
   * time left. Blocks the calling thread.
   */
  abstract select(timeout?: number | null): SelectorEvent<T>[];

  /** Forgets every registration and frees the selector's resources; `get_map()` is null from then on. */
  close(): void {
    this._fdToKey.clear();
    this.#map = null;
  }

  /** Closes the selector: `using sel = new DefaultSelector()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * The key of a registered file object; `KeyError` if it is not
   * registered, an Error with code `ERR_INVALID_STATE` (Python's
   * RuntimeError `Selector is closed`) after `close()`.
   */
  get_key(fileobj: unknown): SelectorKey<T> {
    const map = this.#map;
    if (map === null) throw selectorClosed();
    const key = map.get(fileobj);
    if (key === null) throw new KeyError(fileobj, `${describeFileobj(fileobj)} is not registered`);
    return key;
  }

  /** The live view of the registrations, or null once the selector is closed. */
  get_map(): SelectorMapping<T> | null {
    return this.#map;
  }

  /** @internal The key of a descriptor the system reported, if it is still registered. */
  _keyOf(fd: number): SelectorKey<T> | undefined {
    return this._fdToKey.get(fd);
  }
}

/**
 * A selector over `select()` (Python's `SelectSelector`): descriptors of
 * `FD_SETSIZE` (1024) or more make `select()` fail with a TypeError
 * `ERR_INVALID_ARG_VALUE`, as in Python. Ready keys come in descriptor order.
 */
export class SelectSelector<T = unknown> extends BaseSelector<T> {
  readonly #readers = new Set<number>();
  readonly #writers = new Set<number>();

  override register(fileobj: unknown, events: number, data: T | null = null): SelectorKey<T> {
    const key = super.register(fileobj, events, data);
    if (key.events & EVENT_READ) this.#readers.add(key.fd);
    if (key.events & EVENT_WRITE) this.#writers.add(key.fd);
    return key;
  }

  override unregister(fileobj: unknown): SelectorKey<T> {
    const key = super.unregister(fileobj);
    this.#readers.delete(key.fd);
    this.#writers.delete(key.fd);
    return key;
  }

  override select(timeout?: number | null): SelectorEvent<T>[] {
    let t = toSelectorTimeout(timeout);
    if (t !== null) t = Math.max(t, 0);
    const [r, w] = selectFds([...this.#readers], [...this.#writers], [], t);
    const ready = new Map<number, number>();
    for (const fd of r) ready.set(fd, EVENT_READ);
    for (const fd of w) ready.set(fd, (ready.get(fd) ?? 0) | EVENT_WRITE);
    const out: SelectorEvent<T>[] = [];
    for (const fd of [...ready.keys()].sort((a, b) => a - b)) {
      const key = this._keyOf(fd);
      if (key !== undefined) out.push([key, ready.get(fd)! & key.events]);
    }
    return out;
  }

  override close(): void {
    super.close();
    this.#readers.clear();
    this.#writers.clear();
  }
}

/** The poll(2)/epoll side of a selector: the system object and its two event bits. */
interface Poller {
  register(fd: number, mask: number): void;
  modify(fd: number, mask: number): void;
  unregister(fd: number): void;
}

/** Selectors over a poll-like system object (Python's `_PollLikeSelector`). */
abstract class PollLikeSelector<T> extends BaseSelector<T> {
  protected abstract readonly _poller: Poller;
  protected abstract readonly _readBit: number;
  protected abstract readonly _writeBit: number;

  #systemMask(events: number): number {
    return (events & EVENT_READ ? this._readBit : 0) | (events & EVENT_WRITE ? this._writeBit : 0);
  }

  override register(fileobj: unknown, events: number, data: T | null = null): SelectorKey<T> {
    const key = super.register(fileobj, events, data);
    try {
      this._poller.register(key.fd, this.#systemMask(key.events));
    } catch (e) {
      super.unregister(fileobj);
      throw e;
    }
    return key;
  }

  override unregister(fileobj: unknown): SelectorKey<T> {
    const key = super.unregister(fileobj);
    try {
      this._poller.unregister(key.fd);
    } catch (e) {
      // The descriptor may have been closed since it was registered.
      if (!(e instanceof OSError)) throw e;
    }
    return key;
  }

  override modify(fileobj: unknown, events: number, data: T | null = null): SelectorKey<T> {
    const key = this._registered(fileobj);
    let changed = false;
    if (events !== key.events) {
      try {
        this._poller.modify(key.fd, this.#systemMask(toInteger(events, 'events')));
      } catch (e) {
        super.unregister(fileobj);
        throw e;
      }
      changed = true;
    }
    if (!Object.is(data, key.data)) changed = true;
    if (!changed) return key;
    const updated = new SelectorKey<T>(key.fileobj, key.fd, events, data);
    this._fdToKey.set(key.fd, updated);
    return updated;
  }

  /** The poll(2)/epoll wait, with a timeout that is null or >= 0 seconds. */
  protected abstract _wait(timeout: number | null): Array<[number, number]>;

  override select(timeout?: number | null): SelectorEvent<T>[] {
    let t = toSelectorTimeout(timeout);
    // Python rounds the timeout to whole milliseconds here, before the wait.
    if (t !== null && Number.isNaN(t)) throw argValueError('timeout', 'cannot convert float NaN to integer');
    if (t !== null && t <= 0) t = 0;
    const out: SelectorEvent<T>[] = [];
    for (const [fd, happened] of this._wait(t)) {
      let events = 0;
      // Anything but "readable" (writable, hang-up, error) wakes a writer,
      // anything but "writable" a reader, as Python decides.
      if (happened & ~this._readBit) events |= EVENT_WRITE;
      if (happened & ~this._writeBit) events |= EVENT_READ;
      const key = this._keyOf(fd);
      if (key !== undefined) out.push([key, events & key.events]);
    }
    return out;
  }
}

/** A selector over poll(2) (Python's `PollSelector`): no descriptor limit. */
export class PollSelector<T = unknown> extends PollLikeSelector<T> {
  protected readonly _poller = new Poll();
  protected readonly _readBit = C.POLLIN;
  protected readonly _writeBit = C.POLLOUT;

  protected _wait(timeout: number | null): Array<[number, number]> {
    // poll() counts milliseconds; rounded up so the wait is at least `timeout`.
    return this._poller.poll(timeout === null ? null : Math.ceil(timeout * 1e3));
  }
}

/**
 * A selector over Linux's epoll (Python's `EpollSelector`, the
 * `DefaultSelector` on Linux). Its epoll descriptor is close-on-exec and
 * is closed by `close()`.
 */
export class EpollSelector<T = unknown> extends PollLikeSelector<T> {
  protected readonly _poller: Epoll = new Epoll();
  protected readonly _readBit = C.EPOLLIN ?? 1;
  protected readonly _writeBit = C.EPOLLOUT ?? 4;

  /** The epoll descriptor. */
  fileno(): number {
    return this._poller.fileno();
  }

  protected _wait(timeout: number | null): Array<[number, number]> {
    const seconds = timeout === null ? -1 : Math.ceil(timeout * 1e3) * 1e-3;
    // At least one, so that the wait happens even with nothing registered.
    return this._poller.poll(seconds, Math.max(this._fdToKey.size, 1));
  }

  override close(): void {
    this._poller.close();
    super.close();
  }
}

/** The best selector here: `EpollSelector` on Linux, `PollSelector` elsewhere. */
export const DefaultSelector: typeof EpollSelector | typeof PollSelector = HAVE_EPOLL ? EpollSelector : PollSelector;
/** An instance of `DefaultSelector`. */
export type DefaultSelector<T = unknown> = EpollSelector<T> | PollSelector<T>;
