// The raw layer of makefile(): Python's socket.SocketIO over a Socket, and
// the machinery the buffered and text layers share. Every read and write
// algorithm is a generator that yields I/O requests to a driver: the sync
// driver serves them with the socket's blocking calls (in the socket's
// mode), the async driver with the event loop (never blocking it). So the
// sync methods and their async twins share their code and their buffers.
import { argTypeError, argValueError, BlockingIOError, OSError, TimeoutError } from '../errors';
import { binding } from '../native';
import { READ, signalOf, start, WRITE, type AsyncOptions } from '../async';
import { isOptions } from '../validate';
import { RECV_AT, recvAtStep, SEND_AT, sendAtStep } from '../attempts';
import { EAGAIN, EWOULDBLOCK, retrySync } from '../engine';
import type { Socket } from '../socket';

const MSG_DONTWAIT = binding.constants.MSG_DONTWAIT;

/** Python's `io.DEFAULT_BUFFER_SIZE`. */
export const DEFAULT_BUFFER_SIZE = 8192;

/**
 * Python's `io.UnsupportedOperation`: the file cannot do this (reading a
 * file opened for writing, `seek`, `fileno()` of a read-write pair). In
 * Python it is both an OSError and a ValueError; here it is an `OSError`
 * with `errno` null.
 */
export class UnsupportedOperation extends OSError {}

/** A file-state error, Python's ValueError on a closed file: a TypeError with code ERR_INVALID_STATE. */
export function stateError(message: string): TypeError {
  const e = new TypeError(message) as TypeError & { code: string };
  e.code = 'ERR_INVALID_STATE';
  return e;
}

/** An I/O request of an algorithm: read into, or write from, `buf[off, off + len)`. */
export interface Req {
  write: boolean;
  buf: Uint8Array;
  off: number;
  len: number;
}

/**
 * An I/O algorithm. It yields requests and gets back the byte count (0 for
 * end of file on a read), or null where a non-blocking socket would block
 * (only from the sync driver). It changes shared state only in ways that
 * stay consistent if it is abandoned at a yield (an error, an abort).
 */
export type Op<T> = Generator<Req, T, number | null>;

export function readReq(buf: Uint8Array, off: number, len: number): Req {
  return { write: false, buf, off, len };
}

export function writeReq(buf: Uint8Array, off: number, len: number): Req {
  return { write: true, buf, off, len };
}

/** Python's `size` arguments: an integer or null (-1 means "all"). */
export function toSizeArg(value: unknown, name: string): number {
  if (value === undefined || value === null) return -1;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  throw argTypeError(name, 'an integer or null', value);
}

/** A writable bytes-like argument as a Uint8Array view on the same memory. */
export function toByteView(value: unknown, name: string, writable: boolean): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return new Uint8Array(value);
  throw argTypeError(
    name,
    writable ? 'a writable bytes-like object (Buffer, TypedArray, DataView or ArrayBuffer)' : 'a bytes-like object (Buffer, TypedArray, DataView or ArrayBuffer)',
    value,
  );
}

/**
 * The state of one makefile() object, shared by its layers: the socket,
 * the raw flags, the write buffers (so an object collected while open can
 * still flush them) and the async serialisation.
 */
export class RawCore {
  closed = false;
  /** Python's `_timeout_occurred`: reads after a timeout are refused. */
  timedOut = false;
  /** How many async reads (writes) are queued or running. */
  #reads = 0;
  #writes = 0;
  readonly #controllers = new Set<AbortController>();
  #readTail: Promise<void> = Promise.resolve();
  #writeTail: Promise<void> = Promise.resolve();
  /** The buffered writer's pending bytes: wbuf[wstart, wstart + wlen). */
  wbuf: Buffer | null = null;
  wstart = 0;
  wlen = 0;
  /** The text layer's encoded, not yet buffered bytes. */
  textPending: Buffer[] = [];
  textPendingLen = 0;
  /** The FinalizationRegistry's unregister token. */
  readonly token = {};
  /** How the file prints in a ResourceWarning. */
  describe = '';
  onClose: ((core: RawCore) => void) | null = null;

