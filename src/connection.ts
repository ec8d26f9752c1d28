// Lib/socket.py's convenience layer: create_connection (and its async
// twin, with optional Happy Eyeballs) and create_server.
import { inspect } from 'node:util';
import { resolveHostAsync, type AsyncOptions } from './async';
import { argRangeError, argTypeError, argValueError, OSError } from './errors';
import { has_dualstack_ipv6 } from './interfaces';
import { binding } from './native';
import { getaddrinfo, getaddrinfoAsync, type AddrInfo } from './resolver';
import { type Address, type AddressArg, Socket } from './socket';

const C = binding.constants;

/**
 * Python's `ExceptionGroup`: several errors raised together, in order.
 * `create_connection(..., { all_errors: true })` raises one with the error of
 * each attempt. `errors` (and Python's name for it, `exceptions`) lists them.
 */
export class ExceptionGroup extends AggregateError {
  constructor(message: string, errors: Iterable<unknown>) {
    super(errors, message);
  }

  /** `'ExceptionGroup'`, Python's name for the class. */
  override get name(): string {
    return 'ExceptionGroup';
  }

  /** Python's attribute name for {@link AggregateError.errors}. */
  get exceptions(): unknown[] {
    return this.errors;
  }

  override toString(): string {
    const n = this.errors.length;
    return `${this.name}: ${this.message} (${n} sub-exception${n === 1 ? '' : 's'})`;
  }
}

/** Keyword-only options of {@link create_connection}. */
export interface CreateConnectionOptions {
  /** Raise an ExceptionGroup of every attempt's error instead of the last one. */
  all_errors?: boolean;
}

/** Options of {@link create_connectionAsync}: Python's, the signal, and Happy Eyeballs. */
export interface CreateConnectionAsyncOptions extends CreateConnectionOptions, AsyncOptions {
  /**
   * Beyond Python (as asyncio's `happy_eyeballs_delay`): start the next
   * address's attempt after this many seconds without waiting for the
   * previous one to fail, and keep the first connection that succeeds
   * (RFC 8305; 0.25 is the recommended value). Not set: one at a time.
   */
  happy_eyeballs_delay?: number;
  /**
   * Beyond Python (asyncio's `interleave`): reorder the addresses so that
   * families alternate, this many of the first family first. 0 (or not
   * set) keeps getaddrinfo's order; with `happy_eyeballs_delay` the default
   * is 1. A non-negative integer.
   */
  interleave?: number;
}

/** Python's `host, port = address`: a sequence of exactly two items. */
function splitAddress(address: unknown): [unknown, unknown] {
  // Python's TypeError: cannot unpack a non-iterable object.
  if (!Array.isArray(address)) throw argTypeError('address', 'an array [host, port]', address);
  // Python's ValueError, with the unpacking message.
  if (address.length < 2) throw argValueError('address', `not enough values to unpack (expected 2, got ${address.length})`);
  if (address.length > 2) throw argValueError('address', 'too many values to unpack (expected 2)');
  return [address[0], address[1]];
}

function checkTimeout(timeout: unknown): void {
  if (timeout !== undefined && timeout !== null && typeof timeout !== 'number') {
    throw argTypeError('timeout', 'of type number or null', timeout);
  }
}

function checkOptions(options: unknown): CreateConnectionAsyncOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw argTypeError('options', 'of type object', options);
  return options as CreateConnectionAsyncOptions;
}

/** The longest delay a Node timer takes, in seconds. */
const MAX_DELAY = 2147483.647;

/** asyncio's `happy_eyeballs_delay`: null or left out for none, else non-negative seconds. */
function checkDelay(delay: unknown): number | undefined {
  if (delay === undefined || delay === null) return undefined;
  if (typeof delay !== 'number') throw argTypeError('happy_eyeballs_delay', 'of type number or null', delay);
  if (!(delay >= 0)) throw argValueError('happy_eyeballs_delay', 'must be a non-negative number of seconds');
  // Beyond a timer's range (setTimeout would fire at once).
  if (delay > MAX_DELAY) throw argRangeError('happy_eyeballs_delay', `<= ${MAX_DELAY} seconds`, delay);
  return delay;
}

/**
 * asyncio's `interleave`: a non-negative integer (0: getaddrinfo's order);
 * left out, 1 with Happy Eyeballs and 0 without, as asyncio defaults it.
 */
function checkInterleave(value: unknown, happyEyeballs: boolean): number {
  if (value === undefined || value === null) return happyEyeballs ? 1 : 0;
  let n: number;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else throw argTypeError('interleave', 'an integer', value);
  if (n < 0 || !Number.isSafeInteger(n)) throw argRangeError('interleave', '>= 0 and <= 9007199254740991', value);
  return n;
}

