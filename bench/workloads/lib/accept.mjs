// W5: TCP accept rate. One connection at a time: the client (measuring
// process) connects, the server (a helper process of the same
// implementation) accepts and closes at once, the client sees EOF and
// closes, then the next connection starts. Connections/s over DURATION
// seconds (at most MAX connections, to stay well inside the ephemeral port
// range: the server's side of each closed connection sits in TIME_WAIT).
import net from 'node:net';
import { once } from 'node:events';
import * as socket from 'bsdsock';
import { DURATION, WARMUP, floorReadiness, now, rawAddon, rawAddress, spawnHelper } from './common.mjs';

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

// --- the floor: what any JavaScript library on this runtime must pay ------
//
// bsdsock's readiness calling one JavaScript callback, which makes the
// addon's raw calls on non-blocking descriptors: no Socket objects, no
// Promise, no argument checks. The same system calls as a careful event
// loop in C (a connect that poll() sees done at once goes straight on).

const READ = 1;
const WRITE = 2;
const POLLOUT = 4;

async function serveFloor() {
  const binding = rawAddon();
  const E = binding.errnos;
  const srv = socket.create_server(['127.0.0.1', 0]);
  srv.setblocking(false);
  console.log(srv.getsockname()[1]);
  const fd = srv.fileno();
  const out = new Int32Array(9);
  const r = floorReadiness(binding);
  let accepted = 0;
  await new Promise((resolve, reject) => {
    const onReadable = () => {
      for (;;) {
        const a = binding.accept(fd, out);
        if (out[0] < 0) {
          if (a !== -E.EAGAIN) return reject(new Error(`accept: errno ${-a}`));
          break;
        }
        binding.close(out[0]);
        if (++accepted >= 2 * MAX) return resolve();
      }
      r.wait(fd, READ, onReadable);
    };
    r.wait(fd, READ, onReadable);
  });
  srv.close();
}

async function clientFloor(port) {
  const binding = rawAddon();
  const C = binding.constants;
  const E = binding.errnos;
  const r = floorReadiness(binding);
  const addr = rawAddress(C.AF_INET, ['127.0.0.1', port]);
  const type = C.SOCK_STREAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC;
  const errBuf = Buffer.alloc(4);
  const buf = Buffer.alloc(16);
  // One connection: connect, see EOF, close; resolves when closed.
  const oneConnection = () =>
    new Promise((resolve, reject) => {
      const fd = binding.socket(C.AF_INET, type, 0);
      if (fd < 0) return reject(new Error(`socket: errno ${-fd}`));
      const fail = (message) => {
        r.forget(fd);
        binding.close(fd);
        reject(new Error(message));
      };
      const onReadable = () => {
        const n = binding.recv(fd, buf, 0, 16, 0);
        if (n === -E.EAGAIN) return r.wait(fd, READ, onReadable);
        if (n < 0) return fail(`recv: errno ${-n}`);
        if (n > 0) return fail('expected EOF');
        r.forget(fd);
        binding.close(fd);
        resolve();
      };
      const onConnected = () => {
        binding.getsockopt(fd, C.SOL_SOCKET, C.SO_ERROR, errBuf);
        const e = errBuf.readInt32LE(0);
        if (e !== 0) return fail(`connect: errno ${e}`);
        onReadable();
      };
      const c = binding.connect(fd, C.AF_INET, addr);
      if (c === 0) return onConnected();
      if (c !== -E.EINPROGRESS) return fail(`connect: errno ${-c}`);
      if (binding.poll(fd, POLLOUT, 0) > 0) return onConnected();
      r.wait(fd, WRITE, onConnected);
    });
  const loop = async (ms, max) => {
    const t0 = now();
    const end = t0 + ms;
    let n = 0;
    while (n < max) {
      await oneConnection();
      n++;
      if (now() >= end) break;
    }
    return [n, now() - t0];
  };
  await loop(WARMUP * 1000, MAX / 4);
  return loop(DURATION * 1000, MAX);
}

export async function accept(file, impl, role) {
  if (role === 'server') return impl === 'net' ? serveNet() : impl === 'floor' ? serveFloor() : serveAsync();
  const helper = spawnHelper(file, 'server');
  const port = Number(await helper.nextLine());
  const client = impl === 'net' ? clientNet : impl === 'floor' ? clientFloor : clientAsync;
  const [n, ms] = await client(port);
  helper.kill();
  return { value: (n / ms) * 1000, unit: 'conn/s', connections: n, ms: Math.round(ms) };
}