  constructor(
    readonly sock: Socket,
    readonly reading: boolean,
    readonly writing: boolean,
  ) {}

  /** Python's SocketIO.readinto: one recv; null where a non-blocking socket would block. */
  readSync(buf: Uint8Array, off: number, len: number): number | null {
    if (this.timedOut) throw new OSError('cannot read from timed out object');
    // As Python's recv_into of an empty buffer: no recv, which would
    // discard a queued datagram.
    if (len === 0) return 0;
    const sock = this.sock;
    const fd = sock.fileno();
    const r = binding.recv(fd, buf, off, len, 0);
    if (r >= 0) return r;
    try {
      return retrySync(sock, r, RECV_AT, buf, off, len, 0);
    } catch (e) {
      if (e instanceof TimeoutError) this.timedOut = true;
      else if (e instanceof BlockingIOError && (e.errno === EAGAIN || e.errno === EWOULDBLOCK)) return null;
      throw e;
    }
  }

  /** The async twin of readSync: waits for data whatever the blocking flag. */
  async readAsync(buf: Uint8Array, off: number, len: number, signal: AbortSignal | undefined): Promise<number> {
    if (this.timedOut) throw new OSError('cannot read from timed out object');
    if (len === 0) return 0;
    const sock = this.sock;
    try {
      return await start(sock, READ, 'recv_into', recvAtStep, buf, off, len, MSG_DONTWAIT, signal);
    } catch (e) {
      if (e instanceof TimeoutError) this.timedOut = true;
      throw e;
    }
  }

  /** Python's SocketIO.write: one send; null where a non-blocking socket would block. */
  writeSync(buf: Uint8Array, off: number, len: number): number | null {
    const sock = this.sock;
    const fd = sock.fileno();
    const r = binding.send(fd, buf, off, len, 0);
    if (r >= 0) return r;
    try {
      return retrySync(sock, r, SEND_AT, buf, off, len, 0);
    } catch (e) {
      if (e instanceof BlockingIOError && (e.errno === EAGAIN || e.errno === EWOULDBLOCK)) return null;
      throw e;
    }
  }

  writeAsync(buf: Uint8Array, off: number, len: number, signal: AbortSignal | undefined): Promise<number> {
    const sock = this.sock;
    return start(sock, WRITE, 'send', sendAtStep, buf, off, len, MSG_DONTWAIT, signal);
  }

  /** Whether an async read is queued or running. */
  get readBusy(): boolean {
    return this.#reads > 0;
  }

  /** Whether an async write is queued or running. */
  get writeBusy(): boolean {
    return this.#writes > 0;
  }

  /** Runs an algorithm with the blocking calls. */
  runSync<T>(op: Op<T>, write: boolean): T {
    if (write ? this.writeBusy : this.readBusy) {
      throw stateError(`cannot ${write ? 'write' : 'read'} synchronously while an async ${write ? 'write' : 'read'} is pending on this file`);
    }
    let r = op.next();
    while (!r.done) {
      const q = r.value;
      r = op.next(q.write ? this.writeSync(q.buf, q.off, q.len) : this.readSync(q.buf, q.off, q.len));
    }
    return r.value;
  }

  /**
   * Runs an algorithm on the event loop, after the async operations of the
   * same direction started before it. `check` runs when its turn comes.
   */
  runAsync<T>(make: () => Op<T>, write: boolean, options: unknown): Promise<T> {
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const prev = write ? this.#writeTail : this.#readTail;
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    if (write) this.#writeTail = mine;
    else this.#readTail = mine;
    if (write) this.#writes++;
    else this.#reads++;
    // Aborted by the caller's signal, or by close(): a waiting call then
    // leaves the socket's data alone.
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#controllers.add(ac);
    const run = async (): Promise<T> => {
      try {
        await prev;
        if (ac.signal.aborted) throw ac.signal.reason;
        if (this.closed) throw stateError('I/O operation on closed file.');
        const op = make();
        let r = op.next();
        while (!r.done) {
          const q = r.value;
          const n = q.write ? await this.writeAsync(q.buf, q.off, q.len, ac.signal) : await this.readAsync(q.buf, q.off, q.len, ac.signal);
          if (this.closed) throw stateError('I/O operation on closed file.');
          r = op.next(n);
        }
        return r.value;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        this.#controllers.delete(ac);
        if (write) this.#writes--;
        else this.#reads--;
        release();
      }
    };
    return run();
  }

