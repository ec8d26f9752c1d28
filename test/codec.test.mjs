// makefile()'s UTF-16 and UTF-32 codecs, checked against CPython (3.13
// preferred): names, incremental decoding across every chunk boundary,
// BOM handling, every error handler, the exact Unicode errors; then
// through real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import * as socket from 'bsdsock';

const { lookupCodec } = createRequire(import.meta.url)('../dist/cjs/io/codec.js');

const CODECS = ['utf-16', 'utf-16-le', 'utf-16-be', 'utf-32', 'utf-32-le', 'utf-32-be'];
const HANDLERS = ['strict', 'ignore', 'replace', 'backslashreplace', 'surrogateescape', 'xmlcharrefreplace'];

// --- finding Python -----------------------------------------------------------

/** [command, env, [major, minor]] of a working python3, 3.13 preferred; null if none. */
function findPython() {
  const candidates = process.env.PYTHON
    ? [[process.env.PYTHON, {}]]
    : [
        ['python3.13', {}],
        ['python3', { PYENV_VERSION: '3.13.0' }], // pyenv's shim; ignored elsewhere
        ['python3', {}],
      ];
  let fallback = null;
  for (const [cmd, extra] of candidates) {
    const env = { ...process.env, ...extra };
    const r = spawnSync(cmd, ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])'], { env, encoding: 'utf8' });
    if (r.status !== 0) continue;
    const version = r.stdout.trim().split(' ').map(Number);
    if (version[0] > 3 || (version[0] === 3 && version[1] >= 13)) return [cmd, env, version];
    fallback ??= [cmd, env, version];
  }
  return fallback;
}
const python = findPython();
const noPython = python === null && 'python3 is not installed: the differential checks against CPython are skipped';

