// AF_CAN (Linux): Controller Area Network. The address form depends on the
// socket's protocol.
import { plainOSError, argShapeError } from '../errors';
import { binding } from '../native';
import { type FamilyRules, fsName, requireArray, uint64Mask, uintMask } from './common';

const C = binding.constants;

/**
 * An AF_CAN address, by protocol:
 * - `CAN_RAW`, `CAN_BCM`: `[interface]`;
 * - `CAN_ISOTP`: `[interface, rx_addr, tx_addr]` (CAN ids, unsigned 32-bit);
 * - `CAN_J1939`: `[interface, name, pgn, addr]` (`name` a 64-bit NAME,
 *   returned as a bigint; `pgn` unsigned 32-bit; `addr` 8-bit).
 * `interface` is a name such as `'can0'` (a string, or a Buffer), `''` for
 * every interface. Integers wrap to their field's width, as in Python.
 */
export type CanAddress =
  | [iface: string]
  | [iface: string, rx_addr: number, tx_addr: number]
  | [iface: string, name: bigint | number, pgn: number, addr: number];

/** What the codec takes: the interface name as bytes, the integers wrapped. */
type CanNative =
  | [iface: Buffer]
  | [iface: Buffer, rx_addr: number, tx_addr: number]
  | [iface: Buffer, name: bigint, pgn: number, addr: number];

const IFNAMSIZ = 16;

/** The interface as the codec takes it: its name, or a Buffer for non-UTF-8 bytes. */
function iface(value: unknown): Buffer {
  return fsName(value, 'interface');
}

function checkLength(name: Buffer): void {
  if (name.length >= IFNAMSIZ) throw plainOSError('AF_CAN interface name too long');
}

/** The protocol a shape implies, until the socket's own protocol is passed in. */
function guess(address: unknown): number {
  if (Array.isArray(address) && address.length === 3 && C.CAN_ISOTP !== undefined) return C.CAN_ISOTP;
  if (Array.isArray(address) && address.length === 4 && C.CAN_J1939 !== undefined) return C.CAN_J1939;
  return C.CAN_RAW;
}

/** The AF_CAN address rules (registered in ./registry.ts; exported for tests). */
export const canAddress: FamilyRules<CanAddress, CanNative> = {
  family: C.AF_CAN,
  toNative(address: unknown, caller: string, proto?: number) {
    const p = proto ?? guess(address);
    if (p === C.CAN_RAW || p === C.CAN_BCM) {
      const a = requireArray(address, 'AF_CAN', '[interface]');
      if (a.length !== 1) throw argShapeError('address', 'AF_CAN address must be an array [interface]');
      const name = iface(a[0]);
      checkLength(name);
      return [name];
    }
    if (p === C.CAN_ISOTP) {
      const a = requireArray(address, 'AF_CAN', '[interface, rx_addr, tx_addr]');
      if (a.length !== 3) {
        throw argShapeError('address', 'AF_CAN ISO-TP address must be an array [interface, rx_addr, tx_addr]');
      }
      const name = iface(a[0]);
      const rx = uintMask(a[1], 32, 'rx_addr');
      const tx = uintMask(a[2], 32, 'tx_addr');
      checkLength(name);
      return [name, rx, tx];
    }
    if (p === C.CAN_J1939) {
      const a = requireArray(address, 'AF_CAN', '[interface, name, pgn, addr]');
      if (a.length !== 4) {
        throw argShapeError('address', 'AF_CAN J1939 address must be an array [interface, name, pgn, addr]');
      }
      const name = iface(a[0]);
      const jname = uint64Mask(a[1], 'name');
      const pgn = uintMask(a[2], 32, 'pgn');
      const addr = uintMask(a[3], 8, 'addr');
      checkLength(name);
      return [name, jname, pgn, addr];
    }
    throw plainOSError(`${caller}(): unsupported CAN protocol`);
  },
};
