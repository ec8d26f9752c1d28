// bsdsock: Python's socket module for Node.js.
/**
 * bsdsock is the BSD socket interface for Node.js: Python's `socket` module,
 * call for call, over real operating-system sockets, with a Promise twin
 * (`recvAsync`, `acceptAsync`, ...) for every call that can wait, and
 * streams, batch datagram calls and `net` interop on top.
 *
 * ```ts
 * import * as socket from 'bsdsock';
 * const s = socket.create_connection(['127.0.0.1', 8080], 5);
 * s.sendall(Buffer.from('hello'));
 * ```
 *
 * The constants (`AF_*`, `SO_*`, ...) are grouped by prefix; their values
 * come from the system headers at build time.
 * @packageDocumentation
 */
export * from './constants.generated';
export { AddressFamily, SocketKind, MsgFlag, AddressInfo, type IntEnum } from './enums';
export {
  OSError,
  error,
  BlockingIOError,
  ChildProcessError,
  ConnectionError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  InterruptedError,
  IsADirectoryError,
  NotADirectoryError,
  PermissionError,
  ProcessLookupError,
  TimeoutError,
  timeout,
  herror,
  gaierror,
} from './errors';
export {
  Socket,
  socket,
  socketpair,
  fromfd,
  close,
  dup,
  SocketType,
  getdefaulttimeout,
  setdefaulttimeout,
  type Address,
} from './socket';
export type { Bytes } from './native';
export type { AsyncOptions } from './async';
import './socket-methods';
export * from './families';
export {
  create_connection,
  create_connectionAsync,
  create_server,
  ExceptionGroup,
  type CreateConnectionOptions,
  type CreateConnectionAsyncOptions,
  type CreateServerOptions,
} from './connection';
export type { SendfileSource } from './sendfile';
export {
  getaddrinfo,
  getaddrinfoAsync,
  getnameinfo,
  getnameinfoAsync,
  gethostbyname,
  gethostbynameAsync,
  gethostbyname_ex,
  gethostbyname_exAsync,
  gethostbyaddr,
  gethostbyaddrAsync,
  getfqdn,
  getfqdnAsync,
  gethostname,
  sethostname,
  getprotobyname,
  getservbyname,
  getservbyport,
  type AddrInfo,
  type AddrInfoAddress,
  type HostEntry,
  type HostArg,
  type PortArg,
  type ResolverOptions,
} from './resolver';
export { inet_aton, inet_ntoa, inet_pton, inet_ntop, htons, ntohs, htonl, ntohl, CMSG_LEN, CMSG_SPACE } from './convert';
export { if_nameindex, if_nametoindex, if_indextoname, has_ipv6, has_dualstack_ipv6 } from './interfaces';
export {
  send_fds,
  recv_fds,
  send_fdsAsync,
  recv_fdsAsync,
  type Ancillary,
  type AncillaryInput,
  type RecvmsgResult,
  type RecvmsgIntoResult,
  type RecvFdsResult,
  type AfalgOptions,
} from './message';
export { MMSG_MAX, type RecvmmsgEntry, type RecvmmsgIntoEntry, type MmsgMessage } from './mmsg';
export {
  SocketIO,
  BufferedIOBase,
  BufferedReader,
  BufferedWriter,
  BufferedRWPair,
  TextIOWrapper,
  UnsupportedOperation,
  UnicodeDecodeError,
  UnicodeEncodeError,
  type SocketFile,
  type MakefileOptions,
  type BinaryMode,
} from './makefile';
export {
  SocketDuplex,
  type SocketDuplexOptions,
  type ReadableWebStreamOptions,
  type WritableWebStreamOptions,
} from './streams';
export { fromNetSocket, type ToNetSocketOptions, type FromNetSocketOptions } from './interop';