/** Runs `code` under the Python found, with `input` as JSON on stdin; returns its JSON stdout. */
function runPython(code, input) {
  const [cmd, env] = python;
  const r = spawnSync(cmd, ['-c', code], { env, input: JSON.stringify(input), maxBuffer: 1 << 28, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const ORACLE = String.raw`
import codecs, io, json, sys

def cps(s):
    return [ord(c) for c in s]

def err(e):
    return [type(e).__name__, str(e)]

class Sink(io.RawIOBase):
    # Not seekable, like a socket's SocketIO.
    def __init__(self):
        self.data = bytearray()
    def writable(self):
        return True
    def write(self, b):
        self.data += b
        return len(b)

def decode(enc, errors, chunks):
    d = codecs.getincrementaldecoder(enc)(errors)
    out = []
    try:
        for k, c in enumerate(chunks):
            out.append(d.decode(bytes.fromhex(c), k == len(chunks) - 1))
    except Exception as e:
        return {'out': cps(''.join(out)), 'err': err(e)}
    return {'out': cps(''.join(out))}

def encode(enc, errors, texts):
    # What makefile('w', encoding=enc, errors=errors) sends: a TextIOWrapper
    # over a non-seekable stream.
    sink = Sink()
    w = io.TextIOWrapper(io.BufferedWriter(sink), encoding=enc, errors=errors, newline='')
    result = {}
    try:
        for t in texts:
            w.write(''.join(map(chr, t)))
    except Exception as e:
        result['err'] = err(e)
    w.flush()
    result['out'] = sink.data.hex()
    return result

def lookup(name):
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None

job = json.load(sys.stdin)
json.dump({
    'decode': [decode(*c) for c in job['decode']],
    'encode': [encode(*c) for c in job['encode']],
    'lookup': [lookup(n) for n in job['lookup']],
}, sys.stdout)
`;

/**
 * Python before 3.13 differs in two ways; reported as 3.13 does: a stream
 * without a BOM raised a plain UnicodeError, and 3.11 wrapped an error
 * handler's TypeError ("decoding with 'x' codec failed (TypeError: ...)").
 */
function as313(result) {
  if (!result.err || python[2][1] >= 13) return result;
  let [cls, msg] = result.err;
  const bom = /^UTF-(16|32) stream does not start with BOM$/.exec(msg);
  if (cls === 'UnicodeError' && bom) {
    cls = 'UnicodeDecodeError';
    msg = `'utf-${bom[1]}' codec can't decode bytes in position 0-${bom[1] === '16' ? 1 : 3}: Stream does not start with BOM`;
  }
  const wrapped = /^(?:de|en)coding with '[^']*' codec failed \(TypeError: (.*)\)$/.exec(msg);
  if (cls === 'TypeError' && wrapped) msg = wrapped[1];
  return { ...result, err: [cls, msg] };
}

// --- what bsdsock does ------------------------------------------------------------

const codePoints = (s) => Array.from(s, (c) => c.codePointAt(0));

function ourDecode(enc, errors, chunks) {
  const d = lookupCodec(enc).decoder(errors);
  let out = '';
  try {
    chunks.forEach((c, k) => {
      out += d.decode(Buffer.from(c, 'hex'), k === chunks.length - 1);
    });
  } catch (e) {
    return { out: codePoints(out), err: [e.name, e.message] };
  }
  return { out: codePoints(out) };
}

function ourEncode(enc, errors, texts) {
  const e = lookupCodec(enc).encoder(errors);
  const parts = [];
  const result = {};
  try {
    for (const t of texts) parts.push(e.encode(t));
  } catch (x) {
    result.err = [x.name, x.message];
  }
  result.out = Buffer.concat(parts).toString('hex');
  return result;
}

// --- the corpus ---------------------------------------------------------------

/** `text` (with a BOM first if `bom`) in UTF-16 (`unit` 2) or UTF-32 (4), little- or big-endian. */
function unitBytes(text, unit, le, bom) {
  const s = (bom ? '\ufeff' : '') + text;
  if (unit === 2) {
    const b = Buffer.from(s, 'utf16le');
    return le ? b : b.swap16();
  }
  const cps = codePoints(s);
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => (le ? b.writeUInt32LE(cp, 4 * i) : b.writeUInt32BE(cp, 4 * i)));
  return b;
}

function byteCorpus() {
  const inputs = [Buffer.alloc(0)];
  const texts = ['A', 'hi\n', 'é€', '😀', 'a😀b\r\n', '\ufeffx', '\0', '\uffff\ud7ff\ue000', '\u{10ffff}'];
  for (const t of texts) {
    for (const unit of [2, 4]) {
      for (const le of [true, false]) for (const bom of [false, true]) inputs.push(unitBytes(t, unit, le, bom));
    }
  }
  const raw = [
    // UTF-16: BOMs, lone and misordered surrogates, odd lengths
    [0xff, 0xfe], [0xfe, 0xff], [0xff], [0xfe], [0x41], [0x41, 0x00, 0x42],
    [0xff, 0xfe, 0x41], [0xfe, 0xff, 0x00, 0x41, 0x00],
    [0x00, 0xd8], [0xd8, 0x00], [0x00, 0xd8, 0x41], [0x00, 0xd8, 0x41, 0x00], [0xd8, 0x00, 0x00, 0x41],
    [0x00, 0xdc], [0xdc, 0x00], [0x00, 0xdc, 0x00, 0xd8], [0x00, 0xd8, 0x00, 0xd8, 0x00, 0xdc],
    [0xff, 0xfe, 0x00, 0xdc, 0x41, 0x00], [0xfe, 0xff, 0xd8, 0x3d, 0xde, 0x00, 0xd8, 0x3d],
    [0x3d, 0xd8, 0x00, 0xde, 0x3d], [0x3d, 0xd8, 0x00],
    // bytes >= 0x80, where surrogateescape escapes part of a unit
    [0x80, 0xd8, 0x41], [0x80, 0xdc], [0xff, 0xdf, 0xff, 0xdf], [0xd8, 0x80, 0xd8, 0x80], [0xdc, 0x80, 0x41, 0x00],
    [0xff, 0xfe, 0x80, 0xdc, 0x80], [0xfe, 0xff, 0xdc, 0x80, 0x80],
    // UTF-32: BOMs, surrogates, beyond 0x10FFFF, truncated data
    [0xff, 0xfe, 0x00, 0x00], [0x00, 0x00, 0xfe, 0xff], [0xff, 0xfe, 0x00], [0x00, 0x00, 0xfe],
    [0x00, 0xd8, 0x00, 0x00], [0x00, 0x00, 0xd8, 0x00], [0xff, 0xdf, 0x00, 0x00], [0x00, 0x00, 0x11, 0x00],
    [0x00, 0x11, 0x00, 0x00], [0xff, 0xff, 0xff, 0xff], [0x80, 0x80, 0x80, 0x80], [0x80, 0x00, 0x11, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00],
    [0xff, 0xfe, 0x00, 0x00, 0x00, 0xdc, 0x00, 0x00, 0x41], [0x00, 0x00, 0xfe, 0xff, 0x00, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00],
    [0x41, 0x00, 0x00, 0x00, 0x42, 0x00], [0x41, 0x00, 0x00, 0x00, 0x80, 0x81, 0x82],
    [0x00, 0x00, 0x00, 0x80, 0x81, 0x82, 0x83, 0x84],
  ];
  for (const r of raw) inputs.push(Buffer.from(r));
  // Deterministic random bytes, weighted toward the interesting values.
  let seed = 0x2545f491;
  const rand = (n) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const pool = [0x00, 0x00, 0x00, 0x41, 0x0a, 0x0d, 0xd8, 0xdb, 0xdc, 0xdf, 0xfe, 0xff, 0x80, 0x11, 0x10, 0x3d, 0xe9];
  for (let k = 0; k < 60; k++) {
    const len = 1 + rand(14);
    inputs.push(Buffer.from(Array.from({ length: len }, () => (rand(4) === 0 ? rand(256) : pool[rand(pool.length)]))));
  }
  return inputs;
}

/** Every way of feeding `b` tried: in one piece, in two at every position, a byte at a time. */
function chunkings(b) {
  const hex = b.toString('hex');
  const out = [[hex]];
  for (let k = 0; k <= b.length; k++) out.push([hex.slice(0, 2 * k), hex.slice(2 * k)]);
  if (b.length > 2) out.push([...b].map((x) => x.toString(16).padStart(2, '0')));
  return out;
}

const TEXTS = [
  [''], ['abc'], ['é€😀\n'], ['\ud800'], ['\udc80'], ['a\ud800b'], ['a\udc80\udcffb'], ['\ud800\ud800'],
  ['\udc00\ud800'], ['😀\ud83d'], ['\ud83d😀'], ['x\udfff'], ['\udbff\udfff\udbff'], ['\u{10ffff}\ufeff'],
  ['ab', 'c\ud800', 'd'], ['😀', '\udc00x', '\ud800'], ['\ud83d', '\ude00'], ['a', '', 'b'],
  ['x'.repeat(5000) + '\udc81' + 'y'.repeat(5000) + '\ud801'],
];

const NAMES = [
  'utf_16', 'utf16', 'u16', 'utf_16_le', 'utf_16le', 'utf_16_be', 'utf_16be', 'unicodelittleunmarked', 'unicodebigunmarked',
  'utf_32', 'utf32', 'u32', 'utf_32_le', 'utf_32le', 'utf_32_be', 'utf_32be',
  'UTF-16', 'utf-16-le', 'UTF-16LE', 'utf 16', 'Utf-32-Be', 'U32', 'UTF32',
  'utf16le', 'utf16-le', 'utf32be', 'utf-16-sig', 'utf-32-sig', 'ucs-2', 'u16le',
];

// --- the differential test --------------------------------------------------------

test('UTF-16 and UTF-32 agree with CPython: names, decoding at every split, encoding, every error handler', { skip: noPython }, (t) => {
  const decodeJobs = [];
  const inputs = byteCorpus();
  for (const b of inputs) {
    for (const chunks of chunkings(b)) for (const enc of CODECS) for (const errors of HANDLERS) decodeJobs.push([enc, errors, chunks]);
  }
  const encodeJobs = [];
  for (const texts of TEXTS) for (const enc of CODECS) for (const errors of HANDLERS) encodeJobs.push([enc, errors, texts]);
  const expected = runPython(ORACLE, {
    decode: decodeJobs,
    encode: encodeJobs.map(([enc, errors, texts]) => [enc, errors, texts.map(codePoints)]),
    lookup: NAMES,
  });

  let failures = 0;
  const report = (what, job, ours, theirs) => {
    if (++failures <= 20) t.diagnostic(`${what} ${JSON.stringify(job)}: bsdsock ${JSON.stringify(ours)}, Python ${JSON.stringify(theirs)}`);
  };
  NAMES.forEach((name, i) => {
    let ours = null;
    try {
      ours = lookupCodec(name).name;
    } catch (e) {
      assert.equal(e.code, 'ERR_ENCODING_NOT_SUPPORTED');
    }
    if (ours !== expected.lookup[i]) report('lookup', name, ours, expected.lookup[i]);
  });
  let errs = 0;
  decodeJobs.forEach((job, i) => {
    const theirs = as313(expected.decode[i]);
    if (theirs.err) errs++;
    const ours = ourDecode(...job);
    if (!isDeepStrictEqual(ours, theirs)) report('decode', job, ours, theirs);
  });
  encodeJobs.forEach((job, i) => {
    const theirs = as313(expected.encode[i]);
    const ours = ourEncode(...job);
    if (!isDeepStrictEqual(ours, theirs)) report('encode', job.map((x) => (typeof x === 'string' ? x : x.map((s) => s.slice(0, 40)))), ours, theirs);
  });
  t.diagnostic(
    `Python ${python[2].join('.')}: ${inputs.length} byte inputs, ${decodeJobs.length} decodes (${errs} raising), ` +
      `${encodeJobs.length} encodes, ${NAMES.length} names; ${failures} disagreements`,
  );
  assert.equal(failures, 0);
});

// --- without Python: the behaviour pinned down -----------------------------------------

test('utf-16/utf-32 decoding: a BOM picks the order and is consumed; none is refused', () => {
  const dec = (enc, errors, ...chunks) => {
    const d = lookupCodec(enc).decoder(errors);
    return chunks.map((c, k) => d.decode(Buffer.from(c), k === chunks.length - 1)).join('');
  };
  assert.equal(dec('utf-16', 'strict', [0xfe], [0xff, 0x00, 0x68, 0xd8], [0x3d, 0xde, 0x00]), 'h😀');
  assert.equal(dec('utf-16', 'strict', [0xff, 0xfe, 0xff, 0xfe, 0x41, 0x00]), '\ufeffA'); // a second BOM is a character
  assert.equal(dec('utf-32', 'strict', [0x00, 0x00], [0xfe, 0xff, 0x00, 0x01, 0xf6, 0x00]), '😀');
  assert.equal(dec('utf-16', 'replace', [0x41]), '\ufffd'); // one byte: no BOM needed yet
  assert.throws(() => dec('utf-16', 'ignore', [0x41, 0x00]), {
    name: 'UnicodeDecodeError',
    code: 'ERR_ENCODING_INVALID_ENCODED_DATA',
    message: "'utf-16' codec can't decode bytes in position 0-1: Stream does not start with BOM",
  });
  assert.throws(() => dec('utf-32', 'strict', [0x41, 0, 0], [0]), {
    message: "'utf-32' codec can't decode bytes in position 0-3: Stream does not start with BOM",
  });
  // The error names the byte order; positions count from the leftover bytes.
  assert.throws(() => dec('utf-16-be', 'strict', [0x00, 0x41, 0xd8], [0x00, 0x00, 0x41]), {
    message: "'utf-16-be' codec can't decode bytes in position 0-1: illegal UTF-16 surrogate",
  });
  assert.throws(() => dec('utf-32-le', 'strict', [0x00, 0x00, 0x11, 0x00]), {
    message: "'utf-32-le' codec can't decode bytes in position 0-3: code point not in range(0x110000)",
  });
  assert.throws(() => dec('utf-16-le', 'strict', [0x41, 0x00, 0x3d, 0xd8], []), {
    message: "'utf-16-le' codec can't decode bytes in position 0-1: unexpected end of data",
  });
  assert.equal(dec('utf-32-be', 'backslashreplace', [0, 0, 0xd8, 0, 0, 0, 0, 0x41, 0x80]), '\\x00\\x00\\xd8\\x00A\\x80');
});

test('utf-16/utf-32 encoding: no BOM, little-endian, each lone surrogate on its own', () => {
  const enc = (name, errors, text) => lookupCodec(name).encoder(errors).encode(text);
  assert.deepEqual(enc('utf-16', 'strict', 'h😀'), Buffer.from([0x68, 0x00, 0x3d, 0xd8, 0x00, 0xde]));
  assert.deepEqual(enc('utf-32-be', 'strict', 'h😀'), Buffer.from([0, 0, 0, 0x68, 0, 0x01, 0xf6, 0x00]));
  assert.deepEqual(enc('utf-16-be', 'replace', '\udc80\ud800'), Buffer.from([0, 0x3f, 0, 0x3f]));
  assert.throws(() => enc('utf-16', 'strict', 'a\ud800\ud800'), {
    name: 'UnicodeEncodeError',
    code: 'ERR_INVALID_ARG_VALUE',
    message: "'utf-16-le' codec can't encode character '\\ud800' in position 1: surrogates not allowed",
  });
  assert.throws(() => enc('utf-32', 'surrogateescape', '😀\udc80'), {
    message: "'utf-32-le' codec can't encode character '\\udc80' in position 1: surrogates not allowed",
  });
});

// --- through sockets ---------------------------------------------------------------

test("makefile('rw', encoding='utf-16') round trip over a socketpair", () => {
  const [a, b] = socket.socketpair();
  const fa = a.makefile('rw', null, { encoding: 'utf-16' });
  // A small buffer on the reading side splits code units and surrogate pairs.
  const fb = b.makefile('rw', 3, { encoding: 'utf-16' });
  // As in CPython, writing to a socket never adds a BOM; a peer reading
  // utf-16 wants one, so the first write carries it.
  fa.write('\ufeffhéllo 😀\n');
  fa.write('second line\r\nthird\n');
  fa.flush();
  assert.equal(fb.readline(), 'héllo 😀\n');
  assert.equal(fb.readline(), 'second line\n');
  assert.equal(fb.read(3), 'thi');
  fb.write('\ufeffreply 𝄞\n');
  fb.flush();
  assert.equal(fa.readline(), 'reply 𝄞\n');
  // Without the BOM the reader refuses the stream, as Python's does.
  const [c, d] = socket.socketpair();
  const fc = c.makefile('w', null, { encoding: 'utf-16' });
  fc.write('no bom\n');
  fc.close();
  assert.deepEqual(d.recv(100, socket.MSG_PEEK), Buffer.from('no bom\n', 'utf16le'));
  const fd = d.makefile('r', null, { encoding: 'utf-16' });
  assert.throws(() => fd.readline(), {
    name: 'UnicodeDecodeError',
    message: "'utf-16' codec can't decode bytes in position 0-1: Stream does not start with BOM",
  });
  for (const f of [fa, fb, fd]) f.close();
  for (const s of [a, b, c, d]) s.close();
});

test("makefile('r', encoding='utf-32') reads what a Python process wrote", { skip: noPython }, () => {
  const [cmd, env] = python;
  const script = String.raw`
import socket
s = socket.socket(fileno=3)
# encode() puts a BOM first; a makefile would not.
s.sendall('first \U0001f600\nsecond\r\n'.encode('utf-32'))
with s.makefile('w', encoding='utf-32') as f:
    f.write('third é\nend')
s.close()
`;
  const [a, b] = socket.socketpair();
  const r = spawnSync(cmd, ['-c', script], { env, stdio: ['ignore', 'inherit', 'inherit', b.fileno()] });
  assert.equal(r.status, 0);
  b.close();
  const f = a.makefile('r', 5, { encoding: 'utf-32' });
  assert.deepEqual([...f], ['first 😀\n', 'second\n', 'third é\n', 'end']);
  f.close();
  a.close();
});

test('bytes Python encodes as UTF-32 big-endian, read through makefile in odd-sized pieces', { skip: noPython }, () => {
  const [cmd, env] = python;
  const r = spawnSync(cmd, ['-c', "import sys; sys.stdout.buffer.write('\\ufeffα\\U0010ffff\\nβ'.encode('utf-32-be'))"], { env });
  assert.equal(r.status, 0);
  for (const size of [1, 2, 3, 5, 7]) {
    const [a, b] = socket.socketpair();
    b.sendall(r.stdout);
    b.close();
    const f = a.makefile('r', size, { encoding: 'utf-32' });
    assert.equal(f.read(), 'α\u{10ffff}\nβ', `buffering ${size}`);
    f.close();
    a.close();
  }
});
