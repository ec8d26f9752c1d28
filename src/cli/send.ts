// bsdsock send FILE ADDR: a file over a stream socket with sendfile(2).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import * as socket from '../index';
import { ADDRESS_HELP } from './address';
import { EXIT_OK, interruption, note, numberOption, parseCommand, step, writeJson, type Command } from './common';
import { openStream, ProgressBar, streamEndpoint } from './transfer';

// sendfile is asked for this much at a time, so the progress bar moves.
const CHUNK = 1 << 20;

export const send: Command = {
  name: 'send',
  summary: 'send FILE over a stream socket with sendfile (nc < FILE)',
  help: `Usage: bsdsock send [options] FILE ADDR

Connects to ADDR (HOST:PORT, [IPV6]:PORT or unix:PATH) and sends FILE with
the kernel's sendfile(2), then half-closes the connection (shutdown SHUT_WR).
On a terminal a progress bar shows the bytes sent, the rate and the time
left; when stderr is not a terminal nothing is drawn.

Options:
  -l, --listen           wait for the receiver to connect to ADDR instead
  -t, --timeout SECONDS  give up connecting (or waiting) after SECONDS, and
                         when a MiB takes longer than SECONDS to go
  -v, --verbose          say on stderr where it listens and what was sent
      --json             one JSON document at the end: file, peer, bytes,
                         seconds, sha256 (FILE is read once more for it)
  -h, --help             this help

${ADDRESS_HELP}

Exit status: 0, 1 on an error, 2 for a usage mistake.`,

  async run(args) {
    const parsed = parseCommand(
      this,
      args,
      { listen: { type: 'boolean', short: 'l' }, timeout: { type: 'string', short: 't' }, verbose: { type: 'boolean', short: 'v' } },
      { names: ['FILE', 'ADDR'] },
    );
    if (parsed === null) return EXIT_OK;
    const { values, positionals } = parsed;
    const timeout = numberOption(this, '--timeout', values.timeout as string | undefined, { min: 0.001 });
    const [file, word] = positionals;
    const endpoint = streamEndpoint(this, word, values.listen === true);
    const handle = await step(`send ${file}`, () => open(file, 'r'));
    const interrupt = interruption();
    try {
      const size = (await handle.stat()).size;
      const { sock, peer } = await openStream(endpoint, values.listen === true, timeout, interrupt.signal, (here) => {
        if (values.verbose) note(`listening on ${here}`);
      });
      const started = performance.now();
      let offset = 0;
      try {
        if (timeout !== undefined) sock.settimeout(timeout);
        const bar = new ProgressBar(basename(file), size);
        for (;;) {
          const sent = await step(`send ${word}`, () => sock.sendfileAsync(handle, offset, CHUNK, { signal: interrupt.signal }));
          if (sent === 0) break;
          offset += sent;
          bar.update(offset);
        }
        bar.update(offset, true);
        await step(`send ${word}`, () => sock.shutdown(socket.SHUT_WR));
      } finally {
        sock.close();
      }
      const seconds = (performance.now() - started) / 1000;
      if (values.json) {
        const hash = createHash('sha256');
        if (offset > 0) {
          for await (const chunk of handle.createReadStream({ start: 0, end: offset - 1, autoClose: false })) hash.update(chunk as Buffer);
        }
        await writeJson({ file, peer, bytes: offset, seconds, sha256: hash.digest('hex') });
      } else if (values.verbose) note(`sent ${offset} bytes of ${file} to ${peer} in ${seconds.toFixed(3)} s`);
      return EXIT_OK;
    } finally {
      interrupt.dispose();
      await handle.close();
    }
  },
};
