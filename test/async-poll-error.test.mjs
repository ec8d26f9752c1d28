// Twins after polling reports an error (issue 11, item 1). An error queued
// on a socket (an ICMP port unreachable answering a connected UDP socket)
// makes the readiness poll report an error instead of readable/writable.
// The twin that was waiting rejects with the socket's error; every later
// twin that has to wait must still be woken when the socket is ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as socket from 'bsdsock';
import { nodeOnly } from './fixtures/runtime.mjs';
import { openFds } from './support/fds.mjs';

const { ECONNREFUSED } = osConstants.errno;

// Node's own descriptors and the readiness thread's eventfd (anon inodes) left out.
const fdCount = openFds;
const fdsAtStart = fdCount();

/** Settles with 'pending' when `p` has not settled within `ms`. */
function within(p, ms) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A UDP port of 127.0.0.1 on which nothing listens (bound, then closed). */
function freeUdpPort() {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  const port = s.getsockname()[1];
  s.close();
  return port;
}

test('after recvAsync rejects with ECONNREFUSED, later recvAsync calls that wait get their data', async () => {
  const port = freeUdpPort();
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  u.connect(['127.0.0.1', port]);
  // Waits (nothing queued), then the port-unreachable answer to the
  // datagram below arrives while it waits.
  const first = u.recvAsync(100);
  u.send(Buffer.from('anyone?'));
  await assert.rejects(first, (e) => e instanceof socket.ConnectionRefusedError && e.errno === ECONNREFUSED);

  const peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  peer.bind(['127.0.0.1', port]);
  for (let i = 0; i < 3; i++) {
    const waiting = u.recvAsync(100);
    // Sent once the twin waits (its first try found nothing).
    setTimeout(() => peer.sendto(Buffer.from(`reply ${i}`), u.getsockname()), 20);
    assert.deepEqual(await within(waiting, 3000), Buffer.from(`reply ${i}`), `twin ${i} after the error`);
  }
  // And again after a second error.
  peer.close();
  const again = u.recvAsync(100);
  u.send(Buffer.from('anyone now?'));
  await assert.rejects(within(again, 3000), (e) => e instanceof socket.ConnectionRefusedError);
  const peer2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  peer2.bind(['127.0.0.1', port]);
  const last = u.recvAsync(100);
  setTimeout(() => peer2.sendto(Buffer.from('last'), u.getsockname()), 20);
  assert.deepEqual(await within(last, 3000), Buffer.from('last'));
  peer2.close();
  u.close();
});

function whyNoNamespace() {
  if (process.platform !== 'linux') return 'Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('tc', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'needs the ip and tc commands (iproute2)';
  }
  return false;
}

// A datagram flood over a slow link: a veth pair to a namespace this test
// creates, shaped to 2 Mbit/s by a token bucket, with the smallest send
// buffer. The socket is connected to a port where nothing listens in the
// namespace, so port-unreachable answers keep arriving while sends wait
// for buffer space: polling reports errors again and again.
test('a sendtoAsync flood on a tiny SO_SNDBUF over a rate-limited link: every twin settles', { skip: whyNoNamespace(), timeout: 60000 }, async () => {
  const tag = (process.pid % 100000).toString(36);
  const ns = `bsd14pe-${process.pid}`;
  const here = `bpe${tag}a`;
  const there = `bpe${tag}b`;
  const o2 = 100 + (process.pid % 100);
  const o3 = (process.pid >> 8) % 250;
  const local = `10.${o2}.${o3}.1`;
  const remote = `10.${o2}.${o3}.2`;
  const ip = (...a) => execFileSync('ip', a, { stdio: 'pipe' });
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', here, 'type', 'veth', 'peer', 'name', there, 'netns', ns);
    ip('addr', 'add', `${local}/30`, 'dev', here);
    ip('link', 'set', here, 'up');
    ip('-n', ns, 'addr', 'add', `${remote}/30`, 'dev', there);
    ip('-n', ns, 'link', 'set', there, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    execFileSync('tc', ['qdisc', 'add', 'dev', here, 'root', 'tbf', 'rate', '2mbit', 'burst', '4kb', 'limit', '16kb'], { stdio: 'pipe' });

    const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1);
    s.bind([local, 0]);
    s.connect([remote, 9]);
    const N = 2000;
    const payload = Buffer.alloc(512, 0x61);
    const outcome = { sent: 0, refused: 0, other: [] };
    const all = [];
    for (let i = 0; i < N; i++) {
      all.push(
        s.sendtoAsync(payload, [remote, 9]).then(
          (n) => {
            assert.equal(n, payload.length);
            outcome.sent++;
          },
          (e) => {
            if (e instanceof socket.OSError && e.errno === ECONNREFUSED) outcome.refused++;
            else outcome.other.push(e);
          },
        ),
      );
    }
    // 2,000 x 512 bytes at 2 Mbit/s is about 4 s; 30 s is plenty.
    const result = await within(Promise.all(all), 30000);
    const settled = outcome.sent + outcome.refused + outcome.other.length;
    s.close();
    assert.notEqual(result, 'pending', `${settled} of ${N} twins settled (${outcome.sent} sent, ${outcome.refused} refused)`);
    assert.deepEqual(outcome.other, []);
    assert.equal(settled, N);
    // The refusals are the errors polling reported: the case is exercised.
    assert.ok(outcome.refused > 0, 'no port-unreachable error was seen');
    assert.ok(outcome.sent > 0);
  } finally {
    try {
      ip('link', 'del', here);
    } catch {}
    ip('netns', 'del', ns);
  }
});

test('no file descriptor is left open by this file', { skip: nodeOnly('ownFds') }, () => {
  assert.equal(fdCount(), fdsAtStart);
});
