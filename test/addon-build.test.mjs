// BSDSOCK_ADDON picks the build of the addon that the package loads (the
// sanitizer build under `npm run test:sanitize`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const entry = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));
// The binary this process loaded (build/Release, a prebuilt one, or the
// sanitizer build), so that the copy runs on this architecture.
require(entry);
const defaultBuild = Object.keys(require.cache).find((p) => p.endsWith('.node'));

test('BSDSOCK_ADDON names the .node file to load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-addon-'));
  try {
    const copy = join(dir, 'copy.node');
    copyFileSync(defaultBuild, copy);
    const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((p) => p.endsWith('.node'))))`;
    const run = (addon) => spawnSync(process.execPath, ['-e', script], { env: { ...process.env, BSDSOCK_ADDON: addon }, encoding: 'utf8' });
    const r = run(copy);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [copy]);
    const missing = run(join(dir, 'missing.node'));
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /Cannot find module .*missing\.node/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('under test:sanitize the sanitizer build is loaded, with the ASan and UBSan runtimes in the process', { skip: !process.env.BSDSOCK_ADDON?.includes('build-sanitize') && 'not a sanitizer run' }, () => {
  require(entry);
  const loaded = Object.keys(require.cache).filter((p) => p.endsWith('.node'));
  assert.deepEqual(loaded, [process.env.BSDSOCK_ADDON]);
  const maps = readFileSync('/proc/self/maps', 'utf8');
  assert.match(maps, /libasan\.so/);
  assert.match(maps, /libubsan\.so/);
});
