// bsdsock connect ADDR: nc ADDR, for every family bsdsock speaks.
import { ADDRESS_HELP, connectTo, familyName, formatAddress, isConnectionType, parseEndpoint, typeName } from './address';
import { EXIT_OK, interruption, note, numberOption, parseCommand, writeJson, type Command } from './common';
import { relay, StdinPump } from './relay';

/** After stdin's end, how long a datagram socket keeps listening for answers (socat's -t). */
export const DATAGRAM_LINGER = 0.5;

export const connect: Command = {
  name: 'connect',
  summary: 'connect to ADDR and relay stdin and stdout (nc)',
  help: `Usage: bsdsock connect [options] ADDR

Connects to ADDR, sends stdin to it and writes what comes back to stdout.
At the end of stdin a stream or seqpacket connection is half-closed
(shutdown SHUT_WR, as nc -N does) and the command ends at the peer's end of
file. A datagram socket sends each chunk of stdin as one datagram and, after
the end of stdin, waits ${DATAGRAM_LINGER} s (or --timeout) for answers.

Options:
  -t, --timeout SECONDS  give up connecting after SECONDS, and end when no
                         data moved for SECONDS
  -v, --verbose          say on stderr what was connected and how it ended
      --json             JSON lines on stdout instead of the data: connected,
                         data (bytes, base64) and closed events
  -h, --help             this help

${ADDRESS_HELP}

Exit status: 0 at the end, 1 on an error, 2 for a usage mistake.`,

  async run(args) {
    const parsed = parseCommand(this, args, { timeout: { type: 'string', short: 't' }, verbose: { type: 'boolean', short: 'v' } }, { names: ['ADDR'] });
    if (parsed === null) return EXIT_OK;
    const { values, positionals } = parsed;
    const timeout = numberOption(this, '--timeout', values.timeout, { min: 0.001 });
    const endpoint = parseEndpoint(this, positionals[0], false);
    const json = values.json === true;
    const interrupt = interruption();
    try {
      const sock = await connectTo(endpoint, timeout, interrupt.signal);
      try {
        const local = formatAddress(sock.getsockname());
        const peer = formatAddress(sock.getpeername());
        if (json) {
          await writeJson({ event: 'connected', local, peer, family: familyName(sock.family), type: typeName(sock.type) });
        } else if (values.verbose) note(`connected to ${peer} from ${local}`);
        const result = await relay(sock, new StdinPump(), {
          peerName: endpoint.word,
          json,
          idle: timeout,
          linger: isConnectionType(sock.type) ? undefined : DATAGRAM_LINGER,
          sendStdin: true,
          signal: interrupt.signal,
        });
        if (json) await writeJson({ event: 'closed', ...result });
        else if (values.verbose) note(`closed (${result.end}): sent ${result.sent} bytes, received ${result.received}`);
      } finally {
        sock.close();
      }
      return EXIT_OK;
    } finally {
      interrupt.dispose();
    }
  },
};
