// create_connection, create_connectionAsync and create_server (Lib/socket.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import * as socket from 'bsdsock';
import { fdSnapshot, fdsOpenedSince, openFds } from './support/fds.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

// The addon object the package uses (require caches it), to watch its calls.
const { binding } = createRequire(import.meta.url)('../dist/cjs/native.js');

const { ECONNREFUSED, EADDRINUSE } = osConstants.errno;
const fdsAtStart = openFds();

function server(host = '127.0.0.1') {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.bind([host, 0]);
  s.listen();
  return s;
}

/**
 * A listener whose accept queue is full: listen(0) and one connection that
 * is never accepted, so the kernel drops every further SYN and a connect to
 * it hangs until its timeout.
 */
function stuckServer(host = '127.0.0.1') {
  const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  srv.bind([host, 0]);
  srv.listen(0);
  const port = srv.getsockname()[1];
  const filler = socket.create_connection([host, port], 2);
  return { port, close: () => { filler.close(); srv.close(); } };
}

/** A port nothing listens on (bound once, then closed). */
function closedPort() {
  const s = server();
  const port = s.getsockname()[1];
  s.close();
  return port;
}

test('create_connection connects and applies the timeout rules', () => {
  const srv = server();
  const port = srv.getsockname()[1];
  const a = socket.create_connection(['127.0.0.1', port]);
  assert.deepEqual(a.getpeername(), ['127.0.0.1', port]);
  assert.equal(a.gettimeout(), null, 'no timeout given: the default timeout (null)');
  const b = socket.create_connection(['localhost', String(port)], 2.5);
  assert.equal(b.gettimeout(), 2.5);
  socket.setdefaulttimeout(4);
  try {
    const c = socket.create_connection(['127.0.0.1', port]);
    assert.equal(c.gettimeout(), 4);
    const d = socket.create_connection(['127.0.0.1', port], null);
    assert.equal(d.gettimeout(), null, 'null is blocking, not the default');
    c.close();
    d.close();
  } finally {
    socket.setdefaulttimeout(null);
  }
  for (const s of [a, b]) s.close();
  srv.close();
});

test('create_connection binds source_address first', () => {
  const srv = server('0.0.0.0');
  const port = srv.getsockname()[1];
  const s = socket.create_connection(['127.0.0.1', port], 2, ['127.0.0.2', 0]);
  assert.equal(s.getsockname()[0], '127.0.0.2');
  const [conn, peer] = srv.accept();
  assert.equal(peer[0], '127.0.0.2');
  conn.close();
  s.close();
  srv.close();
});

test('create_connection raises the last error, or an ExceptionGroup with all_errors', () => {
  const port = closedPort();
  assert.throws(
    () => socket.create_connection(['127.0.0.1', port]),
    (e) => e instanceof socket.ConnectionRefusedError && e.errno === ECONNREFUSED,
  );
  assert.throws(
    () => socket.create_connection(['127.0.0.1', port], 1, null, { all_errors: true }),
    (e) => {
      assert.ok(e instanceof socket.ExceptionGroup);
      assert.ok(e instanceof AggregateError);
      assert.equal(e.message, 'create_connection failed');
      assert.equal(e.errors.length, 1);
      assert.equal(e.exceptions, e.errors);
      assert.ok(e.errors[0] instanceof socket.ConnectionRefusedError);
      assert.equal(String(e), 'ExceptionGroup: create_connection failed (1 sub-exception)');
      return true;
    },
  );
});

