// Descriptors out of caller values, the two ways Python reads them: the
// select module's (an int, or an object whose fileno() returns one) and
// the selectors module's (the same, with every failure a ValueError
// "Invalid file object").
import { inspect } from 'node:util';
import { argRangeError, argTypeError, argValueError } from '../errors';

const FD_EXPECTED = 'an integer or an object with a fileno() method';

/** An integer number or bigint as a number; undefined for anything else (booleans included). */
function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** Calls `value.fileno()` the one time; what it returns, or undefined when there is no such method. */
function callFileno(value: unknown): { result: unknown } | undefined {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return undefined;
  const method = (value as { fileno?: unknown }).fileno;
  if (typeof method !== 'function') return undefined;
  return { result: Reflect.apply(method, value, []) };
}

/**
 * The select module's reading of a descriptor argument: an integer, or an
 * object whose `fileno()` returns one. A negative result is Python's
 * ValueError, one beyond a C int its OverflowError; errors thrown by
 * `fileno()` itself reach the caller unchanged.
 */
export function toSelectFd(value: unknown, name: string): number {
  let fd = integerOf(value);
  if (fd === undefined) {
    const called = callFileno(value);
    if (called === undefined) throw argTypeError(name, FD_EXPECTED, value);
    fd = integerOf(called.result);
    if (fd === undefined) {
      throw argTypeError(name, 'an object whose fileno() returns an integer (its fileno() returned a non-integer)', called.result);
    }
  }
  if (fd < -2147483648 || fd > 2147483647) throw argRangeError(name, '>= 0 and <= 2147483647', fd);
  if (fd < 0) throw argValueError(name, `file descriptor cannot be a negative integer (${fd})`);
  return fd;
}

/** Python's repr() of a file object, for the selectors' messages. */
export function describeFileobj(value: unknown): string {
  try {
    return inspect(value, { depth: 0, breakLength: Infinity });
  } catch {
    // Deno's inspect (and Object.prototype.toString) throw on a revoked Proxy.
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '<unprintable object>';
    }
  }
}

/**
 * The selectors module's reading of a file object: an integer descriptor,
 * or an object whose `fileno()` returns one. No method, a `fileno()` that
 * throws a TypeError (Python's TypeError and ValueError both are one here)
 * or returns a non-integer: ValueError "Invalid file object"; a negative
 * descriptor: ValueError "Invalid file descriptor". Other errors thrown by
 * `fileno()` reach the caller unchanged.
 */
export function fileobjToFd(fileobj: unknown): number {
  let fd = integerOf(fileobj);
  if (fd === undefined) {
    let called: { result: unknown } | undefined;
    try {
      called = callFileno(fileobj);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
    }
    fd = called === undefined ? undefined : integerOf(called.result);
    if (fd === undefined) throw argValueError('fileobj', `Invalid file object: ${describeFileobj(fileobj)}`);
  }
  if (fd < 0) throw argValueError('fileobj', `Invalid file descriptor: ${fd}`);
  return fd;
}
