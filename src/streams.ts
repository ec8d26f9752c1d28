// Streams over a connected stream socket: a Node Duplex (toDuplex), WHATWG
// ReadableStream/WritableStream (readableWebStream/writableWebStream) and
// `for await (const chunk of sock)`. All of them are built on the async
// twins (recv_intoAsync, recvAsync, sendallAsync), so they never block the
// event loop, and they read only when their consumer asks for data: a
// consumer that stops reading lets the kernel's buffers fill, and the peer's
// writes wait (TCP flow control is the backpressure).
import { addAbortSignal, Duplex, type DuplexOptions } from 'node:stream';
import { ReadableStream, WritableStream } from 'node:stream/web';
import { recvIntoOnce } from './attempts';
import { EAGAIN, EBADF, ENOTCONN } from './engine';
import { argRangeError, argTypeError, fromErrno } from './errors';
import { binding } from './native';
import { Socket } from './socket';
import { checkSignal } from './signal';
import { toSize } from './validate';

const C = binding.constants;
const SHUT_WR = C.SHUT_WR;
const MSG_DONTWAIT = C.MSG_DONTWAIT;

/** The default size of one receive: 64 KiB, as Node's net.Socket reads. */
const DEFAULT_READ_SIZE = 65536;

/** Options of {@link Socket.toDuplex}: Node's Duplex options that make sense for a socket, plus ownership and read size. */
export interface SocketDuplexOptions
  extends Pick<
    DuplexOptions,
    | 'allowHalfOpen'
    | 'highWaterMark'
    | 'readableHighWaterMark'
    | 'writableHighWaterMark'
    | 'encoding'
    | 'defaultEncoding'
    | 'decodeStrings'
    | 'emitClose'
    | 'autoDestroy'
    | 'signal'
  > {
  /**
   * Whether destroying the stream closes the socket (default `true`: the
   * Duplex owns the socket, as a net.Socket owns its descriptor). With
   * `false` the socket stays open after `destroy()`; a receive or send
   * under way is cancelled first, without losing data.
   */
  close?: boolean;
  /** The most bytes one receive asks for (default 65536). */
  readSize?: number;
}

/** Options of {@link Socket.readableWebStream}. */
export interface ReadableWebStreamOptions {
  /** Whether the socket is closed when the stream ends, is cancelled or errors (default `false`). */
  close?: boolean;
  /** The size of the buffer a default reader's read is given (default 65536). */
  readSize?: number;
}

/** Options of {@link Socket.writableWebStream}. */
export interface WritableWebStreamOptions {
  /** Whether the socket is closed when the stream is closed, aborted or errors (default `false`). */
  close?: boolean;
  /** Bytes queued before `writer.ready` waits (default 65536). */
  highWaterMark?: number;
}

/**
 * A Node `stream.Duplex` over a connected stream socket, as made by
 * {@link Socket.toDuplex}. Reading receives with `recv_intoAsync`, only
 * while the readable side is below its high-water mark; writing sends each
 * chunk with `sendallAsync`; `end()` shuts down the sending side
 * (`SHUT_WR`); `destroy()` closes the socket (unless `close: false`).
 * Socket errors are `'error'` events carrying the `OSError`.
 */
export class SocketDuplex extends Duplex {
  /** The socket the stream reads and writes. */
  readonly socket: Socket;
  /** Bytes received so far. */
  bytesRead = 0;
  /** Bytes sent so far. */
  bytesWritten = 0;
  #ac = new AbortController();
  #close: boolean;
  #readSize: number;
  #buf: Buffer | null = null;
  #reading = false;

  /** Prefer {@link Socket.toDuplex}. */
  constructor(sock: Socket, options: SocketDuplexOptions = {}) {
    checkStreamSocket(sock, 'toDuplex');
    const { close = true, readSize = DEFAULT_READ_SIZE, signal, ...rest } = checkOptions(options);
    const size = checkReadSize(readSize);
    checkSignal(signal, 'options.signal');
    // As net.Socket: by default the writable side ends when the peer's does.
    super({ allowHalfOpen: false, ...rest });
    this.socket = sock;
    this.#close = close;
    this.#readSize = size;
    // The signal is attached only now: an already aborted one destroys the
    // stream at once, and _destroy needs the fields above.
    if (signal !== undefined) addAbortSignal(signal, this);
  }

