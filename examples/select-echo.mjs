// A server on select.select(), the way the Python Socket Programming HOWTO
// describes it ("Non-blocking Sockets"): three lists in — the sockets you
// might read, might write, might want to check for errors — and the ready
// subsets out. Non-blocking sockets; what a client sends is queued and
// echoed back when its socket is writable.
//
//   node examples/select-echo.mjs [PORT [CONNECTIONS]]
//
// The first line printed is "listening on PORT" (PORT 0: any free port).
// With CONNECTIONS the server stops after serving that many. Try it with
// `python3 examples/echo-clients.py PORT`.
import * as socket from 'bsdsock';
import * as select from 'bsdsock/select';

const port = Number(process.argv[2] ?? 0);
const connections = process.argv[3] === undefined ? Infinity : Number(process.argv[3]);
let served = 0;

const listener = socket.create_server(['127.0.0.1', port]);
listener.setblocking(false);
console.log(`listening on ${listener.getsockname()[1]}`);

/** Each client's output not yet sent. */
const outgoing = new Map();

function drop(client) {
  outgoing.delete(client);
  client.close();
  served++;
}

while (served < connections) {
  const clients = [...outgoing.keys()];
  const potentialReaders = [listener, ...clients];
  const potentialWriters = clients.filter((c) => outgoing.get(c).length > 0);
  const potentialErrs = clients;
  const [readyToRead, readyToWrite, inError] = select.select(potentialReaders, potentialWriters, potentialErrs, 60);

  for (const sock of readyToRead) {
    if (sock === listener) {
      const [conn, addr] = listener.accept();
      conn.setblocking(false);
      outgoing.set(conn, []);
      console.log('connection from', addr);
    } else if (outgoing.has(sock)) {
      let data;
      try {
        data = sock.recv(4096);
      } catch (e) {
        if (!(e instanceof socket.ConnectionResetError)) throw e;
        data = Buffer.alloc(0);
      }
      if (data.length === 0) drop(sock);
      else outgoing.get(sock).push(data);
    }
  }
  for (const sock of readyToWrite) {
    const queue = outgoing.get(sock);
    if (queue === undefined) continue; // closed above
    const sent = sock.send(queue[0]);
    if (sent === queue[0].length) queue.shift();
    else queue[0] = queue[0].subarray(sent);
  }
  for (const sock of inError) {
    if (outgoing.has(sock)) drop(sock);
  }
}
listener.close();
