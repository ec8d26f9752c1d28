// The echo server of Python's selectors documentation ("selectors — High-level
// I/O multiplexing", Examples), ported line by line to bsdsock/select: one
// thread, non-blocking sockets, a DefaultSelector (epoll on Linux) whose
// keys carry the callback to run.
//
//   node examples/selectors-echo.mjs [PORT [CONNECTIONS]]
//
// PORT defaults to 1234 as in Python (0: any free port); the first line
// printed is "listening on PORT". With CONNECTIONS the server stops after
// serving that many (Python's runs forever). Try it with
// `python3 examples/echo-clients.py PORT`.
import * as socket from 'bsdsock';
import * as selectors from 'bsdsock/select';

const port = Number(process.argv[2] ?? 1234);
const connections = process.argv[3] === undefined ? Infinity : Number(process.argv[3]);
let closed = 0;

const sel = new selectors.DefaultSelector();

function accept(sock, mask) {
  const [conn, addr] = sock.accept(); // Should be ready
  console.log('accepted', String(conn), 'from', addr);
  conn.setblocking(false);
  sel.register(conn, selectors.EVENT_READ, read);
}

function read(conn, mask) {
  const data = conn.recv(1000); // Should be ready
  if (data.length > 0) {
    console.log('echoing', JSON.stringify(data.toString('latin1')), 'to', String(conn));
    conn.send(data); // Hope it won't block
  } else {
    console.log('closing', String(conn));
    sel.unregister(conn);
    conn.close();
    closed++;
  }
}

const sock = socket.socket();
sock.bind(['localhost', port]);
sock.listen(100);
sock.setblocking(false);
sel.register(sock, selectors.EVENT_READ, accept);
console.log(`listening on ${sock.getsockname()[1]}`);

while (closed < connections) {
  const events = sel.select();
  for (const [key, mask] of events) {
    const callback = key.data;
    callback(key.fileobj, mask);
  }
}
sel.close();
sock.close();
