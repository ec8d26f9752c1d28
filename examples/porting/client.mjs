// client.py, ported line by line: sends two lines and prints the replies.
import * as socket from 'bsdsock';

const port = process.argv.length > 2 ? Number(process.argv[2]) : 8007;
const sock = socket.create_connection(['127.0.0.1', port], 5);
try {
  const f = sock.makefile('rw', null, { encoding: 'utf-8' });
  try {
    for (const word of ['hello', 'world']) {
      f.write(word + '\n');
      f.flush();
      console.log(f.readline().trim());
    }
  } finally {
    f.close();
  }
} finally {
  sock.close();
}
