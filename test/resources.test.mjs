// Descriptors: nothing leaks (counted in /proc/self/fd), sockets are
// close-on-exec, and a socket collected while open is closed with a
// ResourceWarning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as socket from 'bsdsock';
import { fdSnapshot, fdsOpenedSince } from './support/fds.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

const haveProc = existsSync('/proc/self/fd');


function swallow(fn) {
  try {
    fn();
  } catch {
    // expected
  }
}

test('no descriptor leaks: nothing opened in /proc/self/fd stays open', { skip: !haveProc && 'no /proc' }, () => {
  const before = fdSnapshot();
  for (let i = 0; i < 20; i++) {
    const srv = socket.socket();
    srv.bind(['127.0.0.1', 0]);
    srv.listen();
    const c = socket.socket();
    c.connect(srv.getsockname());
    const [conn] = srv.accept();
    const d = conn.dup();
    const f = socket.fromfd(c.fileno(), socket.AF_INET, socket.SOCK_STREAM);
    const [a, b] = socket.socketpair();
    const adopted = socket.socket(-1, -1, -1, a.detach());
    for (const s of [srv, c, conn, d, f, adopted, b]) s.close();
    // Calls that fail after creating a descriptor must release it.
    swallow(() => socket.fromfd(srv.fileno(), 'bad', socket.SOCK_STREAM));
    swallow(() => socket.fromfd(b.fileno(), socket.AF_INET, 2 ** 40));
    swallow(() => socket.socket(socket.AF_INET, 12345));
    swallow(() => socket.socketpair(socket.AF_INET));
    const t = socket.socket();
    t.settimeout(0.001);
    swallow(() => t.accept());
    t[Symbol.dispose]();
    const u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
    u.bind('');
    u.close();
  }
  // A socket wrapping a detached fd owns it; socket.close(fd) frees a raw one.
  const raw = socket.socket().detach();
  socket.close(raw);
  assert.deepEqual(fdsOpenedSince(before), []);
});

