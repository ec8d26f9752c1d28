// The text layer of makefile(): Python's io.TextIOWrapper over a buffered
// socket file: decoding, encoding and newline translation.
import type { AsyncOptions } from '../async';
import { argTypeError } from '../errors';
import type { BufferedIOBase } from './buffered';
import type { Codec, Decoder, Encoder } from './codec';
import { signalOf } from '../async';
import { isOptions } from '../validate';
import { FileBase, RawCore, UnsupportedOperation, toSizeArg, type Op } from './raw';

/** Python's TextIOWrapper._CHUNK_SIZE: encoded text waits until this much is pending. */
const CHUNK_SIZE = 8192;

const SEEN_CR = 1;
const SEEN_LF = 2;
const SEEN_CRLF = 4;

/** The index just past `n` code points of `s` from `from`, or -1 if `s` has fewer. */
function advance(s: string, from: number, n: number): number {
  const len = s.length;
  let i = from;
  for (let k = 0; k < n; k++) {
    if (i >= len) return -1;
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}

/** The number of code points in `s` (what Python's len() counts). */
function codePoints(s: string): number {
  let pairs = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      pairs++;
      i++;
    }
  }
  return s.length - pairs;
}

/** Options of makefile() in text mode. */
export interface TextOptions {
  codec: Codec;
  encoding: string;
  errors: string;
  newline: string | null;
  mode: string;
}

/**
 * Python's `io.TextIOWrapper`: what makefile() returns in text mode
 * (`'r'`, `'w'`, `'rw'`). Reads decode the socket's bytes (characters
 * split across recv() chunks decode correctly) and translate newlines as
 * `newline` says; writes encode and collect up to 8192 bytes before they
 * reach the buffered file underneath, as CPython's does.
 */
export class TextIOWrapper extends FileBase<string> {
  readonly #buffer: BufferedIOBase;
  readonly #decoder: Decoder | null;
  readonly #encoder: Encoder | null;
  /** The encoding name, as given (`'UTF-8'` by default). */
  readonly encoding: string;
  /** The error handler name (`'strict'` by default). */
  readonly errors: string;
  /** The mode string given to makefile(). */
  readonly mode: string;
  #lineBuffering = false;
  #writeThrough = false;
  readonly #readUniversal: boolean;
  readonly #readTranslate: boolean;
  readonly #readnl: string | null;
  readonly #writenl: string | null;
  #decoded = '';
  #dpos = 0;
  /** The text the last fill appended, and where in #decoded it starts. */
  #piece = '';
  #pieceStart = 0;
  #pendingCR = false;
  #seen = 0;

  /** @internal Created by makefile(). */
  constructor(core: RawCore, buffer: BufferedIOBase, options: TextOptions) {
    super(core);
    this.#buffer = buffer;
    this.encoding = options.encoding;
    this.errors = options.errors;
    this.mode = options.mode;
    this.#decoder = core.reading ? options.codec.decoder(options.errors) : null;
    this.#encoder = core.writing ? options.codec.encoder(options.errors) : null;
    const nl = options.newline;
    this.#readUniversal = nl === null || nl === '';
    this.#readTranslate = nl === null;
    this.#readnl = nl;
    // On write, null means the system's line separator, '\n' on Linux and macOS.
    this.#writenl = nl === null || nl === '' || nl === '\n' ? null : nl;
  }

  /** The buffered binary file underneath. */
  get buffer(): BufferedIOBase {
    return this.#buffer;
  }

