// The destination of sendto and sendtoAsync. A datagram socket often sends
// to one peer again and again (a UDP client, a flood), and checking and
// converting its `[host, port]` on every call cost about half of a small
// sendto. So the encoded struct sockaddr of the last numeric IP destination
// is kept, and a call with the same family, host string and port sends to
// it directly. Only numeric hosts are kept: a host name is looked up again
// on every call, as Python does. One entry for the whole process, so no
// socket pays memory for it.
import { toNativeAddress } from './address';
import { isNumericHost } from './host-lookup';
import { binding, type NativeAddress } from './native';

const C = binding.constants;

/** The family sendto's attempts are given with an encoded sockaddr (see sendtoFamily). */
export const SOCKADDR_ENCODED = -1;

let lastFamily = -1;
let lastHost = '';
let lastPort = -1;
let lastSockaddr: Buffer | null = null;

/**
 * Where a sendto goes: a Buffer holding the encoded struct sockaddr (the
 * kept destination; only IP families, whose native form is never a
 * Buffer), or the native address to encode. Each element of `address` is
 * read once; errors are those of toNativeAddress.
 */
export function sendtoAddress(family: number, address: unknown, caller: string, proto: number): NativeAddress | Buffer {
  if ((family !== C.AF_INET && family !== C.AF_INET6) || !Array.isArray(address) || address.length !== 2) {
    return toNativeAddress(family, address, caller, proto);
  }
  const host: unknown = address[0];
  const port: unknown = address[1];
  if (family === lastFamily && host === lastHost && port === lastPort && lastSockaddr !== null) return lastSockaddr;
  const native = toNativeAddress(family, [host, port], caller, proto);
  if (typeof host === 'string' && typeof port === 'number' && isNumericHost(host, family) && !host.includes('%')) {
    const encoded = binding.sockaddr_encode(family, native);
    if (typeof encoded !== 'number') {
      lastFamily = family;
      lastHost = host;
      lastPort = port;
      lastSockaddr = encoded;
    }
  }
  return native;
}

/**
 * The family to hand sendto's attempt with `target` (sendtoAddress's
 * answer): SOCKADDR_ENCODED for a kept sockaddr, else the socket's own.
 */
export function sendtoFamily(family: number, target: unknown): number {
  return target instanceof Buffer && (family === C.AF_INET || family === C.AF_INET6) ? SOCKADDR_ENCODED : family;
}
