// AF_TIPC (Linux): Transparent Inter-Process Communication.
import { argValueError, argShapeError } from '../errors';
import { binding } from '../native';
import { type FamilyRules, requireArray, uintMask } from './common';

const C = binding.constants;

/**
 * An AF_TIPC address: `[addr_type, v1, v2, v3, scope?]` where, by
 * `addr_type`:
 * - `TIPC_ADDR_NAMESEQ`: `v1` the service type, `v2`/`v3` the lower and upper instance;
 * - `TIPC_ADDR_NAME`: `v1` the service type, `v2` the instance (`v3` is
 *   ignored, and repeats `v2` in returned addresses);
 * - `TIPC_ADDR_ID`: `v1` the node, `v2` the port reference (`v3` ignored, 0 when returned).
 * `scope` (`TIPC_ZONE_SCOPE`, `TIPC_CLUSTER_SCOPE`, the default, or
 * `TIPC_NODE_SCOPE`) is always present in returned addresses.
 */
export type TipcAddress =
  | [addr_type: number, v1: number, v2: number, v3: number]
  | [addr_type: number, v1: number, v2: number, v3: number, scope: number];

/** The AF_TIPC address rules (registered in ./registry.ts; exported for tests). */
export const tipcAddress: FamilyRules<TipcAddress, [addr_type: number, v1: number, v2: number, v3: number, scope: number]> = {
  family: C.AF_TIPC,
  toNative(address: unknown) {
    const a = requireArray(address, 'AF_TIPC', '[addr_type, v1, v2, v3, scope?]');
    if (a.length < 4 || a.length > 5) {
      throw argShapeError('address', 'AF_TIPC address must be an array [addr_type, v1, v2, v3, scope?]');
    }
    const names = ['addr_type', 'v1', 'v2', 'v3', 'scope'];
    const v = a.map((x, i) => uintMask(x, 32, names[i]));
    const scope = v.length > 4 ? v[4] : C.TIPC_CLUSTER_SCOPE;
    if (v[0] !== C.TIPC_ADDR_NAMESEQ && v[0] !== C.TIPC_ADDR_NAME && v[0] !== C.TIPC_ADDR_ID) {
      throw argValueError('addr_type', 'Invalid address type');
    }
    // The struct's scope is a signed char: C keeps the low 8 bits.
    return [v[0], v[1], v[2], v[3], scope & 0xff];
  },
};
