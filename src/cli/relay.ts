// The relay of `connect` and `listen`: stdin to the socket, the socket to
// stdout, with the async twins so that neither direction blocks the other.
import * as socket from '../index';
import { formatAddress, isConnectionType } from './address';
import { Failure, writeJson, writeOut } from './common';

/**
 * stdin, read only when a relay asks for it. A read still pending when a
 * relay ends serves the next relay (listen --keep), so no input is lost
 * between connections.
 */
export class StdinPump {
  #iterator: AsyncIterator<Buffer> | null = null;
  #pending: Promise<IteratorResult<Buffer>> | null = null;

  /** The next chunk of stdin (done at its end; every later call is done too). */
  next(): Promise<IteratorResult<Buffer>> {
    this.#iterator ??= process.stdin[Symbol.asyncIterator]();
    this.#pending ??= this.#iterator.next();
    return this.#pending;
  }

  /** Marks the chunk `next()` gave as used, so that the following call reads on. */
  consume(result: IteratorResult<Buffer>): void {
    if (!result.done) this.#pending = null;
  }
}

/** How a relay ended: the peer's end of file, or no data for the idle time. */
export type RelayEnd = 'eof' | 'idle';

export interface RelayOptions {
  /** Names the peer in error messages (`recv 127.0.0.1:4000`). */
  readonly peerName: string;
  /** JSON lines (data events, base64) instead of raw bytes on stdout. */
  readonly json: boolean;
  /** End after this many seconds without data in either direction. */
  readonly idle?: number;
  /** Datagram sockets: after stdin's end, end once idle for this long (when `idle` is not set). */
  readonly linger?: number;
  /** Whether to send stdin at all (false when a datagram peer has no address to answer). */
  readonly sendStdin: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

export interface RelayResult {
  readonly sent: number;
  readonly received: number;
  readonly end: RelayEnd;
}

// The largest UDP payload over IPv4 (65535 - 20 - 8): a longer stdin chunk is split.
const MAX_UDP_PAYLOAD = 65507;
const RECV_SIZE = 65536;
/** After the peer's end of file, how long stdin may stay quiet before the relay ends (socat's -t). */
export const PEER_EOF_LINGER = 0.5;

// What sending (or shutting down) says once the peer has closed for good.
const PEER_GONE = new Set(['EPIPE', 'ECONNRESET', 'ENOTCONN']);

const IDLE = Symbol('idle');
const DONE = Symbol('done');
const FAILED = Symbol('failed');

/**
 * Relays until the peer's end of file and the end of stdin (connection
 * types; after the peer's EOF, stdin quiet for PEER_EOF_LINGER ends it too),
 * or until idle, or until interrupted (rejects with the interruption). At
 * stdin's end a connection is half-closed with shutdown(SHUT_WR), as
 * `nc -N` does.
 */
export async function relay(sock: socket.Socket, stdin: StdinPump, options: RelayOptions): Promise<RelayResult> {
  const connection = isConnectionType(sock.type);
  const isUdp = !connection && sock.family !== socket.AF_UNIX;
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, options.signal]);
  const stopped = new Promise<typeof DONE>((resolve) => signal.addEventListener('abort', () => resolve(DONE), { once: true }));
  let idleSeconds = options.idle;
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    if (idleSeconds !== undefined) timer = setTimeout(() => stop.abort(IDLE), idleSeconds * 1000);
  };
  touch();
  let sent = 0;
  let received = 0;
  let outboundError: unknown;

  const outbound = async () => {
    if (!options.sendStdin) return;
    for (;;) {
      const chunk = await Promise.race([stdin.next(), stopped]);
      if (chunk === DONE) return;
      stdin.consume(chunk);
      if (chunk.done) {
        if (connection) sock.shutdown(socket.SHUT_WR);
        else if (idleSeconds === undefined && options.linger !== undefined) {
          idleSeconds = options.linger;
          touch();
        }
        return;
      }
      const data = chunk.value;
      if (connection) await sock.sendallAsync(data, { signal });
      else {
        const step = isUdp ? MAX_UDP_PAYLOAD : data.length;
        for (let at = 0; at < data.length; at += step) await sock.sendAsync(data.subarray(at, at + step), { signal });
      }
      sent += data.length;
      touch();
    }
  };

  const inbound = async (): Promise<RelayEnd> => {
    for (;;) {
      let data: Buffer;
      let from: unknown = null;
      if (connection) data = await sock.recvAsync(RECV_SIZE, { signal });
      else [data, from] = await sock.recvfromAsync(RECV_SIZE, { signal });
      if (connection && data.length === 0) return 'eof';
      received += data.length;
      touch();
      if (options.json) {
        const event: Record<string, unknown> = { event: 'data', bytes: data.length, base64: data.toString('base64') };
        if (!connection) event.from = formatAddress(from);
        await writeJson(event);
      } else await writeOut(data);
    }
  };

  let peerEnded = false;
  const out = outbound().catch((e) => {
    if (stop.signal.aborted && !options.signal.aborted) return; // stopped on purpose
    // Once the peer is gone for good, a refused send just ends the relay.
    if (peerEnded && e instanceof socket.OSError && PEER_GONE.has(e.code ?? '')) return;
    outboundError = e;
    stop.abort(FAILED);
  });
  let end: RelayEnd;
  try {
    end = await inbound();
    // The peer may have shut down only its sending side: the rest of stdin
    // still goes out, unless stdin stays quiet for the linger time.
    peerEnded = true;
    if (idleSeconds === undefined || idleSeconds > PEER_EOF_LINGER) idleSeconds = PEER_EOF_LINGER;
    touch();
    await out;
    if (stop.signal.reason === FAILED) throw new Failure(`send ${options.peerName}`, outboundError);
    if (options.signal.aborted) throw options.signal.reason;
    return { sent, received, end };
  } catch (e) {
    if (e instanceof Failure || options.signal.aborted) throw e;
    if (stop.signal.reason === IDLE) return { sent, received, end: 'idle' };
    if (stop.signal.reason === FAILED) throw new Failure(`send ${options.peerName}`, outboundError);
    throw new Failure(`recv ${options.peerName}`, e);
  } finally {
    clearTimeout(timer);
    stop.abort(DONE);
    await out;
  }
}
