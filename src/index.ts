// bsdsock: Python's socket module for Node.js.
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
  getdefaulttimeout,
  setdefaulttimeout,
  type Address,
} from './socket';
export type { Bytes } from './native';
export type { AsyncOptions } from './async';
import './async';
import './sendfile';
export type { SendfileSource } from './sendfile';
