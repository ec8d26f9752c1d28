// create_connection, create_connectionAsync and create_server (Lib/socket.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as socket from 'bsdsock';

const { ECONNREFUSED, EADDRINUSE } = osConstants.errno;
const fdsAtStart = readdirSync('/proc/self/fd').length;

function server(host = '127.0.0.1') {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.bind([host, 0]);
  s.listen();
  return s;
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

test('create_connection: bad arguments', () => {
  assert.throws(() => socket.create_connection('127.0.0.1:80'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.create_connection(['127.0.0.1']), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.create_connection(['127.0.0.1', 1], 'soon'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => socket.create_connection(['127.0.0.1', 1], -1), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => socket.create_connection(['127.0.0.1', 1], 1, null, 'x'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
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

// A host name with two addresses, where the first refuses and the second
// listens: in a network namespace of our own, whose /etc/hosts (bind-mounted
// by `ip netns exec`) maps one name to 127.0.0.1 and 127.0.0.2.
const haveNetns = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
test('create_connection tries each address of a name in order', { skip: !haveNetns && 'needs root and iproute2' }, () => {
  const ns = `bsdsock-cc-${process.pid}`;
  const etc = `/etc/netns/${ns}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    mkdirSync(etc, { recursive: true });
    writeFileSync(`${etc}/hosts`, '127.0.0.1 multi\n127.0.0.2 multi\n');
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
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
    const out = JSON.parse(
      execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', cwd: process.cwd(), timeout: 20000 }),
    );
    assert.deepEqual(out.gai, ['127.0.0.1', '127.0.0.2']);
    assert.equal(out.peer, '127.0.0.2');
    assert.deepEqual(out.group, ['ExceptionGroup', ['ConnectionRefusedError', 'ConnectionRefusedError']]);
    assert.deepEqual(out.groupAsync, ['ExceptionGroup', ['ConnectionRefusedError', 'ConnectionRefusedError']]);
    assert.equal(out.peerAsync, '127.0.0.2');
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(etc, { recursive: true, force: true });
  }
});

test('no descriptor left open', () => {
  assert.equal(readdirSync('/proc/self/fd').length, fdsAtStart);
});
