// AF_INET and AF_INET6: IPv4 and IPv6 addresses. Host names are resolved
// here, the way CPython's setipaddr resolves them, so that the codec
// (native/family_inet.c) only ever sees numeric hosts.
import { argRangeError, argShapeError, argTypeError, argValueError, fromEai, plainOSError } from '../errors';
import { answerOfFamily, asciiHost, isNumericHost } from '../host-lookup';
import { binding } from '../native';
import { isBytes, toInteger } from '../validate';
import type { FamilyRules } from './common';

const C = binding.constants;

/**
 * An AF_INET address: `[host, port]`. As an argument, `host` may be a name
 * (resolved, IPv4 only), a numeric address, `''` for `INADDR_ANY` or
 * `'<broadcast>'`; returned addresses hold the numeric form.
 */
export type InetAddress = [host: string, port: number];

/**
 * An AF_INET6 address: `[host, port, flowinfo, scope_id]`. Arguments may
 * leave out `flowinfo` and `scope_id` (0); returned addresses hold all
 * four, with the numeric host (a link-local address's zone is in
 * `scope_id`, not in the host).
 */
export type Inet6Address = [host: string, port: number, flowinfo?: number, scope_id?: number];

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
  if (isNumericHost(host, family)) return host;
  if (host.includes('\0')) throw argValueError('host', 'embedded null character');
  const name = asciiHost(host);
  if (name === '') throw argValueError('host', 'encoding with \'idna\' codec failed');
  const res = binding.getaddrinfo(name, null, family, 0, 0, 0);
  if (!Array.isArray(res)) throw fromEai(res);
  return answerOfFamily(res, family);
}

/** The AF_INET address rules; the codec takes `[numeric host, port]`. */
export const inetAddress: FamilyRules<InetAddress, [host: string, port: number]> = {
  family: C.AF_INET,
  toNative(address, caller) {
    if (!Array.isArray(address)) throw argTypeError('address', 'an array [host, port] for AF_INET', address);
    if (address.length !== 2) throw argShapeError('address', 'AF_INET address must be a pair [host, port]');
    const host = hostString(address[0]);
    const port = portNumber(address[1], caller);
    return [numericHost(host, C.AF_INET), port];
  },
};

/** The AF_INET6 address rules; the codec takes all four fields, host numeric. */
export const inet6Address: FamilyRules<Inet6Address, [host: string, port: number, flowinfo: number, scope_id: number]> = {
  family: C.AF_INET6,
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
