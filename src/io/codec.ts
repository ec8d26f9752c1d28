// Text encodings for makefile()'s text mode: incremental decoders and
// encoders with Python's error handlers, and the Unicode errors they raise.
import { isUtf8 } from 'node:buffer';
import { argValueError } from '../errors';

/**
 * Python's `UnicodeDecodeError`: bytes that are not valid in the file's
 * encoding, read with `errors: 'strict'` (the default). Python's
 * UnicodeDecodeError is a ValueError, so this is a `TypeError`, with the
 * code Node's own `TextDecoder` uses for the same fault.
 */
export class UnicodeDecodeError extends TypeError {
  /** `'ERR_ENCODING_INVALID_ENCODED_DATA'`, as Node's `TextDecoder` in fatal mode. */
  readonly code = 'ERR_ENCODING_INVALID_ENCODED_DATA';
  /**
   * @param encoding the codec's name (`'utf-8'`)
   * @param object the bytes being decoded
   * @param start index of the first invalid byte in `object`
   * @param end index just past the invalid bytes
   * @param reason what is wrong with them (`'invalid start byte'`)
   */
  constructor(
    readonly encoding: string,
    readonly object: Buffer,
    readonly start: number,
    readonly end: number,
    readonly reason: string,
  ) {
    super(
      end - start === 1
        ? `'${encoding}' codec can't decode byte 0x${object[start].toString(16).padStart(2, '0')} in position ${start}: ${reason}`
        : `'${encoding}' codec can't decode bytes in position ${start}-${end - 1}: ${reason}`,
    );
  }

  /** `'UnicodeDecodeError'`, Python's name for the class. */
  override get name(): string {
    return 'UnicodeDecodeError';
  }
}

/**
 * Python's `UnicodeEncodeError`: text that the file's encoding cannot
 * represent, written with `errors: 'strict'`. A `TypeError` with code
 * `ERR_INVALID_ARG_VALUE` (Python's is a ValueError about the argument).
 * `start` and `end` count code points, as Python does.
 */
export class UnicodeEncodeError extends TypeError {
  /** `'ERR_INVALID_ARG_VALUE'`: the text given to write() cannot be encoded. */
  readonly code = 'ERR_INVALID_ARG_VALUE';
  /**
   * @param encoding the codec's name (`'ascii'`)
   * @param object the text being encoded
   * @param start index (in code points) of the first character that cannot be encoded
   * @param end index just past those characters
   * @param reason why (`'ordinal not in range(128)'`)
   */
  constructor(
    readonly encoding: string,
    readonly object: string,
    readonly start: number,
    readonly end: number,
    readonly reason: string,
  ) {
    const cps = Array.from(object);
    super(
      end - start === 1
        ? `'${encoding}' codec can't encode character '${escapeChar(cps[start] ?? '')}' in position ${start}: ${reason}`
        : `'${encoding}' codec can't encode characters in position ${start}-${end - 1}: ${reason}`,
    );
  }

  /** `'UnicodeEncodeError'`, Python's name for the class. */
  override get name(): string {
    return 'UnicodeEncodeError';
  }
}

