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
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const binding: Binding = require('node-gyp-build')(join(__dirname, '..', '..'));
