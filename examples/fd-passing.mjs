// Handing open file descriptors to another process over an AF_UNIX socket
// (SCM_RIGHTS). The parent opens a file and a socket and sends both to a
// child process with send_fds(); the child receives them with recv_fds(),
// reads the file and answers over the socket.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as socket from 'bsdsock';

if (process.argv[2] !== 'child') {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-fd-passing-'));
  const path = join(dir, 'greeting.txt');
  writeFileSync(path, 'hello from a file the parent opened');

  // The channel: the child gets its end as its fd 3.
  const [channel, childEnd] = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM);
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child'], {
    stdio: ['inherit', 'inherit', 'inherit', childEnd.fileno()],
  });
  childEnd.close();
  // Listen for the child's exit now: it may end before the parent's reads do.
  const exited = new Promise((resolve) => child.once('exit', resolve));

  // What we hand over: an open file, and one end of a fresh socket pair.
  const fileFd = openSync(path, 'r');
  const [mine, theirs] = socket.socketpair();
  await socket.send_fdsAsync(channel, [Buffer.from('a file and a socket')], [fileFd, theirs.fileno()]);
  // The child holds its own descriptors now; ours can go.
  closeSync(fileFd);
  theirs.close();

  const answer = await mine.recvAsync(1024);
  console.log(`parent: the child says "${answer}"`);
  await exited;
  mine.close();
  channel.close();
  rmSync(dir, { recursive: true });
} else {
  const channel = socket.socket(undefined, undefined, undefined, 3); // family and type read from fd 3
  const [msg, fds, flags] = socket.recv_fds(channel, 1024, 2);
  if (fds.length !== 2 || flags & socket.MSG_CTRUNC) throw new Error('descriptors went missing');
  const [fileFd, sockFd] = fds;

  const buf = Buffer.alloc(1024);
  const n = readSync(fileFd, buf, 0, buf.length, 0);
  closeSync(fileFd);
  console.log(`child: received ${fds.length} descriptors with "${msg}"; the file says "${buf.toString('utf8', 0, n)}"`);

  const peer = socket.socket(undefined, undefined, undefined, sockFd);
  peer.sendall(Buffer.from('thanks, I read your file'));
  peer.close();
  channel.close();
}
