// W6: per-call cost. One thread, one AF_UNIX stream socketpair: send 1 byte
// on one end, receive it on the other; ns per send+recv pair. Variants:
// sync recv() (the Python-shaped call, a new 1-byte Buffer each time),
// sync recv_into() a reused buffer, and the async twins awaited in turn.
import * as socket from 'bsdsock';
import { DURATION, WARMUP, now, rawAddon } from './common.mjs';

const MAX = 200_000_000;

function loopSync(a, b, ms) {
  const one = Buffer.from('x');
  const t0 = now();
  const end = t0 + ms;
  let n = 0;
  while (n < MAX) {
    a.send(one);
    const d = b.recv(1);
    if (d.length !== 1) throw new Error('short recv');
    n++;
    if ((n & 1023) === 0 && now() >= end) break;
  }
  return [n, now() - t0];
}

function loopInto(a, b, ms) {
  const one = Buffer.from('x');
  const into = Buffer.alloc(1);
  const t0 = now();
  const end = t0 + ms;
  let n = 0;
  while (n < MAX) {
    a.send(one);
    if (b.recv_into(into, 1) !== 1) throw new Error('short recv');
    n++;
    if ((n & 1023) === 0 && now() >= end) break;
  }
  return [n, now() - t0];
}

// The floor: the addon's raw send and recv into a reused buffer, with no
// argument checks and no Python-shaped result: two Node-API calls and the
// kernel, the least any JavaScript binding can spend on a pair.
function loopFloor(a, b, ms) {
  const binding = rawAddon();
  const fa = a.fileno();
  const fb = b.fileno();
  const one = Buffer.from('x');
  const into = Buffer.alloc(1);
  const t0 = now();
  const end = t0 + ms;
  let n = 0;
  while (n < MAX) {
    binding.send(fa, one, 0, 1, 0);
    if (binding.recv(fb, into, 0, 1, 0) !== 1) throw new Error('short recv');
    n++;
    if ((n & 1023) === 0 && now() >= end) break;
  }
  return [n, now() - t0];
}

async function loopAsync(a, b, ms) {
  const one = Buffer.from('x');
  const t0 = now();
  const end = t0 + ms;
  let n = 0;
  while (n < MAX) {
    await a.sendAsync(one);
    const d = await b.recvAsync(1);
    if (d.length !== 1) throw new Error('short recv');
    n++;
    if ((n & 1023) === 0 && now() >= end) break;
  }
  return [n, now() - t0];
}

export async function percall(variant) {
  const [a, b] = socket.socketpair();
  const loops = { sync: loopSync, into: loopInto, floor: loopFloor, async: loopAsync };
  const loop = loops[variant];
  await loop(a, b, WARMUP * 1000);
  const [n, ms] = await loop(a, b, DURATION * 1000);
  a.close();
  b.close();
  return { value: (ms * 1e6) / n, unit: 'ns/pair', pairs: n, ms: Math.round(ms) };
}