test('create_connection: bad arguments', async () => {
  assert.throws(() => socket.create_connection('127.0.0.1:80'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.create_connection(80), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.create_connection(null), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  // Python's `host, port = address` raises ValueError for a sequence of the wrong length.
  const unpack = [
    [['127.0.0.1'], /^The argument 'address' is invalid: not enough values to unpack \(expected 2, got 1\)$/],
    [[], /^The argument 'address' is invalid: not enough values to unpack \(expected 2, got 0\)$/],
    [['127.0.0.1', 1, 2], /^The argument 'address' is invalid: too many values to unpack \(expected 2\)$/],
  ];
  for (const [address, message] of unpack) {
    assert.throws(() => socket.create_connection(address), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message });
    await assert.rejects(socket.create_connectionAsync(address), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message });
  }
  await assert.rejects(socket.create_connectionAsync('127.0.0.1:80'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.create_connection(['127.0.0.1', 1], 'soon'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.create_connection(['127.0.0.1', 1], -1), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => socket.create_connection(['127.0.0.1', 1], 1, null, 'x'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
});

test('create_connectionAsync: happy_eyeballs_delay and interleave are validated before any lookup', async () => {
  const fds = fdSnapshot();
  const bad = [
    [{ interleave: 1.5 }, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /^The "interleave" argument must be an integer\. Received type number \(1\.5\)$/ }],
    [{ interleave: '2' }, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"interleave"/ }],
    [{ interleave: true, happy_eyeballs_delay: 0.1 }, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"interleave"/ }],
    [{ interleave: NaN }, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"interleave"/ }],
    [{ interleave: -1, happy_eyeballs_delay: 0.1 }, { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /^The value of "interleave" is out of range\. It must be >= 0 and <= 9007199254740991\. Received -1$/ }],
    [{ interleave: -1 }, { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"interleave"/ }],
    [{ interleave: 2 ** 53 }, { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"interleave"/ }],
    [{ happy_eyeballs_delay: '0.1' }, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"happy_eyeballs_delay"/ }],
    [{ happy_eyeballs_delay: -0.1 }, { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /'happy_eyeballs_delay' is invalid/ }],
    [{ happy_eyeballs_delay: NaN }, { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /'happy_eyeballs_delay' is invalid/ }],
    [{ happy_eyeballs_delay: Infinity }, { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"happy_eyeballs_delay"/ }],
  ];
  const dead = closedPort();
  for (const [options, expected] of bad) {
    await assert.rejects(socket.create_connectionAsync(['127.0.0.1', dead], options), expected, String(Object.entries(options)));
  }
  assert.deepEqual(fdsOpenedSince(fds), []);
  // Accepted: 0 (getaddrinfo's order), a bigint, null for "not given".
  const srv = server();
  const port = srv.getsockname()[1];
  for (const options of [{ interleave: 0 }, { interleave: 3n, happy_eyeballs_delay: 0 }, { interleave: null, happy_eyeballs_delay: null }]) {
    const s = await socket.create_connectionAsync(['127.0.0.1', port], options);
    assert.deepEqual(s.getpeername(), ['127.0.0.1', port]);
    s.close();
    srv.accept()[0].close();
  }
  srv.close();
});

test('create_connectionAsync with Happy Eyeballs removes its abort listener once settled', async () => {
  const srv = server();
  const port = srv.getsockname()[1];
  const ac = new AbortController();
  const s = await socket.create_connectionAsync(['127.0.0.1', port], 2, null, { happy_eyeballs_delay: 0.05, signal: ac.signal });
  assert.deepEqual(s.getpeername(), ['127.0.0.1', port]);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'no abort listener left after success');
  s.close();
  srv.accept()[0].close();
  srv.close();
  const dead = closedPort();
  await assert.rejects(
    socket.create_connectionAsync(['127.0.0.1', dead], 2, null, { happy_eyeballs_delay: 0.05, signal: ac.signal }),
    (e) => e instanceof socket.ConnectionRefusedError && e.errno === ECONNREFUSED,
  );
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'no abort listener left after failure');
  // An abort while attempts are pending rejects with the reason and closes them.
  const stuck = stuckServer();
  const fds = fdSnapshot();
  const pending = socket.create_connectionAsync(['127.0.0.1', stuck.port], 5, null, { happy_eyeballs_delay: 0.05, signal: ac.signal });
  setTimeout(() => ac.abort(new Error('stop')), 50);
  await assert.rejects(pending, { message: 'stop' });
  assert.deepEqual(fdsOpenedSince(fds), [], 'the pending attempt was closed');
  stuck.close();
});