/** Opens the socket of one getaddrinfo entry, with the timeout and source address set. */
function openFor(entry: AddrInfo, timeout: number | null | undefined, source: unknown): Socket {
  const [af, socktype, proto] = entry;
  const sock = new Socket(af, socktype, proto);
  try {
    // undefined is Python's _GLOBAL_DEFAULT_TIMEOUT: keep the default.
    if (timeout !== undefined) sock.settimeout(timeout);
    if (isSourceAddress(source)) sock.bind(source as Address);
  } catch (e) {
    sock.close();
    throw e;
  }
  return sock;
}

function isSourceAddress(source: unknown): boolean {
  // Python tests it for truth: null and an empty array mean "none".
  return source !== undefined && source !== null && !(Array.isArray(source) && source.length === 0) && source !== '';
}

function failure(errors: unknown[], allErrors: boolean): unknown {
  if (errors.length === 0) return new OSError('getaddrinfo returns an empty list');
  if (!allErrors) return errors[errors.length - 1];
  return new ExceptionGroup('create_connection failed', errors);
}

/**
 * Connects to a TCP service at `address` (`[host, port]`), trying every
 * address getaddrinfo gives for it in order, and returns the first socket
 * that connects. `timeout` (seconds, or null for blocking) applies to each
 * socket; left out, the module's default timeout does. `source_address`
 * (`[host, port]`) is bound first. When every attempt fails, raises the last
 * error, or with `all_errors` an {@link ExceptionGroup} of all of them.
 */
export function create_connection(
  address: [string | null, number | string],
  timeout?: number | null,
  source_address?: AddressArg | null,
  options?: CreateConnectionOptions,
): Socket {
  const [host, port] = splitAddress(address);
  checkTimeout(timeout);
  const { all_errors = false } = checkOptions(options);
  const errors: unknown[] = [];
  for (const entry of getaddrinfo(host as string, port as number, 0, C.SOCK_STREAM)) {
    let sock: Socket | null = null;
    try {
      sock = openFor(entry, timeout, source_address);
      sock.connect(entry[4]);
      return sock;
    } catch (e) {
      if (!(e instanceof OSError)) {
        sock?.close();
        throw e;
      }
      if (!all_errors) errors.length = 0;
      errors.push(e);
      sock?.close();
    }
  }
  throw failure(errors, all_errors);
}

/** RFC 8305's interleaving: alternate families, `first` of the first family at the head. */
function interleave(entries: AddrInfo[], first: number): AddrInfo[] {
  const byFamily = new Map<number, AddrInfo[]>();
  for (const e of entries) {
    const list = byFamily.get(e[0]) ?? [];
    list.push(e);
    byFamily.set(e[0], list);
  }
  const lists = [...byFamily.values()];
  const out: AddrInfo[] = [];
  if (first > 1) out.push(...lists[0].splice(0, first - 1));
  while (lists.some((l) => l.length > 0)) {
    for (const l of lists) {
      const e = l.shift();
      if (e !== undefined) out.push(e);
    }
  }
  return out;
}

/**
 * Promise twin of {@link create_connection}: resolves names on the thread
 * pool and connects through the async machinery, never blocking the event
 * loop. With `happy_eyeballs_delay`, attempts overlap as RFC 8305 describes.
 */
export async function create_connectionAsync(
  address: [string | null, number | string],
  timeout?: number | null | CreateConnectionAsyncOptions,
  source_address?: AddressArg | null | CreateConnectionAsyncOptions,
  options?: CreateConnectionAsyncOptions,
): Promise<Socket> {
  // The options object may stand in any optional position.
  if (typeof timeout === 'object' && timeout !== null) [options, timeout, source_address] = [timeout, undefined, undefined];
  else if (typeof source_address === 'object' && source_address !== null && !Array.isArray(source_address) && !ArrayBuffer.isView(source_address)) {
    [options, source_address] = [source_address as CreateConnectionAsyncOptions, undefined];
  }
  const [host, port] = splitAddress(address);
  checkTimeout(timeout);
  const opts = checkOptions(options);
  const allErrors = opts.all_errors ?? false;
  const signal = opts.signal;
  const delay = checkDelay(opts.happy_eyeballs_delay);
  const interleaveCount = checkInterleave(opts.interleave, delay !== undefined);
  let entries = await getaddrinfoAsync(host as string, port as number, 0, C.SOCK_STREAM, 0, 0, { signal });
  // source_address resolved on the thread pool, once per family.
  const sources = new Map<number, Promise<unknown>>();
  const sourceFor = (family: number): Promise<unknown> => {
    if (!isSourceAddress(source_address)) return Promise.resolve(source_address);
    let p = sources.get(family);
    if (p === undefined) {
      p = resolveHostAsync(family, source_address, signal);
      sources.set(family, p);
    }
    return p;
  };
  const errors: unknown[] = [];
  const attempt = async (entry: AddrInfo, sockets: Set<Socket>, live: () => boolean = () => true): Promise<Socket> => {
    const source = await sourceFor(entry[0]);
    // Settled while the source address was being resolved: open nothing.
    if (!live()) throw new Error('attempt cancelled');
    const sock = openFor(entry, timeout as number | null | undefined, source);
    sockets.add(sock);
    try {
      await sock.connectAsync(entry[4], { signal });
      sockets.delete(sock);
      return sock;
    } catch (e) {
      sockets.delete(sock);
      sock.close();
      throw e;
    }
  };
  if (interleaveCount > 0) entries = interleave(entries, interleaveCount);
  if (delay === undefined) {
    for (const entry of entries) {
      try {
        return await attempt(entry, new Set());
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        if (!allErrors) errors.length = 0;
        errors.push(e);
      }
    }
    throw failure(errors, allErrors);
  }
  return happyEyeballs(entries, delay, attempt, allErrors, signal);
}

