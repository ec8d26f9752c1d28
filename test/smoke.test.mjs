import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as socket from 'bsdsock';
import { SLOWDOWN } from './support/emulation.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

test('ESM and CommonJS entry points export the same API', async () => {
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('bsdsock');
  assert.equal(cjs.socket, socket.socket);
  assert.equal(cjs.AF_INET, socket.AF_INET);
});

test('npm start runs the ported echo example', { skip: nodeOnly('inspect', ['deno']) }, () => {
  const out = execFileSync(process.execPath, ['examples/echo.mjs'], { encoding: 'utf8', timeout: 20000 * SLOWDOWN });
  assert.match(out, /Received Hello, world/);
  assert.match(out, /Connected by \[ '127\.0\.0\.1', \d+ \]/);
});

test('the async echo example runs', () => {
  const out = execFileSync(process.execPath, ['examples/async-echo.mjs'], { encoding: 'utf8', timeout: 20000 * SLOWDOWN });
  assert.equal(out.trim(), 'echoed: one two three');
});

test('npm run example:porting: the ported client and server talk to each other and to Python', () => {
  const out = execFileSync(process.execPath, ['examples/porting/run.mjs'], { encoding: 'utf8', timeout: 30000 * SLOWDOWN });
  assert.match(out, /^bsdsock client -> bsdsock server: HELLO WORLD$/m);
  if (/Python/.test(out)) {
    assert.match(out, /^bsdsock client -> Python server: HELLO WORLD$/m);
    assert.match(out, /^Python client -> bsdsock server: HELLO WORLD$/m);
  }
});
