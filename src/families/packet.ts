// AF_PACKET (Linux): link-layer addresses.
import { argRangeError, argTypeError, argValueError, fromErrno, argShapeError } from '../errors';
import { binding } from '../native';
import { isBytes } from '../validate';
import { type FamilyRules, cInt, requireArray, uintMask } from './common';
import { bytesOf, toCString } from '../validate';

const C = binding.constants;

/**
 * An AF_PACKET address: `[ifname, proto, pkttype, hatype, addr]`. `proto`
 * is the Ethernet protocol number in host order (`ETH_P_ALL`, `0x0800`...),
 * `pkttype` one of the `PACKET_*` constants, `hatype` the ARP hardware
 * type, `addr` the hardware address (at most 8 bytes). Arguments take 2 to
 * 5 elements; the socket returns all five.
 */
export type PacketAddress =
  | [ifname: string, proto: number]
  | [ifname: string, proto: number, pkttype: number]
  | [ifname: string, proto: number, pkttype: number, hatype: number]
  | [ifname: string, proto: number, pkttype: number, hatype: number, addr: Uint8Array];

/** Longest interface name the kernel takes (IFNAMSIZ - 1 bytes). */
const IFNAME_MAX = 15;
const HWADDR_MAX = 8;

/** The AF_PACKET address rules (registered in ./registry.ts; exported for tests). */
export const packetAddress: FamilyRules<PacketAddress, [ifname: Buffer, proto: number, pkttype: number, hatype: number, addr: Buffer | null]> = {
  family: C.AF_PACKET,
  toNative(address: unknown, caller: string) {
    const a = requireArray(address, 'AF_PACKET', '[ifname, proto, pkttype?, hatype?, addr?]');
    if (a.length < 2 || a.length > 5) {
      throw argShapeError('address', 'AF_PACKET address must be an array of two to five elements');
    }
    const outOfRange = () =>
      argRangeError('address', `>= -2147483648 and <= 2147483647 (${caller}(): address argument out of range)`, address);
    const ifname = toCString(a[0], 'ifname');
    const proto = cInt(a[1], 'proto', outOfRange);
    const pkttype = a.length > 2 && a[2] !== undefined ? cInt(a[2], 'pkttype', outOfRange) : C.PACKET_HOST;
    const hatype = a.length > 3 && a[3] !== undefined ? cInt(a[3], 'hatype', outOfRange) : 0;
    let haddr: Buffer | null = null;
    if (a.length > 4 && a[4] !== undefined) {
      if (!isBytes(a[4])) throw argTypeError('addr', 'a bytes-like object', a[4]);
      haddr = bytesOf(a[4]);
    }
    // The kernel reads at most IFNAMSIZ - 1 bytes of the name, as Python copies it.
    const name = Buffer.from(ifname, 'utf8').subarray(0, IFNAME_MAX);
    const badAddr = haddr !== null && haddr.length > HWADDR_MAX;
    const badProto = proto < 0 || proto > 0xffff;
    if (badAddr || badProto) {
      // Python looks the interface up before these two checks.
      const probe = binding.sockaddr_encode(C.AF_PACKET, [name, 0]);
      if (typeof probe === 'number') throw fromErrno(-probe, caller);
      if (badAddr) throw argValueError('addr', 'Hardware address must be 8 bytes or less');
      throw argRangeError('proto', `>= 0 and <= 65535 (${caller}(): proto must be 0-65535.)`, a[1]);
    }
    // sll_pkttype and sll_hatype are 8 and 16 bits wide: C keeps the low bits.
    return [name, proto, uintMask(pkttype, 8, 'pkttype'), uintMask(hatype, 16, 'hatype'), haddr];
  },
};