/** Staggered attempts: the next starts when the previous fails or after `delay`; the first connection wins. */
function happyEyeballs(
  entries: AddrInfo[],
  delay: number,
  attempt: (entry: AddrInfo, sockets: Set<Socket>, live: () => boolean) => Promise<Socket>,
  allErrors: boolean,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const sockets = new Set<Socket>();
    const errors: unknown[] = new Array(entries.length);
    let next = 0;
    let running = 0;
    let done = false;
    let timer: NodeJS.Timeout | null = null;
    const onAbort = () => finish(signal!.reason);
    const finish = (err: unknown, sock?: Socket) => {
      if (done) return;
      done = true;
      if (timer !== null) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // Losers are closed; their pending connects reject and are ignored.
      for (const s of sockets) s.close();
      sockets.clear();
      if (sock !== undefined) resolve(sock);
      else reject(err);
    };
    const startNext = () => {
      if (done) return;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (next >= entries.length) {
        if (running === 0) {
          const got = errors.filter((e) => e !== undefined);
          finish(failure(allErrors ? got : got.slice(-1), allErrors));
        }
        return;
      }
      const i = next++;
      running++;
      attempt(entries[i], sockets, () => !done).then(
        (sock) => {
          running--;
          if (done) sock.close();
          else finish(null, sock);
        },
        (e: unknown) => {
          running--;
          if (done) return;
          if (!(e instanceof OSError)) return finish(e);
          errors[i] = e;
          startNext();
        },
      );
      if (next < entries.length) timer = setTimeout(startNext, delay * 1000);
    };
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    startNext();
  });
}

/** Keyword-only options of {@link create_server}. */
export interface CreateServerOptions {
  /** AF_INET (default) or AF_INET6. */
  family?: number;
  /** listen() backlog; left out, listen()'s default. */
  backlog?: number | null;
  /** Set SO_REUSEPORT, so several servers can share the port. */
  reuse_port?: boolean;
  /** With AF_INET6, also accept IPv4 connections (IPV6_V6ONLY off). */
  dualstack_ipv6?: boolean;
}

/**
 * Creates a TCP server socket bound to `address` and listening: SO_REUSEADDR
 * is set (POSIX), SO_REUSEPORT with `reuse_port`, and with AF_INET6 the
 * socket is IPv6-only unless `dualstack_ipv6` asks for IPv4 clients too.
 * A failed bind raises an OSError whose message names the address.
 */
export function create_server(address: AddressArg, options?: CreateServerOptions): Socket {
  const opts = (options ?? {}) as CreateServerOptions;
  if (typeof opts !== 'object') throw argTypeError('options', 'of type object', options);
  const family = opts.family ?? C.AF_INET;
  const { backlog = null, reuse_port = false, dualstack_ipv6 = false } = opts;
  if (reuse_port && C.SO_REUSEPORT === undefined) throw argValueError('reuse_port', 'SO_REUSEPORT not supported on this platform');
  if (dualstack_ipv6) {
    if (!has_dualstack_ipv6()) throw argValueError('dualstack_ipv6', 'dualstack_ipv6 not supported on this platform');
    if (family !== C.AF_INET6) throw argValueError('dualstack_ipv6', 'dualstack_ipv6 requires AF_INET6 family');
  }
  const sock = new Socket(family, C.SOCK_STREAM);
  try {
    try {
      sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
    } catch (e) {
      // Left for bind() to report, on platforms without the option.
      if (!(e instanceof OSError)) throw e;
    }
    if (reuse_port) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
    if (family === C.AF_INET6) sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, dualstack_ipv6 ? 0 : 1);
    try {
      sock.bind(address);
    } catch (e) {
      if (!(e instanceof OSError) || e.errno === null) throw e;
      throw new OSError(e.errno, `${e.strerror} (while attempting to bind on address ${formatAddress(address)})`, { syscall: 'bind' });
    }
    if (backlog === null || backlog === undefined) sock.listen();
    else sock.listen(backlog);
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}

function formatAddress(a: unknown): string {
  if (typeof a === 'string') return `'${a}'`;
  if (Array.isArray(a)) return `[${a.map(formatAddress).join(', ')}]`;
  return inspect(a);
}
