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
//  2. its import, its entry in FAMILIES and its type in `Address` below
//     (the compiler rejects an entry whose type `Address` lacks);
//  3. a line exporting the type from ./index.ts (the public API);
//  4. native/family_<name>.c and its line in native/sockaddr.c's list
//     (see there; binding.gyp compiles every native/family_*.c by itself).
import { algAddress, type AlgAddress } from './alg';
import { bluetoothAddress, type BluetoothAddress } from './bluetooth';
import { canAddress, type CanAddress } from './can';
import type { FamilyRules, NativeOf } from './common';
import { inet6Address, inetAddress, type Inet6Address, type InetAddress } from './inet';
import { netlinkAddress, type NetlinkAddress } from './netlink';
import { packetAddress, type PacketAddress } from './packet';
import { qipcrtrAddress, type QipcrtrAddress } from './qipcrtr';
import { rdsAddress } from './rds';
import { tipcAddress, type TipcAddress } from './tipc';
import { unixAddress, type UnixAddress } from './unix';
import { vsockAddress, type VsockAddress } from './vsock';

/**
 * An address of a family bsdsock has no rules for, as the system reports
 * it (Python's form): the `AF_*` number and the raw `sa_data` bytes.
 */
export type OtherFamilyAddress = [family: number, data: Buffer];

/**
 * A socket address, as `bind`, `connect`, `sendto`... take it and as
 * `getsockname`, `recvfrom`, `accept`... return it. Its form is the socket
 * family's (an AF_RDS address is an `InetAddress`; an AF_UNIX argument may
 * be any bytes-like object). A returned address is an `OtherFamilyAddress`
 * for a family without rules, and `null` where the system reports no
 * address (`recvfrom` on a connected stream socket, for one).
 */
export type Address =
  | InetAddress
  | Inet6Address
  | UnixAddress
  | Uint8Array
  | PacketAddress
  | NetlinkAddress
  | VsockAddress
  | CanAddress
  | AlgAddress
  | TipcAddress
  | BluetoothAddress
  | QipcrtrAddress
  | OtherFamilyAddress
  | null;

/**
 * An IP address as an argument may give more than a returned one holds: the
 * host as bytes (read as Latin-1 text, as Python takes bytes there) and the
 * numbers as bigints.
 */
export type InetAddressArg = readonly [host: string | Uint8Array, port: number | bigint];
/** An AF_INET6 argument: see {@link InetAddressArg}; `flowinfo` and `scope_id` may be left out. */
export type Inet6AddressArg = readonly [host: string | Uint8Array, port: number | bigint, flowinfo?: number | bigint, scope_id?: number | bigint];

/**
 * A socket address as `bind`, `connect`, `sendto`... take it: any
 * {@link Address}, and IP addresses in the wider argument forms.
 */
export type AddressArg = Address | InetAddressArg | Inet6AddressArg;

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
] as const satisfies readonly FamilyRules<Address>[];

/** Every registered family's codec form. */
export type RegisteredNativeAddress = NativeOf<(typeof FAMILIES)[number]>;

const byNumber = new Map<number, FamilyRules>();
for (const rules of FAMILIES) if (rules.family !== undefined) byNumber.set(rules.family, rules);

/** The rules of the family numbered `family`, or undefined when bsdsock has none there. */
export function familyRules(family: number): FamilyRules | undefined {
  return byNumber.get(family);
}
