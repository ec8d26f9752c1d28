// Python's address arguments: the public address types, and the conversion
// of an address to what the native codec takes, through the family
// registry (src/families/registry.ts; one module per family).
import { plainOSError } from './errors';
import { familyRules, type RegisteredAddress, type RegisteredNativeAddress } from './families/registry';

export { numericHost } from './families/inet';

/**
 * An address of a family bsdsock has no rules for, as the system reports
 * it (Python's form): the `AF_*` number and the raw `sa_data` bytes.
 */
export type OtherFamilyAddress = [family: number, data: Buffer];

/**
 * A socket address, as `bind`, `connect`, `sendto`... take it and as
 * `getsockname`, `recvfrom`, `accept`... return it. Its form is the
 * socket family's: {@link InetAddress}, {@link Inet6Address},
 * {@link UnixAddress}, and the Linux families' (`PacketAddress`,
 * `NetlinkAddress`, ...). A returned address is {@link OtherFamilyAddress}
 * for a family without rules, and `null` where the system reports no
 * address (`recvfrom` on a connected stream socket, for one).
 */
export type Address = RegisteredAddress | OtherFamilyAddress | null;

/** An address in the form the native codec encodes (checked, hosts numeric). */
export type NativeAddress = RegisteredNativeAddress;

/** Python's getsockaddrarg: the native form of `address` for `family`. */
export function toNativeAddress(family: number, address: unknown, caller: string, proto?: number): NativeAddress {
  const rules = familyRules(family);
  if (rules === undefined) throw plainOSError(`${caller}(): bad family`);
  return rules.toNative(address, caller, proto) as NativeAddress;
}
