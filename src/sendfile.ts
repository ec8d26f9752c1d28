// socket.sendfile(): Python's Lib/socket.py algorithm over sendfile(2),
// with its fallback to read + send, and the async twin.
import { fstatSync, readSync } from 'node:fs';
import { read as readCb } from 'node:fs';
import { inspect } from 'node:util';
import { nonblockingStep, signalOf, start, WRITE, type AsyncOptions } from './async';
import { EAGAIN, EBADF, isSocketTimeout, POLLOUT, retrySync, syncCall, type EngineSocket, type Stored } from './engine';
import { argTypeError, argValueError, fromErrno, OSError } from './errors';
import { binding } from './native';
import { Socket } from './socket';
import { toInteger } from './validate';

const C = binding.constants;
const SEEK_SET = 0;
/** Python truncates each sendfile(2) call to 1 GiB (bpo-38319). */
const MAX_BLOCK = 2 ** 30;
/** io.DEFAULT_BUFFER_SIZE: the read size of the fallback. */
const FALLBACK_BLOCK = 8192;

/** A file for sendfile(): a numeric descriptor or a `fs.promises.FileHandle`. */
export type SendfileSource =
  | number
  | {
      /** The open file's descriptor, as a `fs.promises.FileHandle` holds it. */
      readonly fd: number;
    };

/** Thrown inside: sendfile(2) does not apply; use read + send. */
class GiveUp {
  constructor(readonly cause: unknown) {}
}

function fileDescriptor(file: unknown): number {
  if (typeof file === 'number') return toInteger(file, 'file');
  if (typeof file === 'object' && file !== null && typeof (file as { fd?: unknown }).fd === 'number') {
    return (file as { fd: number }).fd;
  }
  throw argTypeError('file', 'a file descriptor or a FileHandle', file);
}

function checkParams(sock: Socket, count: unknown): number | null {
  if (!(sock.type & C.SOCK_STREAM)) throw argValueError('socket', 'only SOCK_STREAM type sockets are supported');
  if (count === undefined || count === null) return null;
  if (typeof count !== 'number' || !Number.isInteger(count)) {
    const e = argTypeError('count', 'a positive integer', count);
    e.message = `count must be a positive integer (got ${inspect(count)})`;
    throw e;
  }
  if (count <= 0) throw argValueError('count', `count must be a positive integer (got ${count})`);
  return count;
}

/** A Node fs error as Python's OSError. */
function osErrorOf(e: unknown, syscall: string): unknown {
  const errno = (e as { errno?: unknown }).errno;
  return typeof errno === 'number' && errno < 0 ? fromErrno(-errno, syscall) : e;
}

function seek(fd: number, position: number): void {
  const r = binding.lseek(fd, position, SEEK_SET);
  if (r < 0) throw fromErrno(-r, 'lseek');
}

function fileSize(fd: number): number {
  try {
    return fstatSync(fd).size;
  } catch (e) {
    throw new GiveUp(e);
  }
}

/** One sendfile(2) call from file `a` at offset `b`, at most `c` bytes: bytes sent, 0 at EOF, or -errno. */
function sendfileStep(op: Stored, sock: EngineSocket): number {
  return binding.sendfile(sock.fileno(), op.a as number, op.b as number, op.c as number);
}

/** The twin's step: never blocks, whatever the socket's mode. */
function sendfileTwinStep(op: Stored, sock: EngineSocket): number {
  return nonblockingStep(op, sock, sendfileStep);
}

const SENDFILE = syncCall('sendfile', POLLOUT, sendfileStep);

function sendfileSync(sock: Socket, file: unknown, offset: unknown, count: unknown): number {
  const limit = checkParams(sock, count);
  const fd = fileDescriptor(file);
  let off = toInteger(offset ?? 0, 'offset');
  const size = fileSize(fd);
  if (size === 0) return 0;
  if (sock.gettimeout() === 0) throw argValueError('socket', 'non-blocking sockets are not supported');
  let blocksize = Math.min(limit ?? size, MAX_BLOCK);
  let total = 0;
  try {
    for (;;) {
      if (limit !== null) {
        blocksize = limit - total;
        if (blocksize <= 0) break;
      }
      let sent = binding.sendfile(sock.fileno(), fd, off, blocksize);
      if (sent < 0) {
        if (sent !== -EAGAIN && total === 0) throw new GiveUp(fromErrno(-sent, 'sendfile'));
        sent = retrySync(sock, sent, SENDFILE, fd, off, blocksize);
      }
      if (sent === 0) break;
      off += sent;
      total += sent;
    }
    return total;
  } finally {
    if (total > 0) seek(fd, off);
  }
}