  /** Releases the socket (its descriptor closes if the socket is closed and no other file holds it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ac of this.#controllers) ac.abort(stateError('I/O operation on closed file.'));
    this.wbuf = null;
    this.textPending = [];
    this.onClose?.(this);
    this.sock._ioRef(-1);
  }

  /** Best-effort, never-blocking flush of what a collected file still held, then close. */
  finalize(): void {
    if (this.closed) return;
    try {
      const parts: Buffer[] = [];
      if (this.wbuf !== null && this.wlen > 0) parts.push(this.wbuf.subarray(this.wstart, this.wstart + this.wlen));
      parts.push(...this.textPending);
      const data = Buffer.concat(parts);
      if (data.length > 0) binding.send(this.sock.fileno(), data, 0, data.length, MSG_DONTWAIT);
    } catch {
      // ignored, as errors in a finaliser are
    }
    this.close();
  }
}

/** What every makefile() object shares: state checks, iteration, disposal. */
export abstract class FileBase<T extends Buffer | string> {
  /** @internal */
  readonly _core: RawCore;

  constructor(core: RawCore) {
    this._core = core;
  }

  /** Whether the file is closed. Closing the file does not close the socket. */
  get closed(): boolean {
    return this._core.closed;
  }

  /** @internal Raises Python's ValueError for a closed file. */
  _checkClosed(message = 'I/O operation on closed file.'): void {
    if (this._core.closed) throw stateError(message);
  }

  /** Whether the file was opened for reading. Raises on a closed file, as Python's SocketIO does. */
  readable(): boolean {
    if (this._core.closed) throw stateError('I/O operation on closed socket.');
    return this._core.reading;
  }

  /** Whether the file was opened for writing. Raises on a closed file, as Python's SocketIO does. */
  writable(): boolean {
    if (this._core.closed) throw stateError('I/O operation on closed socket.');
    return this._core.writing;
  }

  /** Always false: a socket cannot seek. Raises on a closed file. */
  seekable(): boolean {
    if (this._core.closed) throw stateError('I/O operation on closed socket.');
    return false;
  }

  /** Always false (a socket is not a terminal). */
  isatty(): boolean {
    this._checkClosed();
    return false;
  }

  /** Unsupported on a socket: raises UnsupportedOperation. */
  seek(_offset?: number, _whence?: number): never {
    this._checkClosed();
    throw new UnsupportedOperation('File or stream is not seekable.');
  }

  /** Unsupported on a socket: raises UnsupportedOperation. */
  tell(): never {
    this._checkClosed();
    throw new UnsupportedOperation('seek');
  }

  /** Unsupported on a socket: raises UnsupportedOperation. */
  truncate(_size?: number | null): never {
    this._checkClosed();
    throw new UnsupportedOperation('truncate');
  }

  /** Reads one line: the end of file is an empty result. */
  abstract readline(limit?: number | null): T;
  /** The async twin of readline(). */
  abstract readlineAsync(limit?: number | null | AsyncOptions, options?: AsyncOptions): Promise<T>;
  /** Flushes, then releases the socket. */
  abstract close(): void;

  /**
   * Reads lines until the end of file, or until their total size reaches
   * `hint` (when given and positive).
   */
  readlines(hint?: number | null): T[] {
    const h = toSizeArg(hint, 'hint');
    this._checkClosed();
    const lines: T[] = [];
    let total = 0;
    for (;;) {
      const line = this.readline();
      if (line.length === 0) break;
      lines.push(line);
      // Python counts characters (code points) for text.
      total += typeof line === 'string' ? Array.from(line).length : line.length;
      if (h > 0 && total >= h) break;
    }
    return lines;
  }

