// How the package finds its native binary, and what it says when it cannot:
// the loader's message (src/native.ts) and the install step's list of the
// build tools that are missing (scripts/install.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SLOWDOWN } from './support/emulation.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('no binary found: the error names the platform and how to build from source', { skip: process.platform !== 'linux' && 'Linux names' }, () => {
  const empty = mkdtempSync(join(tmpdir(), 'bsdsock-loader-'));
  try {
    // node-gyp-build's own overrides: only prebuilt binaries, from an empty folder.
    const r = spawnSync(process.execPath, ['-e', "require('bsdsock')"], {
      cwd: root,
      // BSDSOCK_ADDON (the sanitizer run's build) would load a binary anyway.
      env: { ...process.env, PREBUILDS_ONLY: '1', BSDSOCK_PREBUILD: empty, BSDSOCK_ADDON: '' },
      encoding: 'utf8',
      timeout: 20000 * SLOWDOWN,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`bsdsock: no native binary could be loaded for linux-${process.arch} \\((glibc|musl)\\): No native build was found`));
    assert.match(r.stderr, /npm rebuild bsdsock` \(needs python3, make, a C compiler and Node\.js headers\)/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the install step names the build tools that are missing, and builds nothing', () => {
  // A PATH with node alone: no python3, make or compiler.
  const bare = mkdtempSync(join(tmpdir(), 'bsdsock-bare-'));
  try {
    symlinkSync(process.execPath, join(bare, 'node'));
    const env = { ...process.env, PATH: bare };
    for (const name of ['CC', 'PYTHON', 'npm_config_python']) delete env[name];
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'install.mjs')], { cwd: root, env, encoding: 'utf8', timeout: 20000 * SLOWDOWN });
    assert.equal(r.status, 1, r.stderr);
    // This checkout has src/: a development checkout always builds from source.
    assert.match(r.stderr, /^bsdsock: a development checkout builds from source, and the build needs what is missing: /);
    for (const tool of ['python3 (node-gyp runs gyp with it)', 'make', 'a C compiler (cc, gcc or clang)']) {
      assert.ok(r.stderr.includes(tool), `names ${tool}: ${r.stderr}`);
    }
    assert.match(r.stderr, /apt-get install python3 make gcc/);
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
});
