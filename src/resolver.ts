// The resolver functions of Python's socket module: getaddrinfo,
// getnameinfo, gethostbyname(_ex), gethostbyaddr, getfqdn, gethostname,
// sethostname, getprotobyname, getservbyname, getservbyport.
//
// Each function that can wait on a resolver has an `Async` twin whose
// lookups run on libuv's thread pool. The steps of a function (CPython's
// setipaddr, then gethostbyname_r, ...) are written once, as a generator
// that yields the native calls it needs; a synchronous driver makes them
// blocking, an asynchronous one awaits them.
import { constants as osConstants } from 'node:os';
import { domainToASCII } from 'node:url';
import { argRangeError, argTypeError, argValueError, fromEai, fromErrno, fromHerrno, OSError, plainOSError } from './errors';
import { binding, isLookupFailure, type Bytes, type CString, type EaiFailure, type HerrnoFailure, type NativeAddrInfo, type NativeHost } from './native';
import { bytesOf, isBytes, isOptions, toCInt, toCString, toInteger, utf8Bytes } from './validate';
import { abortReason, checkSignal, isAborted, offAbort, onAbort } from './signal';

const C = binding.constants;

/** An address as getaddrinfo returns it: `[host, port]` or `[host, port, flowinfo, scope_id]`. */
export type AddrInfoAddress = [string, number] | [string, number, number, number];
/** One getaddrinfo entry: `[family, type, proto, canonname, sockaddr]`, in Python's order. */
export type AddrInfo = [family: number, type: number, proto: number, canonname: string, sockaddr: AddrInfoAddress];
/** `[hostname, aliaslist, ipaddrlist]`, as gethostbyname_ex and gethostbyaddr return it. */
export type HostEntry = [hostname: string, aliaslist: string[], ipaddrlist: string[]];
/** A host argument: a string (encoded with IDNA, as Python does) or raw bytes. */
export type HostArg = string | Bytes;
/** A port argument of getaddrinfo: a number, a service name, raw bytes, or null. */
export type PortArg = number | bigint | string | Bytes | null;

/** The options every resolver twin takes as its optional last argument. */
export interface ResolverOptions {
  /** Aborting rejects the call with `signal.reason`; the lookup's result is dropped. */
  signal?: AbortSignal;
}

// ---- arguments ----

const IDNA_DOTS = /[.\u3002\uff0e\uff61]/;

function idnaFailure(reason: string): TypeError {
  return argValueError('host', `encoding with 'idna' codec failed (UnicodeError: ${reason})`);
}

/**
 * Python's `str.encode('idna')` (IDNA 2003, RFC 3490): ASCII names pass
 * through with their label lengths checked; other labels are converted to
 * their `xn--` form. For non-ASCII labels the conversion is Node's (UTS #46),
 * which agrees with Python's nameprep for common names.
 */
export function idnaEncode(host: string): Buffer {
  if (host === '') return Buffer.alloc(0);
  if (/^\p{ASCII}*$/u.test(host)) {
    const labels = host.split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      if (labels[i].length === 0 || labels[i].length >= 64) throw idnaFailure('label empty or too long');
    }
    if (labels[labels.length - 1].length >= 64) throw idnaFailure('label too long');
    return Buffer.from(host, 'latin1');
  }
  const labels = host.split(IDNA_DOTS);
  let trailingDot = '';
  if (labels.length > 0 && labels[labels.length - 1] === '') {
    trailingDot = '.';
    labels.pop();
  }
  const out: string[] = [];
  for (const label of labels) {
    let ascii = label;
    if (!/^\p{ASCII}*$/u.test(label)) {
      if (/\p{Cs}/u.test(label) || label.includes('.')) throw idnaFailure('invalid label');
      ascii = domainToASCII(label);
      if (ascii === '' || ascii.includes('.')) throw idnaFailure(`invalid label ${JSON.stringify(label)}`);
    }
    if (ascii.length === 0 || ascii.length >= 64) throw idnaFailure('label empty or too long');
    out.push(ascii);
  }
  return Buffer.from(out.join('.') + trailingDot, 'latin1');
}

