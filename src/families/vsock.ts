// AF_VSOCK (Linux): virtual machine <-> host sockets.
import { argShapeError } from '../errors';
import { binding } from '../native';
import { type FamilyRules, requireArray, uintMask } from './common';

const C = binding.constants;

/**
 * An AF_VSOCK address: `[cid, port]`, the context id of the machine
 * (`VMADDR_CID_ANY`, `VMADDR_CID_HOST`, ...) and the port (`VMADDR_PORT_ANY`).
 * Both are unsigned 32-bit; like Python, larger integers wrap.
 */
export type VsockAddress = [cid: number, port: number];

/** The AF_VSOCK address rules (registered in ./registry.ts; exported for tests). */
export const vsockAddress: FamilyRules<VsockAddress, [cid: number, port: number]> = {
  family: C.AF_VSOCK,
  toNative(address: unknown) {
    const a = requireArray(address, 'AF_VSOCK', '[cid, port]');
    if (a.length !== 2) throw argShapeError('address', 'AF_VSOCK address must be a pair [cid, port]');
    return [uintMask(a[0], 32, 'cid'), uintMask(a[1], 32, 'port')];
  },
};
