// The resolver functions and their async twins. Names are only localhost,
// numeric forms, /etc/services and /etc/protocols; failures of real lookups
// are provoked inside a network namespace the test creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as socket from 'bsdsock';
import { nodeOnly } from './fixtures/runtime.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));


test('getaddrinfo returns [family, type, proto, canonname, sockaddr] entries', () => {
  const r = socket.getaddrinfo('127.0.0.1', 80, socket.AF_INET, socket.SOCK_STREAM);
  assert.deepEqual(r, [[socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, '', ['127.0.0.1', 80]]]);
  const all = socket.getaddrinfo('127.0.0.1', 80);
  assert.ok(all.length >= 2);
  for (const [family, , , canon, sa] of all) {
    assert.equal(family, socket.AF_INET);
    assert.equal(canon, '');
    assert.deepEqual(sa, ['127.0.0.1', 80]);
  }
  const six = socket.getaddrinfo('::1', 8080, 0, socket.SOCK_DGRAM);
  assert.deepEqual(six, [[socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_UDP, '', ['::1', 8080, 0, 0]]]);
});

test('getaddrinfo: localhost, canonical names, passive wildcards, legacy numeric forms', () => {
  const local = socket.getaddrinfo('localhost', 'ssh', socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_CANONNAME);
  assert.equal(local[0][3], 'localhost');
  assert.deepEqual(local[0][4], ['127.0.0.1', 22]);
  const wild = socket.getaddrinfo(null, 0, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_PASSIVE);
  assert.deepEqual(wild[0][4], ['0.0.0.0', 0]);
  assert.deepEqual(socket.getaddrinfo('0x7f.1', null, socket.AF_INET, socket.SOCK_STREAM)[0][4], ['127.0.0.1', 0]);
  assert.deepEqual(socket.getaddrinfo(null, 'http', socket.AF_INET, socket.SOCK_STREAM)[0][4], ['127.0.0.1', 80]);
});

test('getaddrinfo: a zone goes into scope_id, never into the host text (as Python)', () => {
  const [[, , , , sa]] = socket.getaddrinfo('fe80::1%1', 80, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST);
  assert.deepEqual(sa, ['fe80::1', 80, 0, 1]);
});

test('getaddrinfo accepts every port form Python does', () => {
  const port = (p) => socket.getaddrinfo('127.0.0.1', p, socket.AF_INET, socket.SOCK_STREAM)[0][4][1];
  assert.equal(port(80), 80);
  assert.equal(port(80n), 80);
  assert.equal(port('80'), 80);
  assert.equal(port('http'), 80);
  assert.equal(port(Buffer.from('ssh')), 22);
  assert.equal(port(new Uint8Array(Buffer.from('22'))), 22);
  assert.equal(port(null), 0);
  assert.equal(socket.getaddrinfo(Buffer.from('127.0.0.1'), 1, socket.AF_INET, socket.SOCK_STREAM)[0][4][0], '127.0.0.1');
  // An int port is passed to the C library as its decimal string, as
  // Python 3.13 does (3.11 raised OverflowError past a C long): the C
  // library wraps 70000 to 70000 % 65536, and refuses what it cannot parse.
  assert.equal(port(70000), 4464);
  assert.throws(() => socket.getaddrinfo('127.0.0.1', -(2n ** 63n) - 1n), (e) => e instanceof socket.gaierror && e.errno === socket.EAI_SERVICE);
});

