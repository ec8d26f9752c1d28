// bsdsock resolve NAME [SERVICE]: getaddrinfo's answers as a table (getent ahosts).
import * as socket from '../index';
import { familyName, typeName } from './address';
import { EXIT_OK, parseCommand, step, table, UsageError, writeJson, writeOut, type Command } from './common';

/** A name given in full (AF_INET6), without its prefix (inet6), in any case, or as a number. */
function constantArgument(command: Command, option: string, value: string, prefix: string, names: Record<string, number | string>): number {
  if (/^\d+$/.test(value)) return Number(value);
  const upper = value.toUpperCase();
  const full = upper.startsWith(prefix) ? upper : `${prefix}${upper}`;
  const n = names[full];
  if (typeof n !== 'number') throw new UsageError(command.name, `${option}: no ${prefix}* constant '${value}'`);
  return n;
}

const ALIASES: Record<string, string> = { '4': 'INET', '6': 'INET6', any: 'UNSPEC' };

/** IPPROTO_ names by number, where one name has the number. */
function protocolName(proto: number): string {
  if (proto === 0) return '0';
  const names = socket.CONSTANT_NAMES.filter((n) => n.startsWith('IPPROTO_') && (socket as unknown as Record<string, number>)[n] === proto);
  return names.length === 1 ? names[0] : String(proto);
}

function hostColumn(address: socket.AddrInfoAddress): string {
  const [host, , , scope] = address as [string, number, number?, number?];
  return scope ? `${host}%${scope}` : host;
}

export const resolve: Command = {
  name: 'resolve',
  summary: 'look NAME and SERVICE up with getaddrinfo (getent ahosts)',
  help: `Usage: bsdsock resolve [options] NAME [SERVICE]

Looks NAME (and SERVICE, a port number or a name from /etc/services) up
with getaddrinfo and prints one line per answer: family, type, protocol,
address, port and canonical name. An empty NAME passes no name (with
AI_PASSIVE: the wildcard address).

Options:
  -f, --family FAMILY    AF_INET, AF_INET6, AF_UNSPEC (or inet, inet6, 4, 6)
  -t, --type TYPE        SOCK_STREAM, SOCK_DGRAM, SOCK_RAW (or stream, ...)
  -p, --proto PROTO      a protocol number, or a name (tcp, udp, IPPROTO_SCTP)
  -F, --flags FLAGS      AI_* flags separated by commas (AI_CANONNAME,
                         numerichost, ...); the default is AI_CANONNAME
      --json             a JSON array of the answers
  -h, --help             this help

Exit status: 0 with answers, 1 when the lookup fails (a gaierror such as
EAI_NONAME), 2 for a usage mistake.`,

  async run(args) {
    const parsed = parseCommand(
      this,
      args,
      {
        family: { type: 'string', short: 'f' },
        type: { type: 'string', short: 't' },
        proto: { type: 'string', short: 'p' },
        flags: { type: 'string', short: 'F' },
      },
      { names: ['NAME', 'SERVICE'], min: 1 },
    );
    if (parsed === null) return EXIT_OK;
    const { values, positionals } = parsed;
    const constants = socket as unknown as Record<string, number>;
    const familyWord = values.family as string | undefined;
    const family = familyWord === undefined ? socket.AF_UNSPEC : constantArgument(this, '--family', ALIASES[familyWord] ?? familyWord, 'AF_', constants);
    const typeWord = values.type as string | undefined;
    const type = typeWord === undefined ? 0 : constantArgument(this, '--type', typeWord, 'SOCK_', constants);
    const protoWord = values.proto as string | undefined;
    let proto = 0;
    if (protoWord !== undefined) {
      if (/^\d+$/.test(protoWord)) proto = Number(protoWord);
      else if (typeof constants[`IPPROTO_${protoWord.toUpperCase()}`] === 'number') proto = constants[`IPPROTO_${protoWord.toUpperCase()}`];
      else proto = await step(`resolve: protocol ${protoWord}`, () => socket.getprotobyname(protoWord));
    }
    const flagsWord = values.flags as string | undefined;
    let flags = socket.AI_CANONNAME;
    if (flagsWord !== undefined) {
      flags = 0;
      for (const word of flagsWord.split(',').filter((w) => w !== '')) flags |= constantArgument(this, '--flags', word, 'AI_', constants);
    }
    const [name, service] = positionals;
    const port = service === undefined ? null : /^\d+$/.test(service) ? Number(service) : service;
    const what = service === undefined ? name : `${name} ${service}`;
    const answers = await step(`resolve ${what}`, () => socket.getaddrinfoAsync(name === '' ? null : name, port, family, type, proto, flags));
    if (values.json) {
      await writeJson(
        answers.map(([f, t, p, canonname, address]) => ({ family: familyName(f), type: typeName(t), proto: p, canonname, address })),
      );
    } else {
      const rows = [['FAMILY', 'TYPE', 'PROTO', 'ADDRESS', 'PORT', 'CANONNAME']];
      for (const [f, t, p, canonname, address] of answers) {
        rows.push([familyName(f), typeName(t), protocolName(p), hostColumn(address), String(address[1]), canonname]);
      }
      await writeOut(table(rows));
    }
    return EXIT_OK;
  },
};
