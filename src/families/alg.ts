// AF_ALG (Linux): the kernel crypto API.
import { argValueError, argShapeError } from '../errors';
import { binding } from '../native';
import { type FamilyRules, requireArray, uintMask } from './common';
import { toCString } from '../validate';

const C = binding.constants;

/**
 * An AF_ALG address: `[type, name, feat?, mask?]`, e.g. `['hash', 'sha256']`
 * or `['skcipher', 'cbc(aes)']`. `type` holds at most 13 bytes and `name` at
 * most 63 (UTF-8); `feat` and `mask` default to 0 and, as in Python, keep
 * only their low 16 bits.
 */
export type AlgAddress =
  | [type: string, name: string]
  | [type: string, name: string, feat: number]
  | [type: string, name: string, feat: number, mask: number];

const TYPE_SIZE = 14;
const NAME_SIZE = 64;

/** The AF_ALG address rules (registered in ./registry.ts; exported for tests). */
export const algAddress: FamilyRules<AlgAddress, [type: string, name: string, feat: number, mask: number]> = {
  family: C.AF_ALG,
  toNative(address: unknown) {
    const a = requireArray(address, 'AF_ALG', '[type, name, feat?, mask?]');
    if (a.length < 2 || a.length > 4) {
      throw argShapeError('address', 'AF_ALG address must be an array [type, name, feat?, mask?]');
    }
    const type = toCString(a[0], 'type');
    const name = toCString(a[1], 'name');
    const feat = a.length > 2 && a[2] !== undefined ? uintMask(a[2], 16, 'feat') : 0;
    const mask = a.length > 3 && a[3] !== undefined ? uintMask(a[3], 16, 'mask') : 0;
    if (Buffer.byteLength(type) >= TYPE_SIZE) throw argValueError('type', 'AF_ALG type too long.');
    if (Buffer.byteLength(name) >= NAME_SIZE) throw argValueError('name', 'AF_ALG name too long.');
    return [type, name, feat, mask];
  },
};
