// Python's OSError hierarchy (PEP 3151) and the argument errors of API.md.
import { constants as osConstants } from 'node:os';
import { inspect } from 'node:util';
import { binding, type EaiFailure, type HerrnoFailure } from './native';

// Node's os.constants.errno lacks some errnos Python knows (ESHUTDOWN, for
// one); the addon's table, read from <errno.h>, fills them in.
const nativeErrnos: Record<string, number> = binding.errnos;
const E: Record<string, number> = { ...nativeErrnos, ...osConstants.errno };
const errnoNames = new Map<number, string>();
for (const [name, value] of [...Object.entries(osConstants.errno), ...Object.entries(nativeErrnos)]) {
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}

const eaiNames = new Map<number, string>();
for (const [name, value] of Object.entries(binding.constants)) {
  if (name.startsWith('EAI_') && !eaiNames.has(value)) eaiNames.set(value, name);
}

const strerrorCache = new Map<number, string>();
/** The C library's message for an errno, as Python's `os.strerror` gives it. */
export function strerror(errno: number): string {
  let s = strerrorCache.get(errno);
  if (s === undefined) {
    const r = binding.strerror(errno);
    // A number only for a non-integer errno, which no caller passes.
    s = typeof r === 'string' ? r : `Unknown error ${errno}`;
    strerrorCache.set(errno, s);
  }
  return s;
}

/**
 * Python's `OSError`: a system call failed. `errno` and `strerror` are set
 * when the failure came with an error number; `code` is the errno's name
 * (`'ECONNREFUSED'`), as in Node. Constructing it with an errno returns the
 * PEP 3151 subclass for that errno, as Python does: `new OSError(111, '...')`
 * is a `ConnectionRefusedError`.
 */
export class OSError extends Error {
  /** The error number, or `null` when the error has none (`timed out`). */
  errno!: number | null;
  /** The system's message for `errno`, or `null`. */
  strerror!: string | null;
  /** The errno's symbolic name (`'ECONNREFUSED'`), or an `EAI_*` name for `gaierror`. */
  code: string | undefined;
  /** The system call that failed, when known. */
  syscall: string | undefined;
  /** The file name involved, when there is one (`filename` in Python). */
  filename: string | null = null;

  constructor(errnoOrMessage?: number | string | null, strerror?: string | null, options?: { syscall?: string }) {
    const hasErrno = typeof errnoOrMessage === 'number' && strerror !== undefined;
    const message = hasErrno
      ? `[Errno ${errnoOrMessage}] ${strerror}`
      : errnoOrMessage === undefined || errnoOrMessage === null
        ? ''
        : String(errnoOrMessage);
    super(message);
    if (hasErrno && new.target === OSError) {
      const Sub = subclassFor(errnoOrMessage as number);
      if (Sub !== OSError) return new Sub(errnoOrMessage as number, strerror, options);
    }
    this.errno = hasErrno ? (errnoOrMessage as number) : null;
    this.strerror = hasErrno ? (strerror ?? null) : null;
    this.code = hasErrno ? errnoNames.get(errnoOrMessage as number) : undefined;
    this.syscall = options?.syscall;
  }

  /** The class's name (`'ConnectionRefusedError'`), as Python prints an exception's type. */
  override get name(): string {
    return this.constructor.name;
  }

  /** Python's `args`: `[errno, strerror]`, or `[message]`. */
  get args(): unknown[] {
    return this.errno !== null ? [this.errno, this.strerror] : this.message === '' ? [] : [this.message];
  }
}

/** Python's `socket.error`, an alias of `OSError`. */
export const error = OSError;

/** An operation would block on a non-blocking socket (EAGAIN, EWOULDBLOCK, EALREADY, EINPROGRESS). */
export class BlockingIOError extends OSError {}
/** ECHILD. */
export class ChildProcessError extends OSError {}
/** Base of the connection errors. */
export class ConnectionError extends OSError {}
/** EPIPE or ESHUTDOWN: writing to a connection whose other end (or this end) is shut. */
export class BrokenPipeError extends ConnectionError {}
/** ECONNABORTED. */
export class ConnectionAbortedError extends ConnectionError {}
/** ECONNREFUSED. */
export class ConnectionRefusedError extends ConnectionError {}
/** ECONNRESET. */
export class ConnectionResetError extends ConnectionError {}
/** EEXIST. */
export class FileExistsError extends OSError {}
/** ENOENT. */
export class FileNotFoundError extends OSError {}
/** EINTR (bsdsock retries it as PEP 475 says; this is raised only where Python raises it). */
export class InterruptedError extends OSError {}
/** EISDIR. */
export class IsADirectoryError extends OSError {}
/** ENOTDIR. */
export class NotADirectoryError extends OSError {}
/** EACCES or EPERM. */
export class PermissionError extends OSError {}
/** ESRCH. */
export class ProcessLookupError extends OSError {}
/**
 * ETIMEDOUT from the system, or a socket timeout: `timed out`, with `errno`
 * null as in Python, and `code` `'ETIMEDOUT'` for Node users.
 */
export class TimeoutError extends OSError {}
/** Python's `socket.timeout`, an alias of `TimeoutError`. */
export const timeout = TimeoutError;

/** Address-related errors of the `gethostby*` functions: `errno` is h_errno (so `code` is not an errno name). */
export class herror extends OSError {
  constructor(errnoOrMessage?: number | string | null, strerror?: string | null, options?: { syscall?: string }) {
    super(errnoOrMessage, strerror, options);
    this.code = undefined;
  }
}