test('create_connection: a connect that times out raises TimeoutError, alone or in the ExceptionGroup', async () => {
  const stuck = stuckServer();
  const address = ['127.0.0.1', stuck.port];
  const isTimeout = (e) => {
    assert.ok(e instanceof socket.TimeoutError, String(e));
    assert.equal(e.constructor, socket.timeout);
    assert.equal(e.message, 'timed out');
    assert.equal(e.errno, null);
    assert.equal(e.strerror, null);
    return true;
  };
  const inGroup = (e) => {
    assert.ok(e instanceof socket.ExceptionGroup, String(e));
    assert.equal(e.message, 'create_connection failed');
    assert.equal(e.errors.length, 1);
    return isTimeout(e.errors[0]);
  };
  let t0 = performance.now();
  assert.throws(() => socket.create_connection(address, 0.2), isTimeout);
  assert.ok(performance.now() - t0 >= 180, 'the timeout was waited for');
  assert.throws(() => socket.create_connection(address, 0.2, null, { all_errors: true }), inGroup);
  t0 = performance.now();
  await assert.rejects(socket.create_connectionAsync(address, 0.2), isTimeout);
  assert.ok(performance.now() - t0 >= 180, 'the timeout was waited for');
  await assert.rejects(socket.create_connectionAsync(address, 0.2, null, { all_errors: true }), inGroup);
  await assert.rejects(socket.create_connectionAsync(address, 0.2, null, { all_errors: true, happy_eyeballs_delay: 0.05 }), inGroup);
  // The module's default timeout applies when none is given.
  socket.setdefaulttimeout(0.2);
  try {
    assert.throws(() => socket.create_connection(address), isTimeout);
    await assert.rejects(socket.create_connectionAsync(address), isTimeout);
  } finally {
    socket.setdefaulttimeout(null);
  }
  // CPython, on the same listener, raises the same.
  const py = spawnSync('python3', ['-c', `
import socket, sys
a = ('127.0.0.1', int(sys.argv[1]))
for kw in ({}, {'all_errors': True}):
    try:
        socket.create_connection(a, 0.2, **kw)
    except Exception as e:
        es = e.exceptions if isinstance(e, ExceptionGroup) else [e]
        print(type(e).__name__, str(e), [(type(x).__name__, str(x), x.errno) for x in es])
`, String(stuck.port)], { encoding: 'utf8', timeout: 10000 });
  if (py.error?.code !== 'ENOENT') {
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout, [
      "TimeoutError timed out [('TimeoutError', 'timed out', None)]",
      "ExceptionGroup create_connection failed (1 sub-exception) [('TimeoutError', 'timed out', None)]",
      '',
    ].join('\n'));
  }
  stuck.close();
});

/**
 * Runs `fn` with the addon's blocking getaddrinfo counted; resolves with the
 * hosts it was called for on this (the event loop's) thread.
 */
async function syncLookupsDuring(fn) {
  const syncLookup = binding.getaddrinfo;
  const looked = [];
  binding.getaddrinfo = function (...args) {
    looked.push(String(args[0]));
    return syncLookup.apply(this, args);
  };
  try {
    await fn();
  } finally {
    binding.getaddrinfo = syncLookup;
  }
  return looked;
}

test('create_connectionAsync resolves a source_address name on the thread pool, never on the loop', async () => {
  const srv = server();
  const port = srv.getsockname()[1];
  // Sync: bind() resolves 'localhost' (blocking, as in Python).
  const a = socket.create_connection(['127.0.0.1', port], 2, ['localhost', 0]);
  assert.equal(a.getsockname()[0], '127.0.0.1');
  a.close();
  srv.accept()[0].close();
  // Async: no blocking getaddrinfo on this thread, for the destination or the source.
  const looked = await syncLookupsDuring(async () => {
    for (const options of [{}, { happy_eyeballs_delay: 0.05 }]) {
      const s = await socket.create_connectionAsync(['127.0.0.1', port], 2, ['localhost', 0], options);
      assert.equal(s.getsockname()[0], '127.0.0.1');
      assert.deepEqual(s.getpeername(), ['127.0.0.1', port]);
      s.close();
      const [conn, peer] = srv.accept();
      assert.equal(peer[0], '127.0.0.1');
      conn.close();
    }
    // A Buffer host and a numeric one work the same.
    const b = await socket.create_connectionAsync(['127.0.0.1', port], 2, [Buffer.from('localhost'), 0]);
    assert.equal(b.getsockname()[0], '127.0.0.1');
    b.close();
    srv.accept()[0].close();
    const c = await socket.create_connectionAsync(['127.0.0.1', port], 2, ['127.0.0.2', 0]);
    assert.equal(c.getsockname()[0], '127.0.0.2');
    c.close();
    srv.accept()[0].close();
    // connectAsync resolves its destination the same way, string or bytes.
    for (const host of ['localhost', Buffer.from('localhost')]) {
      const d = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
      await d.connectAsync([host, port]);
      assert.deepEqual(d.getpeername(), ['127.0.0.1', port]);
      d.close();
      srv.accept()[0].close();
    }
  });
  assert.deepEqual(looked, [], 'the event loop thread called getaddrinfo');
  srv.close();
});

