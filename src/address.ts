// Python's address arguments: the public address types, and the conversion
// of an address to what the native codec takes, through the family
// registry (src/families/registry.ts; one module per family).
import { constants as osConstants } from 'node:os';
import { fromErrno, plainOSError } from './errors';
import { familyRules, type Address, type RegisteredNativeAddress } from './families/registry';
import { binding } from './native';
import { toBytes, toCInt } from './validate';

export { numericHost } from './families/inet';
export type { Address, AddressArg, Inet6AddressArg, InetAddressArg, OtherFamilyAddress } from './families/registry';

/** An address in the form the native codec encodes (checked, hosts numeric). */
export type NativeAddress = RegisteredNativeAddress;

/** Python's getsockaddrarg: the native form of `address` for `family`. */
export function toNativeAddress(family: number, address: unknown, caller: string, proto?: number): NativeAddress {
  const rules = familyRules(family);
  if (rules === undefined) throw plainOSError(`${caller}(): bad family`);
  return rules.toNative(address, caller, proto) as NativeAddress;
}

const { EAFNOSUPPORT, EPROTONOSUPPORT } = osConstants.errno;

/**
 * Python's ValueError for an address the kernel gave that has no Python
 * form. The codec returns a negative errno in the address's place (see
 * "The boundary convention" in ./native.ts): -EAFNOSUPPORT for an AF_TIPC
 * address type Python does not know, -EPROTONOSUPPORT for an AF_BLUETOOTH
 * protocol without an address form. Python's messages; a TypeError with
 * code ERR_INVALID_ARG_VALUE, as API.md maps ValueError. Any other negative
 * number is the call's own errno (getsockname and getpeername return the
 * address itself, and their system calls never fail with those two):
 * an OSError naming `syscall`.
 */
export function undecodableAddress(code: number, syscall?: string): Error {
  const reason = code === -EPROTONOSUPPORT ? 'Unknown Bluetooth protocol' : code === -EAFNOSUPPORT ? 'Invalid address type' : null;
  if (reason === null) return fromErrno(-code, syscall);
  const e = new TypeError(reason) as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_VALUE';
  return e;
}

/**
 * A decoded address as the addon returns it (accept, recvfrom, recvmsg,
 * recvmmsg, getsockname, getpeername): the address, or Python's error when
 * the codec had no form for it. One branch: every decoded address is a
 * string, array, null or a number >= 0 (an HCI device), so only a negative
 * number is a failure. For getsockname/getpeername, whose result is the
 * address, pass `syscall`: their own errno becomes an OSError naming it.
 */
export function checkDecoded(address: Address | number, syscall?: string): Address {
  if (typeof address === 'number' && address < 0) throw undecodableAddress(address, syscall);
  return address;
}

/** The smallest struct sockaddr the codecs read: sa_family (2 bytes on Linux). */
const SA_FAMILY_SIZE = 2;

/**
 * The address held in the struct sockaddr bytes `buffer`, as Python gives
 * it; `proto` is the socket's protocol for the families whose address form
 * depends on it (AF_CAN, AF_BLUETOOTH). Empty bytes are no address (null).
 */
export function decodeAddress(buffer: unknown, proto?: unknown): Address {
  const bytes = toBytes(buffer, 'address');
  const p = proto === undefined ? undefined : toCInt(proto, 'proto');
  if (bytes.byteLength > 0 && bytes.byteLength < SA_FAMILY_SIZE) {
    const e = new RangeError('The "address" buffer is too short for a sockaddr') as RangeError & { code: string };
    e.code = 'ERR_OUT_OF_RANGE';
    throw e;
  }
  return checkDecoded(binding.sockaddr_decode(bytes, p));
}
