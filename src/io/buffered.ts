// The buffered layer of makefile(): Python's io.BufferedReader,
// BufferedWriter and BufferedRWPair over a socket's raw file.
import { BlockingIOError } from '../errors';
import { signalOf, type AsyncOptions } from '../async';
import { isOptions } from '../validate';
import { EAGAIN } from '../engine';
import {
  FileBase,
  RawCore,
  SocketIO,
  UnsupportedOperation,
  checkReadSize,
  readReq,
  toByteView,
  toSizeArg,
  writeReq,
  type Op,
} from './raw';
import { argTypeError } from '../errors';

const EMPTY = Buffer.alloc(0);

/** Python's BlockingIOError of a buffered write on a non-blocking socket. */
function wouldBlock(written: number): BlockingIOError {
  const e = new BlockingIOError(EAGAIN, 'write could not complete without blocking') as BlockingIOError & { characters_written: number };
  e.characters_written = written;
  return e;
}

function splitArgs(args: unknown[]): [unknown, unknown] {
  return isOptions(args[0]) ? [undefined, args[0]] : [args[0], args[1]];
}

/**
 * What the three buffered files share. Reads fill a buffer of `buffer_size`
 * bytes (grown while one call needs more) and hand out copies; writes
 * collect in a buffer of `buffer_size` bytes that goes out when full, on
 * flush() and on close(). Sync methods and async twins share both buffers.
 */
export abstract class BufferedIOBase extends FileBase<Buffer> {
  /** The buffer size in bytes (`io.DEFAULT_BUFFER_SIZE`, 8192, unless makefile() was given one). */
  readonly buffer_size: number;
  #rbuf: Buffer;
  #rpos = 0;
  #rend = 0;

  /** @internal Created by makefile(). */
  constructor(core: RawCore, size: number) {
    super(core);
    this.buffer_size = size;
    this.#rbuf = core.reading ? Buffer.allocUnsafe(size) : EMPTY;
    if (core.writing) core.wbuf = Buffer.allocUnsafe(size);
  }

  // --- checks ---------------------------------------------------------------

