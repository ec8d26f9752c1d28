// Python's address arguments: the public address types, and the conversion
// of an address to what the native codec takes, through the family
// registry (src/families/registry.ts; one module per family).
import { plainOSError } from './errors';
import { familyRules, type RegisteredNativeAddress } from './families/registry';

export { numericHost } from './families/inet';
export type { Address, OtherFamilyAddress } from './families/registry';

/** An address in the form the native codec encodes (checked, hosts numeric). */
export type NativeAddress = RegisteredNativeAddress;

/** Python's getsockaddrarg: the native form of `address` for `family`. */
export function toNativeAddress(family: number, address: unknown, caller: string, proto?: number): NativeAddress {
  const rules = familyRules(family);
  if (rules === undefined) throw plainOSError(`${caller}(): bad family`);
  return rules.toNative(address, caller, proto) as NativeAddress;
}
