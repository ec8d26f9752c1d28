// The addon, loaded through node-gyp-build (which also finds prebuilt
// binaries), and the one typed declaration of everything it exports. This
// is the only module that loads it; the boundary convention is below.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from './address';

/** A bytes-like object as the addon accepts it. */
export type Bytes = ArrayBufferView | ArrayBuffer;
/** An address as the codecs take it, after TypeScript has validated it. */
export type NativeAddress = unknown;
/** A C string as the addon takes it: a string (sent as UTF-8) or raw bytes. */
export type CString = string | Bytes;

// ---- The boundary convention -------------------------------------------
//
// Every binding returns its result, or a negative errno (a number < 0)
// when the call failed: nothing else means failure. The one exception is
// the resolver (native/resolver.c, native/netdb.c), whose failures are not
// errnos: they come back as a LookupFailure, a plain object tagged by its
// first key (`eai` or `herrno`) and carrying the C library's message for
// it. The addon words no message of its own: TypeScript validates every
// argument before the call, words every error, and decides retries and
// timeouts. A binding given an argument TypeScript would never pass (a
// bug) returns -EINVAL. Thrown are only the internal errors (Node-API
// failing, or cmsg_encode refusing its items: code ERR_BSDSOCK_INTERNAL)
// and, for now, readiness's TypeErrors. See native/bsd.h.
//
// The sockaddr codecs (native/family_*.c) follow the rule too: encoding an
// address TypeScript never passes gives -EINVAL (or the errno it names).
// A decoded address (sockaddr_decode, and the address in the results of
// accept, recvfrom, recvmsg, recvmmsg, getsockname, getpeername) is a
// string, an array, null, a number >= 0 (an AF_BLUETOOTH HCI device), or a
// negative errno where the codec has no form for the kernel's address:
// -EAFNOSUPPORT for an AF_TIPC address type Python does not know,
// -EPROTONOSUPPORT for an AF_BLUETOOTH protocol it does not know.
// checkDecoded (./address.ts) raises Python's ValueError for those.

/** A failed getaddrinfo/getnameinfo: the EAI_* code, errno for EAI_SYSTEM, and gai_strerror(). */
export interface EaiFailure {
  eai: number;
  errno: number;
  message: string;
}

/** A failed gethostby* lookup: the C library's h_errno and hstrerror(). */
export interface HerrnoFailure {
  herrno: number;
  message: string;
}

/** A resolver failure, tagged by its first key. */
export type LookupFailure = EaiFailure | HerrnoFailure;

/** One getaddrinfo entry as the addon gives it: [family, type, proto, canonname, address]. */
export type NativeAddrInfo = [number, number, number, string, unknown];
/** [name, aliases, addrtype, addresses] from a hostent. */
export type NativeHost = [string, string[], number, string[]];
/** A received control message: [cmsg_level, cmsg_type, cmsg_data]. */
export type NativeAncillary = [number, number, Buffer];
/** What recvmsg gives: [nbytes, ancdata, msg_flags, address, malformed (1 when the walk stopped early)]. */
export type NativeMsg = [number, NativeAncillary[], number, Address, number];

// One section per C file in native/, in the order addon.c initialises them.

/** native/util.c */
interface UtilBinding {
  /** The C library's strerror(errno); -EINVAL for a non-integer. */
  strerror(errno: number): string | number;
  /** The errno names <errno.h> defines, with their values. */
  errnos: Record<string, number>;
}

/** native/sys_fd.c */
interface FdBinding {
  close(fd: number): number;
  dup(fd: number): number;
  getflags(fd: number): number;
  setnonblocking(fd: number, on: boolean): number;
  setcloexec(fd: number, on: boolean): number;
  /** poll(2) on one descriptor: revents, 0 on timeout, or -errno; a negative timeout waits forever. */
  poll(fd: number, events: number, timeoutMs: number): number;
}

