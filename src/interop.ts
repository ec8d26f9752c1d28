// Interop with Node's own sockets: hand a connected bsdsock stream socket
// to net.Socket (and so to tls, http...), and take a net.Socket's
// descriptor (a server's connection, a child process's stdio pipe) in.
// Both are moves: after the hand-over exactly one side reads and writes.
import * as net from 'node:net';
import { TLSSocket } from 'node:tls';
import { EBADF } from './engine';
import { argTypeError, argValueError, fromErrno } from './errors';
import { binding } from './native';
import { getdefaulttimeout, Socket } from './socket';
import { checkSignal } from './signal';

const C = binding.constants;

/** Options of {@link Socket.toNetSocket}: net.Socket's constructor options but `fd`. */
export type ToNetSocketOptions = Omit<net.SocketConstructorOpts, 'fd'>;

/** Options of {@link fromNetSocket}. */
export interface FromNetSocketOptions {
  /**
   * `false` (the default): a move. The net.Socket is destroyed (its
   * descriptor closed without shutting the connection down) and the new
   * Socket, on a duplicate of the descriptor, is the connection's only
   * owner, in the default timeout's mode.
   *
   * `true`: the net.Socket stays open and in use, and the new Socket shares
   * the connection, for what net lacks (getsockopt/setsockopt such as
   * TCP_INFO or SO_PEERCRED, sendmsg with ancillary data). It is put in
   * non-blocking mode (timeout 0), which it must keep: the descriptor's
   * O_NONBLOCK flag is shared with libuv's. Do not read from both.
   */
  shared?: boolean;
}

function stateError(message: string): TypeError {
  const e = new TypeError(message) as TypeError & { code: string };
  e.code = 'ERR_INVALID_STATE';
  return e;
}

/**
 * net.Socket's own checks of its options, run before the descriptor moves
 * so that a bad option leaves the bsdsock socket as it was: a net.Socket
 * made without a descriptor (no handle, nothing to close) validates them.
 * The signal is checked here instead: an aborted one would make that
 * probe emit an 'error' nobody listens to.
 */
function checkNetOptions(options: ToNetSocketOptions | undefined): void {
  if (options === undefined) return;
  const { signal, ...rest } = options as ToNetSocketOptions & { signal?: unknown };
  checkSignal(signal, 'signal');
  new net.Socket(rest).destroy();
}

const toNetSocket = function toNetSocket(this: Socket, options?: ToNetSocketOptions): net.Socket {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw argTypeError('options', 'of type object', options);
  }
  if ((options as { fd?: unknown } | undefined)?.fd !== undefined) throw argValueError('options.fd', 'the descriptor is the socket\'s own');
  const fd = this.fileno();
  if (fd < 0) throw fromErrno(EBADF, 'toNetSocket');
  // net.Socket wraps what libuv recognizes: TCP and AF_UNIX stream sockets.
  // Checked before the move, so that a refusal leaves this socket usable.
  const family = this.family;
  if (this.type !== C.SOCK_STREAM || (family !== C.AF_INET && family !== C.AF_INET6 && family !== C.AF_UNIX)) {
    const e = new TypeError(
      `toNetSocket() needs a SOCK_STREAM socket of family AF_INET, AF_INET6 or AF_UNIX (this one: family ${family}, type ${this.type})`,
    ) as TypeError & { code: string };
    e.code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
  // Only a connection makes a usable net.Socket (a listening or unconnected
  // one would fail later, or hold the loop open): OSError ENOTCONN now, and
  // this socket stays usable.
  this.getpeername();
  checkNetOptions(options);
  const moved = this.detach();
  try {
    return new net.Socket({ readable: true, writable: true, ...options, fd: moved });
  } catch (e) {
    binding.close(moved);
    throw e;
  }
};

/**
 * A bsdsock {@link Socket} on a duplicate of a `net.Socket`'s descriptor:
 * a connection accepted by `net.createServer`, made by `net.connect`, or a
 * child process's `'pipe'` stdio entry (`child.stdio[n]`, which Node makes
 * as an AF_UNIX socketpair). Family, type and protocol are read from the
 * descriptor.
 *
 * By default this is a move: the net.Socket is destroyed (its descriptor
 * closed; the connection lives on in the duplicate) and the Socket takes
 * the default timeout's mode (blocking unless `setdefaulttimeout` says
 * otherwise). Data that the net.Socket has already read and not delivered,
 * or not yet written, would be lost, so a net.Socket with bytes in its
 * readable or writable buffer is refused (`ERR_INVALID_STATE`): drain it
 * (`netSocket.read()`) or wait for its writes' callbacks first. With
 * `{ shared: true }` the net.Socket stays in use; see
 * {@link FromNetSocketOptions.shared}. A TLS socket is refused (its
 * descriptor carries ciphertext), as are sockets still connecting.
 */
export function fromNetSocket(netSocket: net.Socket, options?: FromNetSocketOptions): Socket {
  if (!(netSocket instanceof net.Socket)) throw argTypeError('netSocket', 'an instance of net.Socket', netSocket);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw argTypeError('options', 'of type object', options);
  }
  const shared = options?.shared === true;
  if (netSocket instanceof TLSSocket) {
    throw argValueError('netSocket', 'a TLSSocket: its descriptor carries the TLS records, not the data');
  }
  if (netSocket.connecting) throw stateError('fromNetSocket(): the net.Socket is still connecting; wait for its \'connect\' event');
  const fd = (netSocket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  if (netSocket.destroyed || typeof fd !== 'number' || fd < 0) {
    throw stateError('fromNetSocket(): the net.Socket has no descriptor (destroyed, or not a system socket)');
  }
  if (!shared) {
    if (netSocket.readableLength > 0) {
      throw stateError(
        `fromNetSocket(): the net.Socket holds ${netSocket.readableLength} bytes already received; read them (netSocket.read()) first`,
      );
    }
    if (netSocket.writableLength > 0) {
      throw stateError(`fromNetSocket(): the net.Socket has ${netSocket.writableLength} bytes not yet sent; wait for its writes first`);
    }
  }
  const dup = binding.dup(fd);
  if (dup < 0) throw fromErrno(-dup, 'dup');
  let sock: Socket;
  try {
    // Reads family, type and protocol; raises ENOTSOCK for a pipe or a tty.
    sock = new Socket(-1, -1, -1, dup);
  } catch (e) {
    binding.close(dup);
    throw e;
  }
  if (shared) {
    sock.settimeout(0);
  } else {
    netSocket.destroy();
    // libuv left O_NONBLOCK on the (now unshared) descriptor: match it to the mode.
    sock.settimeout(getdefaulttimeout());
  }
  return sock;
}

/** The methods this module adds to {@link Socket}, installed by src/socket-methods.ts. */
export const interopMethods: Pick<Socket, 'toNetSocket'> = {
  toNetSocket,
};
