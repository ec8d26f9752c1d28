// W7: memory of idle connected TCP sockets. The measuring process opens
// N (10,000) connections to 127.0.0.1 and holds its N client ends; the
// accepting ends live in a helper process (a plain net server that accepts
// and pauses), so the measuring process holds N descriptors, not 2N, and
// stays under `ulimit -n`. After a warm-up (200 connections opened and
// closed), GC, baseline; open N; GC; measure. Bytes per socket = growth / N
// of RSS (the target's measure), of the V8 heap (heapUsed) and of memory
// outside the heap that V8 knows about (external). Needs --expose-gc.
import net from 'node:net';
import { once } from 'node:events';
import * as socket from 'bsdsock';
import { now, sleep, spawnHelper } from './common.mjs';

const N = Number(process.env.BENCH_W7_N ?? 10_000);
const BATCH = 200;

async function acceptor() {
  const held = [];
  const server = net.createServer({ pauseOnConnect: true }, (c) => {
    c.on('error', () => {});
    held.push(c);
  });
  server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  await once(server, 'listening');
  console.log(server.address().port);
  await once(server, 'close');
}

async function settle() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  await sleep(20);
  globalThis.gc();
}

function ignoreRejection() {}

async function openBsd(port, n, variant) {
  const addr = ['127.0.0.1', port];
  const socks = [];
  for (let i = 0; i < n; i += BATCH) {
    const k = Math.min(BATCH, n - i);
    if (variant === 'sync') {
      for (let j = 0; j < k; j++) {
        const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
        s.connect(addr);
        socks.push(s);
      }
      continue;
    }
    await Promise.all(
      Array.from({ length: k }, async () => {
        const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
        await s.connectAsync(addr);
        socks.push(s);
      }),
    );
  }
  const pending = [];
  if (variant === 'pending') {
    // Closing rejects every pending read with EBADF. Those rejections are
    // absorbed by one process-wide handler rather than a .catch() per
    // promise: a .catch() makes a derived promise, a reaction and a closure
    // per socket (about 200 B measured), which are the benchmark's, not
    // bsdsock's.
    process.on('unhandledRejection', ignoreRejection);
    for (const s of socks) pending.push(s.recvAsync(1));
  }
  return {
    socks,
    pending,
    close() {
      for (const s of socks) s.close();
    },
  };
}

async function openNet(port, n) {
  const socks = [];
  for (let i = 0; i < n; i += BATCH) {
    const k = Math.min(BATCH, n - i);
    await Promise.all(
      Array.from({ length: k }, async () => {
        const c = net.connect(port, '127.0.0.1');
        c.on('error', () => {});
        await once(c, 'connect');
        socks.push(c);
      }),
    );
  }
  return {
    socks,
    close() {
      for (const s of socks) s.destroy();
    },
  };
}

export async function memory(file, impl, variant, role) {
  if (role === 'acceptor') return acceptor();
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  const helper = spawnHelper(file, 'acceptor');
  const port = Number(await helper.nextLine());
  const open = (n) => (impl === 'net' ? openNet(port, n) : openBsd(port, n, variant));
  const warm = await open(BATCH);
  warm.close();
  await sleep(50);
  await settle();
  const base = process.memoryUsage();
  const t0 = now();
  const held = await open(N);
  const openMs = now() - t0;
  await sleep(50);
  await settle();
  const m = process.memoryUsage();
  const result = {
    value: (m.rss - base.rss) / N,
    unit: 'B/socket',
    heap_per_socket: (m.heapUsed - base.heapUsed) / N,
    external_per_socket: (m.external - base.external) / N,
    sockets: N,
    open_ms: Math.round(openMs),
  };
  held.close();
  helper.kill();
  return result;
}