function escapeChar(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** The error handlers makefile() accepts (Python's built-in ones, less namereplace and surrogatepass). */
export const ERROR_HANDLERS = ['strict', 'ignore', 'replace', 'backslashreplace', 'surrogateescape', 'xmlcharrefreplace'];

/** An incremental decoder: bytes in, text out; holds back an incomplete character unless `final`. */
export interface Decoder {
  decode(bytes: Buffer, final: boolean): string;
}

/** A stateless encoder. */
export interface Encoder {
  encode(text: string): Buffer;
}

export interface Codec {
  /** Python's canonical codec name, used in error messages. */
  readonly name: string;
  decoder(errors: string): Decoder;
  encoder(errors: string): Encoder;
}

/** What a decode error handler puts in place of `object[start:end]`. */
function decodeReplacement(errors: string, e: UnicodeDecodeError): string {
  switch (errors) {
    case 'ignore':
      return '';
    case 'replace':
      return '\ufffd';
    case 'backslashreplace': {
      let s = '';
      for (let i = e.start; i < e.end; i++) s += `\\x${e.object[i].toString(16).padStart(2, '0')}`;
      return s;
    }
    case 'surrogateescape': {
      let s = '';
      for (let i = e.start; i < e.end; i++) {
        const b = e.object[i];
        if (b < 0x80) throw e;
        s += String.fromCharCode(0xdc00 + b);
      }
      return s;
    }
    case 'strict':
      throw e;
    default: {
      const t = new TypeError(`don't know how to handle UnicodeDecodeError in error callback`) as TypeError & { code: string };
      t.code = 'ERR_INVALID_ARG_VALUE';
      throw t;
    }
  }
}

/** What an encode error handler puts in place of the code points `cps[start:end]`. */
function encodeReplacement(errors: string, e: UnicodeEncodeError, cps: string[], sink: number[]): void {
  const pushAscii = (s: string): void => {
    for (let i = 0; i < s.length; i++) sink.push(s.charCodeAt(i));
  };
  for (let i = e.start; i < e.end; i++) {
    const cp = cps[i].codePointAt(0)!;
    switch (errors) {
      case 'ignore':
        break;
      case 'replace':
        sink.push(0x3f);
        break;
      case 'backslashreplace':
        pushAscii(escapeChar(cps[i]));
        break;
      case 'xmlcharrefreplace':
        pushAscii(`&#${cp};`);
        break;
      case 'surrogateescape':
        if (cp < 0xdc80 || cp > 0xdcff) throw e;
        sink.push(cp - 0xdc00);
        break;
      default:
        throw e;
    }
  }
}

// --- UTF-8 -----------------------------------------------------------------

/** Bytes a UTF-8 sequence led by `b` needs after it, or -1 for an invalid lead. */
function utf8Need(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 1;
  if (b >= 0xe0 && b <= 0xef) return 2;
  if (b >= 0xf0 && b <= 0xf4) return 3;
  return -1;
}

/** Whether `c` may follow the lead byte `b` as its first continuation byte. */
function utf8Second(b: number, c: number): boolean {
  if (b === 0xe0) return c >= 0xa0 && c <= 0xbf;
  if (b === 0xed) return c >= 0x80 && c <= 0x9f;
  if (b === 0xf0) return c >= 0x90 && c <= 0xbf;
  if (b === 0xf4) return c >= 0x80 && c <= 0x8f;
  return c >= 0x80 && c <= 0xbf;
}

/** Where an incomplete (but so far valid) character at the end of `buf` starts, or buf.length. */
function utf8Cut(buf: Buffer): number {
  const len = buf.length;
  for (let k = len - 1; k >= 0 && k >= len - 3; k--) {
    const b = buf[k];
    if (b < 0x80) return len;
    if (b < 0xc0) continue;
    const need = utf8Need(b);
    const have = len - k - 1;
    if (need <= have) return len;
    if (have >= 1 && !utf8Second(b, buf[k + 1])) return len;
    for (let j = k + 2; j < len; j++) if (buf[j] < 0x80 || buf[j] > 0xbf) return len;
    return k;
  }
  return len;
}

class Utf8Decoder implements Decoder {
  #pending: Buffer | null = null;
  constructor(readonly errors: string) {}

  decode(bytes: Buffer, final: boolean): string {
    let buf = bytes;
    if (this.#pending !== null) {
      buf = Buffer.concat([this.#pending, bytes]);
      this.#pending = null;
    }
    const cut = final ? buf.length : utf8Cut(buf);
    if (cut < buf.length) this.#pending = Buffer.from(buf.subarray(cut));
    const body = cut === buf.length ? buf : buf.subarray(0, cut);
    // A BOM-less fast path: valid input needs no error handling.
    if (isUtf8(body)) return body.toString('utf8');
    return this.#slow(buf, cut);
  }

  #slow(buf: Buffer, cut: number): string {
    let out = '';
    let run = 0;
    let i = 0;
    while (i < cut) {
      const b = buf[i];
      if (b < 0x80) {
        i++;
        continue;
      }
      const need = utf8Need(b);
      let j = 1;
      let reason = 'invalid start byte';
      if (need > 0) {
        for (; j <= need; j++) {
          if (i + j >= cut) {
            reason = 'unexpected end of data';
            break;
          }
          const c = buf[i + j];
          if (j === 1 ? !utf8Second(b, c) : c < 0x80 || c > 0xbf) {
            reason = 'invalid continuation byte';
            break;
          }
        }
        if (j > need) {
          i += need + 1;
          continue;
        }
      }
      out += buf.toString('utf8', run, i);
      out += decodeReplacement(this.errors, new UnicodeDecodeError('utf-8', buf.subarray(0, cut), i, i + j, reason));
      i += j;
      run = i;
    }
    return out + buf.toString('utf8', run, cut);
  }
}

class Utf8Encoder implements Encoder {
  constructor(readonly errors: string) {}
  encode(text: string): Buffer {
    if ((text as unknown as { isWellFormed(): boolean }).isWellFormed()) return Buffer.from(text, 'utf8');
    // Lone surrogates: Python's UTF-8 codec refuses them.
    const cps = Array.from(text);
    const sink: number[] = [];
    const parts: Buffer[] = [];
    let run = '';
    for (let i = 0; i < cps.length; i++) {
      const cp = cps[i].codePointAt(0)!;
      if (cp < 0xd800 || cp > 0xdfff) {
        run += cps[i];
        continue;
      }
      let end = i + 1;
      while (end < cps.length && /^[\ud800-\udfff]$/.test(cps[end])) end++;
      parts.push(Buffer.from(run, 'utf8'));
      run = '';
      encodeReplacement(this.errors, new UnicodeEncodeError('utf-8', text, i, end, 'surrogates not allowed'), cps, sink);
      parts.push(Buffer.from(sink.splice(0)));
      i = end - 1;
    }
    parts.push(Buffer.from(run, 'utf8'));
    return Buffer.concat(parts);
  }
}

// --- one-byte encodings -----------------------------------------------------

class ByteDecoder implements Decoder {
  constructor(
    readonly name: string,
    readonly limit: number,
    readonly errors: string,
  ) {}
  decode(bytes: Buffer, _final: boolean): string {
    let out = '';
    let run = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] < this.limit) continue;
      out += bytes.toString('latin1', run, i);
      out += decodeReplacement(this.errors, new UnicodeDecodeError(this.name, bytes, i, i + 1, `ordinal not in range(${this.limit})`));
      run = i + 1;
    }
    return out + bytes.toString('latin1', run);
  }
}

