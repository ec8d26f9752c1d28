// bsdsock recv ADDR FILE: what a stream socket brings, into a file.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ADDRESS_HELP } from './address';
import { EXIT_OK, Failure, interruption, note, numberOption, parseCommand, step, writeJson, writeOut, type Command } from './common';
import { openStream, ProgressBar, streamEndpoint } from './transfer';

const BUFFER_SIZE = 256 * 1024;

export const recv: Command = {
  name: 'recv',
  summary: 'receive a file over a stream socket into FILE (nc -l > FILE)',
  help: `Usage: bsdsock recv [options] ADDR FILE

Waits for one connection on ADDR (HOST:PORT, [IPV6]:PORT, :PORT or
unix:PATH) and writes what it brings, up to its end, to FILE ('-' for
stdout). On a terminal a progress bar shows the bytes received and the
rate (and with --size the share done and the time left); when stderr is
not a terminal nothing is drawn.

Options:
  -c, --connect          connect to ADDR instead of waiting for the sender
  -s, --size BYTES       the size to expect: shown in the progress bar; a
                         different size received is an error
  -t, --timeout SECONDS  give up waiting (or connecting) after SECONDS, and
                         when no data came for SECONDS
  -v, --verbose          say on stderr where it listens and what was received
      --json             one JSON document at the end: file, peer, bytes,
                         seconds, sha256
  -h, --help             this help

${ADDRESS_HELP}

Exit status: 0, 1 on an error, 2 for a usage mistake.`,

  async run(args) {
    const parsed = parseCommand(
      this,
      args,
      {
        connect: { type: 'boolean', short: 'c' },
        size: { type: 'string', short: 's' },
        timeout: { type: 'string', short: 't' },
        verbose: { type: 'boolean', short: 'v' },
      },
      { names: ['ADDR', 'FILE'] },
    );
    if (parsed === null) return EXIT_OK;
    const { values, positionals } = parsed;
    const timeout = numberOption(this, '--timeout', values.timeout as string | undefined, { min: 0.001 });
    const size = numberOption(this, '--size', values.size as string | undefined, { min: 0, integer: true });
    const [word, file] = positionals;
    const listen = values.connect !== true;
    const endpoint = streamEndpoint(this, word, listen);
    const toStdout = file === '-';
    const handle: FileHandle | null = toStdout ? null : await step(`recv ${file}`, () => open(file, 'w'));
    const interrupt = interruption();
    try {
      const { sock, peer } = await openStream(endpoint, listen, timeout, interrupt.signal, (here) => {
        if (values.verbose) note(`listening on ${here}`);
      });
      const started = performance.now();
      const hash = createHash('sha256');
      let received = 0;
      try {
        if (timeout !== undefined) sock.settimeout(timeout);
        const bar = new ProgressBar(toStdout ? peer : basename(file), size ?? null);
        const buffer = Buffer.allocUnsafe(BUFFER_SIZE);
        for (;;) {
          const n = await step(`recv ${word}`, () => sock.recv_intoAsync(buffer, 0, 0, { signal: interrupt.signal }));
          if (n === 0) break;
          const data = buffer.subarray(0, n);
          hash.update(data);
          if (handle) await step(`recv ${file}`, () => handle.write(data));
          else await writeOut(Buffer.from(data));
          received += n;
          bar.update(received);
        }
        bar.update(received, true);
      } finally {
        sock.close();
      }
      const seconds = (performance.now() - started) / 1000;
      if (size !== undefined && received !== size) {
        throw new Failure(`recv ${word}`, new Error(`received ${received} bytes, expected ${size}`));
      }
      if (values.json) await writeJson({ file, peer, bytes: received, seconds, sha256: hash.digest('hex') });
      else if (values.verbose) note(`received ${received} bytes from ${peer} into ${file} in ${seconds.toFixed(3)} s`);
      return EXIT_OK;
    } finally {
      interrupt.dispose();
      await handle?.close();
    }
  },
};
