// Python's address arguments, family by family: validation, and the
// conversion to what the native codec takes (numeric hosts, resolved here
// the way CPython's setipaddr resolves them). One entry per family.
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { argRangeError, argTypeError, argValueError, fromEai, gaierror, plainOSError, argShapeError } from './errors';
import { binding } from './native';
import { bytesOf, isBytes, toInteger, utf8Bytes } from './validate';

const C = binding.constants;

/** What a family's validator returns: the value the native codec encodes. */
export type NativeAddress = unknown;

export interface FamilyAddress {
  /** Checks a Python-style address and returns the codec's form; `proto` is the socket's protocol, for families whose address form depends on it. */
  toNative(address: unknown, caller: string, proto?: number): NativeAddress;
}

function hostString(host: unknown): string {
  if (typeof host === 'string') return host;
  if (isBytes(host)) return Buffer.from(host as Uint8Array).toString('latin1');
  throw argTypeError('host', 'of type string or a bytes-like object', host);
}

function portNumber(port: unknown, caller: string): number {
  const n = toInteger(port, 'port');
  if (n < 0 || n > 65535) throw argRangeError('port', `>= 0 and <= 65535 (${caller}(): port must be 0-65535.)`, port);
  return n;
}

/** CPython's setipaddr: '' is the wildcard, '<broadcast>' is INADDR_BROADCAST,
 * numeric forms skip the resolver, anything else goes through getaddrinfo. */
export function numericHost(host: string, family: number): string {
  if (host === '') return family === C.AF_INET6 ? '::' : '0.0.0.0';
  if (host === '<broadcast>') {
    if (family !== C.AF_INET) throw plainOSError('address family mismatched');
    return '255.255.255.255';
  }
  if (family === C.AF_INET ? isIPv4(host) : isIPv6(host) && !host.includes('%')) return host;
  if (host.includes('\0')) throw argValueError('host', 'embedded null character');
  let name = host;
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    if (ascii === '') throw argValueError('host', 'encoding with \'idna\' codec failed');
    name = ascii;
  }
  const res = binding.getaddrinfo(name, null, family, 0, 0, 0);
  if (!Array.isArray(res)) throw fromEai(res);
  for (const [fam, , , , addr] of res) {
    if (fam === family) {
      const h = (addr as [string])[0];
      const zone = h.indexOf('%');
      return zone < 0 ? h : h.slice(0, zone);
    }
  }
  throw new gaierror(C.EAI_ADDRFAMILY ?? C.EAI_FAMILY, 'Address family for hostname not supported');
}

const inet: FamilyAddress = {
  toNative(address, caller) {
    if (!Array.isArray(address)) throw argTypeError('address', 'an array [host, port] for AF_INET', address);
    if (address.length !== 2) throw argShapeError('address', 'AF_INET address must be a pair [host, port]');
    const host = hostString(address[0]);
    const port = portNumber(address[1], caller);
    return [numericHost(host, C.AF_INET), port];
  },
};

const inet6: FamilyAddress = {
  toNative(address, caller) {
    if (!Array.isArray(address)) throw argTypeError('address', 'an array [host, port, flowinfo?, scope_id?] for AF_INET6', address);
    if (address.length < 2 || address.length > 4) {
      throw argShapeError('address', 'AF_INET6 address must be an array [host, port, flowinfo?, scope_id?]');
    }
    const host = hostString(address[0]);
    const port = portNumber(address[1], caller);
    let flowinfo = 0;
    if (address.length > 2) {
      flowinfo = toInteger(address[2], 'flowinfo');
      if (flowinfo < 0 || flowinfo > 0xfffff) {
        throw argRangeError('flowinfo', `>= 0 and <= 1048575 (${caller}(): flowinfo must be 0-1048575.)`, address[2]);
      }
    }
    // Python reads scope_id as a C unsigned int without an overflow check.
    const scope = address.length > 3 ? Number(BigInt.asUintN(32, BigInt(toInteger(address[3], 'scope_id')))) : 0;
    return [numericHost(host, C.AF_INET6), port, flowinfo, scope];
  },
};

const unix: FamilyAddress = {
  toNative(address) {
    let bytes: Buffer;
    if (typeof address === 'string') {
      if (address.includes('\0')) {
        throw argValueError('address', 'AF_UNIX path must not contain a NUL byte (use a Buffer for abstract names)');
      }
      bytes = utf8Bytes(address, 'address');
    } else if (isBytes(address)) {
      bytes = bytesOf(address);
    } else {
      throw argTypeError('address', 'of type string or a bytes-like object for AF_UNIX', address);
    }
    const abstract = bytes.length === 0 || bytes[0] === 0;
    const max = binding.limits.sun_path;
    if (bytes.length > max || (!abstract && bytes.length >= max)) throw plainOSError('AF_UNIX path too long');
    return typeof address === 'string' ? address : bytes;
  },
};

const families = new Map<number, FamilyAddress>([
  [C.AF_INET, inet],
  [C.AF_INET6, inet6],
  [C.AF_UNIX, unix],
]);

/** Registers the address rules of another family (see the family modules). */
export function registerFamily(family: number, rules: FamilyAddress): void {
  families.set(family, rules);
}

/** Python's getsockaddrarg: the native form of `address` for `family`. */
export function toNativeAddress(family: number, address: unknown, caller: string, proto?: number): NativeAddress {
  const rules = families.get(family);
  if (rules === undefined) throw plainOSError(`${caller}(): bad family`);
  return rules.toNative(address, caller, proto);
}
