// W3: UDP 64-byte datagrams over 127.0.0.1, sender to receiver. The
// measuring process receives; the sender is a helper process of the same
// implementation that sends as fast as the implementation allows for
// DURATION seconds (or MAX datagrams), reports how many it sent, then sends
// 1-byte end markers every 2 ms (for at most 1 s) until it is killed. The
// receiver counts 64-byte datagrams from the first one to the first end
// marker: received/s over that span, and loss = 1 - received/sent.
import dgram from 'node:dgram';
import * as socket from 'bsdsock';
import { DURATION, now, sleep, sleepSync, spawnHelper } from './common.mjs';

const SIZE = 64;
const MAX = 50_000_000;
const MARKERS = 500;

// --- senders (helper role) ---------------------------------------------------

async function sendAsync(port) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const addr = ['127.0.0.1', port];
  const msg = Buffer.alloc(SIZE, 0x63);
  const t0 = now();
  const end = t0 + DURATION * 1000;
  let sent = 0;
  while (sent < MAX) {
    await s.sendtoAsync(msg, addr);
    sent++;
    if ((sent & 255) === 0 && now() >= end) break;
  }
  console.log(JSON.stringify({ sent, ms: now() - t0 }));
  const mark = Buffer.alloc(1);
  for (let i = 0; i < MARKERS; i++) {
    await s.sendtoAsync(mark, addr);
    await sleep(2);
  }
  s.close();
}

// Batches: sendmmsgAsync sends BATCH datagrams per call (re-sending the
// tail if the kernel took fewer); recvmmsgAsync takes up to VLEN per wake-up.
const BATCH = Number(process.env.W3_BATCH ?? 64);
const VLEN = Number(process.env.W3_VLEN ?? 256);

async function sendAsyncMmsg(port) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const addr = ['127.0.0.1', port];
  const msg = Buffer.alloc(SIZE, 0x63);
  const batch = Array.from({ length: BATCH }, () => [msg, addr]);
  const t0 = now();
  const end = t0 + DURATION * 1000;
  let sent = 0;
  while (sent < MAX) {
    let off = 0;
    while (off < BATCH) off += await s.sendmmsgAsync(off === 0 ? batch : batch.slice(off));
    sent += BATCH;
    if (now() >= end) break;
  }
  console.log(JSON.stringify({ sent, ms: now() - t0 }));
  const mark = Buffer.alloc(1);
  for (let i = 0; i < MARKERS; i++) {
    await s.sendmmsgAsync([[mark, addr]]);
    await sleep(2);
  }
  s.close();
}

function sendSync(port) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const addr = ['127.0.0.1', port];
  const msg = Buffer.alloc(SIZE, 0x63);
  const t0 = now();
  const end = t0 + DURATION * 1000;
  let sent = 0;
  while (sent < MAX) {
    s.sendto(msg, addr);
    sent++;
    if ((sent & 255) === 0 && now() >= end) break;
  }
  console.log(JSON.stringify({ sent, ms: now() - t0 }));
  const mark = Buffer.alloc(1);
  for (let i = 0; i < MARKERS; i++) {
    s.sendto(mark, addr);
    sleepSync(2);
  }
  s.close();
}

// dgram: send() in a loop, yielding to the event loop every 256 datagrams so
// completions run and nothing piles up in memory.
async function sendDgram(port) {
  const s = dgram.createSocket('udp4');
  const msg = Buffer.alloc(SIZE, 0x63);
  const t0 = now();
  const end = t0 + DURATION * 1000;
  let sent = 0;
  await new Promise((resolve) => {
    const batch = () => {
      for (let k = 0; k < 256 && sent < MAX; k++, sent++) s.send(msg, port, '127.0.0.1');
      if (sent < MAX && now() < end) setImmediate(batch);
      else resolve();
    };
    batch();
  });
  console.log(JSON.stringify({ sent, ms: now() - t0 }));
  const mark = Buffer.alloc(1);
  for (let i = 0; i < MARKERS; i++) {
    s.send(mark, port, '127.0.0.1');
    await sleep(2);
  }
  s.close();
}

// --- receivers (measuring role) ---------------------------------------------

async function receiveAsync(file) {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  r.bind(['127.0.0.1', 0]);
  const helper = spawnHelper(file, 'sender', [r.getsockname()[1]]);
  let received = 0;
  let t0 = 0;
  for (;;) {
    const [d] = await r.recvfromAsync(2048);
    if (d.length === SIZE) {
      if (received++ === 0) t0 = now();
    } else break;
  }
  const ms = now() - t0;
  r.close();
  return [received, ms, helper];
}

async function receiveAsyncMmsg(file) {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  r.bind(['127.0.0.1', 0]);
  const helper = spawnHelper(file, 'sender', [r.getsockname()[1]]);
  let received = 0;
  let t0 = 0;
  let done = false;
  while (!done) {
    const batch = await r.recvmmsgAsync(VLEN, 2048);
    for (let i = 0; i < batch.length; i++) {
      if (batch[i][0].length === SIZE) {
        if (received++ === 0) t0 = now();
      } else {
        done = true;
        break;
      }
    }
  }
  const ms = now() - t0;
  r.close();
  return [received, ms, helper];
}

function receiveSync(file) {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  r.bind(['127.0.0.1', 0]);
  const helper = spawnHelper(file, 'sender', [r.getsockname()[1]]);
  let received = 0;
  let t0 = 0;
  for (;;) {
    const [d] = r.recvfrom(2048);
    if (d.length === SIZE) {
      if (received++ === 0) t0 = now();
    } else break;
  }
  const ms = now() - t0;
  r.close();
  return [received, ms, helper];
}

async function receiveDgram(file) {
  const r = dgram.createSocket('udp4');
  await new Promise((resolve) => r.bind(0, '127.0.0.1', resolve));
  const helper = spawnHelper(file, 'sender', [r.address().port]);
  let received = 0;
  let t0 = 0;
  await new Promise((resolve) => {
    r.on('message', (d, rinfo) => {
      if (d.length === SIZE) {
        if (received++ === 0) t0 = now();
      } else {
        r.close();
        resolve();
      }
    });
  });
  const ms = now() - t0;
  return [received, ms, helper];
}

export async function udp(file, impl, role, args) {
  if (role === 'sender') {
    const port = Number(args[0]);
    if (impl === 'bsdsock-async') return sendAsync(port);
    if (impl === 'bsdsock-async-mmsg') return sendAsyncMmsg(port);
    if (impl === 'bsdsock-sync') return sendSync(port);
    return sendDgram(port);
  }
  let r;
  if (impl === 'bsdsock-async') r = await receiveAsync(file);
  else if (impl === 'bsdsock-async-mmsg') r = await receiveAsyncMmsg(file);
  else if (impl === 'bsdsock-sync') r = receiveSync(file);
  else r = await receiveDgram(file);
  const [received, ms, helper] = r;
  const { sent, ms: sendMs } = JSON.parse(await helper.nextLine());
  helper.kill();
  return {
    value: (received / ms) * 1000,
    unit: 'dgram/s',
    received,
    sent,
    loss_pct: sent > 0 ? (100 * (sent - received)) / sent : 0,
    sent_per_s: (sent / sendMs) * 1000,
    ms: Math.round(ms),
  };
}
