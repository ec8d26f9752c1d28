// W1: TCP stream throughput over 127.0.0.1 with 64 KiB writes. The
// measuring process sends (warm-up, then DURATION seconds timed), shuts
// down its write side, and waits for the receiver (a helper process of the
// same implementation) to report at EOF how many bytes it got: the clock
// stops only when every byte has been received.
import net from 'node:net';
import { once } from 'node:events';
import * as socket from 'bsdsock';
import { DURATION, WARMUP, now, spawnHelper } from './common.mjs';

const CHUNK = 64 * 1024;
const MAX_BYTES = 64 * 2 ** 30; // count bound: 64 GiB

function countBuf(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

// `into`: the receiver reuses one buffer (recv_intoAsync) instead of a new
// Buffer per receive (recvAsync); C's receiver reuses one, as this does.
async function receiveAsync(into) {
  const srv = socket.create_server(['127.0.0.1', 0]);
  console.log(srv.getsockname()[1]);
  const [c] = await srv.acceptAsync();
  const buf = Buffer.alloc(CHUNK);
  let total = 0;
  for (;;) {
    const n = into ? await c.recv_intoAsync(buf) : (await c.recvAsync(CHUNK)).length;
    if (n === 0) break;
    total += n;
  }
  await c.sendallAsync(countBuf(total));
  c.close();
  srv.close();
}

async function receiveNet() {
  const server = net.createServer((c) => {
    let total = 0;
    c.on('data', (d) => {
      total += d.length;
    });
    c.on('end', () => {
      c.end(countBuf(total));
      server.close();
    });
    c.on('error', () => {});
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  console.log(server.address().port);
  await once(server, 'close');
}

async function sendAsync(port) {
  const c = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await c.connectAsync(['127.0.0.1', port]);
  const chunk = Buffer.alloc(CHUNK, 0x62);
  let end = now() + WARMUP * 1000;
  while (now() < end) await c.sendallAsync(chunk);
  const t0 = now();
  end = t0 + DURATION * 1000;
  let sent = 0;
  while (sent < MAX_BYTES && now() < end) {
    await c.sendallAsync(chunk);
    sent += CHUNK;
  }
  c.shutdown(socket.SHUT_WR);
  let got = 0;
  while (got < 8) {
    const d = await c.recvAsync(8 - got);
    if (d.length === 0) throw new Error('receiver closed early');
    got += d.length;
  }
  const ms = now() - t0;
  c.close();
  return { sent, ms };
}

async function sendNet(port) {
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  const chunk = Buffer.alloc(CHUNK, 0x62);
  const pump = (ms, count) =>
    new Promise((resolve) => {
      const end = now() + ms;
      let sent = 0;
      const go = () => {
        while (sent < MAX_BYTES && now() < end) {
          sent += count ? CHUNK : 0;
          if (!c.write(chunk)) {
            c.once('drain', go);
            return;
          }
        }
        resolve(sent);
      };
      go();
    });
  await pump(WARMUP * 1000, false);
  // Let the warm-up's queued writes reach the kernel before the clock starts.
  if (c.writableLength > 0) await once(c, 'drain');
  const t0 = now();
  const sent = await pump(DURATION * 1000, true);
  const ack = new Promise((resolve, reject) => {
    let got = 0;
    c.on('data', (d) => {
      got += d.length;
      if (got >= 8) resolve();
    });
    c.on('end', () => (got >= 8 ? resolve() : reject(new Error('receiver closed early'))));
    c.on('error', reject);
  });
  c.end();
  await ack;
  const ms = now() - t0;
  c.destroy();
  return { sent, ms };
}

export async function stream(file, impl, role) {
  if (role === 'server') return impl === 'net' ? receiveNet() : receiveAsync(impl === 'bsdsock-async-into');
  const helper = spawnHelper(file, 'server');
  const port = Number(await helper.nextLine());
  const r = impl === 'net' ? await sendNet(port) : await sendAsync(port);
  helper.kill();
  return { value: r.sent / (r.ms / 1000) / 1e9, unit: 'GB/s', bytes: r.sent, ms: Math.round(r.ms) };
}