test('sendtoAsync, sendmsgAsync and sendmmsgAsync look host names up on the thread pool, never on the loop', async () => {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  r.bind(['127.0.0.1', 0]);
  const port = r.getsockname()[1];
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const looked = await syncLookupsDuring(async () => {
    for (const host of ['localhost', Buffer.from('localhost')]) {
      assert.equal(await s.sendtoAsync(Buffer.from('a'), [host, port]), 1);
      assert.equal(await s.sendtoAsync(Buffer.from('b'), 0, [host, port], {}), 1);
      assert.equal(await s.sendmsgAsync([Buffer.from('c')], [], 0, [host, port]), 1);
      // Two names and a numeric address in one batch, from a Set (an iterable).
      const batch = new Set([[Buffer.from('d'), [host, port]], [Buffer.from('e'), ['127.0.0.1', port]], [Buffer.from('f'), [host, port]]]);
      assert.equal(await s.sendmmsgAsync(batch), 3);
    }
  });
  assert.deepEqual(looked, [], 'the event loop thread called getaddrinfo');
  const got = [];
  for (let i = 0; i < 12; i++) {
    const [data, from] = r.recvfrom(16);
    assert.equal(from[0], '127.0.0.1');
    got.push(data.toString());
  }
  assert.equal(got.join(''), 'abcdefabcdef');
  s.close();
  r.close();
});

test('create_connectionAsync connects without blocking, honours all_errors and signal', async () => {
  const srv = server();
  const port = srv.getsockname()[1];
  const s = await socket.create_connectionAsync(['localhost', port], 3);
  assert.deepEqual(s.getpeername(), ['127.0.0.1', port]);
  assert.equal(s.gettimeout(), 3);
  s.close();
  const t = await socket.create_connectionAsync(['127.0.0.1', port], { happy_eyeballs_delay: 0.25 });
  assert.deepEqual(t.getpeername(), ['127.0.0.1', port]);
  t.close();
  const dead = closedPort();
  await assert.rejects(socket.create_connectionAsync(['127.0.0.1', dead]), (e) => e instanceof socket.ConnectionRefusedError);
  await assert.rejects(
    socket.create_connectionAsync(['127.0.0.1', dead], null, null, { all_errors: true }),
    (e) => e instanceof socket.ExceptionGroup && e.errors[0] instanceof socket.ConnectionRefusedError,
  );
  const ac = new AbortController();
  ac.abort(new Error('cancelled'));
  await assert.rejects(socket.create_connectionAsync(['127.0.0.1', port], { signal: ac.signal }), { message: 'cancelled' });
  srv.close();
});

test('create_server: reuse address, bind errors name the address, backlog', () => {
  const s = socket.create_server(['127.0.0.1', 0], { backlog: 5 });
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 1);
  assert.equal(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN), 1);
  const port = s.getsockname()[1];
  assert.throws(
    () => socket.create_server(['127.0.0.1', port]),
    (e) => {
      assert.equal(e.errno, EADDRINUSE);
      assert.equal(e.message, `[Errno ${EADDRINUSE}] Address already in use (while attempting to bind on address ['127.0.0.1', ${port}])`);
      return true;
    },
  );
  s.close();
});

test('create_server: reuse_port lets two servers share a port', () => {
  const a = socket.create_server(['127.0.0.1', 0], { reuse_port: true });
  const port = a.getsockname()[1];
  const b = socket.create_server(['127.0.0.1', port], { reuse_port: true });
  assert.equal(b.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT), 1);
  assert.equal(b.getsockname()[1], port);
  a.close();
  b.close();
});

test('create_server: a dual-stack listener accepts IPv4 and IPv6 clients', () => {
  assert.equal(socket.has_dualstack_ipv6(), true);
  const srv = socket.create_server(['::', 0], { family: socket.AF_INET6, dualstack_ipv6: true });
  assert.equal(srv.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 0);
  const port = srv.getsockname()[1];
  const c4 = socket.create_connection(['127.0.0.1', port]);
  const [a4, from4] = srv.accept();
  assert.equal(from4[0], '::ffff:127.0.0.1');
  const c6 = socket.create_connection(['::1', port]);
  const [a6, from6] = srv.accept();
  assert.equal(from6[0], '::1');
  for (const s of [c4, a4, c6, a6, srv]) s.close();
  // Without dualstack_ipv6 an AF_INET6 server is IPv6-only.
  const v6 = socket.create_server(['::1', 0], { family: socket.AF_INET6 });
  assert.equal(v6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 1);
  v6.close();
});