  /** The lines of the file, as readline() returns them, until the end of file. */
  *[Symbol.iterator](): Iterator<T> {
    this._checkClosed();
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  /** `for await (const line of f)`: lines read with readlineAsync(), so the event loop never blocks. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    this._checkClosed();
    for (;;) {
      const line = await this.readlineAsync();
      if (line.length === 0) return;
      yield line;
    }
  }

  /** `using f = sock.makefile()`: closes the file. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using f = sock.makefile()`: flushes without blocking, then closes. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.closeAsync();
  }

  /** Flushes with flushAsync() (when writable and open), then closes. */
  async closeAsync(options?: AsyncOptions): Promise<void> {
    if (!this._core.closed && this._core.writing) {
      try {
        await this.flushAsync(options);
      } finally {
        this.close();
      }
    } else {
      this.close();
    }
  }

  /** Sends what the file has buffered, without blocking the event loop. */
  abstract flushAsync(options?: AsyncOptions): Promise<void>;
}

/**
 * Python's `socket.SocketIO`, what `makefile(mode, 0)` returns in binary
 * mode: an unbuffered file on the socket. read() is one recv(), write() is
 * one send() and may write less than given. On a non-blocking socket,
 * read(), readinto() and write() return null where the socket would block.
 * After a timeout, reads raise OSError `cannot read from timed out object`.
 */
export class SocketIO extends FileBase<Buffer> {
  readonly #mode: string;

  /** @internal Created by makefile(). */
  constructor(core: RawCore) {
    super(core);
    this.#mode = (core.reading ? 'r' : '') + (core.writing ? 'w' : '') + 'b';
  }

  /** `'rb'`, `'wb'` or `'rwb'`. */
  get mode(): string {
    return this.#mode;
  }

  /** The socket's file descriptor, or -1 once the file is closed. */
  get name(): number {
    return this._core.closed ? -1 : this._core.sock.fileno();
  }

  /** The socket's file descriptor. */
  fileno(): number {
    this._checkClosed();
    return this._core.sock.fileno();
  }

  #checkReadable(): void {
    this._checkClosed();
    if (!this._core.reading) throw new UnsupportedOperation('File or stream is not readable.');
  }

