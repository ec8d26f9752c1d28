// Differential test: one corpus of inputs (test/data/differential-corpus.json)
// goes to bsdsock and to CPython's socket module (one python3 process for
// the whole corpus); every result, or exception class and errno, must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as socket from 'bsdsock';

const corpusPath = fileURLToPath(new URL('./data/differential-corpus.json', import.meta.url));
const runnerPath = fileURLToPath(new URL('./data/differential_runner.py', import.meta.url));
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8'));

// ---- the corpus encoding ----

function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    if ('bytes' in v) return Buffer.from(v.bytes, 'hex');
    if ('int' in v) return BigInt(v.int);
    if ('float' in v) return v.float;
    throw new Error(`unknown encoded value ${JSON.stringify(v)}`);
  }
  return v;
}

function encode(v) {
  if (Buffer.isBuffer(v)) return { bytes: v.toString('hex') };
  if (Array.isArray(v)) return v.map(encode);
  return v;
}

function classify(e) {
  if (e instanceof socket.gaierror) return 'gaierror';
  if (e instanceof socket.herror) return 'herror';
  if (e instanceof socket.OSError) return e.constructor.name;
  if (e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE') return 'OverflowError';
  if (e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE') return 'ValueError';
  if (e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE') return 'TypeError';
  return `Unexpected:${e?.name}:${e?.message}`;
}

function failure(e) {
  return { error: classify(e), errno: e instanceof socket.OSError ? e.errno : null, message: e?.message };
}

function runCase(c) {
  try {
    if ('attr' in c) return { ok: encode(socket[c.attr]) };
    return { ok: encode(socket[c.fn](...(c.args ?? []).map(decode))) };
  } catch (e) {
    return failure(e);
  }
}

async function runCaseAsync(c) {
  try {
    return { ok: encode(await socket[`${c.fn}Async`](...(c.args ?? []).map(decode))) };
  } catch (e) {
    return failure(e);
  }
}

function same(c, js, py) {
  if (c.compare === 'class') return 'error' in js && 'error' in py && js.error === py.error;
  if ('ok' in py) return 'ok' in js && JSON.stringify(js.ok) === JSON.stringify(py.ok);
  return 'error' in js && js.error === py.error && js.errno === py.errno;
}

// ---- no case may reach a DNS server ----

const AF_INET6 = socket.AF_INET6;

function hostText(v) {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && 'bytes' in v) return Buffer.from(v.bytes, 'hex').toString('latin1');
  return null; // not a host at all: rejected before any lookup
}

/** Python's IDNA codec refuses it (an empty or too long label) before any lookup. */
function idnaRejects(s) {
  if (!/^[\x00-\x7f]*$/.test(s) || s === '') return false;
  const labels = s.split('.');
  return labels.slice(0, -1).some((l) => l.length === 0 || l.length >= 64) || labels[labels.length - 1].length >= 64;
}

function numericV4(s) {
  if (!/^[0-9a-fA-FxX.]+$/.test(s)) return false;
  try {
    socket.inet_aton(s);
    return true;
  } catch {
    return false;
  }
}

function numericV6(s) {
  const [addr, scope, ...rest] = s.split('%');
  if (rest.length > 0) return false;
  try {
    socket.inet_pton(AF_INET6, addr);
  } catch {
    return false;
  }
  return scope === undefined || (/^fe80:/i.test(addr) && /^\d+$/.test(scope));
}

/** Names this machine answers from /etc/hosts or without any lookup. */
function answeredLocally(h, { allowNames = true } = {}) {
  if (h === null || h.includes('\0') || idnaRejects(h)) return true;
  if (numericV4(h) || numericV6(h)) return true;
  return allowNames && h === 'localhost';
}

function dnsRisk(c) {
  const a = c.args ?? [];
  switch (c.fn) {
    case 'getaddrinfo': {
      let h = hostText(a[0]);
      if (h === null) return null;
      if (h.includes('\0')) h = h.slice(0, h.indexOf('\0')); // the C library sees a C string
      if (typeof a[5] === 'number' && a[5] > 0 && a[5] & socket.AI_NUMERICHOST) return null;
      if (h === '' || !answeredLocally(h)) return `host ${JSON.stringify(h)} may need DNS`;
      // Where /etc/hosts lacks '::1 localhost', an AF_INET6 query for localhost goes on to DNS.
      if (h === 'localhost' && a[2] === AF_INET6) return 'localhost in AF_INET6 may need DNS';
      return null;
    }
    case 'getnameinfo': {
      const sa = a[0];
      if (!Array.isArray(sa) || typeof a[1] !== 'number' || (a[1] & socket.NI_NUMERICHOST) !== 0) return null;
      return sa[0] === '127.0.0.1' ? null : 'a reverse lookup of anything but 127.0.0.1 may need DNS';
    }
    case 'gethostbyname':
    case 'gethostbyname_ex': {
      const h = hostText(a[0]);
      if (h === null || ['<broadcast>', '255.255.255.255'].includes(h)) return null;
      if (h === '' && c.fn === 'gethostbyname') return null;
      return answeredLocally(h) && h !== '' ? null : `host ${JSON.stringify(h)} may need DNS`;
    }
    case 'gethostbyaddr':
    case 'getfqdn': {
      let h = hostText(a[0]);
      if (h === null) return null;
      if (c.fn === 'getfqdn') h = h.trim();
      if (h.includes('\0') || idnaRejects(h) || h === '127.0.0.1' || h === 'localhost') return null;
      return `a reverse lookup of ${JSON.stringify(h)} may need DNS`;
    }
    default:
      return null;
  }
}

// ---- the tests ----

test('the corpus is large enough and every case is answered without DNS', () => {
  assert.ok(corpus.cases.length >= 300, `only ${corpus.cases.length} cases`);
  const risky = corpus.cases.map((c, i) => [i, c, dnsRisk(c)]).filter(([, , r]) => r !== null);
  assert.deepEqual(
    risky.map(([i, c, r]) => `#${i} ${JSON.stringify(c)}: ${r}`),
    [],
  );
});

/** CPython's results for `cases`, or null when there is no python3. */
function python(cases) {
  try {
    const out = execFileSync('python3', [runnerPath], {
      input: JSON.stringify({ cases }),
      encoding: 'utf8',
      timeout: 60000,
      maxBuffer: 64 << 20,
    });
    return JSON.parse(out);
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

test('bsdsock agrees with CPython on the whole corpus', (t) => {
  // Only cases cleared of DNS go to either side (the test above names the rest).
  const cases = corpus.cases.filter((c) => dnsRisk(c) === null);
  const py = python(cases);
  if (py === null) {
    t.skip('python3 is not installed here: the differential test against CPython was skipped');
    return;
  }
  assert.equal(py.results.length, cases.length);
  const mismatches = [];
  cases.forEach((c, i) => {
    const js = runCase(c);
    if (!same(c, js, py.results[i])) {
      mismatches.push(`#${i} ${JSON.stringify(c)}\n    python ${py.python}: ${JSON.stringify(py.results[i])}\n    bsdsock: ${JSON.stringify(js)}`);
    }
  });
  t.diagnostic(`${cases.length} cases against Python ${py.python}, ${mismatches.length} mismatches`);
  assert.equal(mismatches.length, 0, `bsdsock and CPython differ:\n${mismatches.join('\n')}`);
});

test('the async twins agree with their synchronous functions on the corpus', async () => {
  const twins = new Set(['getaddrinfo', 'getnameinfo', 'gethostbyname', 'gethostbyname_ex', 'gethostbyaddr', 'getfqdn']);
  const mismatches = [];
  for (const [i, c] of corpus.cases.entries()) {
    if (!twins.has(c.fn) || dnsRisk(c) !== null) continue;
    const sync = runCase(c);
    const async = await runCaseAsync(c);
    if (!same({ ...c, compare: undefined }, async, sync)) {
      mismatches.push(`#${i} ${JSON.stringify(c)}\n    sync: ${JSON.stringify(sync)}\n    async: ${JSON.stringify(async)}`);
    }
  }
  assert.equal(mismatches.length, 0, mismatches.join('\n'));
});
