// Faults on a real link: two network namespaces that this test creates
// (and always removes) joined by a veth pair, 10.200.0.1 <-> 10.200.0.2.
// A receiver runs in one, the sender in the other (Node children started
// with `ip netns exec`); nothing reaches any other network. The sender's
// link is taken down mid-transfer and brought back, taken down under a
// timeout, and rate-limited while datagrams flood a tiny SO_SNDBUF. Every
// promise must settle, and the receiver must get exactly a prefix of what
// was sent (every byte the kernel delivered, intact and in order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));

function why() {
  if (process.platform !== 'linux') return 'Linux network namespaces';
  if (process.getuid() !== 0) return 'needs root to create network namespaces';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('tc', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'needs ip and tc (iproute2)';
  }
  return false;
}

// The receiver: sinks TCP connections (reporting bytes and SHA-256 of each
// when it ends) and counts UDP datagrams, checking each one's contents.
const receiver = `
  const socket = require(${JSON.stringify(entry)});
  const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
  srv.bind(['10.200.0.2', 7000]);
  srv.listen();
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  udp.bind(['10.200.0.2', 7001]);
  udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22);
  const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
  let datagrams = 0, damaged = 0;
  // Done once both connections have ended and the flood's last datagram came.
  let ended = 0;
  const finish = () => { if (ended === 3) process.exit(0); };
  (async () => {
    for (;;) {
      const [d] = await udp.recvfromAsync(2000);
      const index = d.readUInt32BE(0);
      if (d.length !== 1000 || !d.subarray(4).equals(Buffer.alloc(996, index & 0xff))) damaged++;
      datagrams++;
      if (index === 0xffffffff) { say({ datagrams: datagrams - 1, damaged }); ended++; finish(); }
    }
  })();
  (async () => {
    for (;;) {
      const [conn] = await srv.acceptAsync();
      (async () => {
        // Late reads: the sender fills its buffers and waits.
        await new Promise((r) => setTimeout(r, 1000));
        // The data is a count of 32-bit big-endian words: any prefix can
        // be checked byte by byte.
        let bytes = 0, wrong = 0;
        try {
          for (;;) {
            const b = await conn.recvAsync(1 << 16);
            if (b.length === 0) break;
            for (let i = 0; i < b.length; i++, bytes++) {
              const word = Math.floor(bytes / 4);
              if (b[i] !== ((word >>> (8 * (3 - (bytes % 4)))) & 0xff)) wrong++;
            }
          }
        } catch (e) {
          say({ error: e.constructor.name });
        }
        say({ bytes, wrong });
        conn.close();
        ended++;
        finish();
      })();
    }
  })();
  say({ ready: true });
  setTimeout(() => process.exit(2), 90000).unref();
`;

// The sender: runs the faults, reports what it saw.
const sender = `
  const socket = require(${JSON.stringify(entry)});
  const { execFileSync } = require('node:child_process');
  const link = (state) => execFileSync('ip', ['link', 'set', 'va', state]);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const settle = (p, ms) => Promise.race([
    p.then((v) => ({ ok: v }), (e) => ({ error: e.constructor.name, errno: e.errno })),
    sleep(ms).then(() => ({ pending: true })),
  ]);
  const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
  const counting = (n) => { const b = Buffer.alloc(n); for (let k = 0; k < n / 4; k++) b.writeUInt32BE(k, 4 * k); return b; };
  const peer = ['10.200.0.2', 7000];
  (async () => {
    // 1. Down mid-transfer, up again: the transfer completes intact.
    const data = counting(16 << 20);
    const s = socket.create_connection(peer);
    let done = false;
    const transfer = s.sendallAsync(data).finally(() => { done = true; });
    await sleep(50);
    const pendingAtDown = !done;
    link('down');
    const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const whileDown = {
      sendtoAsync: await settle(udp.sendtoAsync(Buffer.alloc(10), ['10.200.0.2', 7001]), 5000),
      connectAsync: await settle(socket.socket().connectAsync(peer), 5000),
    };
    await sleep(1000);
    link('up');
    const sent = await settle(transfer, 30000);
    s.shutdown(socket.SHUT_WR);
    // The receiver closes after the last byte: wait for that EOF, so that
    // phase 2's link down cannot cut the tail still in flight (sendallAsync
    // resolves once the data is in the kernel's buffer, not delivered).
    const drained = await settle(s.recvAsync(1), 30000);
    say({ phase: 1, pendingAtDown, whileDown, sent, drained: drained.ok === undefined ? drained : drained.ok.length });
    s.close();

    // 2. Down under a timeout: the pending twins time out; the receiver
    // gets a prefix of the data.
    const t = socket.create_connection(peer);
    t.settimeout(1);
    const w = t.sendallAsync(data);
    const r = t.recvAsync(10);
    await sleep(50);
    link('down');
    const outcomes = [await settle(w, 10000), await settle(r, 10000)];
    link('up');
    t.close();
    say({ phase: 2, outcomes });

    // 3. A datagram flood on a tiny SO_SNDBUF over a rate-limited link.
    execFileSync('tc', ['qdisc', 'add', 'dev', 'va', 'root', 'tbf', 'rate', '4mbit', 'burst', '4kb', 'limit', '6000']);
    const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    u.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024);
    u.setsockopt(socket.IPPROTO_IP, socket.IP_RECVERR, 1);
    u.connect(['10.200.0.2', 7001]);
    const datagram = (i) => { const d = Buffer.alloc(1000, i & 0xff); d.writeUInt32BE(i, 0); return d; };
    // Sync non-blocking first: the buffer fills (EAGAIN) or the queue
    // drops (ENOBUFS).
    u.setblocking(false);
    const syncErrors = {};
    let next = 0;
    for (; next < 2000; next++) {
      try { u.send(datagram(next)); } catch (e) { syncErrors[e.code] = (syncErrors[e.code] ?? 0) + 1; }
    }
    const twins = [];
    for (let i = 0; i < 2000; i++) twins.push(u.sendtoAsync(datagram(next++), ['10.200.0.2', 7001]));
    const settled = await Promise.all(twins.map((p) => settle(p, 60000)));
    const tally = {};
    for (const o of settled) { const k = o.pending ? 'pending' : o.error ? o.error + ' ' + o.errno : 'sent'; tally[k] = (tally[k] ?? 0) + 1; }
    execFileSync('tc', ['qdisc', 'del', 'dev', 'va', 'root']);
    await sleep(200);
    u.setblocking(true);
    u.send(datagram(0xffffffff));
    say({ phase: 3, syncErrors, tally, sentSync: 2000 - Object.values(syncErrors).reduce((a, b) => a + b, 0) });
    u.close();
    udp.close();
    process.exit(0);
  })();
  setTimeout(() => { say({ timeout: true }); process.exit(3); }, 150000).unref();
`;