test('create_server: impossible combinations raise as in Python', () => {
  assert.throws(() => socket.create_server(['127.0.0.1', 0], { dualstack_ipv6: true }), {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_VALUE',
    message: /dualstack_ipv6 requires AF_INET6 family/,
  });
  // Python resolves the IPv4 literal for AF_INET6 and reports the gaierror's errno as an OSError.
  assert.throws(
    () => socket.create_server(['127.0.0.1', 0], { family: socket.AF_INET6 }),
    (e) => e.constructor === socket.OSError && e.errno === socket.EAI_ADDRFAMILY &&
      /Address family for hostname not supported \(while attempting to bind on address \['127\.0\.0\.1', 0\]\)/.test(e.message),
  );
  assert.throws(() => socket.create_server('x'), { name: 'TypeError' });
});

// Names with several addresses come from a network namespace of our own,
// whose /etc/hosts (bind-mounted by `ip netns exec`) maps one name to them;
// the script runs there in a child process and prints its findings as JSON.
const haveNetns = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

function inNamespace(tag, hosts, script, setup = []) {
  const ns = `bsdsock-${tag}-${process.pid}`;
  const etc = `/etc/netns/${ns}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    mkdirSync(etc, { recursive: true });
    writeFileSync(`${etc}/hosts`, hosts);
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    for (const cmd of setup) execFileSync('ip', ['netns', 'exec', ns, ...cmd]);
    return JSON.parse(
      execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', cwd: process.cwd(), timeout: 30000 }),
    );
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(etc, { recursive: true, force: true });
  }
}

// A host name with two addresses, where the first refuses and the second listens.
test('create_connection tries each address of a name in order', { skip: !haveNetns && 'needs root and iproute2' }, () => {
  const script = `
    const socket = require('bsdsock');
    const out = {};
    const srv = socket.socket(); srv.bind(['127.0.0.2', 0]); srv.listen();
    const port = srv.getsockname()[1];
    out.gai = socket.getaddrinfo('multi', port, 0, socket.SOCK_STREAM).map((e) => e[4][0]);
    const c = socket.create_connection(['multi', port], 2);
    out.peer = c.getpeername()[0]; c.close();
    srv.close();
    try { socket.create_connection(['multi', port], 2, null, { all_errors: true }); }
    catch (e) { out.group = [e.name, e.errors.map((x) => x.name)]; }
    socket.create_connectionAsync(['multi', port], 2, null, { all_errors: true, happy_eyeballs_delay: 0.05 })
      .catch((e) => { out.groupAsync = [e.name, e.errors.map((x) => x.name)]; })
      .then(() => {
        const srv2 = socket.socket(); srv2.bind(['127.0.0.2', port]); srv2.listen();
        return socket.create_connectionAsync(['multi', port], { happy_eyeballs_delay: 0.05 }).then((s) => {
          out.peerAsync = s.getpeername()[0]; s.close(); srv2.close();
        });
      })
      .then(() => console.log(JSON.stringify(out)));
  `;
  const out = inNamespace('cc', '127.0.0.1 multi\n127.0.0.2 multi\n', script);
  assert.deepEqual(out.gai, ['127.0.0.1', '127.0.0.2']);
  assert.equal(out.peer, '127.0.0.2');
  assert.deepEqual(out.group, ['ExceptionGroup', ['ConnectionRefusedError', 'ConnectionRefusedError']]);
  assert.deepEqual(out.groupAsync, ['ExceptionGroup', ['ConnectionRefusedError', 'ConnectionRefusedError']]);
  assert.equal(out.peerAsync, '127.0.0.2');
});

// Happy Eyeballs racing: 'multi' is ::1, ::2 and 127.0.0.1 (getaddrinfo's
// order). ::1 hangs (a listener with a full accept queue drops the SYN),
// ::2 and 127.0.0.1 listen on the same port. The second attempt, started
// happy_eyeballs_delay after the first, wins long before the first attempt's
// timeout; which address is second depends on `interleave`.
test('create_connectionAsync races attempts (Happy Eyeballs): interleave picks the second, losers are closed', { skip: (!haveNetns && 'needs root and iproute2') || nodeOnly('ownFds') }, () => {
  const script = `
    const socket = require('bsdsock');
    const { readdirSync, readlinkSync } = require('node:fs');
    // Sockets only: Node may open and close its own descriptors meanwhile.
    const isSocket = (f) => { try { return readlinkSync('/proc/self/fd/' + f).startsWith('socket:'); } catch { return false; } };
    const fds = () => readdirSync('/proc/self/fd').filter(isSocket).length;
    const out = {};
    const stuck = socket.socket(socket.AF_INET6); stuck.bind(['::1', 0]); stuck.listen(0);
    const port = stuck.getsockname()[1];
    const filler = socket.create_connection(['::1', port], 2); // fills the accept queue
    const v6 = socket.socket(socket.AF_INET6); v6.bind(['::2', port]); v6.listen();
    const v4 = socket.socket(); v4.bind(['127.0.0.1', port]); v4.listen();
    out.gai = socket.getaddrinfo('multi', port, 0, socket.SOCK_STREAM).map((e) => e[4][0]);
    async function run(name, timeout, options) {
      const before = fds();
      const t0 = performance.now();
      const s = await socket.create_connectionAsync(['multi', port], timeout, null, options);
      const ms = performance.now() - t0;
      const peer = s.getpeername()[0];
      const peerTimeout = s.gettimeout();
      const open = fds() - before; // the winner only: the losing attempt is closed
      s.close();
      const [conn] = (peer === '::2' ? v6 : v4).accept();
      conn.close();
      out[name] = { peer, ms, open, leaked: fds() - before, timeout: peerTimeout };
    }
    (async () => {
      // A stuck attempt on its own: the timeout, not a refusal.
      const t0 = performance.now();
      try { await socket.create_connectionAsync(['::1', port], 0.3); } catch (e) { out.stuck = [e.name, e.message, performance.now() - t0]; }
      await run('he', 2, { happy_eyeballs_delay: 0.1 });
      await run('he1', 2, { happy_eyeballs_delay: 0.1, interleave: 1 });
      await run('he2', 2, { happy_eyeballs_delay: 0.1, interleave: 2 });
      await run('he0', 2, { happy_eyeballs_delay: 0.1, interleave: 0 });
      // One at a time (no delay): the first attempt times out, then the next
      // in getaddrinfo's order, or in interleaved order with interleave.
      await run('seq', 0.3, {});
      await run('seq1', 0.3, { interleave: 1 });
      filler.close(); stuck.close(); v6.close(); v4.close();
      console.log(JSON.stringify(out));
    })();
  `;
  const out = inNamespace('he', '::1 multi\n::2 multi\n127.0.0.1 multi\n', script, [['ip', '-6', 'addr', 'add', '::2/128', 'dev', 'lo', 'nodad']]);
  assert.deepEqual(out.gai, ['::1', '::2', '127.0.0.1']);
  assert.equal(out.stuck[0], 'TimeoutError');
  assert.equal(out.stuck[1], 'timed out');
  assert.ok(out.stuck[2] >= 280, `the stuck address hangs until the timeout (${out.stuck[2]} ms)`);
  // Interleaved [::1, 127.0.0.1, ::2] (default and 1), [::1, ::2, 127.0.0.1] (2), as given (0).
  const expected = { he: '127.0.0.1', he1: '127.0.0.1', he2: '::2', he0: '::2' };
  for (const [name, peer] of Object.entries(expected)) {
    const r = out[name];
    assert.equal(r.peer, peer, name);
    // The second attempt starts after the delay; a sequential attempt could
    // not connect before the first one's 2 s timeout.
    assert.ok(r.ms >= 90 && r.ms < 1500, `${name}: connected in ${r.ms} ms`);
    assert.equal(r.open, 1, `${name}: only the winner is open`);
    assert.equal(r.leaked, 0, `${name}: no descriptor left open`);
    assert.equal(r.timeout, 2);
  }
  assert.equal(out.seq.peer, '::2');
  assert.equal(out.seq1.peer, '127.0.0.1');
  for (const name of ['seq', 'seq1']) {
    assert.ok(out[name].ms >= 280, `${name}: waited for the first attempt's timeout (${out[name].ms} ms)`);
    assert.equal(out[name].leaked, 0);
  }
});

test('no descriptor left open', { skip: nodeOnly('ownFds') }, () => {
  assert.equal(openFds(), fdsAtStart);
});
