// AF_NETLINK (Linux): kernel <-> user-space messaging.
import { argShapeError } from '../errors';
import { binding } from '../native';
import { type FamilyRules, requireArray, uintMask } from './common';

const C = binding.constants;

/**
 * An AF_NETLINK address: `[pid, groups]`: the port id (0 for the kernel, or
 * for bind, "let the kernel choose") and a bit mask of multicast groups.
 * Both are unsigned 32-bit; like Python, larger integers wrap.
 */
export type NetlinkAddress = [pid: number, groups: number];

/** The AF_NETLINK address rules (registered in ./registry.ts; exported for tests). */
export const netlinkAddress: FamilyRules<NetlinkAddress, [pid: number, groups: number]> = {
  family: C.AF_NETLINK,
  toNative(address: unknown) {
    const a = requireArray(address, 'AF_NETLINK', '[pid, groups]');
    if (a.length !== 2) throw argShapeError('address', 'AF_NETLINK address must be a pair [pid, groups]');
    return [uintMask(a[0], 32, 'pid'), uintMask(a[1], 32, 'groups')];
  },
};
