// The addon, loaded through node-gyp-build (which also finds prebuilt
// binaries), and the types of what it exports. Every syscall binding
// returns a negative errno on failure; see native/bsd.h.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from './address';

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
  accept(fd: number): [number, Address] | number;
  send(fd: number, data: Bytes, offset: number, length: number, flags: number): number;
  /** send() of the whole of `data` (no offset and length to check). */
  sendbuf(fd: number, data: Bytes, flags: number): number;
  sendto(fd: number, data: Bytes, offset: number, length: number, flags: number, family: number, address: NativeAddress): number;
  recv(fd: number, buffer: Bytes, offset: number, length: number, flags: number): number;
  /** recv() into the whole of `buffer`. */
  recvbuf(fd: number, buffer: Bytes, flags: number): number;
  recvfrom(fd: number, buffer: Bytes, offset: number, length: number, flags: number): [number, Address] | number;
  shutdown(fd: number, how: number): number;
  getsockname(fd: number): Address | number;
  getpeername(fd: number): Address | number;
  setsockopt(fd: number, level: number, option: number, value: number | Bytes | null, optlen: number): number;
  getsockopt(fd: number, level: number, option: number, buffer: Bytes): number;
  sockinfo(fd: number): [number, number, number] | number;

  sockaddr_encode(family: number, address: NativeAddress): Buffer | number;
  sockaddr_decode(buffer: Bytes): Address;
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