  #checkWritable(): void {
    this._checkClosed();
    if (!this._core.writing) throw new UnsupportedOperation('File or stream is not writable.');
  }

  /** Receives into `buffer` with one recv(): the byte count, 0 at end of file, null if it would block. */
  readinto(buffer: ArrayBufferView | ArrayBuffer): number | null {
    this.#checkReadable();
    const view = toByteView(buffer, 'buffer', true);
    return this._core.runSync(rawReadinto(view), false);
  }

  /** The async twin of readinto(). */
  readintoAsync(buffer: ArrayBufferView | ArrayBuffer, options?: AsyncOptions): Promise<number> {
    try {
      this.#checkReadable();
      const view = toByteView(buffer, 'buffer', true);
      return this._core.runAsync(() => rawReadinto(view), false, options) as Promise<number>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Reads at most `size` bytes with one recv(); with `size` omitted or -1,
   * reads until the end of file. Returns null on a non-blocking socket
   * when nothing was available.
   */
  read(size?: number | null): Buffer | null {
    const n = toSizeArg(size, 'size');
    this.#checkReadable();
    return this._core.runSync(n < 0 ? rawReadall() : rawRead(n), false);
  }

  /** The async twin of read(): resolves a Buffer (empty at end of file). */
  readAsync(size?: number | null, options?: AsyncOptions): Promise<Buffer>;
  readAsync(options?: AsyncOptions): Promise<Buffer>;
  readAsync(...args: unknown[]): Promise<Buffer> {
    try {
      const [size, options] = isOptions(args[0]) ? [undefined, args[0]] : args;
      const n = toSizeArg(size, 'size');
      this.#checkReadable();
      return this._core.runAsync(() => (n < 0 ? rawReadall() : rawRead(n)), false, options) as Promise<Buffer>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Reads a line (through `\n`), at most `limit` bytes, one recv() per
   * byte as Python's unbuffered file does. On a non-blocking socket that
   * runs dry, raises OSError as Python does.
   */
  readline(limit?: number | null): Buffer {
    const n = toSizeArg(limit, 'size');
    this.#checkReadable();
    return this._core.runSync(rawReadline(n), false);
  }

  /** The async twin of readline() (it waits for data even on a non-blocking socket). */
  readlineAsync(limit?: number | null, options?: AsyncOptions): Promise<Buffer>;
  readlineAsync(options?: AsyncOptions): Promise<Buffer>;
  readlineAsync(...args: unknown[]): Promise<Buffer> {
    try {
      const [limit, options] = isOptions(args[0]) ? [undefined, args[0]] : args;
      const n = toSizeArg(limit, 'size');
      this.#checkReadable();
      return this._core.runAsync(() => rawReadline(n), false, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Sends with one send(): the number of bytes sent, or null if the socket would block. */
  write(data: ArrayBufferView | ArrayBuffer): number | null {
    this.#checkWritable();
    const view = toByteView(data, 'data', false);
    return this._core.runSync(rawWrite(view), true);
  }

  /** The async twin of write(): resolves the number of bytes sent (at least one, unless `data` is empty). */
  writeAsync(data: ArrayBufferView | ArrayBuffer, options?: AsyncOptions): Promise<number> {
    try {
      this.#checkWritable();
      const view = toByteView(data, 'data', false);
      return this._core.runAsync(() => rawWrite(view), true, options) as Promise<number>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Calls write() for each item (partial writes are not retried, as in Python). */
  writelines(lines: Iterable<ArrayBufferView | ArrayBuffer>): void {
    this._checkClosed();
    if (lines === null || typeof (lines as Iterable<unknown>)?.[Symbol.iterator] !== 'function') throw argTypeError('lines', 'iterable', lines);
    for (const line of lines) this.write(line);
  }

  /** Nothing to flush in an unbuffered file (raises on a closed file). */
  flush(): void {
    this._checkClosed();
  }

  /** The async twin of flush(): resolves at once. */
  flushAsync(options?: AsyncOptions): Promise<void> {
    try {
      signalOf(options);
      this._checkClosed();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Closes the file; the socket's descriptor closes too if the socket was closed. */
  close(): void {
    this._core.close();
  }

  override toString(): string {
    return `<socket.SocketIO name=${this.name} mode='${this.#mode}'>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function* rawReadinto(view: Uint8Array): Op<number | null> {
  return yield readReq(view, 0, view.byteLength);
}

function* rawRead(n: number): Op<Buffer | null> {
  const buf = Buffer.allocUnsafe(n);
  const r = yield readReq(buf, 0, n);
  if (r === null) return null;
  return r === n ? buf : Buffer.from(buf.subarray(0, r));
}

function* rawReadall(): Op<Buffer | null> {
  const parts: Buffer[] = [];
  for (;;) {
    const buf = Buffer.allocUnsafe(DEFAULT_BUFFER_SIZE);
    const r = yield readReq(buf, 0, DEFAULT_BUFFER_SIZE);
    if (r === null) {
      if (parts.length === 0) return null;
      break;
    }
    if (r === 0) break;
    parts.push(buf.subarray(0, r));
  }
  return Buffer.concat(parts);
}

function* rawReadline(limit: number): Op<Buffer> {
  const bytes: number[] = [];
  const one = Buffer.allocUnsafe(1);
  while (limit < 0 || bytes.length < limit) {
    const r = yield readReq(one, 0, 1);
    if (r === null) throw new OSError("read() should have returned a bytes object, not 'NoneType'");
    if (r === 0) break;
    bytes.push(one[0]);
    if (one[0] === 10) break;
  }
  return Buffer.from(bytes);
}

function* rawWrite(view: Uint8Array): Op<number | null> {
  // Empty data too: Python's write() is one send() whatever the length.
  return yield writeReq(view, 0, view.byteLength);
}

/** A negative size other than -1 where Python refuses it. */
export function checkReadSize(n: number): void {
  if (n < -1) throw argValueError('size', 'read length must be non-negative or -1');
}
