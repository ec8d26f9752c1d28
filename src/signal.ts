// AbortSignal, read through the standard's own accessors. A twin's signal
// is the caller's object: its own properties may be replaced (a getter
// for `aborted` that throws, an `addEventListener` that throws), and a
// throw in the middle of a twin's bookkeeping would leave a call queued
// with no Promise anyone holds, which would then take data no one gets.
// The prototype's accessors ignore such overrides, and they throw at once
// for an object that only claims to be a signal (one made with
// `Object.create(AbortSignal.prototype)`), which is then refused as an
// argument.
import { argTypeError } from './errors';

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;
const reasonGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'reason')!.get!;
const addListener = EventTarget.prototype.addEventListener;
const removeListener = EventTarget.prototype.removeEventListener;
const ONCE = { once: true };

/** What an abort listener may be: a function, or an object with handleEvent. */
type AbortListener = (() => void) | { handleEvent(): void };

/** Whether `signal` (checked by {@link checkSignal}; none: false) has aborted. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal !== undefined && (Reflect.apply(abortedGetter, signal, []) as boolean);
}

/** Why `signal` aborted. */
export function abortReason(signal: AbortSignal): unknown {
  return Reflect.apply(reasonGetter, signal, []);
}

/** Calls `listener` (a function or an object with handleEvent) once when `signal` aborts. */
export function onAbort(signal: AbortSignal, listener: AbortListener): void {
  Reflect.apply(addListener, signal, ['abort', listener, ONCE]);
}

/** Undoes {@link onAbort}. */
export function offAbort(signal: AbortSignal, listener: AbortListener): void {
  Reflect.apply(removeListener, signal, ['abort', listener]);
}

/** `value` as a signal option: undefined, or a real AbortSignal (TypeError otherwise). */
export function checkSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw argTypeError(name, 'an instance of AbortSignal', value);
  try {
    isAborted(value);
  } catch {
    throw argTypeError(name, 'an AbortSignal made by an AbortController or by AbortSignal.timeout() or .any()', value);
  }
  return value;
}
