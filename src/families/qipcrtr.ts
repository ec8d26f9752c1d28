// AF_QIPCRTR (Linux): the Qualcomm IPC router.
import { argShapeError } from '../errors';
import { binding } from '../native';
import { type FamilyRules, requireArray, uintMask } from './common';

const C = binding.constants;

/**
 * An AF_QIPCRTR address: `[node, port]`, both unsigned 32-bit; like Python,
 * larger integers wrap.
 */
export type QipcrtrAddress = [node: number, port: number];

/** The AF_QIPCRTR address rules (registered in ./registry.ts; exported for tests). */
export const qipcrtrAddress: FamilyRules<QipcrtrAddress, [node: number, port: number]> = {
  family: C.AF_QIPCRTR,
  toNative(address: unknown) {
    const a = requireArray(address, 'AF_QIPCRTR', '[node, port]');
    if (a.length !== 2) throw argShapeError('address', 'AF_QIPCRTR address must be a pair [node, port]');
    return [uintMask(a[0], 32, 'node'), uintMask(a[1], 32, 'port')];
  },
};
