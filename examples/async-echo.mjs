// An echo server that never blocks the event loop: every wait is an async
// twin (acceptAsync, recvAsync, sendallAsync), so one thread serves many
// connections. Run: node examples/async-echo.mjs
import * as socket from 'bsdsock';

const server = socket.create_server(['127.0.0.1', 0]);
const [host, port] = server.getsockname();

async function serve(conn) {
  for (;;) {
    const data = await conn.recvAsync(4096);
    if (data.length === 0) break; // the client closed its side
    await conn.sendallAsync(data);
  }
  conn.close();
}

async function acceptLoop() {
  for (;;) {
    let conn;
    try {
      [conn] = await server.acceptAsync();
    } catch (e) {
      if (e.errno === socket.EBADF) return; // server closed
      throw e;
    }
    serve(conn);
  }
}
acceptLoop();

// Three clients at once, on the same thread.
const replies = await Promise.all(
  ['one', 'two', 'three'].map(async (word) => {
    const c = await socket.create_connectionAsync([host, port], 5);
    await c.sendallAsync(Buffer.from(word));
    const reply = await c.recvAsync(1024);
    c.close();
    return reply.toString();
  }),
);
console.log('echoed:', replies.join(' '));
server.close();