class ByteEncoder implements Encoder {
  constructor(
    readonly name: string,
    readonly limit: number,
    readonly errors: string,
  ) {}
  encode(text: string): Buffer {
    let ok = true;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) >= this.limit) {
        ok = false;
        break;
      }
    }
    if (ok) return Buffer.from(text, 'latin1');
    const cps = Array.from(text);
    const sink: number[] = [];
    for (let i = 0; i < cps.length; i++) {
      const cp = cps[i].codePointAt(0)!;
      if (cp < this.limit) {
        sink.push(cp);
        continue;
      }
      let end = i + 1;
      while (end < cps.length && cps[end].codePointAt(0)! >= this.limit) end++;
      encodeReplacement(this.errors, new UnicodeEncodeError(this.name, text, i, end, `ordinal not in range(${this.limit})`), cps, sink);
      i = end - 1;
    }
    return Buffer.from(sink);
  }
}

// --- UTF-16 and UTF-32 -------------------------------------------------------
//
// Python's codecs, as a TextIOWrapper over a socket uses them. Reading goes
// through the codec's incremental decoder, a BufferedIncrementalDecoder:
// the bytes left over from the last call (an incomplete code unit, or a
// high surrogate waiting for its low half) are put in front of the next
// ones, and error positions count from there. `utf-16` and `utf-32` take
// their byte order from a leading BOM, which they consume; a stream that
// does not start with one raises UnicodeDecodeError ('Stream does not start
// with BOM', CPython 3.13; 3.11 raised a plain UnicodeError) whatever the
// error handler. Writing to a socket, which is not seekable, CPython's
// TextIOWrapper never writes a BOM: `utf-16` and `utf-32` write the
// machine's order, little-endian here, and name `utf-16-le`/`utf-32-le` in
// their errors.

/** What a decoder function returns: the text, the bytes it used, the byte order it settled on (-1 LE, 1 BE, 0 none yet). */
type DecodeResult = [text: string, consumed: number, byteorder: number];

