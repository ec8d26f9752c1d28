// The sync engine: how every synchronous socket call waits. A call makes
// one non-blocking try (an attempt: a result, or a negative errno); when
// the socket has a timeout and the try would block, `retrySync` polls for
// readiness and tries again until the deadline, then raises TimeoutError
// `timed out`. Each attempt is a step that reads its arguments from a
// small record (`Stored`), so the same step serves the sync call here and
// its async twin (src/async.ts, which queues the record instead of
// polling). Also the poll bits and errno values the socket modules share.
//
// EINTR: a wait interrupted by a signal is resumed here with the time left
// (PEP 475); the addon retries it only inside single system calls that
// have no timeout of their own (native/sys_*.c). From connect() it means
// "under way"; src/attempts.ts decides that for both connect and its twin.
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fromErrno, TimeoutError, timedOut } from './errors';
import { binding } from './native';

const E = osConstants.errno;
export const EAGAIN = E.EAGAIN;
export const EWOULDBLOCK = E.EWOULDBLOCK;
export const EINPROGRESS = E.EINPROGRESS;
export const EALREADY = E.EALREADY;
export const EINTR = E.EINTR;
export const EINVAL = E.EINVAL;
export const EISCONN = E.EISCONN;
export const ENOTCONN = E.ENOTCONN;
export const ECONNRESET = E.ECONNRESET;
export const EBADF = E.EBADF;
export const ENOTSOCK = E.ENOTSOCK;

/** poll(2) event bits, as the addon's poll() takes them. */
export const POLLIN = 1;
export const POLLOUT = 4;

/** What a step needs of a socket (a structural type, so this module imports no socket). */
export interface EngineSocket {
  fileno(): number;
  /** @internal -1 blocking, 0 non-blocking, else the timeout in ms. */
  readonly _timeoutMs: number;
  readonly family: number;
}

/** A call's stored arguments: what a step reads instead of a closure's variables. */
export interface Stored {
  a: unknown;
  b: unknown;
  c: unknown;
  d: unknown;
}

/**
 * One non-blocking attempt of a call: the result, or a negative errno
 * (`-EAGAIN` to go on waiting). It must not consume anything unless it
 * returns a result or a final error, and it may update its record (the
 * progress of a sendall, a connect under way).
 */
export type Step<T> = (op: Stored, sock: EngineSocket) => T | number;

/** A sync call as the engine runs it: its step and how its errors are named. */
export interface SyncCall<T> {
  readonly step: Step<T>;
  /** The readiness to wait for: POLLIN or POLLOUT. */
  readonly events: number;
  /** The system call that errors of the step name. */
  readonly syscall: string;
  /** What a timeout names (sendall: 'sendall', its errors 'send'). */
  readonly timeoutName: string;
  /** What a failed poll names. */
  readonly pollName: string;
}

/** A call whose timeout and poll failures name its own system call unless told otherwise. */
export function syncCall<T>(syscall: string, events: number, step: Step<T>, timeoutName = syscall, pollName = 'poll'): SyncCall<T> {
  return { step, events, syscall, timeoutName, pollName };
}

/**
 * Waits for `call.events` and runs the step until it stops answering
 * -EAGAIN: with a timeout, until the deadline (TimeoutError); a blocking
 * socket waits as long as it takes. Each poll waits what is left of the
 * timeout, rounded up to a whole millisecond, so a wait polls at least
 * once, as CPython's does (a timeout of 1e-9 s still sees a call that can
 * go at once); only a deadline already passed on a later round times out
 * without polling.
 */
export function waitSync<T>(sock: EngineSocket, call: SyncCall<T>, op: Stored): T {
  const fd = sock.fileno();
  const timeoutMs = sock._timeoutMs;
  const timed = timeoutMs > 0;
  const deadline = timed ? performance.now() + timeoutMs : 0;
  let interval = timed ? timeoutMs : -1;
  for (;;) {
    if (timed && interval < 0) throw timedOut(call.timeoutName);
    const p = binding.poll(fd, call.events, Math.ceil(interval));
    if (p === 0) throw timedOut(call.timeoutName);
    if (p === -EINTR) {
      // A signal: wait again for what is left of the timeout (PEP 475).
      if (timed) interval = deadline - performance.now();
      continue;
    }
    if (p < 0) throw fromErrno(-p, call.pollName);
    const r = call.step(op, sock);
    if (r !== -EAGAIN) {
      if (typeof r === 'number' && r < 0) throw fromErrno(-r, call.syscall);
      return r as T;
    }
    if (timed) interval = deadline - performance.now();
  }
}

/**
 * The slow path of every sync call whose first try (`first`, a negative
 * errno) failed: with a timeout and EAGAIN, waits and retries (the record
 * is made only here); otherwise raises the error, BlockingIOError for a
 * non-blocking socket.
 */
export function retrySync<T>(sock: EngineSocket, first: number, call: SyncCall<T>, a: unknown, b: unknown, c?: unknown, d?: unknown): T {
  if (first !== -EAGAIN || sock._timeoutMs <= 0) throw fromErrno(-first, call.syscall);
  return waitSync(sock, call, { a, b, c, d });
}

/** Whether `e` is a socket timeout (`timed out`, errno null), not ETIMEDOUT from the system. */
export function isSocketTimeout(e: unknown): boolean {
  return e instanceof TimeoutError && e.errno === null;
}


/**
 * A whole sync call off the hot path: the first try, then on failure what
 * {@link retrySync} does, with one record for both.
 */
export function callSync<T>(sock: EngineSocket, call: SyncCall<T>, a: unknown, b: unknown, c?: unknown, d?: unknown): T {
  const op: Stored = { a, b, c, d };
  const r = call.step(op, sock);
  if (typeof r !== 'number' || r >= 0) return r as T;
  if (r !== -EAGAIN || sock._timeoutMs <= 0) throw fromErrno(-r, call.syscall);
  return waitSync(sock, call, op);
}