test('sockets are close-on-exec: a spawned child does not see the descriptor unless it is made inheritable', { skip: (!haveProc && 'no /proc') || nodeOnly('childFds', ['bun']) }, () => {
  const s = socket.socket();
  const [a, b] = socket.socketpair();
  try {
    const childFds = () => {
      const r = spawnSync('sh', ['-c', 'ls /proc/$$/fd'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return new Set(r.stdout.split(/\s+/).filter(Boolean).map(Number));
    };
    let seen = childFds();
    for (const x of [s, a, b]) assert.equal(seen.has(x.fileno()), false, `fd ${x.fileno()} leaked into the child`);
    s.set_inheritable(true);
    seen = childFds();
    assert.equal(seen.has(s.fileno()), true, 'an inheritable socket is seen by the child');
    assert.equal(seen.has(a.fileno()), false);
    // dup() and accept() descriptors are close-on-exec too, even of an inheritable socket.
    const d = s.dup();
    try {
      assert.equal(d.get_inheritable(), false);
      assert.equal(childFds().has(d.fileno()), false);
    } finally {
      d.close();
    }
  } finally {
    s.close();
    a.close();
    b.close();
  }
});

test('a socket collected while open is closed and reported with a ResourceWarning', { skip: (!haveProc && 'no /proc') || nodeOnly('rawFds', ['deno']) }, () => {
  const entry = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));
  const script = `
    const socket = require(${JSON.stringify(entry)});
    const fs = require('node:fs');
    const isOpen = (n) => { try { fs.fstatSync(n); return true; } catch { return false; } };
    const warnings = [];
    process.on('warning', (w) => warnings.push({ name: w.name, message: w.message }));
    // Writing the warning to stderr may open a file that takes the freed
    // number again, so the socket is looked for by its inode.
    const links = () => fs.readdirSync('/proc/self/fd').map((f) => { try { return fs.readlinkSync('/proc/self/fd/' + f); } catch { return ''; } });
    let fd, inode, kept, keptFd, detachedFd, closedFd;
    (function () {
      const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      s.bind(['127.0.0.1', 0]);
      fd = s.fileno();
      inode = fs.readlinkSync('/proc/self/fd/' + fd);
      // A socket closed by hand and a detached one are never reported.
      const c = socket.socket();
      closedFd = c.fileno();
      c.close();
      detachedFd = socket.socket().detach();
    })();
    kept = socket.socket();
    keptFd = kept.fileno();
    (async () => {
      for (let i = 0; i < 100 && warnings.length === 0; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 50));
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 20));
      process.stdout.write(JSON.stringify({ fd, inode, warnings, open: links().includes(inode), keptOpen: isOpen(keptFd), detachedOpen: isOpen(detachedFd) }));
      kept.close();
    })();
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.warnings.length, 1, JSON.stringify(out.warnings));
  assert.equal(out.warnings[0].name, 'ResourceWarning');
  assert.match(out.warnings[0].message, new RegExp(`^unclosed <socket fd=${out.fd}, family=2, type=2, proto=0, laddr=\\['127\\.0\\.0\\.1', \\d+\\]>$`));
  assert.match(out.inode, /^socket:\[\d+\]$/);
  assert.equal(out.open, false, 'the collected socket\'s descriptor was closed');
  assert.equal(out.keptOpen, true);
  assert.equal(out.detachedOpen, true, 'a detached descriptor belongs to the caller and stays open');
  assert.match(r.stderr, /ResourceWarning: unclosed <socket/);
});

test('the ResourceWarning names the socket\'s own family, type and protocol, also values too large to pack', { skip: nodeOnly('cli', ['deno']) }, () => {
  const entry = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));
  // Adopted descriptors keep the values they are given; the registry packs
  // them into one number when they fit, and must give them back exactly.
  const script = `
    const socket = require(${JSON.stringify(entry)});
    const warnings = [];
    process.on('warning', (w) => { if (w.name === 'ResourceWarning') warnings.push(w.message); });
    const fds = [];
    (function () {
      for (const [family, type, proto] of [[socket.AF_UNIX, socket.SOCK_DGRAM, 0], [socket.AF_INET, socket.SOCK_STREAM, 65535], [socket.AF_INET, socket.SOCK_STREAM, 70000], [300, 17, 5]]) {
        const fd = socket.dup(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).detach());
        new socket.socket(family, type, proto, fd);
        fds.push(fd);
      }
    })();
    (async () => {
      for (let i = 0; i < 100 && warnings.length < 4; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      process.stdout.write(JSON.stringify({ fds, warnings: warnings.sort() }));
    })();
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--no-warnings', '-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  const { fds, warnings } = JSON.parse(r.stdout);
  const expected = [
    `unclosed <socket fd=${fds[0]}, family=1, type=2, proto=0>`,
    `unclosed <socket fd=${fds[1]}, family=2, type=1, proto=65535>`,
    `unclosed <socket fd=${fds[2]}, family=2, type=1, proto=70000>`,
    `unclosed <socket fd=${fds[3]}, family=300, type=17, proto=5>`,
  ].sort();
  assert.deepEqual(warnings, expected);
});

test('SIGPIPE never kills the process: send to a closed peer in a fresh child raises BrokenPipeError', () => {
  const entry = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));
  const script = `
    const socket = require(${JSON.stringify(entry)});
    const [a, b] = socket.socketpair();
    b.close();
    let name = 'none';
    try { a.sendall(Buffer.alloc(100000)); } catch (e) { name = e.constructor.name + ' ' + e.errno; }
    const u = socket.socket();
    const srv = socket.socket(); srv.bind(['127.0.0.1', 0]); srv.listen();
    u.connect(srv.getsockname());
    const [conn] = srv.accept();
    conn.close();
    let tcp = 'none';
    try { for (let i = 0; i < 100; i++) u.send(Buffer.alloc(65536)); } catch (e) { tcp = e.constructor.name; }
    process.stdout.write(name + '|' + tcp);
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.signal, null);
  assert.equal(r.status, 0, r.stderr);
  const [pair, tcp] = r.stdout.split('|');
  assert.equal(pair, `BrokenPipeError ${32}`);
  assert.ok(['BrokenPipeError', 'ConnectionResetError'].includes(tcp), tcp);
});