/**
 * A decode error handler's replacement and the position to resume at.
 * CPython's surrogateescape escapes at most 4 bytes, stops at the first
 * ASCII byte (raising if that is the first), and resumes after the bytes
 * it escaped, which for these codecs may be inside a code unit.
 */
function unitDecodeReplacement(errors: string, e: UnicodeDecodeError): [string, number] {
  if (errors !== 'surrogateescape') return [decodeReplacement(errors, e), e.end];
  let s = '';
  let n = 0;
  while (n < 4 && n < e.end - e.start && e.object[e.start + n] >= 0x80) {
    s += String.fromCharCode(0xdc00 + e.object[e.start + n]);
    n++;
  }
  if (n === 0) throw e;
  return [s, e.start + n];
}

/**
 * CPython's PyUnicode_DecodeUTF16Stateful: decodes `data` in the byte order
 * `byteorder` says (0: a leading BOM decides, else little-endian). Unless
 * `final`, an odd byte or a high surrogate at the end is left unconsumed.
 */
function decodeUtf16(data: Buffer, errors: string, byteorder: number, final: boolean): DecodeResult {
  const e = data.length;
  let bo = byteorder;
  let q = 0;
  if (bo === 0 && e >= 2) {
    const bom = data[0] | (data[1] << 8);
    if (bom === 0xfeff) {
      q = 2;
      bo = -1;
    } else if (bom === 0xfffe) {
      q = 2;
      bo = 1;
    }
  }
  if (q === e) return ['', e, bo];
  const le = bo <= 0;
  const name = le ? 'utf-16-le' : 'utf-16-be';
  const hi = le ? 1 : 0;
  const lo = le ? 0 : 1;
  /** The text of the valid code units data[a:b]. */
  const text = (a: number, b: number): string =>
    a === b ? '' : le ? data.toString('utf16le', a, b) : Buffer.from(data.subarray(a, b)).swap16().toString('utf16le');
  let out = '';
  let run = q;
  let i = q;
  for (;;) {
    let reason = '';
    let end = 0;
    while (i + 2 <= e) {
      const u = (data[i + hi] << 8) | data[i + lo];
      if (u < 0xd800 || u > 0xdfff) {
        i += 2;
        continue;
      }
      if (u >= 0xdc00) {
        reason = 'illegal encoding';
        end = i + 2;
        break;
      }
      if (i + 4 > e) {
        // A high surrogate with no room for its low half.
        if (!final) return [out + text(run, i), i, bo];
        reason = 'unexpected end of data';
        end = e;
        break;
      }
      const u2 = (data[i + 2 + hi] << 8) | data[i + 2 + lo];
      if (u2 < 0xdc00 || u2 > 0xdfff) {
        reason = 'illegal UTF-16 surrogate';
        end = i + 2;
        break;
      }
      i += 4;
    }
    if (reason === '') {
      // Every whole code unit decoded: an odd byte may be left.
      if (i === e || !final) return [out + text(run, i), i, bo];
      reason = 'truncated data';
      end = e;
    }
    out += text(run, i);
    const [rep, next] = unitDecodeReplacement(errors, new UnicodeDecodeError(name, data, i, end, reason));
    out += rep;
    i = run = next;
  }
}

