// Python's echo server and client from the socket module's documentation,
// ported line by line: the server runs in a worker thread (blocking calls,
// as Python's would in its own process), the client in the main thread.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import * as socket from 'bsdsock';

const HOST = '127.0.0.1'; // The remote host (loopback)

if (isMainThread) {
  const server = new Worker(new URL(import.meta.url));
  const PORT = await new Promise((resolve) => server.once('message', resolve));

  // Echo client program
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.connect([HOST, PORT]);
  s.sendall(Buffer.from('Hello, world'));
  const data = s.recv(1024);
  s.close();
  console.log('Received', data.toString());
  await new Promise((resolve) => server.once('exit', resolve));
} else {
  // Echo server program
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.bind([HOST, 0]); // port 0: the kernel picks a free one
  s.listen(1);
  parentPort.postMessage(s.getsockname()[1]);
  const [conn, addr] = s.accept();
  console.log('Connected by', addr);
  for (;;) {
    const data = conn.recv(1024);
    if (data.length === 0) break;
    conn.sendall(data);
  }
  conn.close();
  s.close();
}
