// What every family module shares: the shape of a family's rules, and the
// argument conversions, each one the TypeScript spelling of one of
// CPython's PyArg_ParseTuple format units.
import { argRangeError, argTypeError, argValueError } from '../errors';
import { bytesOf, isBytes, utf8Bytes } from '../validate';

/** The address must be an array (Python: a tuple); a TypeError otherwise. */
export function requireArray(address: unknown, family: string, shape: string): unknown[] {
  if (!Array.isArray(address)) throw argTypeError('address', `an array ${shape} for ${family}`, address);
  return address;
}

function integer(value: unknown, name: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw argTypeError(name, 'an integer', value);
}

/**
 * Python's unsigned format units without an overflow check ('B', 'H', 'I',
 * 'k'): any integer, kept modulo 2**bits. A non-integer is a TypeError.
 */
export function uintMask(value: unknown, bits: 8 | 16 | 32, name: string): number {
  return Number(BigInt.asUintN(bits, integer(value, name)));
}

/** Python's 'K' unit: any integer modulo 2**64, as a bigint. */
export function uint64Mask(value: unknown, name: string): bigint {
  return BigInt.asUintN(64, integer(value, name));
}

/**
 * Python's 'i' unit: an integer that fits a C int; otherwise `overflow()`
 * is thrown (Python's OverflowError, reworded by the caller).
 */
export function cInt(value: unknown, name: string, overflow: () => Error): number {
  const n = integer(value, name);
  if (n < -2147483648n || n > 2147483647n) throw overflow();
  return Number(n);
}

/**
 * Python's PyUnicode_FSConverter: a string (UTF-8 encoded) or bytes,
 * without NUL bytes. Returns the encoded bytes.
 */
export function fsName(value: unknown, name: string): Buffer {
  let bytes: Buffer;
  if (typeof value === 'string') bytes = utf8Bytes(value, name);
  else if (isBytes(value)) bytes = bytesOf(value);
  else throw argTypeError(name, 'of type string or a bytes-like object', value);
  if (bytes.includes(0)) throw argValueError(name, 'embedded null byte');
  return bytes;
}

/** A RangeError for a value Python rejects with OverflowError. */
export function overflow(name: string, range: string, value: unknown): () => RangeError {
  return () => argRangeError(name, range, value);
}

/**
 * One address family's rules, as the registry (./registry.ts) holds them.
 * `A` is the family's Python-style address (the type its sockets take and
 * return), `N` the plain form its native codec (native/family_*.c) encodes.
 */
export interface FamilyRules<A = unknown, N = unknown> {
  /** The family's `AF_*` number, or undefined where this system lacks the family (then no socket can have it). */
  readonly family: number | undefined;
  /**
   * Checks a Python-style address and returns the codec's form, throwing
   * what Python raises; `proto` is the socket's protocol, for families whose
   * address form depends on it.
   */
  toNative(address: unknown, caller: string, proto?: number): N;
  /** Never set: it only lets the registry check that `Address` covers `A`. */
  readonly address?: A;
}

/** The native codec's form of a family's rules. */
export type NativeOf<R> = R extends FamilyRules<unknown, infer N> ? N : never;
