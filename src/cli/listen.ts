// bsdsock listen ADDR: nc -l ADDR, for every family bsdsock speaks.
import * as socket from '../index';
import { ADDRESS_HELP, familyName, formatAddress, isConnectionType, listenOn, parseEndpoint, typeName } from './address';
import { EXIT_OK, Failure, interruption, note, numberOption, parseCommand, step, writeJson, writeOut, type Command } from './common';
import { relay, StdinPump } from './relay';

export const listen: Command = {
  name: 'listen',
  summary: 'wait for a connection on ADDR and relay stdin and stdout (nc -l)',
  help: `Usage: bsdsock listen [options] ADDR

Binds ADDR, waits for one connection and relays it: stdin to the peer, what
the peer sends to stdout. At the end of stdin the connection is half-closed
(shutdown SHUT_WR, as nc -N does); it ends at the peer's end of file.
A datagram socket (udp:, unix-dgram:) answers the first sender with stdin
and writes every datagram from it to stdout, until interrupted or idle.
A socket file made for unix:PATH is removed at the end.

Options:
  -k, --keep             accept the next connection after each one ends
  -t, --timeout SECONDS  give up waiting for the first peer after SECONDS;
                         end a connection when no data moved for SECONDS,
                         and with --keep, stop once no new connection came
                         for SECONDS
  -v, --verbose          say on stderr where it listens and who connected
      --json             JSON lines on stdout instead of the data: listening,
                         accepted, data (bytes, base64) and closed events
  -h, --help             this help

${ADDRESS_HELP}

Exit status: 0 at the end, 1 on an error (no peer within --timeout
included), 2 for a usage mistake.`,

  async run(args) {
    const parsed = parseCommand(
      this,
      args,
      { keep: { type: 'boolean', short: 'k' }, timeout: { type: 'string', short: 't' }, verbose: { type: 'boolean', short: 'v' } },
      { names: ['ADDR'] },
    );
    if (parsed === null) return EXIT_OK;
    const { values, positionals } = parsed;
    const timeout = numberOption(this, '--timeout', values.timeout, { min: 0.001 });
    const endpoint = parseEndpoint(this, positionals[0], true);
    const json = values.json === true;
    const verbose = values.verbose === true;
    const say = async (event: Record<string, unknown>, line: string) => {
      if (json) await writeJson(event);
      else if (verbose) note(line);
    };
    const interrupt = interruption();
    const stdin = new StdinPump();
    try {
      const listener = await listenOn(endpoint, interrupt.signal);
      const server = listener.sock;
      try {
        const here = formatAddress(server.getsockname());
        await say(
          { event: 'listening', address: here, family: familyName(server.family), type: typeName(server.type) },
          `listening on ${here} (${typeName(server.type)})`,
        );
        if (!isConnectionType(server.type)) {
          // The first datagram names the peer; stdin answers it.
          if (timeout !== undefined) server.settimeout(timeout);
          const [first, from] = await step(`recv ${endpoint.word}`, () => server.recvfromAsync(65536, { signal: interrupt.signal }));
          server.settimeout(null);
          const peer = formatAddress(from);
          const canAnswer = from !== null && from !== '';
          await say({ event: 'accepted', peer }, canAnswer ? `datagrams from ${peer}` : 'datagrams from an unbound sender (stdin not sent)');
          if (canAnswer) await step(`connect ${peer}`, () => server.connect(from));
          if (json) await writeJson({ event: 'data', from: peer, bytes: first.length, base64: first.toString('base64') });
          else await writeOut(first);
          const result = await relay(server, stdin, { peerName: peer, json, idle: timeout, sendStdin: canAnswer, signal: interrupt.signal });
          await say({ event: 'closed', ...result, received: result.received + first.length }, `ended (${result.end})`);
          return EXIT_OK;
        }
        for (let accepted = 0; accepted === 0 || values.keep; accepted++) {
          if (timeout !== undefined) server.settimeout(timeout);
          let conn: socket.Socket;
          let from: unknown;
          try {
            [conn, from] = await server.acceptAsync({ signal: interrupt.signal });
          } catch (e) {
            // With --keep, a quiet spell after the first connection is the normal end.
            if (accepted > 0 && e instanceof socket.TimeoutError) break;
            if (interrupt.signal.aborted) throw e;
            throw new Failure(`accept ${endpoint.word}`, e);
          }
          try {
            const peer = formatAddress(from);
            await say({ event: 'accepted', peer, local: formatAddress(conn.getsockname()) }, `connection from ${peer}`);
            const result = await relay(conn, stdin, { peerName: peer, json, idle: timeout, sendStdin: true, signal: interrupt.signal });
            await say({ event: 'closed', peer, ...result }, `closed ${peer} (${result.end}): sent ${result.sent} bytes, received ${result.received}`);
          } finally {
            conn.close();
          }
        }
        return EXIT_OK;
      } finally {
        listener.close();
      }
    } finally {
      interrupt.dispose();
    }
  },
};
