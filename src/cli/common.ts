// What every command of the `bsdsock` command line shares: option parsing,
// the one-line error report, exit statuses and output helpers. The command
// line uses bsdsock's public entry only (../index), as any user would.
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { OSError } from '../index';

/** Exit statuses: 0 success, 1 failure, 2 a usage mistake. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** One command: its name, a one-line summary for `bsdsock --help`, its help text and its body. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(args: string[]): Promise<number>;
}

/** A mistake in the command line: reported on one line, exit status 2. */
export class UsageError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

/** A failure while doing the work: reported as `bsdsock: CONTEXT: WHAT[: HINT]`, exit status 1. */
export class Failure extends Error {
  constructor(
    readonly context: string,
    override readonly cause: unknown,
    readonly hint?: string,
  ) {
    super(context);
  }
}

/** `ConnectionRefusedError [ECONNREFUSED]` for an OSError, the message for anything else. */
export function describeError(e: unknown): string {
  if (e instanceof OSError) {
    const code = e.code ?? (e.errno !== null ? String(e.errno) : undefined);
    if (code !== undefined) return `${e.name} [${code}]`;
    return e.message === '' ? e.name : `${e.name}: ${e.message}`;
  }
  if (e instanceof Error) return e.message.split('\n')[0];
  return String(e).split('\n')[0];
}

/** The line printed for an error, without the `bsdsock: ` prefix. */
export function errorLine(e: unknown): string {
  if (e instanceof Failure) {
    const what = describeError(e.cause);
    return `${e.context}: ${what}${e.hint ? `: ${e.hint}` : ''}`;
  }
  return describeError(e);
}

/** Runs `work`, turning any error it throws into a Failure that names `context`. */
export async function step<T>(context: string, work: () => T | Promise<T>, hint?: (e: unknown) => string | undefined): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof Failure || e instanceof UsageError || e instanceof Interrupted) throw e;
    throw new Failure(context, e, hint?.(e));
  }
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

/** Options every command takes. */
const COMMON: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
};

/**
 * Parses `args` with node's util.parseArgs (strict: unknown options and
 * missing values are usage errors). Returns null when `--help` was given
 * (the help is then printed).
 */
export function parseCommand<T extends Record<string, OptionSpec>>(
  command: Command,
  args: string[],
  options: T,
  positionals: { names: string[]; min?: number },
): { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string } & { json?: boolean }; positionals: string[] } | null {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...COMMON, ...options }, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(command.name, (e as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  if ((parsed.values as Record<string, unknown>).help) {
    process.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return null;
  }
  const n = parsed.positionals.length;
  const { names, min = names.length } = positionals;
  if (n < min) throw new UsageError(command.name, `missing ${names[n]}`);
  if (n > names.length) throw new UsageError(command.name, `unexpected argument '${parsed.positionals[names.length]}'`);
  return parsed as never;
}

/** A number option: finite, at least `min`, an integer when asked. */
export function numberOption(
  command: Command,
  name: string,
  value: string | undefined,
  limits: { min: number; max?: number; integer?: boolean },
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const kind = limits.integer ? 'an integer' : 'a number';
  if (value.trim() === '' || !Number.isFinite(n) || (limits.integer && !Number.isInteger(n))) {
    throw new UsageError(command.name, `${name} must be ${kind} (got '${value}')`);
  }
  if (n < limits.min || (limits.max !== undefined && n > limits.max)) {
    const range = limits.max !== undefined ? `from ${limits.min} to ${limits.max}` : `at least ${limits.min}`;
    throw new UsageError(command.name, `${name} must be ${range} (got ${value})`);
  }
  return n;
}

/** Writes to stdout, waiting while its buffer is full (backpressure). */
export async function writeOut(data: string | Uint8Array): Promise<void> {
  if (!process.stdout.write(data)) await once(process.stdout, 'drain');
}

/** Writes one JSON document (or one JSON line) to stdout. */
export function writeJson(value: unknown): Promise<void> {
  return writeOut(`${JSON.stringify(value)}\n`);
}

/** Writes a status line to stderr: `bsdsock: MESSAGE`. */
export function note(message: string): void {
  process.stderr.write(`bsdsock: ${message}\n`);
}

/** Pads the columns of `rows` (the first is the header) into aligned lines. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd() + '\n').join('');
}

/**
 * An AbortSignal that fires when SIGINT or SIGTERM arrives, so a command can
 * stop what it waits for and finish cleanly (print statistics, remove its
 * socket file). `dispose` removes the handlers.
 */
export function interruption(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => controller.abort(new Interrupted(name));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The reason of an interruption's abort: which signal came. */
export class Interrupted extends Error {
  constructor(readonly signalName: NodeJS.Signals) {
    super(signalName);
  }
  /** The exit status a shell expects after this signal (128 + its number). */
  get status(): number {
    return this.signalName === 'SIGINT' ? 130 : 143;
  }
}
