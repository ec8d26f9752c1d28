import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as socket from 'bsdsock';

test('ESM and CommonJS entry points export the same API', async () => {
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('bsdsock');
  assert.equal(cjs.socket, socket.socket);
  assert.equal(cjs.AF_INET, socket.AF_INET);
});

test('npm start runs the ported echo example', () => {
  const out = execFileSync(process.execPath, ['examples/echo.mjs'], { encoding: 'utf8', timeout: 20000 });
  assert.match(out, /Received Hello, world/);
  assert.match(out, /Connected by \[ '127\.0\.0\.1', \d+ \]/);
});

test('the async echo example runs', () => {
  const out = execFileSync(process.execPath, ['examples/async-echo.mjs'], { encoding: 'utf8', timeout: 20000 });
  assert.equal(out.trim(), 'echoed: one two three');
});