/** native/sys_socket.c */
interface SocketBinding {
  socket(family: number, type: number, proto: number): number;
  socketpair(family: number, type: number, proto: number): [number, number] | number;
  bind(fd: number, family: number, address: NativeAddress): number;
  connect(fd: number, family: number, address: NativeAddress): number;
  listen(fd: number, backlog: number): number;
  /**
   * accept(): -errno (out[0] is -1), or with out[0] the new descriptor: the
   * peer's address (a codec's negative errno when it has no form), or
   * undefined for an IP peer, whose address is in out[1..8] as recvfrom's.
   */
  accept(fd: number, out: Int32Array): Address | number | undefined;
  send(fd: number, data: Bytes, offset: number, length: number, flags: number): number;
  /** send() of the whole of `data` (no offset and length to check). */
  sendbuf(fd: number, data: Bytes, flags: number): number;
  sendto(fd: number, data: Bytes, offset: number, length: number, flags: number, family: number, address: NativeAddress): number;
  /** sendto() to a struct sockaddr encoded before (by sockaddr_encode). */
  sendto_sockaddr(fd: number, data: Bytes, offset: number, length: number, flags: number, sockaddr: Buffer): number;
  recv(fd: number, buffer: Bytes, offset: number, length: number, flags: number): number;
  /** recv() into the whole of `buffer`. */
  recvbuf(fd: number, buffer: Bytes, flags: number): number;
  /**
   * recvfrom(): -errno (out[0] is -1), or with out[0] the byte count: the
   * sender's address, or undefined for an IP sender, whose address is in
   * out[1..8] (native/sys_socket.c, put_ip_peer).
   */
  recvfrom(fd: number, buffer: Bytes, offset: number, length: number, flags: number, out: Int32Array): Address | number | undefined;
  shutdown(fd: number, how: number): number;
  getsockname(fd: number): Address | number;
  getpeername(fd: number): Address | number;
  setsockopt(fd: number, level: number, option: number, value: number | Bytes | null, optlen: number): number;
  getsockopt(fd: number, level: number, option: number, buffer: Bytes): number;
  sockinfo(fd: number): [number, number, number] | number;
}

/** native/sys_msg.c */
interface MsgBinding {
  /** control: a block from cmsg_encode, or null; address: a validated address of `family`, or null. */
  sendmsg(fd: number, buffers: Bytes | Bytes[], control: Buffer | null, flags: number, family: number, address: unknown): number;
  recvmsg(fd: number, buffers: Bytes | Bytes[], ancbufsize: number, flags: number): NativeMsg | number;
  /** The control block of validated [level, type, data] items. */
  cmsg_encode(items: ReadonlyArray<readonly [number, number, Bytes]>): Buffer;
}

/** native/sys_mmsg.c */
interface MmsgBinding {
  /** The senders' addresses (meta gets [msg_len, msg_flags] per message), or -errno. */
  mmsg_recv(fd: number, target: Bytes | Bytes[], bufsize: number, vlen: number, flags: number, meta: Int32Array): Address[] | number;
  mmsg_send(fd: number, datas: Bytes[], addresses: unknown[] | null, family: number, flags: number): number;
  /** 1 when recvmmsg/sendmmsg are in use; a boolean forces (true) or lifts (false) the portable loop (a test seam). */
  mmsg_loop(on?: boolean): number;
}

/** native/sockaddr.c */
interface SockaddrBinding {
  sockaddr_encode(family: number, address: NativeAddress): Buffer | number;
  sockaddr_decode(buffer: Bytes, proto?: number): Address | number;
  /** The families that have a codec. */
  codec_families: number[];
}

/** native/constants.c */
interface ConstantsBinding {
  constants: Record<string, number>;
  limits: { sun_path: number; sockaddr_storage: number };
}

/** native/resolver.c: each lookup blocking, or as a Promise run on libuv's thread pool. */
interface ResolverBinding {
  getaddrinfo(host: CString | null, port: CString | null, family: number, type: number, proto: number, flags: number): NativeAddrInfo[] | EaiFailure | number;
  getaddrinfo_async(
    host: CString | null,
    port: CString | null,
    family: number,
    type: number,
    proto: number,
    flags: number,
  ): Promise<NativeAddrInfo[] | EaiFailure> | number;
  /** getnameinfo(3) of a validated numeric address of `family`: [host, service]. */
  getnameinfo(family: number, address: NativeAddress, flags: number): [string, string] | EaiFailure | number;
  getnameinfo_async(family: number, address: NativeAddress, flags: number): Promise<[string, string] | EaiFailure> | number;
}