/** The host of gethostbyname & co (Python's `et` format with 'idna'). */
function hostName(value: unknown, name: string): Buffer {
  let b: Buffer;
  if (typeof value === 'string') b = idnaEncode(value);
  else if (isBytes(value)) b = bytesOf(value);
  else throw argTypeError(name, 'of type string or a bytes-like object', value);
  if (b.includes(0)) {
    // Python raises TypeError here ("encoded string without null bytes").
    throw argTypeError(name, 'a string without null characters', value);
  }
  return b;
}

function gaiHost(value: unknown): Buffer | null {
  if (value === null) return null;
  if (typeof value === 'string') return idnaEncode(value);
  if (isBytes(value)) return bytesOf(value);
  throw argTypeError('host', 'of type string, a bytes-like object or null', value);
}

function gaiPort(value: unknown): CString | null {
  if (value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return toCString(value, 'port');
  if (isBytes(value)) return bytesOf(value);
  if (value === undefined) throw argTypeError('port', 'a number, a string, a bytes-like object or null', value);
  throw plainOSError('Int or String expected');
}

/** Optional int arguments (family, type, proto, flags): 0 when not given. */
function optInt(value: unknown, name: string): number {
  return value === undefined ? 0 : toCInt(value, name);
}

/** An optional protocol name of getservbyname/getservbyport (Python's `|s`). */
function optProto(value: unknown): string | null {
  return value === undefined ? null : toCString(value, 'protocolname');
}

/** True for a plain options object (not null, an array, or bytes). */
/** Splits a twin's arguments into positional ones and its options object. */
function splitOptions(args: unknown[], positional: number): [unknown[], ResolverOptions] {
  let options: unknown;
  if (args.length > positional) {
    options = args[positional];
    args = args.slice(0, positional);
  } else if (args.length > 0 && isOptions(args[args.length - 1])) {
    options = args[args.length - 1];
    args = args.slice(0, -1);
  }
  if (options === undefined) return [args, {}];
  if (!isOptions(options)) throw argTypeError('options', 'of type object', options);
  return [args, { signal: checkSignal(options.signal, 'options.signal') }];
}

// ---- the native calls a step can need, run blocking or on the pool ----

type Call =
  | { op: 'gai'; args: [CString | null, CString | null, number, number, number, number] }
  | { op: 'gni'; family: number; address: AddrInfoAddress; flags: number }
  | { op: 'byname'; name: Buffer }
  | { op: 'byaddr'; packed: Buffer; family: number };

type Steps<T> = Generator<Call, T, unknown>;

function callSync(c: Call): unknown {
  switch (c.op) {
    case 'gai':
      return binding.getaddrinfo(...c.args);
    case 'gni':
      return binding.getnameinfo(c.family, c.address, c.flags);
    case 'byname':
      return binding.gethostbyname_ex(c.name);
    case 'byaddr':
      return binding.gethostbyaddr(c.packed, c.family);
  }
}

// Promise.resolve: a binding refusing its arguments returns -EINVAL at once.
function callAsync(c: Call): Promise<unknown> {
  switch (c.op) {
    case 'gai':
      return Promise.resolve(binding.getaddrinfo_async(...c.args));
    case 'gni':
      return Promise.resolve(binding.getnameinfo_async(c.family, c.address, c.flags));
    case 'byname':
      return Promise.resolve(binding.gethostbyname_ex_async(c.name));
    case 'byaddr':
      return Promise.resolve(binding.gethostbyaddr_async(c.packed, c.family));
  }
}

function runSync<T>(steps: Steps<T>): T {
  let r = steps.next();
  while (!r.done) r = steps.next(callSync(r.value));
  return r.value;
}

/** Settles with `p`, or rejects with the signal's reason as soon as it aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return p;
  if (isAborted(signal)) {
    p.catch(() => {});
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const aborted = (): void => reject(abortReason(signal));
    onAbort(signal, aborted);
    p.then(
      (v) => {
        offAbort(signal, aborted);
        resolve(v);
      },
      (e) => {
        offAbort(signal, aborted);
        reject(e);
      },
    );
  });
}

async function runAsync<T>(steps: Steps<T>, signal: AbortSignal | undefined): Promise<T> {
  if (isAborted(signal)) throw abortReason(signal!);
  let r = steps.next();
  while (!r.done) {
    const value = await abortable(callAsync(r.value), signal);
    r = steps.next(value);
  }
  return r.value;
}

/** The answer of a getaddrinfo/getnameinfo call; its EAI failure or -errno thrown. */
function eaiAnswer<T>(r: unknown, syscall: string): T {
  if (typeof r === 'number' || isLookupFailure(r)) {
    const e = fromEai(r as EaiFailure | number);
    e.syscall = syscall;
    throw e;
  }
  return r as T;
}

// ---- CPython's setipaddr ----

interface IpAddr {
  family: number;
  packed: Buffer;
  text: string;
}

function packedOf(family: number, text: string): IpAddr {
  const zone = text.indexOf('%');
  const plain = zone < 0 ? text : text.slice(0, zone);
  const packed = binding.inet_pton(family, plain);
  if (!Buffer.isBuffer(packed)) throw plainOSError('unknown address family');
  return { family, packed, text: plain };
}

/**
 * A host name or numeric string as one IP address, as CPython's setipaddr
 * finds it: '' is the wildcard, '<broadcast>' and '255.255.255.255' the
 * broadcast address, numeric forms skip the resolver, and anything else is
 * the first getaddrinfo answer.
 */
function* setipaddr(name: Buffer, af: number): Steps<IpAddr> {
  if (name.length === 0) {
    const list = eaiAnswer<NativeAddrInfo[]>(yield { op: 'gai', args: [null, '0', af, C.SOCK_DGRAM, 0, C.AI_PASSIVE] }, 'getaddrinfo');
    const fam = list[0][0];
    if (fam !== C.AF_INET && fam !== C.AF_INET6) throw plainOSError('unsupported address family');
    if (list.length > 1) throw plainOSError('wildcard resolved to multiple address');
    return packedOf(fam, (list[0][4] as [string])[0]);
  }
  const text = name.toString('latin1');
  if (text === '255.255.255.255' || text === '<broadcast>') {
    if (af !== C.AF_INET && af !== C.AF_UNSPEC) throw plainOSError('address family mismatched');
    return { family: C.AF_INET, packed: Buffer.from([255, 255, 255, 255]), text: '255.255.255.255' };
  }
  if (af === C.AF_UNSPEC || af === C.AF_INET) {
    const p = binding.inet_pton(C.AF_INET, name);
    if (Buffer.isBuffer(p)) return { family: C.AF_INET, packed: p, text: binding.inet_ntop(C.AF_INET, p) as string };
  }
  if ((af === C.AF_UNSPEC || af === C.AF_INET6) && !name.includes(0x25 /* % */)) {
    const p = binding.inet_pton(C.AF_INET6, name);
    if (Buffer.isBuffer(p)) return { family: C.AF_INET6, packed: p, text: binding.inet_ntop(C.AF_INET6, p) as string };
  }
  const r = eaiAnswer<NativeAddrInfo[]>(yield { op: 'gai', args: [name, null, af, 0, 0, 0] }, 'getaddrinfo');
  const [fam, , , , addr] = r[0];
  if (fam !== C.AF_INET && fam !== C.AF_INET6) throw plainOSError('unknown address family');
  return packedOf(fam, (addr as [string])[0]);
}

/** CPython's gethost_common: the hostent as [name, aliases, addresses]. */
function hostEntry(r: unknown, family: number, syscall: string): HostEntry {
  if (typeof r === 'number' || isLookupFailure(r)) throw fromHerrno(r as HerrnoFailure | number, syscall);
  const [name, aliases, addrtype, addrs] = r as NativeHost;
  if (addrtype !== family) throw fromErrno(osConstants.errno.EAFNOSUPPORT, syscall);
  return [name, aliases, addrs];
}

// ---- getaddrinfo ----

function* getaddrinfoSteps(host: unknown, port: unknown, family: unknown, type: unknown, proto: unknown, flags: unknown): Steps<AddrInfo[]> {
  const f = optInt(family, 'family');
  const t = optInt(type, 'type');
  const p = optInt(proto, 'proto');
  const fl = optInt(flags, 'flags');
  const h = gaiHost(host);
  const s = gaiPort(port);
  const r = eaiAnswer<NativeAddrInfo[]>(yield { op: 'gai', args: [h, s, f, t, p, fl] }, 'getaddrinfo');
  return r.map(([fam, socktype, protocol, canon, addr]) => {
    let sockaddr = addr as AddrInfoAddress;
    if (fam === C.AF_INET6 && Array.isArray(addr) && typeof addr[0] === 'string' && addr[0].includes('%')) {
      // Python reports the zone in scope_id only, never in the host text.
      sockaddr = [addr[0].slice(0, addr[0].indexOf('%')), ...addr.slice(1)] as AddrInfoAddress;
    }
    return [fam, socktype, protocol, canon, sockaddr];
  });
}

/**
 * Python's `socket.getaddrinfo(host, port, family=0, type=0, proto=0, flags=0)`:
 * resolves `host` and `port` into `[family, type, proto, canonname, sockaddr]`
 * entries, in the order the C library returns them.
 *
 * `host` is a name or numeric address (a string is IDNA-encoded; bytes are
 * passed as they are) or `null`; `port` is a number, a service name, bytes,
 * or `null`. Failures raise `gaierror` with `errno` an `EAI_*` constant.
 * Blocks the calling thread; see {@link getaddrinfoAsync}.
 */
export function getaddrinfo(
  host: HostArg | null,
  port: PortArg,
  family?: number,
  type?: number,
  proto?: number,
  flags?: number,
): AddrInfo[] {
  return runSync(getaddrinfoSteps(host, port, family, type, proto, flags));
}

/** {@link getaddrinfo} as a Promise; the lookup runs on libuv's thread pool. */
export function getaddrinfoAsync(host: HostArg | null, port: PortArg, options?: ResolverOptions): Promise<AddrInfo[]>;
export function getaddrinfoAsync(
  host: HostArg | null,
  port: PortArg,
  family?: number,
  type?: number,
  proto?: number,
  flags?: number,
  options?: ResolverOptions,
): Promise<AddrInfo[]>;
export async function getaddrinfoAsync(...args: unknown[]): Promise<AddrInfo[]> {
  const [a, o] = splitOptions(args, 6);
  return runAsync(getaddrinfoSteps(a[0], a[1], a[2], a[3], a[4], a[5]), o.signal);
}

// ---- getnameinfo ----

function* getnameinfoSteps(sockaddr: unknown, flags: unknown): Steps<[string, string]> {
  const fl = toCInt(flags, 'flags');
  if (!Array.isArray(sockaddr)) throw argTypeError('sockaddr', 'an array [host, port, flowinfo?, scope_id?]', sockaddr);
  if (sockaddr.length < 2 || sockaddr.length > 4) {
    throw argTypeError('sockaddr', 'an array of 2 to 4 elements [host, port, flowinfo?, scope_id?]', sockaddr);
  }
  if (typeof sockaddr[0] !== 'string') throw argTypeError('host', 'of type string', sockaddr[0]);
  const host = toCString(sockaddr[0], 'host');
  const port = toCInt(sockaddr[1], 'port');
  // Python reads flowinfo and scope_id as C unsigned ints without a range check.
  const flowinfo = sockaddr.length > 2 ? Number(BigInt.asUintN(32, BigInt(toInteger(sockaddr[2], 'flowinfo')))) : 0;
  const scope = sockaddr.length > 3 ? Number(BigInt.asUintN(32, BigInt(toInteger(sockaddr[3], 'scope_id')))) : 0;
  if (flowinfo > 0xfffff) throw argRangeError('flowinfo', '>= 0 and <= 1048575 (getnameinfo(): flowinfo must be 0-1048575.)', sockaddr[2]);
  // CPython's recipe: the numeric host and port through getaddrinfo
  // (AI_NUMERICHOST: never a lookup), which must give one address; that
  // address, with the caller's flowinfo and scope_id, goes to getnameinfo.
  const found = eaiAnswer<NativeAddrInfo[]>(
    yield { op: 'gai', args: [host, String(port), C.AF_UNSPEC, C.SOCK_DGRAM, 0, C.AI_NUMERICHOST] },
    'getnameinfo',
  );
  if (found.length > 1) throw plainOSError('sockaddr resolved to multiple addresses');
  const [family, , , , addr] = found[0];
  const [text, number] = addr as [string, number];
  let address: AddrInfoAddress;
  if (family === C.AF_INET) {
    if (sockaddr.length !== 2) throw plainOSError('IPv4 sockaddr must be 2 tuple');
    address = [text, number];
  } else {
    address = [text, number, flowinfo, scope];
  }
  return eaiAnswer<[string, string]>(yield { op: 'gni', family, address, flags: fl }, 'getnameinfo');
}

/**
 * Python's `socket.getnameinfo(sockaddr, flags)`: the `[host, port]` names of
 * a numeric socket address (`NI_*` flags). The address must be numeric: it is
 * never resolved. Blocks the calling thread; see {@link getnameinfoAsync}.
 */
export function getnameinfo(sockaddr: AddrInfoAddress | unknown[], flags: number): [string, string] {
  return runSync(getnameinfoSteps(sockaddr, flags));
}

/** {@link getnameinfo} as a Promise; the lookup runs on libuv's thread pool. */
export function getnameinfoAsync(sockaddr: AddrInfoAddress | unknown[], flags: number, options?: ResolverOptions): Promise<[string, string]>;
export async function getnameinfoAsync(...args: unknown[]): Promise<[string, string]> {
  const [a, o] = splitOptions(args, 2);
  if (isAborted(o.signal)) throw abortReason(o.signal!);
  return runAsync(getnameinfoSteps(a[0], a[1]), o.signal);
}

// ---- gethostbyname, gethostbyname_ex, gethostbyaddr ----

function* gethostbynameSteps(hostname: unknown): Steps<string> {
  const name = hostName(hostname, 'hostname');
  const addr = yield* setipaddr(name, C.AF_INET);
  return addr.text;
}

function* gethostbynameExSteps(hostname: unknown): Steps<HostEntry> {
  const name = hostName(hostname, 'hostname');
  const addr = yield* setipaddr(name, C.AF_INET);
  const r = yield { op: 'byname', name };
  return hostEntry(r, addr.family, 'gethostbyname_ex');
}

function* gethostbyaddrSteps(ip: unknown): Steps<HostEntry> {
  const name = hostName(ip, 'ip_address');
  const addr = yield* setipaddr(name, C.AF_UNSPEC);
  const r = yield { op: 'byaddr', packed: addr.packed, family: addr.family };
  return hostEntry(r, addr.family, 'gethostbyaddr');
}

/**
 * Python's `socket.gethostbyname(hostname)`: the IPv4 address of a host as
 * a string. Numeric addresses (every form `inet_aton` takes) are returned
 * without a lookup; `''` gives `'0.0.0.0'` and `'<broadcast>'`
 * `'255.255.255.255'`. Blocks; see {@link gethostbynameAsync}.
 */
export function gethostbyname(hostname: HostArg): string {
  return runSync(gethostbynameSteps(hostname));
}

/** {@link gethostbyname} as a Promise; the lookup runs on libuv's thread pool. */
export function gethostbynameAsync(hostname: HostArg, options?: ResolverOptions): Promise<string>;
export async function gethostbynameAsync(...args: unknown[]): Promise<string> {
  const [a, o] = splitOptions(args, 1);
  return runAsync(gethostbynameSteps(a[0]), o.signal);
}

/**
 * Python's `socket.gethostbyname_ex(hostname)`: `[hostname, aliaslist,
 * ipaddrlist]` for an IPv4 host. A failed lookup raises `herror` (errno is
 * h_errno) or `gaierror`. Blocks; see {@link gethostbyname_exAsync}.
 */
export function gethostbyname_ex(hostname: HostArg): HostEntry {
  return runSync(gethostbynameExSteps(hostname));
}

/** {@link gethostbyname_ex} as a Promise; the lookup runs on libuv's thread pool. */
export function gethostbyname_exAsync(hostname: HostArg, options?: ResolverOptions): Promise<HostEntry>;
export async function gethostbyname_exAsync(...args: unknown[]): Promise<HostEntry> {
  const [a, o] = splitOptions(args, 1);
  return runAsync(gethostbynameExSteps(a[0]), o.signal);
}

/**
 * Python's `socket.gethostbyaddr(ip_address)`: `[hostname, aliaslist,
 * ipaddrlist]` for an IPv4 or IPv6 address (a name is resolved first).
 * A failed reverse lookup raises `herror`. Blocks; see {@link gethostbyaddrAsync}.
 */
export function gethostbyaddr(ip_address: HostArg): HostEntry {
  return runSync(gethostbyaddrSteps(ip_address));
}

/** {@link gethostbyaddr} as a Promise; the lookup runs on libuv's thread pool. */
export function gethostbyaddrAsync(ip_address: HostArg, options?: ResolverOptions): Promise<HostEntry>;
export async function gethostbyaddrAsync(...args: unknown[]): Promise<HostEntry> {
  const [a, o] = splitOptions(args, 1);
  return runAsync(gethostbyaddrSteps(a[0]), o.signal);
}

// ---- getfqdn ----

function fqdnName(name: unknown): string {
  if (typeof name !== 'string') throw argTypeError('name', 'of type string', name);
  const n = name.trim();
  return n === '' || n === '0.0.0.0' || n === '::' ? gethostname() : n;
}

function fqdnPick(entry: HostEntry): string {
  const [hostname, aliases] = entry;
  for (const candidate of [hostname, ...aliases]) if (candidate.includes('.')) return candidate;
  return hostname;
}

/**
 * Python's `socket.getfqdn(name='')`: a fully qualified domain name for
 * `name` (the local host when empty, `'0.0.0.0'` or `'::'`): the first of
 * gethostbyaddr's hostname and aliases that contains a dot, else its
 * hostname; `name` itself when the lookup fails. Blocks; see {@link getfqdnAsync}.
 */
export function getfqdn(name: string = ''): string {
  const n = fqdnName(name);
  let entry: HostEntry;
  try {
    entry = gethostbyaddr(n);
  } catch (e) {
    if (e instanceof OSError) return n;
    throw e;
  }
  return fqdnPick(entry);
}

/** {@link getfqdn} as a Promise; the lookup runs on libuv's thread pool. */
export function getfqdnAsync(options?: ResolverOptions): Promise<string>;
export function getfqdnAsync(name?: string, options?: ResolverOptions): Promise<string>;
export async function getfqdnAsync(...args: unknown[]): Promise<string> {
  const [a, o] = splitOptions(args, 1);
  const n = fqdnName(a[0] === undefined ? '' : a[0]);
  let entry: HostEntry;
  try {
    entry = await gethostbyaddrAsync(n, o);
  } catch (e) {
    if (e instanceof OSError) return n;
    throw e;
  }
  return fqdnPick(entry);
}

// ---- the host name ----

/** Python's `socket.gethostname()`: the host name of this machine. */
export function gethostname(): string {
  const r = binding.gethostname();
  if (typeof r === 'number') throw fromErrno(-r, 'gethostname');
  return r;
}

/**
 * Python's `socket.sethostname(name)`: sets this machine's host name (a
 * string or bytes). Needs privilege: raises `PermissionError` otherwise.
 */
export function sethostname(name: string | Bytes): void {
  let b: Buffer;
  if (typeof name === 'string') {
    if (name.includes('\0')) throw argValueError('name', 'embedded null byte');
    b = utf8Bytes(name, 'name');
  } else if (isBytes(name)) {
    b = bytesOf(name);
  } else {
    throw argTypeError('name', 'of type string or a bytes-like object', name);
  }
  const r = binding.sethostname(b);
  if (r < 0) throw fromErrno(-r, 'sethostname');
}

// ---- protocols and services ----

/** Python's `socket.getprotobyname(protocolname)`: the number of a protocol (`'tcp'` → 6). */
export function getprotobyname(protocolname: string): number {
  const r = binding.getprotobyname(toCString(protocolname, 'protocolname'));
  if (r !== null && r < 0) throw fromErrno(-r, 'getprotobyname');
  if (r === null) throw plainOSError('protocol not found');
  return r;
}

/**
 * Python's `socket.getservbyname(servicename[, protocolname])`: the port of
 * a service (`'http'` → 80); `protocolname` (`'tcp'`, `'udp'`) narrows it.
 */
export function getservbyname(servicename: string, protocolname?: string): number {
  const name = toCString(servicename, 'servicename');
  const r = binding.getservbyname(name, optProto(protocolname));
  if (r !== null && r < 0) throw fromErrno(-r, 'getservbyname');
  if (r === null) throw plainOSError('service/proto not found');
  return r;
}

/**
 * Python's `socket.getservbyport(port[, protocolname])`: the name of the
 * service on a port (80 → `'http'`); the port must be 0-65535.
 */
export function getservbyport(port: number, protocolname?: string): string {
  const p = toCInt(port, 'port');
  if (p < 0 || p > 0xffff) throw argRangeError('port', '>= 0 and <= 65535 (getservbyport: port must be 0-65535.)', port);
  const r = binding.getservbyport(p, optProto(protocolname));
  if (typeof r === 'number') throw fromErrno(-r, 'getservbyport');
  if (r === null) throw plainOSError('port/proto not found');
  return r;
}
