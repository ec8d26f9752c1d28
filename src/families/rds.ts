// AF_RDS (Linux): Reliable Datagram Sockets bind and send to IPv4
// addresses, `[host, port]`, exactly as AF_INET (Python treats them so).
import { binding } from '../native';
import type { FamilyRules } from './common';
import { inetAddress, type InetAddress } from './inet';

const C = binding.constants;

/** The AF_RDS address rules (registered in ./registry.ts; exported for tests). */
export const rdsAddress: FamilyRules<InetAddress, [host: string, port: number]> = {
  family: C.AF_RDS,
  toNative(address: unknown, caller: string) {
    return inetAddress.toNative(address, caller);
  },
};