  /** The socket's file descriptor (-1 once closed); undefined in `'rw'` mode, as in Python. */
  get name(): number | undefined {
    return (this.#buffer as { name: number | undefined }).name;
  }

  /** The socket's file descriptor (UnsupportedOperation in `'rw'` mode, as in Python). */
  fileno(): number {
    this._checkClosed();
    return this.#buffer.fileno();
  }

  /** Whether each write with a `\n` or `\r` flushes (false unless reconfigure() sets it, as in Python's makefile). */
  get line_buffering(): boolean {
    return this.#lineBuffering;
  }

  /** Whether each write goes straight to the buffered file (false unless reconfigure() sets it). */
  get write_through(): boolean {
    return this.#writeThrough;
  }

  /**
   * The newline kinds read so far in universal mode (`newline` null or
   * `''`): null, one of `'\r'`, `'\n'`, `'\r\n'`, or an array of several.
   */
  get newlines(): string | string[] | null {
    const kinds: string[] = [];
    if (this.#seen & SEEN_CR) kinds.push('\r');
    if (this.#seen & SEEN_LF) kinds.push('\n');
    if (this.#seen & SEEN_CRLF) kinds.push('\r\n');
    return kinds.length === 0 ? null : kinds.length === 1 ? kinds[0] : kinds;
  }

  /**
   * Python's `reconfigure()`, for `line_buffering` and `write_through`
   * (flushes first). Text written with line buffering is flushed to the
   * socket whenever it holds `\n` or `\r`.
   */
  reconfigure(options: { line_buffering?: boolean | null; write_through?: boolean | null }): void {
    if (typeof options !== 'object' || options === null) throw argTypeError('options', 'of type object', options);
    for (const key of ['encoding', 'errors', 'newline']) {
      if ((options as Record<string, unknown>)[key] !== undefined) {
        throw new UnsupportedOperation(`bsdsock's makefile() cannot change ${key} after creation`);
      }
    }
    this.flush();
    if (options.line_buffering !== undefined && options.line_buffering !== null) this.#lineBuffering = Boolean(options.line_buffering);
    if (options.write_through !== undefined && options.write_through !== null) this.#writeThrough = Boolean(options.write_through);
  }

  #checkReadable(): void {
    this._checkClosed();
    if (!this._core.reading) throw new UnsupportedOperation('not readable');
  }

  #checkWritable(): void {
    this._checkClosed();
    if (!this._core.writing) throw new UnsupportedOperation('not writable');
  }

  // --- reading --------------------------------------------------------------

  /** Universal newlines: holds back a final `\r`, records kinds, translates. */
  #newlines(text: string, final: boolean): string {
    if (this.#pendingCR) {
      text = '\r' + text;
      this.#pendingCR = false;
    }
    if (!final && text.endsWith('\r')) {
      text = text.slice(0, -1);
      this.#pendingCR = true;
    }
    if (text.includes('\r')) {
      if (/\r\n/.test(text)) this.#seen |= SEEN_CRLF;
      if (/\r(?!\n)/.test(text)) this.#seen |= SEEN_CR;
      if (/(^|[^\r])\n/.test(text)) this.#seen |= SEEN_LF;
      if (this.#readTranslate) text = text.replace(/\r\n?/g, '\n');
    } else if (text.includes('\n')) {
      this.#seen |= SEEN_LF;
    }
    return text;
  }

  /** Decodes more: 1 when it got bytes, 0 at the end of file, -1 if the socket would block. */
  *#fill(): Op<number> {
    const buf = this.#buffer;
    let eof = false;
    let bytes = buf._take(buf._available);
    if (bytes.length === 0) {
      const r = yield* buf._fill();
      if (r === null) return -1;
      if (r === 0) eof = true;
      bytes = buf._take(buf._available);
    }
    let text = this.#decoder!.decode(bytes, eof);
    if (this.#readUniversal) text = this.#newlines(text, eof);
    // Appending makes a rope; lines are searched for in the new piece only,
    // so a long line is not rescanned (and flattened) on every recv().
    this.#decoded = (this.#dpos === 0 ? this.#decoded : this.#decoded.slice(this.#dpos)) + text;
    this.#dpos = 0;
    this.#piece = text;
    this.#pieceStart = this.#decoded.length - text.length;
    return eof ? 0 : 1;
  }

  #take(end: number): string {
    const s = this.#decoded.slice(this.#dpos, end);
    this.#dpos = end;
    if (end >= this.#decoded.length) {
      this.#decoded = '';
      this.#dpos = 0;
    }
    this.#piece = '';
    this.#pieceStart = this.#decoded.length;
    return s;
  }

  *#readOp(n: number): Op<string> {
    if (n < 0) {
      while ((yield* this.#fill()) === 1);
      return this.#take(this.#decoded.length);
    }
    for (;;) {
      const end = advance(this.#decoded, this.#dpos, n);
      if (end >= 0) return this.#take(end);
      if ((yield* this.#fill()) !== 1) {
        const last = advance(this.#decoded, this.#dpos, n);
        return this.#take(last >= 0 ? last : this.#decoded.length);
      }
    }
  }

  /** The end of the first line in decoded[from:], and where to resume looking if none. */
  #findEol(from: number, final: boolean): [number, number] {
    // Search the last decoded piece when `from` is inside it, else everything.
    const inPiece = from >= this.#pieceStart;
    const s = inPiece ? this.#piece : this.#decoded;
    const off = inPiece ? this.#pieceStart : 0;
    const len = s.length;
    const at = (i: number): number => (i < 0 ? -1 : i + off);
    from -= off;
    if (this.#readTranslate || this.#readnl === '\n') {
      const i = s.indexOf('\n', from);
      return [i < 0 ? -1 : at(i + 1), at(len)];
    }
    if (this.#readUniversal) {
      for (let i = from; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c === 10) return [at(i + 1), at(len)];
        if (c === 13) {
          if (i + 1 < len) return [at(s.charCodeAt(i + 1) === 10 ? i + 2 : i + 1), at(len)];
          return final ? [at(i + 1), at(len)] : [-1, at(i)];
        }
      }
      return [-1, at(len)];
    }
    if (this.#readnl === '\r') {
      const i = s.indexOf('\r', from);
      return [i < 0 ? -1 : at(i + 1), at(len)];
    }
    const i = s.indexOf('\r\n', from);
    if (i >= 0) return [at(i + 2), at(len)];
    return [-1, at(s.endsWith('\r') ? len - 1 : len)];
  }

  *#readlineOp(limit: number): Op<string> {
    let start = 0;
    let final = false;
    for (;;) {
      const base = this.#dpos;
      const [end, resume] = this.#findEol(base + start, final);
      const lim = limit >= 0 ? advance(this.#decoded, base, limit) : -1;
      if (end >= 0 && (lim < 0 || end <= lim)) return this.#take(end);
      if (lim >= 0) return this.#take(lim);
      if (final) return this.#take(this.#decoded.length);
      start = Math.max(0, resume - base);
      const r = yield* this.#fill();
      if (r === 0) final = true;
      else if (r < 0) return this.#take(this.#decoded.length);
    }
  }

  /**
   * Reads `size` characters (code points), waiting for them or the end of
   * file; with `size` omitted or negative, reads until the end of file. On
   * a non-blocking socket, returns what was available (maybe `''`).
   */
  read(size?: number | null): string {
    const n = toSizeArg(size, 'size');
    this.#checkReadable();
    return this._core.runSync(this.#readOp(n), false);
  }

  /** The async twin of read(): never blocks the event loop. */
  readAsync(size?: number | null, options?: AsyncOptions): Promise<string>;
  readAsync(options?: AsyncOptions): Promise<string>;
  readAsync(...args: unknown[]): Promise<string> {
    try {
      const [size, options] = isOptions(args[0]) ? [undefined, args[0]] : args;
      const n = toSizeArg(size, 'size');
      this.#checkReadable();
      return this._core.runAsync(() => this.#readOp(n), false, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Reads a line, through the line ending `newline` selects, of at most
   * `limit` characters when `limit` is given; `''` at the end of file.
   */
  readline(limit?: number | null): string {
    const n = toSizeArg(limit, 'size');
    this.#checkReadable();
    return this._core.runSync(this.#readlineOp(n), false);
  }

  /** The async twin of readline(). */
  readlineAsync(limit?: number | null, options?: AsyncOptions): Promise<string>;
  readlineAsync(options?: AsyncOptions): Promise<string>;
  readlineAsync(...args: unknown[]): Promise<string> {
    try {
      const [limit, options] = isOptions(args[0]) ? [undefined, args[0]] : args;
      const n = toSizeArg(limit, 'size');
      this.#checkReadable();
      return this._core.runAsync(() => this.#readlineOp(n), false, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // --- writing --------------------------------------------------------------

  *#pushPending(): Op<void> {
    const core = this._core;
    if (core.textPendingLen === 0) return;
    const data = core.textPending.length === 1 ? core.textPending[0] : Buffer.concat(core.textPending);
    core.textPending = [];
    core.textPendingLen = 0;
    yield* this.#buffer._writeOp(data);
  }

  *#writeOp(s: string): Op<number> {
    const core = this._core;
    const hasLF = s.includes('\n');
    let text = s;
    if (this.#writenl !== null && hasLF) text = text.replaceAll('\n', this.#writenl);
    const needFlush = this.#lineBuffering && (hasLF || text.includes('\r'));
    const bytes = this.#encoder!.encode(text);
    if (core.textPendingLen + bytes.length > CHUNK_SIZE) yield* this.#pushPending();
    core.textPending.push(bytes);
    core.textPendingLen += bytes.length;
    if (core.textPendingLen >= CHUNK_SIZE || needFlush || this.#writeThrough) yield* this.#pushPending();
    if (needFlush) yield* this.#buffer._flushOp();
    return codePoints(s);
  }

  *#flushOp(): Op<void> {
    yield* this.#pushPending();
    yield* this.#buffer._flushOp();
  }

  /**
   * Encodes `text` (translating `\n` as `newline` says) and buffers it;
   * returns its length in code points, as Python's len(). Nothing reaches
   * the socket before 8192 bytes are pending, flush() or close().
   */
  write(text: string): number {
    this.#checkWritable();
    if (typeof text !== 'string') throw argTypeError('text', 'of type string', text);
    return this._core.runSync(this.#writeOp(text), true);
  }

  /** The async twin of write(). */
  writeAsync(text: string, options?: AsyncOptions): Promise<number> {
    try {
      this.#checkWritable();
      if (typeof text !== 'string') throw argTypeError('text', 'of type string', text);
      return this._core.runAsync(() => this.#writeOp(text), true, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** write() for each string. */
  writelines(lines: Iterable<string>): void {
    this._checkClosed();
    if (lines === null || typeof (lines as Iterable<unknown>)?.[Symbol.iterator] !== 'function') throw argTypeError('lines', 'iterable', lines);
    for (const line of lines) this.write(line);
  }

  /** Sends all written text to the socket. */
  flush(): void {
    this._checkClosed();
    if (this._core.writing) this._core.runSync(this.#flushOp(), true);
  }

  /** The async twin of flush(). */
  flushAsync(options?: AsyncOptions): Promise<void> {
    try {
      signalOf(options);
      this._checkClosed();
      if (!this._core.writing) return Promise.resolve();
      return this._core.runAsync(() => this.#flushOp(), true, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Flushes, then closes the file (even if the flush failed); the socket's
   * descriptor closes too if the socket was closed.
   */
  close(): void {
    const core = this._core;
    if (core.closed) return;
    try {
      if (core.writing && !core.writeBusy) core.runSync(this.#flushOp(), true);
    } finally {
      core.close();
    }
  }

  override tell(): never {
    this._checkClosed();
    throw new UnsupportedOperation('underlying stream is not seekable');
  }

  override seek(): never {
    this._checkClosed();
    throw new UnsupportedOperation('underlying stream is not seekable');
  }

  override toString(): string {
    const name = this.name;
    return `<_io.TextIOWrapper${name === undefined ? '' : ` name=${name}`} mode='${this.mode}' encoding='${this.encoding}'>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

