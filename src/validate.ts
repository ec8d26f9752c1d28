// Argument checks shared by every call: Python's TypeError, ValueError and
// OverflowError, spelled as API.md maps them.
import { constants as bufferConstants } from 'node:buffer';
import { argRangeError, argTypeError, argValueError } from './errors';
import type { Bytes } from './native';

const MAX_BUFFER = bufferConstants.MAX_LENGTH;

/** Python's `__index__`: an integer number (or bigint) or a TypeError. */
export function toInteger(value: unknown, name: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
  } else if (typeof value === 'bigint') {
    return Number(value);
  }
  throw argTypeError(name, 'an integer', value);
}

/** A C `int`: an integer within int32, else RangeError as Python's OverflowError. */
export function toCInt(value: unknown, name: string): number {
  const n = toInteger(value, name);
  if (n < -2147483648 || n > 2147483647) throw argRangeError(name, '>= -2147483648 and <= 2147483647', value);
  return n;
}

/** An optional `flags` argument: a C int, 0 when not given. */
export function toFlags(value: unknown, name = 'flags'): number {
  if (value === undefined) return 0;
  return toCInt(value, name);
}

/** A size (Py_ssize_t): a non-negative safe integer is checked by callers. */
export function toSize(value: unknown, name: string): number {
  const n = toInteger(value, name);
  if (!Number.isSafeInteger(n)) throw argRangeError(name, 'a safe integer', value);
  return n;
}

/**
 * Python's PySequence_Fast: an array as is, any other iterable drained into
 * one (a string is iterated as Python iterates a str, unless `strings` is
 * false: then it is refused whole, as where its characters cannot be
 * items). Callers read each element once (see {@link toBytesList}).
 */
export function toSequence(value: unknown, name: string, expected: string, strings = true): unknown[] {
  if (Array.isArray(value)) return value;
  if (!strings && typeof value === 'string') throw argTypeError(name, expected, value);
  if (isIterable(value)) return Array.from(value);
  throw argTypeError(name, expected, value);
}

/**
 * The buffers of a scatter/gather call as a new array of checked views.
 * Each of the caller's elements is read exactly once, here: the addon
 * takes only this array, so no element getter or Proxy trap can run after
 * a buffer's memory has been handed to the kernel (a getter that detached
 * or shrank an earlier buffer would otherwise have the kernel use freed
 * memory).
 */
export function toBytesList(value: unknown, name: string): Bytes[] {
  const list = toSequence(value, name, 'an iterable of bytes-like objects');
  const n = list.length;
  const out: Bytes[] = [];
  for (let i = 0; i < n; i++) out.push(toBytes(list[i], `${name}[${i}]`));
  return out;
}

/** Whether `v` can be iterated (an array, a Set, a generator...). */
export function isIterable(v: unknown): v is Iterable<unknown> {
  return v !== null && v !== undefined && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/**
 * The bytes of a bytes-like value as a Buffer over the same memory (no
 * copy). A detached buffer has no bytes: it reads as empty, as the addon
 * sees it, instead of failing in Buffer.from without an argument name.
 */
export function bytesOf(value: Bytes | SharedArrayBuffer): Buffer {
  if (value.byteLength === 0) return Buffer.alloc(0);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(value);
}

/**
 * Throws unless `value` encodes to UTF-8: a lone surrogate (`'\ud800'`) has no
 * UTF-8 form. Python raises UnicodeEncodeError (a ValueError) with this
 * message; Buffer.from would silently write U+FFFD and so name another file,
 * interface or host.
 */
function checkEncodable(value: string, name: string): string {
  if (value.isWellFormed()) return value;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const paired =
      unit >= 0xd800 && unit <= 0xdbff
        ? i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00
        : !(unit >= 0xdc00 && unit <= 0xdfff);
    if (!paired) {
      const hex = unit.toString(16);
      throw argValueError(name, `'utf-8' codec can't encode character '\\u${hex}' in position ${i}: surrogates not allowed`);
    }
    if (unit >= 0xd800 && unit <= 0xdbff) i++;
  }
  return value;
}

