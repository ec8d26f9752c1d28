// AF_BLUETOOTH (Linux, BlueZ): one address form per protocol. Its rules
// serve sockets only when the build found BlueZ's headers (the
// BTPROTO_* constants), as in Python: CPython built without them has no
// Bluetooth support at all (not even AF_BLUETOOTH), and an address for a
// socket of that family fails with "bind(): bad family" there and here.
// The rules themselves use the kernel's protocol numbers, which do not
// depend on BlueZ, so that they are written and tested everywhere (as is
// native/family_bluetooth.c, which carries the kernel's struct layouts).
import { plainOSError } from '../errors';
import { binding } from '../native';
import { isBytes } from '../validate';
import { type FamilyRules } from './common';
import { bytesOf } from '../validate';

const C = binding.constants;

/** Whether the build found BlueZ's headers, as CPython's USE_BLUETOOTH. */
const HAVE_BLUEZ = C.AF_BLUETOOTH !== undefined && C.BTPROTO_L2CAP !== undefined;

// The protocol numbers are kernel ABI (include/net/bluetooth/bluetooth.h),
// the same as BlueZ's; native/family_bluetooth.c uses them too.
const BTPROTO_L2CAP = C.BTPROTO_L2CAP ?? 0;
const BTPROTO_HCI = C.BTPROTO_HCI ?? 1;
const BTPROTO_SCO = C.BTPROTO_SCO ?? 2;
const BTPROTO_RFCOMM = C.BTPROTO_RFCOMM ?? 3;

/** Python's `BDADDR_ANY`: the wildcard Bluetooth device address. */
export const BDADDR_ANY = '00:00:00:00:00:00';
/** Python's `BDADDR_LOCAL`: the local device's address. */
export const BDADDR_LOCAL = '00:00:00:FF:FF:FF';

/**
 * An AF_BLUETOOTH address, by protocol (`bdaddr` is `'XX:XX:XX:XX:XX:XX'`):
 * - `BTPROTO_L2CAP`: `[bdaddr, psm]`;
 * - `BTPROTO_RFCOMM`: `[bdaddr, channel]`;
 * - `BTPROTO_HCI`: `[device_id]` as an argument, the bare `device_id` when returned;
 * - `BTPROTO_SCO`: the bdaddr as bytes (a Buffer) as an argument, a string when returned.
 */
export type BluetoothAddress = [bdaddr: string, psmOrChannel: number] | [device_id: number] | Uint8Array | string | number;

const HEX = /^[0-9a-fA-F]$/;
const SPACE = /^[ \t\n\v\f\r]$/;

/**
 * Python reads a device address with sscanf("%X:%X:%X:%X:%X:%X%c"): six hex
 * numbers below 256 (each may have leading white space, a sign and a 0x),
 * separated by colons, nothing after. Returns the canonical form.
 */
export function parseBdaddr(s: string): string {
  const bad = () => plainOSError('bad bluetooth address');
  const bytes: string[] = [];
  let i = 0;
  for (let k = 0; k < 6; k++) {
    if (k > 0) {
      if (s[i] !== ':') throw bad();
      i++;
    }
    while (i < s.length && SPACE.test(s[i])) i++;
    let negative = false;
    if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
    if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && HEX.test(s[i + 2] ?? '')) i += 2;
    const start = i;
    while (i < s.length && HEX.test(s[i])) i++;
    if (i === start) throw bad();
    let v = BigInt(`0x${s.slice(start, i)}`);
    if (negative) v = BigInt.asUintN(32, -v);
    if (v >= 256n) throw bad();
    bytes.push(v.toString(16).toUpperCase().padStart(2, '0'));
  }
  if (i < s.length) throw bad();
  return bytes.join(':');
}

function cIntOr(value: unknown, fail: () => Error): number {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else throw fail();
  if (n < -2147483648n || n > 2147483647n) throw fail();
  return Number(n);
}

/** What the codec takes: the protocol first, then the protocol's fields. */
type BluetoothNative =
  | [proto: number, bdaddr: string, psmOrChannel: number]
  | [proto: number, hci_dev: number, hci_channel: number]
  | [proto: number, bdaddr: string];

/** The AF_BLUETOOTH address rules (registered in ./registry.ts, for sockets
 * only when the build has BlueZ's constants, as Python has them; exported
 * for tests). */
export const bluetoothAddress: FamilyRules<BluetoothAddress, BluetoothNative> = {
  family: HAVE_BLUEZ ? C.AF_BLUETOOTH : undefined,
  toNative(address: unknown, caller: string, proto?: number) {
    // Python reports every malformed address the same way.
    const wrong = () => plainOSError(`${caller}(): wrong format`);
    if (proto === undefined) throw plainOSError(`${caller}(): unknown Bluetooth protocol`);
    switch (proto) {
      case BTPROTO_L2CAP:
      case BTPROTO_RFCOMM: {
        if (!Array.isArray(address) || address.length !== 2) throw wrong();
        const [bdaddr, n] = address;
        if (typeof bdaddr !== 'string' || bdaddr.includes('\0')) throw wrong();
        const v = cIntOr(n, wrong);
        // psm is 16 bits wide, channel 8: C keeps the low bits.
        return [proto, parseBdaddr(bdaddr), proto === BTPROTO_L2CAP ? v & 0xffff : v & 0xff];
      }
      case BTPROTO_HCI: {
        if (!Array.isArray(address) || address.length !== 1) throw wrong();
        const dev = cIntOr(address[0], wrong);
        // Python stores the C int over hci_dev and hci_channel (little-endian).
        return [proto, dev & 0xffff, (dev >>> 16) & 0xffff];
      }
      case BTPROTO_SCO: {
        if (typeof address === 'string' || !isBytes(address)) throw wrong();
        const raw = bytesOf(address);
        const end = raw.indexOf(0);
        return [proto, parseBdaddr(raw.subarray(0, end < 0 ? raw.length : end).toString('latin1'))];
      }
      default:
        throw plainOSError(`${caller}(): unknown Bluetooth protocol`);
    }
  },
};
