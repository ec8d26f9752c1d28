// Address words of the command line (socat's are the model): HOST:PORT and
// [IPv6]:PORT for TCP, udp:HOST:PORT, unix:PATH, unix-dgram:PATH,
// seqpacket:PATH, with @NAME in place of a path for an abstract name.
import { rmSync } from 'node:fs';
import * as socket from '../index';
import { Failure, UsageError, step, type Command } from './common';

/** What an address word names. */
export interface Endpoint {
  /** The word as given, for messages. */
  readonly word: string;
  readonly family: number; // AF_UNSPEC for an IP host that getaddrinfo decides
  readonly type: number;
  /** IP: the host ('' for any address when listening) and the port or service. */
  readonly host?: string;
  readonly port?: string;
  /** AF_UNIX: a path, or a Buffer starting with NUL for an abstract name. */
  readonly path?: string | Buffer;
}

const IP_WORDS: Record<string, [type: number, family: number]> = {
  tcp: [socket.SOCK_STREAM, socket.AF_UNSPEC],
  tcp4: [socket.SOCK_STREAM, socket.AF_INET],
  tcp6: [socket.SOCK_STREAM, socket.AF_INET6],
  udp: [socket.SOCK_DGRAM, socket.AF_UNSPEC],
  udp4: [socket.SOCK_DGRAM, socket.AF_INET],
  udp6: [socket.SOCK_DGRAM, socket.AF_INET6],
};
const UNIX_WORDS: Record<string, number> = {
  unix: socket.SOCK_STREAM,
  'unix-dgram': socket.SOCK_DGRAM,
  seqpacket: socket.SOCK_SEQPACKET,
};

/** Help text describing the address words, shared by the commands that take them. */
export const ADDRESS_HELP = `Addresses:
  HOST:PORT, [IPV6]:PORT     TCP (tcp4:, tcp6: to choose the family)
  udp:HOST:PORT              UDP (udp4:, udp6: likewise)
  unix:PATH                  AF_UNIX stream socket
  unix-dgram:PATH            AF_UNIX datagram socket
  seqpacket:PATH             AF_UNIX seqpacket socket
  @NAME in place of PATH     an abstract name (no file)
When listening, HOST may be left out (:PORT) for every local address.`;

/** Parses an address word; `listening` allows an empty host. */
export function parseEndpoint(command: Command, word: string, listening: boolean): Endpoint {
  const colon = word.indexOf(':');
  const prefix = colon > 0 ? word.slice(0, colon).toLowerCase() : '';
  if (prefix in UNIX_WORDS) {
    const rest = word.slice(colon + 1);
    if (rest === '' || rest === '@') throw new UsageError(command.name, `'${word}' names no path`);
    if (rest.includes('\0')) throw new UsageError(command.name, `'${word}' holds a NUL byte`);
    const path = rest.startsWith('@') ? Buffer.concat([Buffer.alloc(1), Buffer.from(rest.slice(1))]) : rest;
    return { word, family: socket.AF_UNIX, type: UNIX_WORDS[prefix], path };
  }
  const [type, family] = IP_WORDS[prefix] ?? IP_WORDS.tcp;
  const hostPort = prefix in IP_WORDS ? word.slice(colon + 1) : word;
  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(hostPort);
  if (bracketed) {
    [, host, port] = bracketed;
    if (!host.includes(':')) throw new UsageError(command.name, `'${word}': brackets are for IPv6 addresses`);
  } else {
    const last = hostPort.lastIndexOf(':');
    if (last < 0) {
      if (!listening || !/^\d+$/.test(hostPort)) {
        throw new UsageError(command.name, `'${word}' is not an address (HOST:PORT, udp:HOST:PORT, unix:PATH, ...)`);
      }
      host = '';
      port = hostPort;
    } else {
      host = hostPort.slice(0, last);
      port = hostPort.slice(last + 1);
      if (host.includes(':')) throw new UsageError(command.name, `'${word}': write an IPv6 address in brackets, [${host}]:${port}`);
    }
  }
  if (port === '') throw new UsageError(command.name, `'${word}' names no port`);
  if (host === '' && !listening) throw new UsageError(command.name, `'${word}' names no host`);
  return { word, family, type, host, port };
}

/** One address to open a socket for. */
export interface Target {
  readonly family: number;
  readonly type: number;
  readonly proto: number;
  readonly address: socket.Address;
}