/** CPython's PyUnicode_DecodeUTF32Stateful, as decodeUtf16 for 4-byte units. */
function decodeUtf32(data: Buffer, errors: string, byteorder: number, final: boolean): DecodeResult {
  const e = data.length;
  let bo = byteorder;
  let q = 0;
  if (bo === 0 && e >= 4) {
    const bom = data.readUInt32LE(0);
    if (bom === 0x0000feff) {
      q = 4;
      bo = -1;
    } else if (bom === 0xfffe0000) {
      q = 4;
      bo = 1;
    }
  }
  if (q === e) return ['', e, bo];
  const le = bo <= 0;
  const name = le ? 'utf-32-le' : 'utf-32-be';
  let out = '';
  const cps: number[] = [];
  const flush = (): void => {
    for (let k = 0; k < cps.length; k += 4096) out += String.fromCodePoint(...cps.slice(k, k + 4096));
    cps.length = 0;
  };
  let i = q;
  for (;;) {
    while (e - i >= 4) {
      const ch = le ? data.readUInt32LE(i) : data.readUInt32BE(i);
      if (ch >= 0xd800 && (ch <= 0xdfff || ch >= 0x110000)) break;
      cps.push(ch);
      if (cps.length >= 8192) flush();
      i += 4;
    }
    flush();
    let reason: string;
    let end = i + 4;
    if (e - i >= 4) {
      const ch = le ? data.readUInt32LE(i) : data.readUInt32BE(i);
      reason = ch < 0x110000 ? 'code point in surrogate code point range(0xd800, 0xe000)' : 'code point not in range(0x110000)';
    } else {
      // 1 to 3 bytes left: kept for the next call unless final.
      if (i === e || !final) return [out, i, bo];
      reason = 'truncated data';
      end = e;
    }
    const [rep, next] = unitDecodeReplacement(errors, new UnicodeDecodeError(name, data, i, end, reason));
    out += rep;
    i = next;
  }
}

/**
 * Python's codecs.BufferedIncrementalDecoder around a decoder function:
 * keeps what the function did not consume for the next call (and keeps
 * the old leftover if the call raises).
 */
class UnitDecoder implements Decoder {
  #pending: Buffer = Buffer.alloc(0);
  /** The byte order: fixed for `-le`/`-be`, 0 until a BOM settles it for `utf-16`/`utf-32`. */
  #bo: number;
  constructor(
    /** The codec's name (`'utf-16'`), for the missing-BOM error. */
    readonly name: string,
    readonly unit: 2 | 4,
    byteorder: number,
    readonly errors: string,
  ) {
    this.#bo = byteorder;
  }

  decode(bytes: Buffer, final: boolean): string {
    const data = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
    const fn = this.unit === 2 ? decodeUtf16 : decodeUtf32;
    const [text, consumed, bo] = fn(data, this.errors, this.#bo, final);
    if (this.#bo === 0) {
      // encodings.utf_16.IncrementalDecoder: a BOM picks the byte order;
      // a unit's worth of bytes without one is refused.
      if (bo !== 0) this.#bo = bo;
      else if (consumed >= this.unit) throw new UnicodeDecodeError(this.name, data, 0, this.unit, 'Stream does not start with BOM');
    }
    this.#pending = consumed === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(consumed));
    return text;
  }
}

/**
 * What a UTF-16/UTF-32 encode error handler puts in place of the lone
 * surrogate `cp`, as text (encoded like the rest), or null when it raises:
 * strict, and surrogateescape, whose one-byte replacement is not a whole
 * code unit.
 */
function unitEncodeReplacement(errors: string, cp: number): string | null {
  switch (errors) {
    case 'ignore':
      return '';
    case 'replace':
      return '?';
    case 'backslashreplace':
      return `\\u${cp.toString(16).padStart(4, '0')}`;
    case 'xmlcharrefreplace':
      return `&#${cp};`;
    default:
      return null;
  }
}

/** UTF-32 bytes of `s`, which holds no lone surrogate. */
function utf32Bytes(s: string, le: boolean): Buffer {
  const b = Buffer.allocUnsafe(s.length * 4);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if ((d & 0xfc00) === 0xdc00) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (le) b.writeUInt32LE(c, o);
    else b.writeUInt32BE(c, o);
    o += 4;
  }
  return b.subarray(0, o);
}

/**
 * CPython's _PyUnicode_EncodeUTF16/_PyUnicode_EncodeUTF32 with a fixed byte
 * order (no BOM): each lone surrogate goes to the error handler on its own.
 */
class UnitEncoder implements Encoder {
  constructor(
    /** The name errors give (`'utf-16-le'`). */
    readonly name: string,
    readonly unit: 2 | 4,
    readonly le: boolean,
    readonly errors: string,
  ) {}

