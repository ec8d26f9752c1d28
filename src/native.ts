// The addon, loaded through node-gyp-build (which also finds prebuilt
// binaries), and the types of what it exports. Every syscall binding
// returns a negative errno on failure; see native/bsd.h.
import { join } from 'node:path';

/** A bytes-like object as the addon accepts it. */
export type Bytes = ArrayBufferView | ArrayBuffer;
/** An address as the codecs take it, after TypeScript has validated it. */
export type NativeAddress = unknown;

export interface EaiFailure {
  eai: number;
  errno: number;
  message: string;
}

export interface Binding {
  strerror(errno: number): string;
  close(fd: number): number;
  dup(fd: number): number;
  getflags(fd: number): number;
  setnonblocking(fd: number, on: boolean): number;
  setcloexec(fd: number, on: boolean): number;
  poll(fd: number, events: number, timeoutMs: number): number;

  socket(family: number, type: number, proto: number): number;
  socketpair(family: number, type: number, proto: number): [number, number] | number;
  bind(fd: number, family: number, address: NativeAddress): number;
  connect(fd: number, family: number, address: NativeAddress): number;
  listen(fd: number, backlog: number): number;
  accept(fd: number): [number, unknown] | number;
  send(fd: number, data: Bytes, offset: number, length: number, flags: number): number;
  /** send() of the whole of `data` (no offset and length to check). */
  sendbuf(fd: number, data: Bytes, flags: number): number;
  sendto(fd: number, data: Bytes, offset: number, length: number, flags: number, family: number, address: NativeAddress): number;
  recv(fd: number, buffer: Bytes, offset: number, length: number, flags: number): number;
  /** recv() into the whole of `buffer`. */
  recvbuf(fd: number, buffer: Bytes, flags: number): number;
  recvfrom(fd: number, buffer: Bytes, offset: number, length: number, flags: number): [number, unknown] | number;
  shutdown(fd: number, how: number): number;
  getsockname(fd: number): unknown;
  getpeername(fd: number): unknown;
  setsockopt(fd: number, level: number, option: number, value: number | Bytes | null, optlen: number): number;
  getsockopt(fd: number, level: number, option: number, buffer: Bytes): number;
  sockinfo(fd: number): [number, number, number] | number;

  sockaddr_encode(family: number, address: NativeAddress): Buffer | number;
  sockaddr_decode(buffer: Bytes): unknown;
  codec_families: number[];

  getaddrinfo(
    host: string | null,
    port: string | null,
    family: number,
    type: number,
    proto: number,
    flags: number,
  ): Array<[number, number, number, string, unknown]> | EaiFailure;

  sendfile(fd: number, file: number, offset: number, count: number): number;
  lseek(fd: number, offset: number, whence: number): number;
  own(fd: number): void;
  disown(fd: number): void;
  watcher_open(fd: number, callback: (events: number) => void): object | number;
  watcher_set(watcher: object, events: number): number;
  watcher_ref(watcher: object, ref: boolean): void;
  watcher_close(watcher: object): void;

  constants: Record<string, number>;
  limits: { sun_path: number; sockaddr_storage: number };

  // bsdsock/select (native/sys_select.c): one system call each; entries
  // of the arrays that are not ready come back as -1 (select_fds).
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

// BSDSOCK_ADDON names another build of the addon to load instead, such as
// the sanitizer build that `npm run test:sanitize` makes.
const addonPath = process.env.BSDSOCK_ADDON;
export const binding: Binding = addonPath
  ? // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(addonPath)
  : // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node-gyp-build')(join(__dirname, '..', '..'));
