// Address rules of the families beyond AF_INET, AF_INET6 and AF_UNIX: each
// module registers itself with the address table (src/address.ts) when the
// system has the family.
import './packet';
import './netlink';
import './vsock';
import './can';
import './alg';
import './tipc';
import './rds';
import './bluetooth';
import './qipcrtr';

export type { PacketAddress } from './packet';
export type { NetlinkAddress } from './netlink';
export type { VsockAddress } from './vsock';
export type { CanAddress } from './can';
export type { AlgAddress } from './alg';
export type { TipcAddress } from './tipc';
export type { BluetoothAddress } from './bluetooth';
export type { QipcrtrAddress } from './qipcrtr';
export { BDADDR_ANY, BDADDR_LOCAL } from './bluetooth';