function sendfileBySend(sock: Socket, file: unknown, offset: unknown, count: unknown): number {
  const limit = checkParams(sock, count);
  const fd = fileDescriptor(file);
  if (sock.gettimeout() === 0) throw argValueError('socket', 'non-blocking sockets are not supported');
  const off = toInteger(offset ?? 0, 'offset');
  if (off) seek(fd, off);
  let blocksize = limit !== null ? Math.min(limit, FALLBACK_BLOCK) : FALLBACK_BLOCK;
  const buf = Buffer.allocUnsafe(blocksize);
  let total = 0;
  try {
    for (;;) {
      if (limit !== null) {
        blocksize = Math.min(limit - total, blocksize);
        if (blocksize <= 0) break;
      }
      let n: number;
      try {
        n = readSync(fd, buf, 0, blocksize, null);
      } catch (e) {
        throw osErrorOf(e, 'read');
      }
      if (n === 0) break;
      let done = 0;
      while (done < n) {
        const sent = sock.send(buf.subarray(done, n));
        done += sent;
        total += sent;
      }
    }
    return total;
  } finally {
    if (total > 0) seek(fd, off + total);
  }
}

const sendfile = function sendfile(this: Socket, file: SendfileSource, offset = 0, count: number | null = null) {
  try {
    return sendfileSync(this, file, offset, count);
  } catch (e) {
    if (!(e instanceof GiveUp)) throw e;
    return sendfileBySend(this, file, offset, count);
  }
};

function readAsync(fd: number, buf: Buffer, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    readCb(fd, buf, 0, length, null, (err, n) => (err ? reject(osErrorOf(err, 'read')) : resolve(n)));
  });
}

async function sendfileBySendAsync(sock: Socket, fd: number, off: number, limit: number | null, options?: AsyncOptions): Promise<number> {
  if (off) seek(fd, off);
  let blocksize = limit !== null ? Math.min(limit, FALLBACK_BLOCK) : FALLBACK_BLOCK;
  const buf = Buffer.allocUnsafe(blocksize);
  let total = 0;
  try {
    for (;;) {
      if (limit !== null) {
        blocksize = Math.min(limit - total, blocksize);
        if (blocksize <= 0) break;
      }
      const n = await readAsync(fd, buf, blocksize);
      if (n === 0) break;
      let done = 0;
      while (done < n) {
        const sent = await sock.sendAsync(buf.subarray(done, n), 0, options);
        done += sent;
        total += sent;
      }
    }
    return total;
  } finally {
    if (total > 0) seek(fd, off + total);
  }
}

const sendfileAsync = async function sendfileAsync(
  this: Socket,
  file: SendfileSource,
  offset: number | AsyncOptions = 0,
  count: number | null | AsyncOptions = null,
  options?: AsyncOptions,
) {
  // The options object may stand in any optional position.
  if (typeof offset === 'object' && offset !== null) [options, offset, count] = [offset, 0, null];
  if (typeof count === 'object' && count !== null) [options, count] = [count as AsyncOptions, null];
  const limit = checkParams(this, count);
  const fd = fileDescriptor(file);
  let off = toInteger(offset ?? 0, 'offset');
  if (options?.signal?.aborted) throw options.signal.reason;
  let size: number;
  try {
    size = fileSize(fd);
  } catch (e) {
    if (!(e instanceof GiveUp)) throw e;
    return sendfileBySendAsync(this, fd, off, limit, options);
  }
  if (size === 0) return 0;
  let total = 0;
  try {
    for (;;) {
      let blocksize = Math.min(limit ?? size, MAX_BLOCK);
      if (limit !== null) {
        blocksize = limit - total;
        if (blocksize <= 0) break;
      }
      let sent: number;
      try {
        // One chunk per wait: the socket's timeout bounds each wait for
        // room, as Python's sendfile does, not the whole transfer.
        sent = await start(this, WRITE, 'sendfile', sendfileTwinStep, fd, off, blocksize, undefined, signalOf(options));
      } catch (e) {
        if (total === 0 && e instanceof OSError && e.syscall === 'sendfile' && e.errno !== null && e.errno !== EBADF && !isSocketTimeout(e)) {
          return await sendfileBySendAsync(this, fd, off, limit, options);
        }
        throw e;
      }
      if (sent === 0) break;
      off += sent;
      total += sent;
    }
    return total;
  } finally {
    if (total > 0) seek(fd, off);
  }
};

/** The methods this module adds to {@link Socket}, installed by src/socket-methods.ts. */
export const sendfileMethods: Pick<Socket, 'sendfile' | 'sendfileAsync'> = {
  sendfile,
  sendfileAsync,
};
