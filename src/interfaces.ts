// Network interfaces and the IPv6 capabilities of Python's socket module:
// if_nameindex, if_nametoindex, if_indextoname, has_ipv6, has_dualstack_ipv6.
import { argRangeError, argTypeError, argValueError, fromErrno, plainOSError } from './errors';
import { binding, type Bytes } from './native';
import { bytesOf, isBytes, toInteger, utf8Bytes } from './validate';

const C = binding.constants;

/** Python's `socket.if_nameindex()`: `[index, name]` for every network interface. */
export function if_nameindex(): Array<[number, string]> {
  const r = binding.if_nameindex();
  if (typeof r === 'number') throw fromErrno(-r, 'if_nameindex');
  return r;
}

/**
 * Python's `socket.if_nametoindex(if_name)`: the index of the interface
 * named `if_name` (a string or bytes); `OSError` when there is none.
 */
export function if_nametoindex(if_name: string | Bytes): number {
  let name: Buffer;
  if (typeof if_name === 'string') name = utf8Bytes(if_name, 'if_name');
  else if (isBytes(if_name)) name = bytesOf(if_name);
  else throw argTypeError('if_name', 'of type string or a bytes-like object', if_name);
  if (name.includes(0)) throw argValueError('if_name', 'embedded null byte');
  const index = binding.if_nametoindex(name);
  if (index < 0) throw fromErrno(-index, 'if_nametoindex');
  if (index === 0) throw plainOSError('no interface with this name');
  return index;
}

/**
 * Python's `socket.if_indextoname(if_index)`: the name of the interface with
 * index `if_index` (a C unsigned int); `OSError` (ENXIO) when there is none.
 */
export function if_indextoname(if_index: number): string {
  const n = toInteger(if_index, 'if_index');
  if (n < 0 || n > 0xffffffff) throw argRangeError('if_index', '>= 0 and <= 4294967295', if_index);
  const r = binding.if_indextoname(n);
  if (typeof r === 'number') throw fromErrno(-r, 'if_indextoname');
  return r;
}

/** Python's `socket.has_ipv6`: true when this build supports IPv6 (it always does). */
export const has_ipv6: boolean = typeof C.AF_INET6 === 'number';

/**
 * Python's `socket.has_dualstack_ipv6()`: true when an AF_INET6 stream
 * socket can also serve IPv4 (IPV6_V6ONLY can be turned off), tried on a
 * throwaway socket.
 */
export function has_dualstack_ipv6(): boolean {
  if (!has_ipv6 || C.IPPROTO_IPV6 === undefined || C.IPV6_V6ONLY === undefined) return false;
  const fd = binding.socket(C.AF_INET6, C.SOCK_STREAM, 0);
  if (fd < 0) return false;
  try {
    return binding.setsockopt(fd, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0, 4) >= 0;
  } finally {
    binding.close(fd);
  }
}