/** The sockets to try for an endpoint: getaddrinfo's answers in order for IP, the path for AF_UNIX. */
export async function targets(endpoint: Endpoint, passive: boolean, signal?: AbortSignal): Promise<Target[]> {
  if (endpoint.family === socket.AF_UNIX) {
    return [{ family: socket.AF_UNIX, type: endpoint.type, proto: 0, address: endpoint.path! }];
  }
  const port = /^\d+$/.test(endpoint.port!) ? Number(endpoint.port) : endpoint.port!;
  const host = endpoint.host === '' ? null : endpoint.host!;
  const flags = passive ? socket.AI_PASSIVE : 0;
  const found = await step(`resolve ${endpoint.word}`, () =>
    socket.getaddrinfoAsync(host, port, endpoint.family, endpoint.type, 0, flags, { signal }),
  );
  return found.map(([family, type, proto, , address]) => ({ family, type, proto, address }));
}

/** An address as people write it: `127.0.0.1:80`, `[::1]:80`, `/run/x.sock`, `@name`, `(unnamed)`. */
export function formatAddress(address: unknown): string {
  if (Array.isArray(address) && typeof address[0] === 'string' && typeof address[1] === 'number') {
    const [host, port] = address as [string, number];
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }
  if (typeof address === 'string') return address === '' ? '(unnamed)' : address;
  if (Buffer.isBuffer(address)) return address[0] === 0 ? `@${address.subarray(1).toString()}` : address.toString();
  if (address === null || address === undefined) return '(unnamed)';
  return JSON.stringify(address);
}

/** A family or type number by its name (`AF_INET6`, `SOCK_SEQPACKET`), or the number. */
export function familyName(family: number): string {
  const name = socket.AddressFamily[family];
  return typeof name === 'string' ? name : String(family);
}

/** `SOCK_STREAM`, `SOCK_DGRAM`, ... or the number. */
export function typeName(type: number): string {
  const name = socket.SocketKind[type];
  return typeof name === 'string' ? name : String(type);
}

/** Whether sockets of this type have connections (and an EOF). */
export function isConnectionType(type: number): boolean {
  return type === socket.SOCK_STREAM || type === socket.SOCK_SEQPACKET;
}

/**
 * Opens a socket connected to `endpoint`, trying each of its addresses in
 * turn (the last error wins, as create_connection). A UNIX datagram socket
 * is autobound first so that the peer can answer it. `timeout` bounds each
 * attempt, in seconds.
 */
export async function connectTo(endpoint: Endpoint, timeout: number | undefined, signal: AbortSignal): Promise<socket.Socket> {
  const context = `connect ${endpoint.word}`;
  const found = await targets(endpoint, false, signal);
  let last: unknown;
  for (const target of found) {
    const sock = await step(context, () => socket.socket(target.family, target.type, target.proto));
    try {
      if (target.family === socket.AF_UNIX && target.type === socket.SOCK_DGRAM) sock.bind('');
      // The socket's timeout bounds the twin (TimeoutError, as Python's connect with a timeout).
      if (timeout !== undefined) sock.settimeout(timeout);
      await sock.connectAsync(target.address, { signal });
      sock.settimeout(null);
      return sock;
    } catch (e) {
      sock.close();
      if (signal.aborted) throw e;
      last = e;
    }
  }
  throw new Failure(context, last);
}

/** A bound socket (listening, for connection types) and how to put it away. */
export interface Listener {
  readonly sock: socket.Socket;
  /** Closes the socket and removes the socket file it created. */
  close(): void;
}

/**
 * Binds a socket to `endpoint` (getaddrinfo's first passive answer for IP,
 * with SO_REUSEADDR as nc and socat set it) and listens when the type has
 * connections. A path is removed again by `close()`.
 */
export async function listenOn(endpoint: Endpoint, signal: AbortSignal): Promise<Listener> {
  const context = `listen ${endpoint.word}`;
  const [target] = await targets(endpoint, true, signal);
  if (target === undefined) throw new Failure(context, new Error('no address to listen on'));
  const sock = await step(context, () => socket.socket(target.family, target.type, target.proto));
  await step(context, () => {
    try {
      if (target.family !== socket.AF_UNIX) sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
      sock.bind(target.address);
      if (isConnectionType(target.type)) sock.listen();
    } catch (e) {
      sock.close();
      throw e;
    }
  });
  const path = typeof target.address === 'string' ? target.address : null;
  return {
    sock,
    close() {
      sock.close();
      if (path !== null) rmSync(path, { force: true });
    },
  };
}