/** A string's UTF-8 bytes for the kernel (a path, an interface or host name). */
export function utf8Bytes(value: string, name: string): Buffer {
  return Buffer.from(checkEncodable(value, name), 'utf8');
}

/**
 * A Python `str` argument parsed as a C string (`s`): a string without NUL
 * characters that encodes to UTF-8. Anything else is Python's TypeError; a
 * NUL or a lone surrogate is its ValueError.
 */
export function toCString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw argTypeError(name, 'of type string', value);
  if (value.includes('\0')) throw argValueError(name, 'embedded null character');
  return checkEncodable(value, name);
}

export function isBytes(value: unknown): value is Bytes {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer;
}

/** A bytes-like argument; a string is a TypeError as in Python. */
export function toBytes(value: unknown, name: string): Bytes {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (value instanceof SharedArrayBuffer) return new Uint8Array(value);
  throw argTypeError(name, 'a bytes-like object (Buffer, TypedArray, DataView or ArrayBuffer)', value);
}

/** recv's and recvfrom's `bufsize` (and their twins'): a size a Buffer can have. */
export function bufsizeOf(bufsize: unknown, caller: string): number {
  const size = toSize(bufsize, 'bufsize');
  if (size < 0) throw argValueError('bufsize', `negative buffersize in ${caller}`);
  if (size > MAX_BUFFER) throw argRangeError('bufsize', `<= ${MAX_BUFFER} (the largest Buffer)`, bufsize);
  return size;
}

/** recv_into's and recvfrom_into's `nbytes` (and their twins'): how much of `buf` to fill, all of it when 0 or not given. */
export function intoLength(buf: Bytes, nbytes: unknown, caller: 'recv_into' | 'recvfrom_into'): number {
  const len = buf.byteLength;
  if (nbytes === undefined) return len;
  const n = toSize(nbytes, 'nbytes');
  if (n < 0) throw argValueError('nbytes', `negative buffersize in ${caller}`);
  if (n > len) {
    throw argValueError('nbytes', caller === 'recv_into' ? 'buffer too small for requested bytes' : 'nbytes is greater than the length of the buffer');
  }
  return n === 0 ? len : n;
}

/**
 * sendto's flags, from how many arguments it got: `(data, address)` has
 * none, `(data, flags, address)` has `flags`; any other count is Python's
 * TypeError.
 */
export function sendtoFlags(count: number, flags: unknown): number {
  if (count === 2) return 0;
  if (count === 3) return toCInt(flags, 'flags');
  const e = new TypeError(`sendto() takes 2 or 3 arguments (${count} given)`) as TypeError & { code: string };
  e.code = 'ERR_MISSING_ARGS';
  throw e;
}

/**
 * Whether a trailing argument is an options object (an async twin's
 * `{ signal }`, makefile's options): a plain object, not an address array,
 * a bytes-like object or an iterable of buffers.
 */
export function isOptions(v: unknown): v is { readonly [key: string]: unknown } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof ArrayBuffer) &&
    !(v instanceof SharedArrayBuffer) &&
    typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  );
}

/** Python's timeout values: null, or a non-negative number of seconds. */
export function toTimeout(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw argTypeError('timeout', 'of type number or null', value);
  }
  const n = Number(value);
  if (Number.isNaN(n)) throw argValueError('timeout', 'Invalid value NaN (not a number)');
  if (n < 0) throw argValueError('timeout', 'Timeout value out of range');
  // Python keeps timeouts as int64 nanoseconds.
  if (n > 9223372036) throw argRangeError('timeout', '<= 9223372036 seconds', value);
  // Rounded up to a whole nanosecond as Python rounds it (1e-10 is kept as
  // 1e-9; -0 becomes 0).
  return Math.ceil(n * 1e9) / 1e9 + 0;
}
