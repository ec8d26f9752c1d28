// The address-family registry of the TypeScript side: the one list of every
// family whose addresses bsdsock converts. Its C twin is the codec list in
// native/sockaddr.c.
//
// Adding a family takes:
//  1. src/families/<name>.ts exporting `<name>Address: FamilyRules<A, N>`
//     (./common.ts): `family` is the AF_* number (undefined where the
//     system lacks it), `toNative` validates a Python-style address and
//     returns the plain form N the codec encodes; and the family's public
//     address type A, with TSDoc;
//  2. its import and its entry in FAMILIES below (the public `Address`
//     union picks A up from here);
//  3. a line exporting A from ./index.ts (the public API);
//  4. native/family_<name>.c and its line in native/sockaddr.c's list
//     (see there; binding.gyp compiles every native/family_*.c by itself).
import type { AddressOf, FamilyRules, NativeOf } from './common';
import { algAddress } from './alg';
import { bluetoothAddress } from './bluetooth';
import { canAddress } from './can';
import { inet6Address, inetAddress } from './inet';
import { netlinkAddress } from './netlink';
import { packetAddress } from './packet';
import { qipcrtrAddress } from './qipcrtr';
import { rdsAddress } from './rds';
import { tipcAddress } from './tipc';
import { unixAddress } from './unix';
import { vsockAddress } from './vsock';

const FAMILIES = [
  inetAddress,
  inet6Address,
  unixAddress,
  packetAddress,
  netlinkAddress,
  vsockAddress,
  canAddress,
  algAddress,
  tipcAddress,
  rdsAddress,
  bluetoothAddress,
  qipcrtrAddress,
] as const;

type Registered = (typeof FAMILIES)[number];

/** Every registered family's Python-style address. */
export type RegisteredAddress = AddressOf<Registered>;

/** Every registered family's codec form. */
export type RegisteredNativeAddress = NativeOf<Registered>;

const byNumber = new Map<number, FamilyRules>();
for (const rules of FAMILIES) if (rules.family !== undefined) byNumber.set(rules.family, rules);

/** The rules of the family numbered `family`, or undefined when bsdsock has none there. */
export function familyRules(family: number): FamilyRules | undefined {
  return byNumber.get(family);
}
