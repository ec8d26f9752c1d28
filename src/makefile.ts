// Socket.makefile(): Python's socket.py file layer. The file objects live
// in src/io/: raw (SocketIO), buffered (BufferedReader/Writer/RWPair) and
// text (TextIOWrapper).
import { argTypeError, argValueError } from './errors';
import { isOptions } from './validate';
import { Socket } from './socket';
import { BufferedReader, BufferedRWPair, BufferedWriter, BufferedIOBase } from './io/buffered';
import { checkErrors, lookupCodec, UnicodeDecodeError, UnicodeEncodeError } from './io/codec';
import { DEFAULT_BUFFER_SIZE, RawCore, SocketIO, UnsupportedOperation } from './io/raw';
import { TextIOWrapper } from './io/text';

export { BufferedIOBase, BufferedReader, BufferedRWPair, BufferedWriter, SocketIO, TextIOWrapper, UnsupportedOperation };
export { UnicodeDecodeError, UnicodeEncodeError };

/** The keyword-only arguments of makefile(); used in text mode only, as in Python. */
export interface MakefileOptions {
  /** The text encoding: `'utf-8'` (the default, shown as `'UTF-8'`), `'ascii'` or `'latin-1'`, with Python's aliases. */
  encoding?: string | null;
  /**
   * What to do with bytes that do not decode, or text that does not
   * encode: `'strict'` (the default: raise UnicodeDecodeError /
   * UnicodeEncodeError), `'replace'`, `'ignore'`, `'backslashreplace'`,
   * `'surrogateescape'`, or (on write) `'xmlcharrefreplace'`.
   */
  errors?: string | null;
  /**
   * Line endings. `null` (the default): on read, `\r\n` and `\r` become
   * `\n`; `\n` is written as is. `''`: lines end at `\n`, `\r` or `\r\n`,
   * untranslated. `'\n'`, `'\r'`, `'\r\n'`: lines end there; on write, `\n`
   * becomes this string.
   */
  newline?: string | null;
}

/** Any mode string with a `b`: a binary file. */
export type BinaryMode = `${string}b${string}`;

/** Whatever makefile() returns. */
export type SocketFile = SocketIO | BufferedReader | BufferedWriter | BufferedRWPair | TextIOWrapper;

// A file collected while open is closed (after a best-effort flush that
// never blocks), with a ResourceWarning, as Python's sockets are.
const unclosed = new FinalizationRegistry<RawCore>((core) => {
  if (core.closed) return;
  process.emitWarning(`unclosed file ${core.describe}`, 'ResourceWarning');
  core.finalize();
});

function forget(core: RawCore): void {
  unclosed.unregister(core.token);
}

/** Python's repr() of a string. */
function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return q + out + q;
}

function textOption(options: Record<string, unknown>, key: string): string | null {
  const v = options[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw argTypeError(key, 'of type string or null', v);
  return v;
}

function makefile(this: Socket, ...args: unknown[]): SocketFile {
  let [mode, buffering, options] = args;
  if (args.length === 2 && isOptions(buffering)) {
    options = buffering;
    buffering = null;
  }
  if (mode === undefined) mode = 'r';
  if (typeof mode !== 'string') throw argTypeError('mode', 'of type string', mode);
  for (const c of mode) {
    if (c !== 'r' && c !== 'w' && c !== 'b') throw argValueError('mode', `invalid mode ${pyRepr(mode)} (only r, w, b allowed)`);
  }
  const writing = mode.includes('w');
  const reading = mode.includes('r') || !writing;
  const binary = mode.includes('b');

  let size: number;
  if (buffering === undefined || buffering === null) size = -1;
  else if (typeof buffering === 'number' && Number.isSafeInteger(buffering)) size = buffering;
  else if (typeof buffering === 'bigint') size = Number(buffering);
  else throw argTypeError('buffering', 'an integer or null', buffering);
  if (size < 0) size = DEFAULT_BUFFER_SIZE;
  if (size === 0 && !binary) throw argValueError('buffering', 'unbuffered streams must be binary');

  let encoding: string | null = null;
  let errors: string | null = null;
  let newline: string | null = null;
  if (!binary) {
    if (options !== undefined && options !== null && typeof options !== 'object') throw argTypeError('options', 'of type object', options);
    const o = (options ?? {}) as Record<string, unknown>;
    encoding = textOption(o, 'encoding');
    errors = textOption(o, 'errors');
    newline = textOption(o, 'newline');
    if (newline !== null && newline !== '' && newline !== '\n' && newline !== '\r' && newline !== '\r\n') {
      throw argValueError('newline', `illegal newline value: ${newline}`);
    }
    if (errors !== null) checkErrors(errors);
  }
  const codec = binary ? null : lookupCodec(encoding ?? 'utf-8');

  const core = new RawCore(this, reading, writing);
  let file: SocketFile;
  if (size === 0) {
    file = new SocketIO(core);
  } else {
    const Cls = reading && writing ? BufferedRWPair : reading ? BufferedReader : BufferedWriter;
    const buffered = new Cls(core, size);
    file = binary
      ? buffered
      : new TextIOWrapper(core, buffered, {
          codec: codec!,
          encoding: encoding ?? 'UTF-8',
          errors: errors ?? 'strict',
          newline,
          mode,
        });
  }
  this._ioRef(1);
  core.describe = file.toString();
  core.onClose = forget;
  unclosed.register(file, core, core.token);
  return file;
}


/** The methods this module adds to {@link Socket}, installed by src/socket-methods.ts. */
export const makefileMethods: Pick<Socket, 'makefile'> = {
  makefile: makefile as Socket['makefile'],
};
