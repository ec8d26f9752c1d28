// bsdsock next to Node's own sockets (beyond Python):
// 1. a bsdsock TCP connection handed to Node's http client (toNetSocket);
// 2. a file piped through a socketpair() as Node streams (toDuplex, for await);
// 3. a net.Server's connection taken in with fromNetSocket, for what net lacks;
// 4. a socket passed to a worker thread by its descriptor.
// Run: node examples/net-interop.mjs
import * as http from 'node:http';
import * as net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import * as socket from 'bsdsock';

// 1. http over a bsdsock connection.
const server = http.createServer((req, res) => res.end(`hello from ${req.url}\n`));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const conn = await socket.create_connectionAsync(['127.0.0.1', port]);
const body = await new Promise((resolve, reject) => {
  const req = http.get({ createConnection: () => conn.toNetSocket(), path: '/bsdsock' }, (res) => {
    let text = '';
    res.setEncoding('utf8').on('data', (s) => (text += s)).on('end', () => resolve(`${res.statusCode} ${text.trim()}`));
  });
  req.on('error', reject);
});
console.log(`http: ${body}`);
server.close();

// 2. 4 MiB through a socketpair: a Duplex on one end, async iteration on the other.
const [left, right] = socket.socketpair();
const data = randomBytes(4 << 20);
const sending = pipeline(Readable.from([data.subarray(0, 1 << 20), data.subarray(1 << 20)]), left.toDuplex());
const hash = createHash('sha256');
let received = 0;
for await (const chunk of right) {
  hash.update(chunk);
  received += chunk.length;
}
await sending;
right.close();
const same = hash.digest('hex') === createHash('sha256').update(data).digest('hex');
console.log(`streams: ${received} bytes, checksum ${same ? 'matches' : 'DIFFERS'}`);

// 3. A net.Server connection, taken in to read TCP_INFO-level options net cannot reach.
const netServer = net.createServer({ noDelay: true });
await new Promise((resolve) => netServer.listen(0, '127.0.0.1', resolve));
const taken = new Promise((resolve) => {
  netServer.once('connection', (c) => {
    const s = socket.fromNetSocket(c); // a move: c is destroyed, s owns the connection
    resolve(s);
  });
});
const client = socket.create_connection(['127.0.0.1', netServer.address().port]);
const s = await taken;
console.log(
  `fromNetSocket: family ${socket.AddressFamily[s.family]}, TCP_NODELAY ${s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)}, ` +
    `TCP_MAXSEG ${s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG) > 0 ? 'set' : 'unset'}`,
);
client.sendall(Buffer.from('ping'));
console.log(`fromNetSocket: received ${s.recv(16)}`);
s.close();
client.close();
netServer.close();

// 4. A worker thread gets the descriptor and makes its own Socket of it.
const [mine, theirs] = socket.socketpair();
const worker = new Worker(
  `const { workerData } = require('node:worker_threads');
   const socket = require('bsdsock');
   const s = socket.socket(undefined, undefined, undefined, workerData); // family and type read from the fd
   s.sendall(Buffer.from('hello from the worker'));
   s.close();`,
  { eval: true, workerData: theirs.detach() },
);
console.log(`worker: ${mine.recv(64)}`);
await new Promise((resolve) => worker.on('exit', resolve));
mine.close();
