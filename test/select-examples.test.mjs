// The two bsdsock/select example servers run as child processes and talk
// to Python clients (examples/echo-clients.py): the selectors
// documentation's echo server (examples/selectors-echo.mjs, a
// DefaultSelector) and the Socket Programming HOWTO's select() loop
// (examples/select-echo.mjs). Loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const havePython = spawnSync('python3', ['--version']).status === 0;
const skip = process.platform !== 'linux' ? 'Linux only' : !havePython && 'python3 is not installed';

/** Starts an example server for `connections` connections; resolves with it and its port. */
async function startServer(example, connections) {
  const server = spawn(process.execPath, [join(root, 'examples', example), '0', String(connections)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30000,
  });
  let stdout = '';
  let stderr = '';
  server.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
  server.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
  const exited = once(server, 'exit');
  for (let i = 0; i < 300 && !stdout.includes('\n') && server.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = /^listening on (\d+)\n/.exec(stdout);
  assert.ok(m, `no "listening on PORT" line: ${stdout}${stderr}`);
  return { port: m[1], exited, output: () => ({ stdout, stderr }) };
}

/** Runs the Python clients against a port, asynchronously (the server is a child of this process too). */
async function pythonClients(port, connections, rounds) {
  const client = spawn('python3', [join(root, 'examples', 'echo-clients.py'), port, String(connections), String(rounds)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30000,
  });
  let out = '';
  client.stdout.setEncoding('utf8').on('data', (s) => (out += s));
  client.stderr.setEncoding('utf8').on('data', (s) => (out += s));
  const [code] = await once(client, 'exit');
  return { code, out };
}

function expectedBytes(connections, rounds) {
  let total = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < connections; i++) total += Buffer.byteLength(`client ${i} round ${r} `) * (1 + (r % 4));
  }
  return total;
}

for (const [example, what] of [
  ['selectors-echo.mjs', "the selectors documentation's echo server (DefaultSelector)"],
  ['select-echo.mjs', "the socket HOWTO's select() loop"],
]) {
  test(`${what} serves Python clients`, { skip, timeout: 60000 }, async () => {
    const connections = 8;
    const rounds = 25;
    const server = await startServer(example, connections);
    const client = await pythonClients(server.port, connections, rounds);
    assert.equal(client.code, 0, client.out);
    assert.equal(client.out.trim(), `ok ${connections} ${expectedBytes(connections, rounds)}`);
    const [code] = await server.exited;
    const { stdout, stderr } = server.output();
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    if (example === 'selectors-echo.mjs') {
      assert.equal(stdout.match(/^accepted <socket /gm)?.length, connections);
      assert.equal(stdout.match(/^closing <socket /gm)?.length, connections);
    } else {
      assert.equal(stdout.match(/^connection from /gm)?.length, connections);
    }
  });
}
