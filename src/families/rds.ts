// AF_RDS (Linux): Reliable Datagram Sockets bind and send to IPv4
// addresses, `[host, port]`, exactly as AF_INET (Python treats them so).
import { registerFamily, toNativeAddress } from '../address';
import { binding } from '../native';
import type { FamilyRules } from './common';

const C = binding.constants;

/** The AF_RDS address rules (registered below; exported for tests). */
export const rdsAddress: FamilyRules = {
  toNative(address: unknown, caller: string) {
    return toNativeAddress(C.AF_INET, address, caller);
  },
};

if (C.AF_RDS !== undefined) registerFamily(C.AF_RDS, rdsAddress);
