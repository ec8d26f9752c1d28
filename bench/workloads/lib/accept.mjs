// W5: TCP accept rate. One connection at a time: the client (measuring
// process) connects, the server (a helper process of the same
// implementation) accepts and closes at once, the client sees EOF and
// closes, then the next connection starts. Connections/s over DURATION
// seconds (at most MAX connections, to stay well inside the ephemeral port
// range: the server's side of each closed connection sits in TIME_WAIT).
import net from 'node:net';
import { once } from 'node:events';
import * as socket from 'bsdsock';
import { DURATION, WARMUP, now, spawnHelper } from './common.mjs';

const MAX = 12_000;

async function serveAsync() {
  const srv = socket.create_server(['127.0.0.1', 0]);
  console.log(srv.getsockname()[1]);
  for (let i = 0; i < 2 * MAX; i++) {
    const [c] = await srv.acceptAsync();
    c.close();
  }
  srv.close();
}

async function serveNet() {
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.destroy();
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  console.log(server.address().port);
  await once(server, 'close');
}

async function clientAsync(port) {
  const addr = ['127.0.0.1', port];
  const loop = async (ms, max) => {
    const t0 = now();
    const end = t0 + ms;
    let n = 0;
    while (n < max) {
      const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
      await s.connectAsync(addr);
      const d = await s.recvAsync(16);
      if (d.length !== 0) throw new Error('expected EOF');
      s.close();
      n++;
      if (now() >= end) break;
    }
    return [n, now() - t0];
  };
  await loop(WARMUP * 1000, MAX / 4);
  return loop(DURATION * 1000, MAX);
}

function connectNet(port) {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', reject);
    c.on('close', resolve);
    c.resume();
  });
}

async function clientNet(port) {
  const loop = async (ms, max) => {
    const t0 = now();
    const end = t0 + ms;
    let n = 0;
    while (n < max) {
      await connectNet(port);
      n++;
      if (now() >= end) break;
    }
    return [n, now() - t0];
  };
  await loop(WARMUP * 1000, MAX / 4);
  return loop(DURATION * 1000, MAX);
}

export async function accept(file, impl, role) {
  if (role === 'server') return impl === 'net' ? serveNet() : serveAsync();
  const helper = spawnHelper(file, 'server');
  const port = Number(await helper.nextLine());
  const [n, ms] = impl === 'net' ? await clientNet(port) : await clientAsync(port);
  helper.kill();
  return { value: (n / ms) * 1000, unit: 'conn/s', connections: n, ms: Math.round(ms) };
}
