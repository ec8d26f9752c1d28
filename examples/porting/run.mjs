// npm run example:porting — runs the ported server and client against each
// other, and against the Python originals when python3 is present.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : null;

async function run(serverCmd, clientCmd) {
  const server = spawn(serverCmd[0], [...serverCmd.slice(1), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // The server's first line is "listening on PORT"; it may arrive in pieces.
  let text = '';
  while (!text.includes('\n')) {
    const [chunk] = await once(server.stdout, 'data');
    text += chunk;
  }
  const port = text.split('\n')[0].trim().split(' ').pop();
  // A bound for a client that hangs, generous enough for a slow machine (an emulated one starts Node.js in seconds).
  const client = spawnSync(clientCmd[0], [...clientCmd.slice(1), port], { encoding: 'utf8', timeout: 60000 });
  if (client.status !== 0) {
    server.kill();
    throw new Error(`client failed (${client.status ?? client.signal}): ${client.stderr}`);
  }
  await once(server, 'exit');
  return client.stdout.trim().split('\n');
}

const node = (f) => [process.execPath, join(here, f)];
const py = (f) => [python, join(here, f)];
const pairs = [['bsdsock server', node('server.mjs'), 'bsdsock client', node('client.mjs')]];
if (python) {
  pairs.push(['Python server', py('server.py'), 'bsdsock client', node('client.mjs')]);
  pairs.push(['bsdsock server', node('server.mjs'), 'Python client', py('client.py')]);
}
for (const [sname, s, cname, c] of pairs) {
  console.log(`${cname} -> ${sname}: ${(await run(s, c)).join(' ')}`);
}