/** Address-related errors of `getaddrinfo`/`getnameinfo`: `errno` is an `EAI_*` constant, `code` its name. */
export class gaierror extends OSError {
  constructor(errnoOrMessage?: number | string | null, strerror?: string | null, options?: { syscall?: string }) {
    super(errnoOrMessage, strerror, options);
    this.code = this.errno === null ? undefined : eaiNames.get(this.errno);
  }
}

type OSErrorClass = new (errno?: number | string | null, strerror?: string | null, options?: { syscall?: string }) => OSError;

const bySubclass: Array<[OSErrorClass, number[]]> = [
  [BlockingIOError, [E.EAGAIN, E.EWOULDBLOCK, E.EALREADY, E.EINPROGRESS]],
  [ChildProcessError, [E.ECHILD]],
  [BrokenPipeError, [E.EPIPE, E.ESHUTDOWN ?? -1]],
  [ConnectionAbortedError, [E.ECONNABORTED]],
  [ConnectionRefusedError, [E.ECONNREFUSED]],
  [ConnectionResetError, [E.ECONNRESET]],
  [FileExistsError, [E.EEXIST]],
  [FileNotFoundError, [E.ENOENT]],
  [InterruptedError, [E.EINTR]],
  [IsADirectoryError, [E.EISDIR]],
  [NotADirectoryError, [E.ENOTDIR]],
  [PermissionError, [E.EACCES, E.EPERM]],
  [ProcessLookupError, [E.ESRCH]],
  [TimeoutError, [E.ETIMEDOUT]],
];
const subclassByErrno = new Map<number, OSErrorClass>();
for (const [cls, errnos] of bySubclass) for (const n of errnos) subclassByErrno.set(n, cls);

/** The class Python picks for an errno (PEP 3151). */
export function subclassFor(errno: number): OSErrorClass {
  return subclassByErrno.get(errno) ?? OSError;
}

/** The OSError (subclass) for a failed system call, with the system's message. */
export function fromErrno(errno: number, syscall?: string): OSError {
  const Cls = subclassFor(errno);
  return new Cls(errno, strerror(errno), { syscall });
}

/** Python's socket timeout: `TimeoutError('timed out')`. */
export function timedOut(syscall?: string): TimeoutError {
  const e = new TimeoutError('timed out');
  e.code = 'ETIMEDOUT';
  e.syscall = syscall;
  return e;
}

/** An OSError with a message and no errno, as Python raises for some argument faults. */
export function plainOSError(message: string): OSError {
  return new OSError(message);
}

function describe(value: unknown): string {
  if (value === null) return 'Received null';
  if (value === undefined) return 'Received undefined';
  if (typeof value === 'function') return `Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const ctor = (value as object).constructor?.name;
    return ctor ? `Received an instance of ${ctor}` : `Received ${inspect(value, { depth: 0 })}`;
  }
  let shown = inspect(value);
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `Received type ${typeof value} (${shown})`;
}

/** Node's ERR_INVALID_ARG_TYPE: Python's TypeError for an argument. */
export function argTypeError(name: string, expected: string, value: unknown): TypeError {
  const e = new TypeError(`The "${name}" argument must be ${expected}. ${describe(value)}`) as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_TYPE';
  return e;
}

/** Node's ERR_INVALID_ARG_VALUE: Python's ValueError, with Python's reason. */
export function argValueError(name: string, reason: string): TypeError {
  const e = new TypeError(`The argument '${name}' is invalid: ${reason}`) as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_VALUE';
  return e;
}

/** Node's ERR_OUT_OF_RANGE: Python's OverflowError (or a range ValueError). */
export function argRangeError(name: string, range: string, value: unknown): RangeError {
  const e = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${inspect(value)}`) as RangeError & {
    code: string;
  };
  e.code = 'ERR_OUT_OF_RANGE';
  return e;
}


/**
 * The error of a failed getaddrinfo/getnameinfo: gaierror, or for
 * EAI_SYSTEM the OSError of the errno behind it, as Python raises. A
 * number is a binding's -errno (see native.ts).
 */
export function fromEai(failure: EaiFailure | number): OSError {
  if (typeof failure === 'number') return fromErrno(-failure, 'getaddrinfo');
  if (failure.eai === binding.constants.EAI_SYSTEM && failure.errno !== 0) return fromErrno(failure.errno, 'getaddrinfo');
  const e = new gaierror(failure.eai, failure.message);
  e.syscall = 'getaddrinfo';
  return e;
}

// ---- Added for the resolver functions (src/resolver.ts) ----

/** Names of the h_errno values the gethostby* calls report. */
const herrnoNames: ReadonlyMap<number, string> = new Map([
  [1, 'HOST_NOT_FOUND'],
  [2, 'TRY_AGAIN'],
  [3, 'NO_RECOVERY'],
  [4, 'NO_DATA'],
]);

/**
 * Python's `herror` for a failed `gethostbyname_ex`/`gethostbyaddr`: `errno`
 * is the C library's h_errno and the message its `hstrerror()`; `code` is
 * the h_errno's name (`'HOST_NOT_FOUND'`). A number is a binding's -errno.
 */
export function fromHerrno(failure: HerrnoFailure | number, syscall?: string): OSError {
  if (typeof failure === 'number') return fromErrno(-failure, syscall);
  const e = new herror(failure.herrno, failure.message);
  e.code = herrnoNames.get(failure.herrno);
  e.syscall = syscall;
  return e;
}

/**
 * An address (or other array argument) of the wrong shape: Python raises
 * TypeError when a tuple has the wrong number of items, so this is a
 * TypeError with ERR_INVALID_ARG_TYPE, carrying Python's message.
 */
export function argShapeError(name: string, message: string): TypeError {
  const e = new TypeError(`The "${name}" argument is invalid: ${message}`) as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_TYPE';
  return e;
}
