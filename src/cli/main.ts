// The `bsdsock` command: nc, socat, ping, getent, ip and tcpdump -n in one,
// over bsdsock's public API. One command per file; this one dispatches and
// turns every error into one line and an exit status.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Interrupted, UsageError, errorLine, type Command } from './common';
import { capture } from './capture';
import { connect } from './connect';
import { listen } from './listen';
import { ifaces } from './ifaces';
import { ping } from './ping';
import { recv } from './recv';
import { resolve } from './resolve';
import { send } from './send';

/** Every command, in the order `bsdsock --help` lists them. */
export const COMMANDS: readonly Command[] = [connect, listen, send, recv, ping, resolve, ifaces, capture];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: bsdsock COMMAND [options] [arguments]',
    '',
    "Sockets from a terminal, over bsdsock (the BSD socket interface for Node.js).",
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Every command takes --help and --json. 'bsdsock COMMAND --help' tells more.",
    'Exit status: 0 on success, 1 on an error, 2 for a usage mistake.',
    '',
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the command line `args` (without node and the script); resolves with the exit status. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (name === 'help' && rest[0] !== undefined && topic === undefined) return usage(new UsageError('help', `no command '${rest[0]}'`));
    process.stdout.write(topic ? `${topic.help}\n` : overview());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`bsdsock ${version()}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return usage(new UsageError('', `no command '${name}' (try 'bsdsock --help')`));
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    const interrupted = e instanceof Interrupted ? e : (e as { cause?: unknown })?.cause;
    if (interrupted instanceof Interrupted) return interrupted.status;
    process.stderr.write(`bsdsock: ${errorLine(e)}\n`);
    if (process.env.BSDSOCK_TRACE) process.stderr.write(`${(e as Error)?.stack}\n`);
    return EXIT_FAILURE;
  }
}

function usage(e: UsageError): number {
  const who = e.command === '' ? 'bsdsock' : `bsdsock ${e.command}`;
  const more = e.command === '' || e.command === 'help' ? '' : ` (see '${who} --help')`;
  process.stderr.write(`${who}: ${e.message}${more}\n`);
  return EXIT_USAGE;
}

/**
 * The process's entry: runs main, then exits with its status once stdout
 * has taken everything written to it. A closed stdout (EPIPE, as under
 * `| head`) ends the command quietly.
 */
export function run(argv: string[]): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_OK);
    process.stderr.write(`bsdsock: stdout: ${e.code ?? e.message}\n`);
    process.exit(EXIT_FAILURE);
  });
  main(argv).then(
    (status) => process.stdout.write('', () => process.exit(status)),
    (e) => {
      process.stderr.write(`bsdsock: ${errorLine(e)}\n`);
      process.exit(EXIT_FAILURE);
    },
  );
}