/** native/netdb.c */
interface NetdbBinding {
  gethostbyname_ex(name: CString): NativeHost | HerrnoFailure | number;
  gethostbyname_ex_async(name: CString): Promise<NativeHost | HerrnoFailure> | number;
  /** packed: 4 bytes for AF_INET, 16 for AF_INET6. */
  gethostbyaddr(packed: Bytes, family: number): NativeHost | HerrnoFailure | number;
  gethostbyaddr_async(packed: Bytes, family: number): Promise<NativeHost | HerrnoFailure> | number;
  /** The protocol's number, null when unknown, or -errno. */
  getprotobyname(name: CString): number | null;
  /** The service's port, null when unknown, or -errno. */
  getservbyname(name: CString, proto: CString | null): number | null;
  getservbyport(port: number, proto: CString | null): string | null | number;
  gethostname(): string | number;
  sethostname(name: Bytes): number;
}

/** native/convert.c */
interface ConvertBinding {
  /** 4 bytes, or null when the C library rejects the text. */
  inet_aton(text: CString): Buffer | null | number;
  /** The packed address, null when the text is not one of `family`, or -errno. */
  inet_pton(family: number, text: CString): Buffer | null | number;
  inet_ntop(family: number, packed: Bytes): string | number;
  /** CMSG_LEN(n) / CMSG_SPACE(n), or -1 when out of range. */
  cmsg_len(length: number): number;
  cmsg_space(length: number): number;
}

/** native/interfaces.c */
interface InterfacesBinding {
  if_nameindex(): Array<[number, string]> | number;
  /** The index, 0 when there is no such interface. */
  if_nametoindex(name: CString): number;
  if_indextoname(index: number): string | number;
}

/** native/env.c: own and disown return -EINVAL only for a refused fd. */
interface EnvBinding {
  /** The descriptor belongs to a live Socket of this environment (closed at teardown). */
  own(fd: number): undefined | number;
  /** The Socket closed or detached it. */
  disown(fd: number): undefined | number;
}

/** native/readiness.c (exported by env.c's init, with the environment's state) */
interface ReadinessBinding {
  /**
   * Opens the environment's poll set on a backend ('uv' or 'thread');
   * returns the buffer of (fd, events) int32 pairs that each
   * `callback(count)` delivers, or -errno.
   */
  readiness_start(callback: (count: number) => void, backend: string): ArrayBuffer | number;
  /** Waits for `events` (1 readable, 2 writable, 0 none) on fd, one-shot; 0 or -errno. */
  readiness_watch(fd: number, events: number): number;
  /** Whether a wait on fd keeps the loop alive; 0 or -errno. */
  readiness_ref(fd: number, ref: boolean): number;
}

/** native/sys_sendfile.c */
interface SendfileBinding {
  /** Bytes sent from `file` at `offset` (its position unchanged), or -errno. */
  sendfile(fd: number, file: number, offset: number, count: number): number;
  lseek(fd: number, offset: number, whence: number): number;
}

/**
 * native/sys_select.c (bsdsock/select): one system call each; entries of
 * the arrays that are not ready come back as -1 (select_fds).
 */
interface SelectBinding {
  select_fds(readFds: Int32Array, writeFds: Int32Array, exceptFds: Int32Array, timeoutUs: number): number;
  poll_fds(fds: Int32Array, events: Int32Array, revents: Int32Array, timeoutMs: number): number;
  epoll_create(flags: number): number;
  epoll_add(epfd: number, fd: number, events: number): number;
  epoll_modify(epfd: number, fd: number, events: number): number;
  epoll_delete(epfd: number, fd: number, events: number): number;
  /** Ready (fd, events) pairs into `out`, which holds 2 * maxevents entries. */
  epoll_wait(epfd: number, out: Uint32Array, maxevents: number, timeoutMs: number): number;
  select_constants: Record<string, number>;
  select_limits: { FD_SETSIZE: number; epoll: number };
}