  /** @internal Node stream hook: receives while the readable buffer has room. */
  override _read(): void {
    if (this.#reading) return;
    const buf = (this.#buf ??= Buffer.allocUnsafeSlow(this.#readSize));
    // What is there already is received and pushed now, in this turn: a
    // receive handed over a microtask later would be lost if the stream were
    // destroyed in between (`d.read(); d.destroy()` with close: false).
    const r = recvNow(this.socket, buf);
    if (r !== -EAGAIN) {
      if (r < 0) this.destroy(fromErrno(-r, 'recv_into'));
      else this.#received(buf, r);
      return;
    }
    this.#reading = true;
    this.socket.recv_intoAsync(buf, { signal: this.#ac.signal }).then(
      (n) => {
        this.#reading = false;
        if (this.destroyed) return;
        this.#received(buf, n);
      },
      (err: unknown) => {
        this.#reading = false;
        if (!this.destroyed) this.destroy(err as Error);
      },
    );
  }

  #received(buf: Buffer, n: number): void {
    if (n === 0) {
      this.push(null);
      return;
    }
    this.bytesRead += n;
    let chunk: Buffer;
    if (n >= buf.length >>> 1) {
      // Mostly filled: hand the buffer out; the next read takes a new one.
      chunk = n === buf.length ? buf : buf.subarray(0, n);
      this.#buf = null;
    } else {
      chunk = Buffer.allocUnsafe(n);
      buf.copy(chunk, 0, 0, n);
    }
    this.push(chunk);
  }

  #send(data: Buffer, cb: (error?: Error | null) => void): void {
    this.socket.sendallAsync(data, { signal: this.#ac.signal }).then(
      () => {
        this.bytesWritten += data.length;
        cb();
      },
      (err: unknown) => {
        // After destroy() the abort is ours: as net.Socket, not an error.
        if (this.destroyed) cb();
        else cb(err as Error);
      },
    );
  }

  /** @internal Node stream hook: sends one chunk. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.#send(chunk, cb);
  }

  /** @internal Node stream hook: sends buffered chunks together. */
  override _writev(chunks: { chunk: Buffer }[], cb: (error?: Error | null) => void): void {
    this.#send(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  /** @internal Node stream hook: `end()` shuts the sending side down. */
  override _final(cb: (error?: Error | null) => void): void {
    try {
      shutdownWrite(this.socket);
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb();
  }

  /** @internal Node stream hook: stops receiving and closes the socket unless `close: false`. */
  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    // Cancels a pending receive or send first (nothing is consumed by a
    // cancelled receive), then lets go of the socket.
    this.#ac.abort();
    if (this.#close) {
      try {
        this.socket.close();
      } catch (e) {
        err ??= e as Error;
      }
    }
    cb(err);
  }
}

function checkStreamSocket(sock: Socket, caller: string): void {
  if (!(sock instanceof Socket)) throw argTypeError('this', 'an instance of Socket', sock);
  if (sock.fileno() < 0) throw fromErrno(EBADF, caller);
  if (sock.type !== C.SOCK_STREAM) {
    const e = new TypeError(`${caller}() needs a SOCK_STREAM socket (this one's type is ${sock.type})`) as TypeError & { code: string };
    e.code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
}

function checkReadSize(v: unknown): number {
  const n = toSize(v, 'readSize');
  if (n < 1 || n > 0x7fffffff) throw argRangeError('readSize', '>= 1 and <= 2147483647', v);
  return n;
}

function checkOptions<T extends object>(options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object') throw argTypeError('options', 'of type object', options);
  // One meaning for every stream: a boolean, or left out.
  const close = (options as { close?: unknown }).close;
  if (close !== undefined && typeof close !== 'boolean') throw argTypeError('options.close', 'of type boolean', close);
  return options;
}

/**
 * One receive that does not wait: the byte count (0 at EOF), `-EAGAIN` when
 * nothing is there yet, or another negative errno.
 */
function recvNow(sock: Socket, view: Uint8Array): number {
  return recvIntoOnce(sock.fileno(), view, view.byteLength, MSG_DONTWAIT);
}

/** shutdown(SHUT_WR), where a connection already gone (ENOTCONN) is fine, as net.Socket's end(). */
function shutdownWrite(sock: Socket): void {
  const r = binding.shutdown(sock.fileno(), SHUT_WR);
  if (r < 0 && -r !== ENOTCONN) throw fromErrno(-r, 'shutdown');
}

function closeQuietly(sock: Socket): void {
  try {
    sock.close();
  } catch {
    // The stream is already ending; close() has released the descriptor.
  }
}

/** What a web stream runs once when it ends, is cancelled or aborted: closes `sock` if asked to. */
function finisher(sock: Socket, close: boolean): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (close) closeQuietly(sock);
  };
}

const toDuplex = function toDuplex(this: Socket, options?: SocketDuplexOptions): SocketDuplex {
  return new SocketDuplex(this, checkOptions(options));
};

const readableWebStream = function readableWebStream(this: Socket, options?: ReadableWebStreamOptions) {
  checkStreamSocket(this, 'readableWebStream');
  const { close = false, readSize = DEFAULT_READ_SIZE } = checkOptions(options);
  const size = checkReadSize(readSize);
  const sock = this;
  const ac = new AbortController();
  const finish = finisher(sock, close);
  return new ReadableStream(
    {
      type: 'bytes',
      autoAllocateChunkSize: size,
      pull(controller) {
        // With autoAllocateChunkSize, every pull has a BYOB request: the
        // reader's buffer, or one of readSize bytes for a default reader.
        const req = controller.byobRequest!;
        const v = req.view!;
        const view = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        const deliver = (n: number): void => {
          if (n === 0) {
            controller.close();
            req.respond(0);
            finish();
            return;
          }
          req.respond(n);
        };
        // What is there already is received and handed over now: a receive
        // handed over a microtask later would be lost by a cancel() in
        // between (`reader.read(); reader.cancel()`).
        const r = recvNow(sock, view);
        if (r !== -EAGAIN) {
          if (r < 0) {
            finish();
            throw fromErrno(-r, 'recv_into');
          }
          deliver(r);
          return;
        }
        return sock.recv_intoAsync(view, { signal: ac.signal }).then(deliver, (e: unknown) => {
          if (!ac.signal.aborted) finish();
          throw e;
        });
      },
      cancel(reason) {
        // The pending receive (if any) is withdrawn before it takes anything.
        ac.abort(reason);
        finish();
      },
    },
    { highWaterMark: 0 },
  ) as ReadableStream<Uint8Array>;
};

const writableWebStream = function writableWebStream(this: Socket, options?: WritableWebStreamOptions) {
  checkStreamSocket(this, 'writableWebStream');
  const { close = false, highWaterMark = DEFAULT_READ_SIZE } = checkOptions(options);
  const hwm = toSize(highWaterMark, 'highWaterMark');
  if (hwm < 0) throw argRangeError('highWaterMark', '>= 0', highWaterMark);
  const sock = this;
  const ac = new AbortController();
  const finish = finisher(sock, close);
  return new WritableStream<ArrayBufferView | ArrayBuffer>(
    {
      start(controller) {
        // abort() reaches the sink only once the write under way settles:
        // the controller's signal cancels that write at once.
        const signal = (controller as { signal?: AbortSignal }).signal;
        signal?.addEventListener('abort', () => ac.abort(signal.reason), { once: true });
      },
      async write(chunk) {
        try {
          await sock.sendallAsync(chunk as ArrayBufferView, { signal: ac.signal });
        } catch (e) {
          if (!ac.signal.aborted) finish();
          throw e;
        }
      },
      close() {
        try {
          shutdownWrite(sock);
        } finally {
          finish();
        }
      },
      abort(reason) {
        ac.abort(reason);
        finish();
      },
    },
    {
      highWaterMark: hwm,
      size: (chunk) => (ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer ? chunk.byteLength : 1),
    },
  );
};

const chunks = async function* chunks(this: Socket): AsyncGenerator<Buffer, void, undefined> {
  if (!(this instanceof Socket)) throw argTypeError('this', 'an instance of Socket', this);
  if (this.fileno() >= 0 && this.type !== C.SOCK_STREAM && this.type !== C.SOCK_SEQPACKET) {
    const e = new TypeError(`a socket of type ${this.type} is not iterable: only stream sockets end with EOF`) as TypeError & {
      code: string;
    };
    e.code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
  for (;;) {
    const data = await this.recvAsync(DEFAULT_READ_SIZE);
    if (data.length === 0) return;
    yield data;
  }
};

/** The methods this module adds to {@link Socket}, installed by src/socket-methods.ts. */
export const streamMethods: Pick<Socket, 'toDuplex' | 'readableWebStream' | 'writableWebStream' | typeof Symbol.asyncIterator> = {
  toDuplex,
  readableWebStream,
  writableWebStream,
  [Symbol.asyncIterator]: chunks,
};
