// server.py, ported line by line: replies to each line with the line in capitals.
import * as socket from 'bsdsock';

const port = process.argv.length > 2 ? Number(process.argv[2]) : 8007;
const server = socket.create_server(['127.0.0.1', port]);
try {
  console.log('listening on', server.getsockname()[1]);
  const [conn, addr] = server.accept();
  const f = conn.makefile('rw', null, { encoding: 'utf-8', newline: '\n' });
  try {
    for (const line of f) {
      f.write(line.toUpperCase());
      f.flush();
    }
  } finally {
    f.close();
    conn.close();
  }
} finally {
  server.close();
}