  #bytes(s: string): Buffer {
    if (this.unit === 4) return utf32Bytes(s, this.le);
    const b = Buffer.from(s, 'utf16le');
    return this.le ? b : b.swap16();
  }

  encode(text: string): Buffer {
    if ((text as unknown as { isWellFormed(): boolean }).isWellFormed()) return this.#bytes(text);
    const parts: Buffer[] = [];
    let run = 0;
    let cp = 0;
    for (let i = 0; i < text.length; i++, cp++) {
      const c = text.charCodeAt(i);
      if (c < 0xd800 || c > 0xdfff) continue;
      if (c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        i++;
        continue;
      }
      const rep = unitEncodeReplacement(this.errors, c);
      if (rep === null) throw new UnicodeEncodeError(this.name, text, cp, cp + 1, 'surrogates not allowed');
      parts.push(this.#bytes(text.slice(run, i) + rep));
      run = i + 1;
    }
    parts.push(this.#bytes(text.slice(run)));
    return Buffer.concat(parts);
  }
}

/** A UTF-16 or UTF-32 codec: `byteorder` -1 (LE), 1 (BE), or 0 (BOM-detected on read, little-endian on write). */
function unitCodec(name: string, unit: 2 | 4, byteorder: number): Codec {
  const writeName = byteorder === 0 ? `${name}-le` : name;
  return {
    name,
    decoder: (errors) => new UnitDecoder(name, unit, byteorder, errors),
    encoder: (errors) => new UnitEncoder(writeName, unit, byteorder <= 0, errors),
  };
}

const UTF8: Codec = {
  name: 'utf-8',
  decoder: (errors) => new Utf8Decoder(errors),
  encoder: (errors) => new Utf8Encoder(errors),
};
const ASCII: Codec = {
  name: 'ascii',
  decoder: (errors) => new ByteDecoder('ascii', 0x80, errors),
  encoder: (errors) => new ByteEncoder('ascii', 0x80, errors),
};
const LATIN1: Codec = {
  name: 'latin-1',
  decoder: (errors) => new ByteDecoder('latin-1', 0x100, errors),
  encoder: (errors) => new ByteEncoder('latin-1', 0x100, errors),
};

function aliases(codec: Codec, names: string[]): [string, Codec][] {
  return names.map((n) => [n, codec]);
}

const codecs = new Map<string, Codec>([
  ['utf_8', UTF8],
  ['utf8', UTF8],
  ['u8', UTF8],
  ['utf', UTF8],
  ['cp65001', UTF8],
  ['locale', UTF8],
  ['ascii', ASCII],
  ['us_ascii', ASCII],
  ['646', ASCII],
  ['latin_1', LATIN1],
  ['latin1', LATIN1],
  ['latin', LATIN1],
  ['l1', LATIN1],
  ['iso_8859_1', LATIN1],
  ['iso8859_1', LATIN1],
  ['8859', LATIN1],
  ['cp819', LATIN1],
  ...aliases(unitCodec('utf-16', 2, 0), ['utf_16', 'utf16', 'u16']),
  ...aliases(unitCodec('utf-16-le', 2, -1), ['utf_16_le', 'utf_16le', 'unicodelittleunmarked']),
  ...aliases(unitCodec('utf-16-be', 2, 1), ['utf_16_be', 'utf_16be', 'unicodebigunmarked']),
  ...aliases(unitCodec('utf-32', 4, 0), ['utf_32', 'utf32', 'u32']),
  ...aliases(unitCodec('utf-32-le', 4, -1), ['utf_32_le', 'utf_32le']),
  ...aliases(unitCodec('utf-32-be', 4, 1), ['utf_32_be', 'utf_32be']),
]);

/**
 * The codec for an encoding name, normalised as Python normalises it
 * (case, `-`, spaces). Unknown names raise Python's LookupError, spelled
 * as Node spells an unsupported encoding: a RangeError with code
 * `ERR_ENCODING_NOT_SUPPORTED`.
 */
export function lookupCodec(encoding: string): Codec {
  const key = encoding.trim().toLowerCase().replace(/[-\s]+/g, '_');
  const c = codecs.get(key);
  if (c === undefined) {
    const e = new RangeError(`unknown encoding: ${encoding}`) as RangeError & { code: string };
    e.code = 'ERR_ENCODING_NOT_SUPPORTED';
    throw e;
  }
  return c;
}

/** Checks an error handler name (Python checks lazily; bsdsock at makefile() time). */
export function checkErrors(errors: string): void {
  if (!ERROR_HANDLERS.includes(errors)) throw argValueError('errors', `unknown error handler name '${errors}'`);
}
