// The installed package through import: a TCP echo on 127.0.0.1 through the
// async twins (acceptAsync, connectAsync, sendallAsync, recvAsync).
import assert from 'node:assert/strict';
import * as socket from 'bsdsock';
import bsdsock, { create_server, SOCK_STREAM } from 'bsdsock';

assert.equal(bsdsock.socket, socket.socket);
assert.equal(typeof SOCK_STREAM, 'number');
const guard = setTimeout(() => {
  console.error('echo: no answer within 10 s');
  process.exit(1);
}, 10_000);

const server = create_server(['127.0.0.1', 0]);
const [host, port] = server.getsockname();
const served = (async () => {
  const [conn] = await server.acceptAsync();
  for (let i = 0; i < 100; i++) {
    const data = await conn.recvAsync(4096);
    if (data.length === 0) break;
    await conn.sendallAsync(data);
  }
  conn.close();
})();

const client = socket.socket(socket.AF_INET, SOCK_STREAM);
await client.connectAsync([host, port]);
const message = Buffer.from('hello, echo');
await client.sendallAsync(message);
const chunks = [];
for (let got = 0, i = 0; got < message.length && i < 100; i++) {
  const chunk = await client.recvAsync(message.length - got);
  if (chunk.length === 0) break;
  chunks.push(chunk);
  got += chunk.length;
}
assert.deepEqual(Buffer.concat(chunks), message);
client.shutdown(socket.SHUT_WR);
await served;
client.close();
server.close();
clearTimeout(guard);
console.log('import: TCP echo through the async twins ok');
