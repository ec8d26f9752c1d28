// What `send` and `recv` share: the connection (either end may listen)
// and the progress bar they draw on a terminal.
import * as socket from '../index';
import { connectTo, formatAddress, listenOn, parseEndpoint, type Endpoint } from './address';
import { Failure, UsageError, type Command } from './common';

/** Parses ADDR for send and recv, which need a stream socket (TCP or AF_UNIX stream). */
export function streamEndpoint(command: Command, word: string, listening: boolean): Endpoint {
  const endpoint = parseEndpoint(command, word, listening);
  if (endpoint.type !== socket.SOCK_STREAM) throw new UsageError(command.name, `'${word}' is not a stream socket (HOST:PORT or unix:PATH)`);
  return endpoint;
}

/** A connected stream socket and its peer, by connecting or by accepting one connection. */
export async function openStream(
  endpoint: Endpoint,
  listen: boolean,
  timeout: number | undefined,
  signal: AbortSignal,
  onListening: (address: string) => void,
): Promise<{ sock: socket.Socket; peer: string }> {
  if (!listen) {
    const sock = await connectTo(endpoint, timeout, signal);
    return { sock, peer: formatAddress(sock.getpeername()) };
  }
  const listener = await listenOn(endpoint, signal);
  try {
    onListening(formatAddress(listener.sock.getsockname()));
    if (timeout !== undefined) listener.sock.settimeout(timeout);
    const [sock, from] = await listener.sock.acceptAsync({ signal });
    return { sock, peer: formatAddress(from) };
  } catch (e) {
    if (signal.aborted) throw e;
    throw new Failure(`accept ${endpoint.word}`, e);
  } finally {
    listener.close();
  }
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> '1.5 KiB'. */
export function humanBytes(n: number): string {
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${n.toFixed(1)} ${UNITS[unit]}`;
}

/** 75 -> '1:15'. */
function clock(seconds: number): string {
  const s = Math.max(Math.round(seconds), 0);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/**
 * A progress bar on stderr: bytes, rate and time left, redrawn in place at
 * most ten times a second. It draws only when stderr is a terminal, so
 * scripts and logs get nothing.
 */
export class ProgressBar {
  readonly #stream = process.stderr;
  readonly #enabled = process.stderr.isTTY === true;
  readonly #started = performance.now();
  /** When the last frame was drawn; none yet, so the first update draws at once. */
  #drawn = -Infinity;

  constructor(
    readonly label: string,
    readonly total: number | null,
  ) {}

  /** Shows `done` bytes; `final` draws even within the tenth of a second and ends the line. */
  update(done: number, final = false): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (!final && now - this.#drawn < 100) return;
    this.#drawn = now;
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    let text: string;
    const width = this.#stream.columns || 80;
    if (this.total !== null && this.total > 0) {
      const fraction = Math.min(done / this.total, 1);
      const left = rate > 0 ? (this.total - done) / rate : NaN;
      const timing = final ? `in ${clock(seconds)}` : Number.isFinite(left) ? `${clock(left)} left` : '-:-- left';
      const tail = ` ${String(Math.floor(fraction * 100)).padStart(3)}%  ${humanBytes(done)} / ${humanBytes(this.total)}  ${humanBytes(rate)}/s  ${timing}`;
      const barWidth = Math.max(width - this.label.length - tail.length - 5, 10);
      const filled = Math.round(fraction * barWidth);
      text = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
    } else {
      text = `${this.label}  ${humanBytes(done)}  ${humanBytes(rate)}/s  ${final ? 'in ' : ''}${clock(seconds)}`;
    }
    // \r and erase-to-end-of-line redraw the same line.
    this.#stream.write(`\r${text.slice(0, width - 1)}\x1b[K${final ? '\n' : ''}`);
  }
}
