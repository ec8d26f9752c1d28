// W2 (TCP) and W4 (AF_UNIX stream) ping-pong: 64-byte request, 64-byte
// echo, one connection, one message in flight. The measuring process is the
// client; the echo server is a helper process of the same implementation
// (a synchronous server blocks, so it cannot share the client's thread).
// TCP_NODELAY is set on both ends for every implementation.
import net from 'node:net';
import { once } from 'node:events';
import * as socket from 'bsdsock';
import { DURATION, WARMUP, floorReadiness, now, rawAddon, spawnHelper, unixPath } from './common.mjs';

const MSG = 64;
const MAX = 50_000_000;

function listenAddress(transport) {
  return transport === 'tcp' ? ['127.0.0.1', 0] : unixPath('pp');
}

function bsdListen(transport) {
  if (transport === 'tcp') {
    const s = socket.create_server(['127.0.0.1', 0]);
    return [s, String(s.getsockname()[1])];
  }
  const path = listenAddress(transport);
  const s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  s.bind(path);
  s.listen();
  return [s, path];
}

function bsdConnectAddress(transport, where) {
  return transport === 'tcp' ? ['127.0.0.1', Number(where)] : where;
}

function nodelay(s, transport) {
  if (transport === 'tcp') s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
}

// --- servers (helper role) -------------------------------------------------

async function serveAsync(transport) {
  const [srv, where] = bsdListen(transport);
  console.log(where);
  const [c] = await srv.acceptAsync();
  nodelay(c, transport);
  for (;;) {
    const d = await c.recvAsync(4096);
    if (d.length === 0) break;
    await c.sendallAsync(d);
  }
  c.close();
  srv.close();
}

function serveSync(transport) {
  const [srv, where] = bsdListen(transport);
  console.log(where);
  const [c] = srv.accept();
  nodelay(c, transport);
  for (;;) {
    const d = c.recv(4096);
    if (d.length === 0) break;
    c.sendall(d);
  }
  c.close();
  srv.close();
}

async function serveNet(transport) {
  const server = net.createServer((c) => {
    if (transport === 'tcp') c.setNoDelay(true);
    c.on('data', (d) => c.write(d));
    c.on('end', () => {
      c.end();
      server.close();
    });
    c.on('error', () => {});
  });
  server.listen(transport === 'tcp' ? { host: '127.0.0.1', port: 0 } : { path: unixPath('pp') });
  await once(server, 'listening');
  const a = server.address();
  console.log(typeof a === 'string' ? a : String(a.port));
  await once(server, 'close');
}

// --- the floor: what any JavaScript library on this runtime must pay ------
//
// No Promise, no queue, no argument checks: bsdsock's readiness calls a
// callback with the ready descriptors, which receives and sends with the
// addon's raw calls. What is left per message is the runtime's part: the
// loop's turn, one call from C into JavaScript, two calls into C. No API
// built on the same runtime can do a message for less; `bsdsock-async`
// against this shows what its Promise API costs on top.

/**
 * Calls `onMessage(buf)` each time a whole MSG-byte message has arrived on
 * the non-blocking `fd` (buf holds it until the next read), and `onEnd()` at
 * the end of the stream; the returned function starts waiting.
 */
function floorReceiver(binding, fd, onMessage, onEnd) {
  const READ = 1;
  const EAGAIN = binding.errnos.EAGAIN;
  const readiness = floorReadiness(binding);
  const buf = Buffer.alloc(MSG);
  let got = 0;
  const onReadable = () => {
    // One read per wake-up: with one message in flight, a second read
    // would only find nothing.
    const r = binding.recv(fd, buf, got, MSG - got, 0);
    if (r === 0) return onEnd();
    if (r < 0 && r !== -EAGAIN) throw new Error(`recv: errno ${-r}`);
    if (r > 0) got += r;
    if (got === MSG) {
      got = 0;
      if (onMessage(buf) === false) return;
    }
    readiness.wait(fd, READ, onReadable);
  };
  return () => readiness.wait(fd, READ, onReadable);
}

function floorSendAll(binding, fd, data) {
  let off = 0;
  while (off < data.length) {
    const r = binding.send(fd, data, off, data.length - off, 0);
    if (r < 0) throw new Error(`send: errno ${-r}`);
    off += r;
  }
}

async function serveFloor(transport) {
  const binding = rawAddon();
  const [srv, where] = bsdListen(transport);
  console.log(where);
  const [c] = srv.accept(); // not acceptAsync: the floor owns this process's readiness
  nodelay(c, transport);
  c.setblocking(false);
  const fd = c.fileno();
  let stop;
  const done = new Promise((resolve) => (stop = resolve));
  const watch = floorReceiver(binding, fd, (d) => floorSendAll(binding, fd, d), stop);
  watch();
  await done;
  c.close();
  srv.close();
}