test('getaddrinfo raises gaierror with errno an EAI_* constant and the system message', () => {
  const cases = [
    [['not-an-address', 80, 0, 0, 0, socket.AI_NUMERICHOST], 'EAI_NONAME'],
    [['127.0.0.1', 'no-such-service', socket.AF_INET, socket.SOCK_STREAM], 'EAI_SERVICE'],
    [['127.0.0.1', 80, 99], 'EAI_FAMILY'],
    [['127.0.0.1', 80, 0, 99], 'EAI_SOCKTYPE'],
    [[null, 'http', 0, 0, 0, -1], 'EAI_BADFLAGS'],
  ];
  for (const [args, name] of cases) {
    assert.throws(
      () => socket.getaddrinfo(...args),
      (e) => {
        assert.ok(e instanceof socket.gaierror, String(e));
        assert.ok(e instanceof socket.OSError);
        assert.equal(e.errno, socket[name]);
        assert.equal(e.code, name);
        assert.ok(typeof e.strerror === 'string' && e.strerror.length > 0);
        assert.equal(e.message, `[Errno ${e.errno}] ${e.strerror}`);
        return true;
      },
    );
  }
});

test('getaddrinfo argument errors follow Python', () => {
  assert.throws(() => socket.getaddrinfo(5, 80), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.getaddrinfo('127.0.0.1', 1.5), (e) => e instanceof socket.OSError && e.message === 'Int or String expected');
  assert.throws(() => socket.getaddrinfo('a..b', 80), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => socket.getaddrinfo('x'.repeat(64), 80), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => socket.getaddrinfo('127.0.0.1', 80, 2 ** 31), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.getaddrinfo('127.0.0.1', 80, 0, 1.5), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.getaddrinfo('127.0.0.1', '80\0'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
});

test('getnameinfo gives [host, service] names of a numeric address', () => {
  assert.deepEqual(socket.getnameinfo(['127.0.0.1', 80], 0), ['localhost', 'http']);
  assert.deepEqual(socket.getnameinfo(['127.0.0.1', 80], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV), ['127.0.0.1', '80']);
  assert.deepEqual(socket.getnameinfo(['127.0.0.1', 514], socket.NI_NUMERICHOST | socket.NI_DGRAM), ['127.0.0.1', 'syslog']);
  assert.deepEqual(socket.getnameinfo(['::1', 22, 0, 0], socket.NI_NUMERICHOST), ['::1', 'ssh']);
});

test('getnameinfo errors follow Python', () => {
  assert.throws(() => socket.getnameinfo(['127.0.0.1', 80, 0], 1), (e) => e instanceof socket.OSError && e.message === 'IPv4 sockaddr must be 2 tuple');
  assert.throws(() => socket.getnameinfo('127.0.0.1', 1), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.getnameinfo(['127.0.0.1'], 1), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.getnameinfo(['::1', 80, 1 << 20], 1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.getnameinfo(['127.0.0.1', 80]), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  // The address is never resolved: a name is refused.
  assert.throws(() => socket.getnameinfo(['localhost', 80], 0), (e) => e instanceof socket.gaierror && e.errno === socket.EAI_NONAME);
  assert.throws(
    () => socket.getnameinfo(['127.0.0.1', 80], socket.NI_NAMEREQD | socket.NI_NUMERICHOST),
    (e) => e instanceof socket.gaierror && e.errno === socket.EAI_NONAME,
  );
});

test('gethostbyname: special names, numeric forms, localhost, bytes', () => {
  assert.equal(socket.gethostbyname(''), '0.0.0.0');
  assert.equal(socket.gethostbyname('<broadcast>'), '255.255.255.255');
  assert.equal(socket.gethostbyname('127.0.0.1'), '127.0.0.1');
  assert.equal(socket.gethostbyname('127.1'), '127.0.0.1');
  assert.equal(socket.gethostbyname('0177.0.0.1'), '127.0.0.1');
  assert.equal(socket.gethostbyname('localhost'), '127.0.0.1');
  assert.equal(socket.gethostbyname(Buffer.from('127.0.0.1')), '127.0.0.1');
  assert.throws(() => socket.gethostbyname('::1'), socket.gaierror);
  assert.throws(() => socket.gethostbyname('a\0b'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.gethostbyname('1..2'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => socket.gethostbyname(5), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
});

test('gethostbyname_ex and gethostbyaddr give [hostname, aliases, addresses]', () => {
  const [name, aliases, addrs] = socket.gethostbyname_ex('localhost');
  assert.equal(typeof name, 'string');
  assert.ok(Array.isArray(aliases));
  assert.ok(addrs.includes('127.0.0.1'));
  assert.deepEqual(socket.gethostbyname_ex('127.0.0.1'), ['127.0.0.1', [], ['127.0.0.1']]);
  const [rname, raliases, raddrs] = socket.gethostbyaddr('127.0.0.1');
  assert.ok([rname, ...raliases].includes('localhost'));
  assert.deepEqual(raddrs, ['127.0.0.1']);
  assert.deepEqual(socket.gethostbyaddr('localhost')[2].length > 0, true);
  assert.throws(() => socket.gethostbyname_ex('::1'), socket.gaierror);
});

test('getfqdn: a name with a dot from gethostbyaddr, else its hostname; the name itself when that fails', () => {
  const expected = (() => {
    const [h, aliases] = socket.gethostbyaddr('127.0.0.1');
    return [h, ...aliases].find((n) => n.includes('.')) ?? h;
  })();
  assert.equal(socket.getfqdn('127.0.0.1'), expected);
  assert.equal(socket.getfqdn('  127.0.0.1\n'), expected);
  assert.throws(() => socket.getfqdn(5), { name: 'TypeError' });
});

test('gethostname returns the host name; sethostname checks its argument', () => {
  const name = socket.gethostname();
  assert.equal(typeof name, 'string');
  assert.ok(name.length > 0);
  assert.throws(() => socket.sethostname(5), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.sethostname('a\0b'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
});

test('getprotobyname, getservbyname, getservbyport read /etc/protocols and /etc/services', () => {
  assert.equal(socket.getprotobyname('tcp'), socket.IPPROTO_TCP);
  assert.equal(socket.getprotobyname('udp'), socket.IPPROTO_UDP);
  assert.equal(socket.getprotobyname('icmp'), socket.IPPROTO_ICMP);
  assert.throws(() => socket.getprotobyname('no-such-protocol'), (e) => e instanceof socket.OSError && e.message === 'protocol not found');
  assert.equal(socket.getservbyname('http'), 80);
  assert.equal(socket.getservbyname('http', 'tcp'), 80);
  assert.equal(socket.getservbyname('domain', 'udp'), 53);
  assert.throws(() => socket.getservbyname('no-such-service'), (e) => e instanceof socket.OSError && e.message === 'service/proto not found');
  assert.throws(() => socket.getservbyname('http', null), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.getservbyname(Buffer.from('http')), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.equal(socket.getservbyport(22), 'ssh');
  assert.equal(socket.getservbyport(53, 'udp'), 'domain');
  assert.throws(() => socket.getservbyport(65536), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.getservbyport(-1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => socket.getservbyport(9999, 'tcp'), (e) => e instanceof socket.OSError && e.message === 'port/proto not found');
});

test('the async twins resolve like their synchronous functions', async () => {
  assert.deepEqual(await socket.getaddrinfoAsync('localhost', 80, socket.AF_INET, socket.SOCK_STREAM), socket.getaddrinfo('localhost', 80, socket.AF_INET, socket.SOCK_STREAM));
  assert.deepEqual(await socket.getaddrinfoAsync('127.0.0.1', 'http', { signal: new AbortController().signal }), socket.getaddrinfo('127.0.0.1', 'http'));
  assert.deepEqual(await socket.getnameinfoAsync(['127.0.0.1', 80], 0), ['localhost', 'http']);
  assert.equal(await socket.gethostbynameAsync('localhost'), '127.0.0.1');
  assert.deepEqual(await socket.gethostbyname_exAsync('127.0.0.1'), socket.gethostbyname_ex('127.0.0.1'));
  assert.deepEqual(await socket.gethostbyaddrAsync('127.0.0.1'), socket.gethostbyaddr('127.0.0.1'));
  assert.equal(await socket.getfqdnAsync('127.0.0.1'), socket.getfqdn('127.0.0.1'));
  await assert.rejects(socket.getaddrinfoAsync('nope', 80, 0, 0, 0, socket.AI_NUMERICHOST), (e) => e instanceof socket.gaierror && e.errno === socket.EAI_NONAME);
  await assert.rejects(socket.gethostbynameAsync(5), { name: 'TypeError' });
  await assert.rejects(socket.getaddrinfoAsync('127.0.0.1', 80, { signal: 'no' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  // An iterable (a Set, a Map) is a positional argument, as in the sync call, never the options.
  for (const v of [new Set(), new Map()]) {
    await assert.rejects(socket.getaddrinfoAsync('127.0.0.1', 80, v), { name: 'TypeError', message: /"family" argument must be an integer/ });
  }
});

test('an aborted signal rejects a twin with its reason', async () => {
  const ac = new AbortController();
  const reason = new Error('stop');
  ac.abort(reason);
  for (const p of [
    socket.getaddrinfoAsync('localhost', 80, { signal: ac.signal }),
    socket.getnameinfoAsync(['127.0.0.1', 80], 0, { signal: ac.signal }),
    socket.gethostbynameAsync('localhost', { signal: ac.signal }),
    socket.gethostbyname_exAsync('localhost', { signal: ac.signal }),
    socket.gethostbyaddrAsync('127.0.0.1', { signal: ac.signal }),
    socket.getfqdnAsync('127.0.0.1', { signal: ac.signal }),
  ]) {
    await assert.rejects(p, (e) => e === reason);
  }
});

// A child with one pool thread, held by an open() of a FIFO that has no
// writer yet: a twin queued behind it cannot finish until the thread is
// freed, while the event loop goes on running timers.
const POOL_SCRIPT = `
import * as socket from 'bsdsock';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-pool-'));
const fifo = path.join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
async function holdPool() {
  const held = fs.promises.open(fifo, 'r');
  await sleep(50);
  return async () => {
    for (;;) {
      try { fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)); break; }
      catch (e) { if (e.code !== 'ENXIO') throw e; await sleep(5); }
    }
    await (await held).close();
  };
}
const out = {};
{
  const release = await holdPool();
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  let settled = false;
  const p = socket.getaddrinfoAsync('localhost', 80, socket.AF_INET, socket.SOCK_STREAM).finally(() => { settled = true; });
  await sleep(300);
  out.settledWhileHeld = settled;
  out.ticksWhileHeld = ticks;
  await release();
  out.result = await p;
  clearInterval(iv);
}
{
  const release = await holdPool();
  const ac = new AbortController();
  const p = socket.gethostbyaddrAsync('127.0.0.1', { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('cancelled')), 50);
  try { await p; out.abort = 'resolved'; } catch (e) { out.abort = e.message; }
  await release();
  out.afterAbort = await socket.gethostbynameAsync('localhost');
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(out));
`;

test('twins run on libuv\'s thread pool and never block the event loop', { skip: nodeOnly('cli'), timeout: 30000 }, () => {
  const out = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', POOL_SCRIPT], {
      cwd: root,
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      encoding: 'utf8',
      timeout: 20000,
    }),
  );
  assert.equal(out.settledWhileHeld, false, 'the lookup finished although the only pool thread was busy');
  assert.ok(out.ticksWhileHeld >= 10, `the event loop ran only ${out.ticksWhileHeld} timer ticks while the lookup waited`);
  assert.deepEqual(out.result, [[socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, '', ['127.0.0.1', 80]]]);
  assert.equal(out.abort, 'cancelled');
  assert.equal(out.afterAbort, '127.0.0.1');
});

test('the resolver works in worker threads', { skip: nodeOnly('workerEsm', ['deno']), timeout: 20000 }, async () => {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(
    `import * as socket from 'bsdsock';
     import { parentPort } from 'node:worker_threads';
     parentPort.postMessage([
       await socket.getaddrinfoAsync('127.0.0.1', 'http', socket.AF_INET, socket.SOCK_STREAM),
       socket.gethostbyname('localhost'),
       await socket.gethostbyaddrAsync('127.0.0.1'),
       socket.inet_ntoa(socket.inet_aton('1.2.3.4')),
     ]);`,
    { eval: true, type: 'module' },
  );
  const [gai, byname, byaddr, ntoa] = await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  assert.deepEqual(gai, [[socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, '', ['127.0.0.1', 80]]]);
  assert.equal(byname, '127.0.0.1');
  assert.deepEqual(byaddr, socket.gethostbyaddr('127.0.0.1'));
  assert.equal(ntoa, '1.2.3.4');
});

// Inside new user, network and UTS namespaces: no route leaves the machine,
// so lookups that need DNS fail at once, and the host name is the
// namespace's own.
const NS_SCRIPT = `
import * as socket from 'bsdsock';
const out = {};
const err = (e) => ({ name: e.constructor.name, errno: e.errno, code: e.code, message: e.message });
try { socket.gethostbyaddr('192.0.2.1'); out.byaddr = 'resolved'; } catch (e) { out.byaddr = err(e); }
try { await socket.gethostbyaddrAsync('192.0.2.1'); out.byaddrAsync = 'resolved'; } catch (e) { out.byaddrAsync = err(e); }
try { socket.getaddrinfo('bsdsock-test.invalid', 80); out.gai = 'resolved'; } catch (e) { out.gai = err(e); }
try { await socket.getaddrinfoAsync('bsdsock-test.invalid', 80); out.gaiAsync = 'resolved'; } catch (e) { out.gaiAsync = err(e); }
socket.sethostname('bsdsock-ns-test');
out.hostname = socket.gethostname();
socket.sethostname(Buffer.from('bsdsock-ns-bytes'));
out.hostname2 = socket.gethostname();
out.fqdn = socket.getfqdn();
console.log(JSON.stringify(out));
`;

test('herror, gaierror and sethostname inside a network and UTS namespace the test creates', { skip: nodeOnly('cli', ['deno']), timeout: 30000 }, (t) => {
  const probe = spawnSync('unshare', ['-rnu', 'true'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    t.skip('unshare -rnu (user, network and UTS namespaces) is not available here: skipped');
    return;
  }
  const run = spawnSync('unshare', ['-rnu', process.execPath, '--input-type=module', '-e', NS_SCRIPT], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  for (const r of [out.byaddr, out.byaddrAsync]) {
    assert.equal(r.name, 'herror', JSON.stringify(r));
    assert.ok([1, 2, 3, 4].includes(r.errno), JSON.stringify(r));
    assert.match(r.code, /^(HOST_NOT_FOUND|TRY_AGAIN|NO_RECOVERY|NO_DATA)$/);
    assert.equal(r.message, `[Errno ${r.errno}] ${r.message.replace(/^\[Errno \d+\] /, '')}`);
  }
  for (const r of [out.gai, out.gaiAsync]) {
    assert.equal(r.name, 'gaierror', JSON.stringify(r));
    assert.ok(r.errno < 0 && r.code.startsWith('EAI_'), JSON.stringify(r));
  }
  assert.equal(out.hostname, 'bsdsock-ns-test');
  assert.equal(out.hostname2, 'bsdsock-ns-bytes');
  assert.equal(out.fqdn, 'bsdsock-ns-bytes');
  // CPython, in the same situation, raises the same classes with the same numbers.
  const py = spawnSync(
    'unshare',
    ['-rnu', 'python3', '-c', "import socket\ntry:\n  socket.gethostbyaddr('192.0.2.1')\nexcept socket.herror as e:\n  print(e.errno)"],
    { encoding: 'utf8', timeout: 20000 },
  );
  if (!py.error && py.status === 0) assert.equal(Number(py.stdout.trim()), out.byaddr.errno);
});
