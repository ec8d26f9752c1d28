// The addon's name, number and interface functions (native/resolver.c,
// netdb.c, convert.c, interfaces.c), typed, and the argument helpers that
// resolver.ts, convert.ts and interfaces.ts share.
import { argTypeError, argValueError } from './errors';
import { binding, type Bytes, type EaiFailure } from './native';

/** A C string as the addon takes it: a string (sent as UTF-8) or raw bytes. */
export type CString = string | Bytes;

/** A failed gethostby* lookup: the C library's h_errno and hstrerror(). */
export interface HerrnoFailure {
  herrno: number;
  message: string;
}

/** [name, aliases, addrtype, addresses] from a hostent. */
export type NativeHost = [string, string[], number, string[]];

type GaiResult = Array<[number, number, number, string, unknown]> | EaiFailure;
type GniResult = [string, string] | EaiFailure | string;

export interface NetdbBinding {
  getaddrinfo(host: CString | null, port: CString | null, family: number, type: number, proto: number, flags: number): GaiResult;
  getaddrinfo_async(
    host: CString | null,
    port: CString | null,
    family: number,
    type: number,
    proto: number,
    flags: number,
  ): Promise<GaiResult>;
  getnameinfo(host: CString, port: number, flowinfo: number, scopeId: number, flags: number, isPair: boolean): GniResult;
  getnameinfo_async(host: CString, port: number, flowinfo: number, scopeId: number, flags: number, isPair: boolean): Promise<GniResult>;
  gethostbyname_ex(name: CString): NativeHost | HerrnoFailure;
  gethostbyname_ex_async(name: CString): Promise<NativeHost | HerrnoFailure>;
  gethostbyaddr(packed: Bytes, family: number): NativeHost | HerrnoFailure;
  gethostbyaddr_async(packed: Bytes, family: number): Promise<NativeHost | HerrnoFailure>;
  getprotobyname(name: CString): number | null;
  getservbyname(name: CString, proto: CString | null): number | null;
  getservbyport(port: number, proto: CString | null): string | null;
  gethostname(): string | number;
  sethostname(name: Bytes): number;

  inet_aton(text: CString): Buffer | null;
  inet_pton(family: number, text: CString): Buffer | null | number;
  inet_ntop(family: number, packed: Bytes): string | number;
  cmsg_len(length: number): number;
  cmsg_space(length: number): number;

  if_nameindex(): Array<[number, string]> | number;
  if_nametoindex(name: CString): number;
  if_indextoname(index: number): string | number;
}

/** The addon, seen through the functions these modules use. */
export const netdb = binding as unknown as NetdbBinding;

/** True for a plain options object (not null, an array, or bytes). */
export function isOptionsObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer) &&
    !(value instanceof SharedArrayBuffer)
  );
}
