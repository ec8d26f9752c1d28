// Address and number conversions of Python's socket module: inet_aton,
// inet_ntoa, inet_pton, inet_ntop, htons/ntohs/htonl/ntohl, CMSG_LEN and
// CMSG_SPACE. Text <-> packed conversions are the C library's own, so they
// accept and print exactly what it does.
import { endianness } from 'node:os';
import { argRangeError, argValueError, fromErrno, plainOSError } from './errors';
import { binding, type Bytes } from './native';
import { bytesOf, toBytes, toCInt, toCString, toInteger } from './validate';

const C = binding.constants;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Python's `socket.inet_aton(ip_string)`: an IPv4 address in any form the C
 * library's inet_aton accepts (`'1.2.3.4'`, and the legacy `'1.2.3'`,
 * `'1.2'`, `'16909060'`, octal `'0177.1'`, hex `'0x7f.1'`; text after a
 * whitespace character is ignored) as 4 bytes in network order.
 */
export function inet_aton(ip_string: string): Buffer {
  const r = binding.inet_aton(toCString(ip_string, 'ip_string'));
  if (typeof r === 'number') throw fromErrno(-r, 'inet_aton');
  if (r === null) throw plainOSError('illegal IP address string passed to inet_aton');
  return r;
}

/** Python's `socket.inet_ntoa(packed_ip)`: 4 bytes as dotted-quad text. */
export function inet_ntoa(packed_ip: Bytes): string {
  const b = bytesOf(toBytes(packed_ip, 'packed_ip'));
  if (b.length !== 4) throw plainOSError('packed IP wrong length for inet_ntoa');
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/**
 * Python's `socket.inet_pton(address_family, ip_string)`: an AF_INET or
 * AF_INET6 address in its standard text form as packed bytes (4 or 16).
 */
export function inet_pton(address_family: number, ip_string: string): Buffer {
  const af = toCInt(address_family, 'address_family');
  const r = binding.inet_pton(af, toCString(ip_string, 'ip_string'));
  if (typeof r === 'number') throw fromErrno(-r, 'inet_pton');
  if (r === null) throw plainOSError('illegal IP address string passed to inet_pton');
  return r;
}

/**
 * Python's `socket.inet_ntop(address_family, packed_ip)`: packed bytes (4
 * for AF_INET, 16 for AF_INET6) as the C library's standard text form.
 */
export function inet_ntop(address_family: number, packed_ip: Bytes): string {
  const af = toCInt(address_family, 'address_family');
  const b = toBytes(packed_ip, 'packed_ip');
  if (af === C.AF_INET || af === C.AF_INET6) {
    if (b.byteLength !== (af === C.AF_INET ? 4 : 16)) throw argValueError('packed_ip', 'invalid length of packed IP address string');
  } else {
    throw argValueError('address_family', `unknown address family ${af}`);
  }
  const r = binding.inet_ntop(af, b);
  if (typeof r === 'number') throw fromErrno(-r, 'inet_ntop');
  return r;
}

function uint(value: unknown, name: string, max: number, bits: number): number {
  const n = toInteger(value, name);
  if (n < 0 || n > max) throw argRangeError(name, `>= 0 and <= ${max} (a ${bits}-bit unsigned integer)`, value);
  return n;
}

function swap16(x: number): number {
  return LITTLE_ENDIAN ? ((x & 0xff) << 8) | (x >>> 8) : x;
}

function swap32(x: number): number {
  return LITTLE_ENDIAN ? (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0 : x;
}

/** Python's `socket.htons(x)`: a 16-bit unsigned integer from host to network byte order. */
export function htons(x: number): number {
  return swap16(uint(x, 'x', 0xffff, 16));
}

/** Python's `socket.ntohs(x)`: a 16-bit unsigned integer from network to host byte order. */
export function ntohs(x: number): number {
  return swap16(uint(x, 'x', 0xffff, 16));
}

/** Python's `socket.htonl(x)`: a 32-bit unsigned integer from host to network byte order. */
export function htonl(x: number): number {
  return swap32(uint(x, 'x', 0xffffffff, 32));
}

/** Python's `socket.ntohl(x)`: a 32-bit unsigned integer from network to host byte order. */
export function ntohl(x: number): number {
  return swap32(uint(x, 'x', 0xffffffff, 32));
}

function cmsg(length: unknown, space: boolean): number {
  const fn = space ? 'CMSG_SPACE' : 'CMSG_LEN';
  const n = toInteger(length, 'length');
  const r = n < 0 || !Number.isSafeInteger(n) ? -1 : space ? binding.cmsg_space(n) : binding.cmsg_len(n);
  if (r < 0) throw argRangeError('length', `a length whose ${fn}() fits a socklen_t (${fn}() argument out of range)`, length);
  return r;
}

/**
 * Python's `socket.CMSG_LEN(length)`: the total length, without trailing
 * padding, of an ancillary data item carrying `length` bytes of data (the
 * value for its `cmsg_len` field).
 */
export function CMSG_LEN(length: number): number {
  return cmsg(length, false);
}

/**
 * Python's `socket.CMSG_SPACE(length)`: the buffer size `recvmsg()` needs
 * to receive an ancillary data item of `length` bytes, trailing padding
 * included.
 */
export function CMSG_SPACE(length: number): number {
  return cmsg(length, true);
}