/** A child's JSON lines, as they come. */
function lines(child) {
  const got = [];
  const waiters = [];
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    rest += chunk;
    let i;
    while ((i = rest.indexOf('\n')) >= 0) {
      got.push(JSON.parse(rest.slice(0, i)));
      rest = rest.slice(i + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  const until = async (pred, ms) => {
    const end = Date.now() + ms;
    for (;;) {
      const hit = got.find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no line matching ${pred} in ${ms} ms; got ${JSON.stringify(got)}`);
      await new Promise((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { got, until };
}

const exited = (child) => new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

test('a veth link taken down mid-transfer and under a timeout, and a datagram flood on a rate-limited link', { skip: why(), timeout: 240000 }, async (t) => {
  const nsA = `bsdsock-fa-${process.pid}`;
  const nsB = `bsdsock-fb-${process.pid}`;
  const inA = (...cmd) => execFileSync('ip', ['netns', 'exec', nsA, ...cmd]);
  const inB = (...cmd) => execFileSync('ip', ['netns', 'exec', nsB, ...cmd]);
  execFileSync('ip', ['netns', 'add', nsA]);
  execFileSync('ip', ['netns', 'add', nsB]);
  const children = [];
  try {
    inA('ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', nsB);
    inA('ip', 'addr', 'add', '10.200.0.1/30', 'dev', 'va');
    inB('ip', 'addr', 'add', '10.200.0.2/30', 'dev', 'vb');
    for (const [run, dev] of [[inA, 'va'], [inB, 'vb']]) {
      run('ip', 'link', 'set', 'lo', 'up');
      run('ip', 'link', 'set', dev, 'up');
    }
    const rx = spawn('ip', ['netns', 'exec', nsB, process.execPath, '-e', receiver], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(rx);
    const rxExited = exited(rx);
    let rxErr = '';
    rx.stderr.on('data', (d) => (rxErr += d));
    const rxOut = lines(rx);
    await rxOut.until((l) => l.ready, 20000);
    const tx = spawn('ip', ['netns', 'exec', nsA, process.execPath, '-e', sender], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(tx);
    const txExited = exited(tx);
    let txErr = '';
    tx.stderr.on('data', (d) => (txErr += d));
    const txOut = lines(tx);
    const txExit = await txExited;
    const rxExit = await rxExited;
    assert.deepEqual(txExit, { code: 0, signal: null }, txErr);
    assert.deepEqual(rxExit, { code: 0, signal: null }, rxErr);
    const [one, two, three] = [1, 2, 3].map((n) => txOut.got.find((l) => l.phase === n));
    const [first, second] = rxOut.got.filter((l) => 'bytes' in l);
    const flood = rxOut.got.find((l) => 'datagrams' in l);
    t.diagnostic(JSON.stringify({ one, two, three, first, second, flood }));

    // 1: the twin was waiting when the link went down; while down, sends
    // and connects fail with ENETUNREACH; after it came back the transfer
    // completed and arrived intact.
    assert.equal(one.pendingAtDown, true);
    assert.deepEqual(one.whileDown.sendtoAsync, { error: 'OSError', errno: 101 });
    assert.deepEqual(one.whileDown.connectAsync, { error: 'OSError', errno: 101 });
    assert.deepEqual(one.sent, {});
    assert.equal(one.drained, 0, 'the receiver read to the end and closed');
    assert.deepEqual(first, { bytes: 16 << 20, wrong: 0 });

    // 2: the socket timeout bounds both twins; the receiver got a prefix.
    assert.deepEqual(two.outcomes, [{ error: 'TimeoutError', errno: null }, { error: 'TimeoutError', errno: null }]);
    assert.ok(second.bytes < 16 << 20, `received ${second.bytes}`);
    assert.equal(second.wrong, 0);

    // 3: every twin of the flood settled; what arrived is intact.
    assert.equal(three.tally.pending, undefined, JSON.stringify(three.tally));
    for (const k of Object.keys(three.tally)) assert.ok(/^(sent|BlockingIOError 11|OSError 105)$/.test(k), k);
    assert.equal(flood.damaged, 0);
    assert.ok(flood.datagrams > 0 && flood.datagrams <= three.sentSync + (three.tally.sent ?? 0), JSON.stringify(flood));
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const ns of [nsA, nsB]) execFileSync('ip', ['netns', 'del', ns]);
  }
  assert.doesNotMatch(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), new RegExp(`bsdsock-f[ab]-${process.pid}`));
});
