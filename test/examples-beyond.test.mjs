// The "beyond Python" examples run as child processes, so they cannot rot:
// examples/udp-batch.mjs (recvmmsgAsync/sendmmsgAsync) and
// examples/net-interop.mjs (toNetSocket with http, streams over a
// socketpair, fromNetSocket, a socket handed to a worker). Loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs an example from the repository root; resolves with its status and output. */
function run(args, timeout = 20000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

test('npm run example:batch: 10,000 datagrams in batches, all received in order', async () => {
  const r = await run(['examples/udp-batch.mjs']);
  assert.equal(r.status, 0, r.stderr);
  const m = /^sent (\d+) datagrams, received (\d+) in (\d+) recvmmsg calls/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(Number(m[1]), 10000);
  // Loopback with a 1 MiB receive buffer: nothing is dropped.
  assert.equal(Number(m[2]), 10000);
  // Batching happened: far fewer calls than datagrams.
  assert.ok(Number(m[3]) < 10000 / 4, `${m[3]} calls`);
  assert.match(r.stdout, /^in order: true$/m);
});

test('npm run example:interop: http over a bsdsock connection, streams, fromNetSocket, a worker', async () => {
  const r = await run(['examples/net-interop.mjs']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'http: 200 hello from /bsdsock',
      'streams: 4194304 bytes, checksum matches',
      'fromNetSocket: family AF_INET, TCP_NODELAY 1, TCP_MAXSEG set',
      'fromNetSocket: received ping',
      'worker: hello from the worker',
      '',
    ].join('\n'),
  );
});