async function clientFloor(transport, where) {
  const binding = rawAddon();
  const fam = transport === 'tcp' ? socket.AF_INET : socket.AF_UNIX;
  const c = socket.socket(fam, socket.SOCK_STREAM);
  c.connect(bsdConnectAddress(transport, where));
  nodelay(c, transport);
  c.setblocking(false);
  const fd = c.fileno();
  const msg = Buffer.alloc(MSG, 0x61);
  let round = null;
  const watch = floorReceiver(binding, fd, () => {
    round.n++;
    if (round.n >= MAX || ((round.n & 63) === 0 && now() >= round.end)) {
      round.resolve([round.n, now() - round.t0]);
      return false;
    }
    floorSendAll(binding, fd, msg);
  }, () => round.reject(new Error('server closed')));
  const loop = (ms) =>
    new Promise((resolve, reject) => {
      const t0 = now();
      round = { t0, end: t0 + ms, n: 0, resolve, reject };
      floorSendAll(binding, fd, msg);
      watch();
    });
  await loop(WARMUP * 1000);
  const [n, ms] = await loop(DURATION * 1000);
  c.close();
  return { n, ms };
}

// --- clients (measuring role) ---------------------------------------------

async function clientAsync(transport, where) {
  const fam = transport === 'tcp' ? socket.AF_INET : socket.AF_UNIX;
  const c = socket.socket(fam, socket.SOCK_STREAM);
  await c.connectAsync(bsdConnectAddress(transport, where));
  nodelay(c, transport);
  const msg = Buffer.alloc(MSG, 0x61);
  const loop = async (ms) => {
    const t0 = now();
    const end = t0 + ms;
    let n = 0;
    while (n < MAX) {
      await c.sendallAsync(msg);
      let got = 0;
      while (got < MSG) {
        const d = await c.recvAsync(MSG - got);
        if (d.length === 0) throw new Error('server closed');
        got += d.length;
      }
      n++;
      if ((n & 63) === 0 && now() >= end) break;
    }
    return [n, now() - t0];
  };
  await loop(WARMUP * 1000);
  const [n, ms] = await loop(DURATION * 1000);
  c.close();
  return { n, ms };
}

function clientSync(transport, where) {
  const fam = transport === 'tcp' ? socket.AF_INET : socket.AF_UNIX;
  const c = socket.socket(fam, socket.SOCK_STREAM);
  c.connect(bsdConnectAddress(transport, where));
  nodelay(c, transport);
  const msg = Buffer.alloc(MSG, 0x61);
  const loop = (ms) => {
    const t0 = now();
    const end = t0 + ms;
    let n = 0;
    while (n < MAX) {
      c.sendall(msg);
      let got = 0;
      while (got < MSG) {
        const d = c.recv(MSG - got);
        if (d.length === 0) throw new Error('server closed');
        got += d.length;
      }
      n++;
      if ((n & 63) === 0 && now() >= end) break;
    }
    return [n, now() - t0];
  };
  loop(WARMUP * 1000);
  const [n, ms] = loop(DURATION * 1000);
  c.close();
  return { n, ms };
}

async function clientNet(transport, where) {
  const c = transport === 'tcp' ? net.connect(Number(where), '127.0.0.1') : net.connect(where);
  if (transport === 'tcp') c.setNoDelay(true);
  await once(c, 'connect');
  const msg = Buffer.alloc(MSG, 0x61);
  const loop = (ms) =>
    new Promise((resolve, reject) => {
      const t0 = now();
      const end = t0 + ms;
      let n = 0;
      let got = 0;
      const onData = (d) => {
        got += d.length;
        while (got >= MSG) {
          got -= MSG;
          n++;
          if (n >= MAX || ((n & 63) === 0 && now() >= end)) {
            c.off('data', onData);
            c.off('error', reject);
            resolve([n, now() - t0]);
            return;
          }
          c.write(msg);
        }
      };
      c.on('data', onData);
      c.on('error', reject);
      c.write(msg);
    });
  await loop(WARMUP * 1000);
  const [n, ms] = await loop(DURATION * 1000);
  c.end();
  return { n, ms };
}

/** Entry point of w2-*.mjs / w4-*.mjs: `impl` is 'bsdsock-async' | 'bsdsock-sync' | 'floor' | 'net'. */
export async function pingpong(file, impl, transport, role) {
  if (role === 'server') {
    if (impl === 'bsdsock-async') return serveAsync(transport);
    if (impl === 'bsdsock-sync') return serveSync(transport);
    if (impl === 'floor') return serveFloor(transport);
    return serveNet(transport);
  }
  const helper = spawnHelper(file, 'server');
  const where = await helper.nextLine();
  let r;
  if (impl === 'bsdsock-async') r = await clientAsync(transport, where);
  else if (impl === 'bsdsock-sync') r = clientSync(transport, where);
  else if (impl === 'floor') r = await clientFloor(transport, where);
  else r = await clientNet(transport, where);
  helper.kill();
  return { value: (r.n / r.ms) * 1000, unit: 'rt/s', roundtrips: r.n, ms: Math.round(r.ms) };
}
