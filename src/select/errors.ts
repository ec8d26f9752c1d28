// The select and selectors modules' errors beyond bsdsock's own.
/**
 * Python's `KeyError`, raised where Python raises it: `unregister` of a
 * descriptor a `poll` object does not hold (`key` is that descriptor), and
 * the selectors' `register` of a file object already registered and
 * `unregister`/`modify`/`get_key` of one that is not (`key` is the file
 * object). `message` is Python's text (`<socket fd=5, ...> is not registered`).
 */
export class KeyError extends Error {
  /** The key that was missing or already present. */
  readonly key: unknown;

  constructor(key: unknown, message: string) {
    super(message);
    this.key = key;
  }

  override get name(): string {
    return 'KeyError';
  }
}

/** Python's RuntimeError for a call on a closed selector: an Error with code ERR_INVALID_STATE. */
export function selectorClosed(): Error {
  const e = new Error('Selector is closed') as Error & { code: string };
  e.code = 'ERR_INVALID_STATE';
  return e;
}
