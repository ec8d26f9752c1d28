// The public face of the families: each family's address type, and the
// family constants that are not numbers from the system headers. The rules
// themselves are registered in ./registry.ts.
export type { InetAddress, Inet6Address } from './inet';
export type { UnixAddress } from './unix';
export type { PacketAddress } from './packet';
export type { NetlinkAddress } from './netlink';
export type { VsockAddress } from './vsock';
export type { CanAddress } from './can';
export type { AlgAddress } from './alg';
export type { TipcAddress } from './tipc';
export type { BluetoothAddress } from './bluetooth';
export type { QipcrtrAddress } from './qipcrtr';
export type { AddressArg, Inet6AddressArg, InetAddressArg, OtherFamilyAddress } from './registry';
export { BDADDR_ANY, BDADDR_LOCAL } from './bluetooth';