  #checkReadable(op: string): void {
    if (!this._core.reading) throw new UnsupportedOperation(op === 'readinto' ? 'read' : op);
    this._checkClosed(`${op} of closed file`);
  }

  #checkWritable(): void {
    if (!this._core.writing) throw new UnsupportedOperation('write');
    this._checkClosed('write to closed file');
  }

  // --- the read buffer ------------------------------------------------------

  /** Makes room for at least `minFree` bytes after the buffered data. */
  #space(minFree: number): void {
    const buf = this.#rbuf;
    const avail = this.#rend - this.#rpos;
    if (buf.length - this.#rend >= minFree) return;
    if (this.#rpos > 0 && buf.length - avail >= minFree) {
      buf.copy(buf, 0, this.#rpos, this.#rend);
    } else {
      const bigger = Buffer.allocUnsafe(Math.max(avail + minFree, buf.length * 2));
      buf.copy(bigger, 0, this.#rpos, this.#rend);
      this.#rbuf = bigger;
    }
    this.#rpos = 0;
    this.#rend = avail;
  }

  /** @internal One raw read into the buffer: the byte count, 0 at EOF, null if it would block. */
  *_fill(minFree: number = this.buffer_size): Op<number | null> {
    this.#space(Math.max(minFree, 1));
    const r = yield readReq(this.#rbuf, this.#rend, this.#rbuf.length - this.#rend);
    if (r !== null && r > 0) this.#rend += r;
    return r;
  }

  /** @internal Takes `n` buffered bytes (a copy). */
  _take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(n);
    this.#rbuf.copy(out, 0, this.#rpos, this.#rpos + n);
    this.#rpos += n;
    if (this.#rpos === this.#rend) {
      this.#rpos = this.#rend = 0;
      // Give back what one large call grew the buffer to.
      if (this.#rbuf.length > 4 * this.buffer_size && this.#rbuf.length > 65536) this.#rbuf = Buffer.allocUnsafe(this.buffer_size);
    }
    return out;
  }

  /** @internal How many bytes are buffered. */
  get _available(): number {
    return this.#rend - this.#rpos;
  }

  *#readOp(n: number): Op<Buffer | null> {
    for (;;) {
      const avail = this.#rend - this.#rpos;
      if (n >= 0 && avail >= n) return this._take(n);
      const r = yield* this._fill(n >= 0 ? Math.max(n - avail, this.buffer_size) : Math.max(avail, this.buffer_size));
      if (r === 0) return this._take(avail);
      if (r === null) return avail > 0 ? this._take(avail) : null;
    }
  }

  *#read1Op(n: number): Op<Buffer> {
    if (n === 0) return Buffer.alloc(0);
    if (this.#rend === this.#rpos) {
      const r = yield* this._fill(Math.max(n, this.buffer_size));
      if (r === null || r === 0) return Buffer.alloc(0);
    }
    const avail = this.#rend - this.#rpos;
    return this._take(n < 0 ? avail : Math.min(n, avail));
  }

  *#readlineOp(limit: number): Op<Buffer> {
    let scanned = 0;
    for (;;) {
      const avail = this.#rend - this.#rpos;
      const max = limit >= 0 ? Math.min(avail, limit) : avail;
      if (max > scanned) {
        const i = this.#rbuf.subarray(this.#rpos + scanned, this.#rpos + max).indexOf(10);
        if (i >= 0) return this._take(scanned + i + 1);
        scanned = max;
      }
      if (limit >= 0 && avail >= limit) return this._take(limit);
      const r = yield* this._fill();
      if (r === 0 || r === null) return this._take(avail);
    }
  }

  // --- the write buffer -----------------------------------------------------

  /** @internal Buffers (or, past the buffer size, sends) `view`; returns its length. */
  *_writeOp(view: Uint8Array): Op<number> {
    const core = this._core;
    const size = this.buffer_size;
    const n = view.byteLength;
    let wbuf = core.wbuf!;
    if (core.wlen + n <= size) {
      if (core.wstart + core.wlen + n > size) this.#compact();
      wbuf = core.wbuf!;
      wbuf.set(view, core.wstart + core.wlen);
      core.wlen += n;
      return n;
    }
    while (core.wlen > 0) {
      const r = yield writeReq(wbuf, core.wstart, core.wlen);
      if (r === null) {
        // Would block: keep what fits, and say how much that was.
        this.#compact();
        const k = Math.min(size - core.wlen, n);
        core.wbuf!.set(view.subarray(0, k), core.wlen);
        core.wlen += k;
        throw wouldBlock(k);
      }
      core.wstart += r;
      core.wlen -= r;
    }
    core.wstart = 0;
    let off = 0;
    while (n - off > size) {
      const r = yield writeReq(view, off, n - off);
      if (r === null) {
        const k = Math.min(size, n - off);
        core.wbuf!.set(view.subarray(off, off + k), 0);
        core.wlen = k;
        if (off + k === n) return n;
        throw wouldBlock(off + k);
      }
      off += r;
    }
    core.wbuf!.set(view.subarray(off), 0);
    core.wlen = n - off;
    return n;
  }

  #compact(): void {
    const core = this._core;
    if (core.wstart > 0) {
      core.wbuf!.copy(core.wbuf!, 0, core.wstart, core.wstart + core.wlen);
      core.wstart = 0;
    }
  }

  /** @internal Sends everything buffered. */
  *_flushOp(): Op<void> {
    const core = this._core;
    while (core.wlen > 0) {
      const r = yield writeReq(core.wbuf!, core.wstart, core.wlen);
      if (r === null) {
        this.#compact();
        throw wouldBlock(0);
      }
      core.wstart += r;
      core.wlen -= r;
    }
    core.wstart = 0;
  }

  // --- reading --------------------------------------------------------------

  /**
   * Reads `size` bytes, waiting until that many arrived or the peer shut
   * its side (then returns fewer); with `size` omitted or -1, reads until
   * the end of file. On a non-blocking socket returns what was available,
   * or null when nothing was.
   */
  read(size?: number | null): Buffer | null {
    const n = toSizeArg(size, 'size');
    checkReadSize(n);
    this.#checkReadable('read');
    return this._core.runSync(this.#readOp(n), false);
  }

  /** The async twin of read(): never blocks the event loop; resolves a Buffer (empty at end of file). */
  readAsync(size?: number | null, options?: AsyncOptions): Promise<Buffer>;
  readAsync(options?: AsyncOptions): Promise<Buffer>;
  readAsync(...args: unknown[]): Promise<Buffer> {
    try {
      const [size, options] = splitArgs(args);
      const n = toSizeArg(size, 'size');
      checkReadSize(n);
      this.#checkReadable('read');
      return this._core.runAsync(() => this.#readOp(n), false, options) as Promise<Buffer>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Reads at most `size` bytes with at most one recv() (none if bytes are buffered). */
  read1(size?: number | null): Buffer {
    const n = toSizeArg(size, 'size');
    this.#checkReadable('read');
    return this._core.runSync(this.#read1Op(n), false);
  }

  /** The buffered bytes without consuming them, after one recv() if there were none. */
  peek(size?: number | null): Buffer {
    toSizeArg(size, 'size');
    this.#checkReadable('peek');
    return this._core.runSync(this.#peekOp(), false);
  }

  *#peekOp(): Op<Buffer> {
    if (this.#rend === this.#rpos) yield* this._fill();
    return Buffer.from(this.#rbuf.subarray(this.#rpos, this.#rend));
  }

  /**
   * Fills `buffer` (waiting until it is full or the end of file) and
   * returns the byte count; null on a non-blocking socket with nothing available.
   */
  readinto(buffer: ArrayBufferView | ArrayBuffer): number | null {
    this.#checkReadable('readinto');
    const view = toByteView(buffer, 'buffer', true);
    return this._core.runSync(this.#readintoOp(view, false), false);
  }

  /** Like readinto(), with at most one recv(). */
  readinto1(buffer: ArrayBufferView | ArrayBuffer): number {
    this.#checkReadable('readinto');
    const view = toByteView(buffer, 'buffer', true);
    return this._core.runSync(this.#readintoOp(view, true), false) ?? 0;
  }

  /** The async twin of readinto(). */
  readintoAsync(buffer: ArrayBufferView | ArrayBuffer, options?: AsyncOptions): Promise<number> {
    try {
      this.#checkReadable('readinto');
      const view = toByteView(buffer, 'buffer', true);
      return this._core.runAsync(() => this.#readintoOp(view, false), false, options) as Promise<number>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  *#readintoOp(view: Uint8Array, one: boolean): Op<number | null> {
    const data = one ? yield* this.#read1Op(view.byteLength) : yield* this.#readOp(view.byteLength);
    if (data === null) return null;
    view.set(data, 0);
    return data.length;
  }

  /**
   * Reads a line, through `\n`, of at most `limit` bytes when `limit` is
   * given; an empty Buffer at the end of file. On a non-blocking socket,
   * returns what was available.
   */
  readline(limit?: number | null): Buffer {
    const n = toSizeArg(limit, 'size');
    this.#checkReadable('readline');
    return this._core.runSync(this.#readlineOp(n), false);
  }

  /** The async twin of readline(). */
  readlineAsync(limit?: number | null, options?: AsyncOptions): Promise<Buffer>;
  readlineAsync(options?: AsyncOptions): Promise<Buffer>;
  readlineAsync(...args: unknown[]): Promise<Buffer> {
    try {
      const [limit, options] = splitArgs(args);
      const n = toSizeArg(limit, 'size');
      this.#checkReadable('readline');
      return this._core.runAsync(() => this.#readlineOp(n), false, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // --- writing --------------------------------------------------------------

  /**
   * Buffers `data`; when it does not fit, sends the buffer and whatever of
   * `data` does not fit in it. Returns `data`'s length. On a non-blocking
   * socket that is full, raises BlockingIOError with `characters_written`.
   */
  write(data: ArrayBufferView | ArrayBuffer): number {
    this.#checkWritable();
    const view = toByteView(data, 'data', false);
    return this._core.runSync(this._writeOp(view), true);
  }

  /** The async twin of write(): resolves `data`'s length once it is buffered or sent. */
  writeAsync(data: ArrayBufferView | ArrayBuffer, options?: AsyncOptions): Promise<number> {
    try {
      this.#checkWritable();
      const view = toByteView(data, 'data', false);
      return this._core.runAsync(() => this._writeOp(view), true, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** write() for each item. */
  writelines(lines: Iterable<ArrayBufferView | ArrayBuffer>): void {
    this._checkClosed();
    if (lines === null || typeof (lines as Iterable<unknown>)?.[Symbol.iterator] !== 'function') throw argTypeError('lines', 'iterable', lines);
    for (const line of lines) this.write(line);
  }

  /** Sends everything buffered (blocking as the socket's mode says). */
  flush(): void {
    this._checkClosed('flush of closed file');
    if (this._core.writing) this._core.runSync(this._flushOp(), true);
  }

  /** The async twin of flush(). */
  flushAsync(options?: AsyncOptions): Promise<void> {
    try {
      signalOf(options);
      this._checkClosed('flush of closed file');
      if (!this._core.writing) return Promise.resolve();
      return this._core.runAsync(() => this._flushOp(), true, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Flushes, then closes the file (even if the flush failed); the socket's
   * descriptor closes too if the socket was closed. An async write still
   * pending is not flushed: it fails.
   */
  close(): void {
    const core = this._core;
    if (core.closed) return;
    try {
      if (core.writing && !core.writeBusy) core.runSync(this._flushOp(), true);
    } finally {
      core.close();
    }
  }

  /** The socket's file descriptor. */
  fileno(): number {
    this._checkClosed();
    return this._core.sock.fileno();
  }

  /** The socket's file descriptor, or -1 once the file is closed. */
  get name(): number | undefined {
    return this._core.closed ? -1 : this._core.sock.fileno();
  }

  #raw: SocketIO | null = null;

  /** The unbuffered file underneath, sharing this one's socket and state (closing it closes this file). */
  get raw(): SocketIO {
    if (this.#raw === null) this.#raw = new SocketIO(this._core);
    return this.#raw;
  }
}

/** Python's `io.BufferedReader`: what `makefile('rb')` returns. */
export class BufferedReader extends BufferedIOBase {
  /** `'rb'`. */
  get mode(): string {
    return 'rb';
  }

  /** False: the file was opened for reading only. */
  override writable(): boolean {
    return false;
  }

  override toString(): string {
    return `<_io.BufferedReader name=${this.name}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Python's `io.BufferedWriter`: what `makefile('wb')` returns. */
export class BufferedWriter extends BufferedIOBase {
  /** `'wb'`. */
  get mode(): string {
    return 'wb';
  }

  /** False: the file was opened for writing only. */
  override readable(): boolean {
    return false;
  }

  override toString(): string {
    return `<_io.BufferedWriter name=${this.name}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Python's `io.BufferedRWPair`: what `makefile('rwb')` returns. As in
 * Python it has no `name` or `mode` (both undefined) and fileno() raises
 * UnsupportedOperation; reading does not flush what was written.
 */
export class BufferedRWPair extends BufferedIOBase {
  /** undefined, as Python's BufferedRWPair has no mode. */
  get mode(): undefined {
    return undefined;
  }

  /** undefined, as Python's BufferedRWPair has no name. */
  override get name(): undefined {
    return undefined;
  }

  /** Raises UnsupportedOperation, as Python's BufferedRWPair does. */
  override fileno(): number {
    throw new UnsupportedOperation('fileno');
  }

  /** Always false, even once closed. */
  override seekable(): boolean {
    return false;
  }

  override toString(): string {
    return '<_io.BufferedRWPair>';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