/** Everything the addon exports. */
export interface Binding
  extends UtilBinding,
    FdBinding,
    SocketBinding,
    MsgBinding,
    MmsgBinding,
    SockaddrBinding,
    ConstantsBinding,
    ResolverBinding,
    NetdbBinding,
    ConvertBinding,
    InterfacesBinding,
    EnvBinding,
    ReadinessBinding,
    SendfileBinding,
    SelectBinding {}

// Every name of Binding once, checked both ways by the compiler (a missing
// key or an extra one fails the build), so the test can compare the list
// with what the addon really exports.
const declared: Record<keyof Binding, true> = {
  strerror: true, errnos: true,
  close: true, dup: true, getflags: true, setnonblocking: true, setcloexec: true, poll: true,
  socket: true, socketpair: true, bind: true, connect: true, listen: true, accept: true, send: true, sendbuf: true,
  sendto: true, sendto_sockaddr: true, recv: true, recvbuf: true, recvfrom: true, shutdown: true, getsockname: true, getpeername: true,
  setsockopt: true, getsockopt: true, sockinfo: true,
  sendmsg: true, recvmsg: true, cmsg_encode: true,
  mmsg_recv: true, mmsg_send: true, mmsg_loop: true,
  sockaddr_encode: true, sockaddr_decode: true, codec_families: true,
  constants: true, limits: true,
  getaddrinfo: true, getaddrinfo_async: true, getnameinfo: true, getnameinfo_async: true,
  gethostbyname_ex: true, gethostbyname_ex_async: true, gethostbyaddr: true, gethostbyaddr_async: true,
  getprotobyname: true, getservbyname: true, getservbyport: true, gethostname: true, sethostname: true,
  inet_aton: true, inet_pton: true, inet_ntop: true, cmsg_len: true, cmsg_space: true,
  if_nameindex: true, if_nametoindex: true, if_indextoname: true,
  own: true, disown: true, readiness_start: true, readiness_watch: true, readiness_ref: true,
  sendfile: true, lseek: true,
  select_fds: true, poll_fds: true, epoll_create: true, epoll_add: true, epoll_modify: true, epoll_delete: true,
  epoll_wait: true, select_constants: true, select_limits: true,
};

/** @internal Every name the Binding declaration holds (test/native-binding.test.mjs). */
export const _declaredNames: readonly string[] = Object.keys(declared);

/** Whether a resolver call's result is a LookupFailure rather than its answer. */
export function isLookupFailure(r: unknown): r is LookupFailure {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && ('eai' in r || 'herrno' in r);
}

/** Whether this process runs on musl (its report names no glibc). */
function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header !== undefined && header.glibcVersionRuntime === undefined;
}

/**
 * The addon: a local build (build/Release) first, else the prebuilt binary
 * for this platform (prebuilds/<platform>-<arch>/node.napi.<libc>.node), as
 * node-gyp-build picks them. node-gyp-build takes only Alpine for musl: on
 * another musl system the glibc binary fails to load, and the musl one is
 * tried.
 */
function load(): Binding {
  const root = join(__dirname, '..', '..');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node-gyp-build')(root);
  } catch (error) {
    const musl = isMusl();
    const muslBinary = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'node.napi.musl.node');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (musl && existsSync(muslBinary)) return require(muslBinary);
    const target = `${process.platform}-${process.arch}${process.platform === 'linux' ? (musl ? ' (musl)' : ' (glibc)') : ''}`;
    throw new Error(
      `bsdsock: no native binary could be loaded for ${target}: ${(error as Error).message.trim()}\n` +
        'Build it from source with `npm rebuild bsdsock` (needs python3, make, a C compiler and Node.js headers).',
      { cause: error },
    );
  }
}

// BSDSOCK_ADDON names another build of the addon to load instead, such as
// the sanitizer build that `npm run test:sanitize` makes.
const addonPath = process.env.BSDSOCK_ADDON;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const binding: Binding = addonPath ? require(addonPath) : load();
