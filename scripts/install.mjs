#!/usr/bin/env node
// The package's install step (`npm install` runs it unless scripts are off).
//
// An installed package carries prebuilt binaries (prebuilds/): when one loads
// here, there is nothing to do. Otherwise, and always in a development
// checkout (where src/ is present, so that native/ changes are built), the
// addon is built from source with node-gyp. That needs python3, make, a C
// compiler and Node's headers; when one is missing the message says which,
// instead of node-gyp's stack. `npm install --build-from-source` (or
// npm_config_build_from_source=true) skips the prebuilt binaries.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const developing = existsSync(join(root, 'src', 'index.ts'));
const fromSource = process.env.npm_config_build_from_source === 'true';

function prebuiltLoads() {
  // dist's loader: the same choice of binary as at run time.
  const loader = join(root, 'dist', 'cjs', 'native.js');
  if (!existsSync(loader)) return false;
  try {
    require(loader);
    return true;
  } catch (e) {
    console.error(`bsdsock: the prebuilt binary does not load here, building from source (${e.message.split('\n')[0]})`);
    return false;
  }
}

const onPath = (cmd) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;

/** What node-gyp needs that this machine lacks, each with how to get it. */
function missingTools() {
  const missing = [];
  const python = process.env.npm_config_python || process.env.PYTHON;
  if (python ? !existsSync(python) && !onPath(python) : !onPath('python3') && !onPath('python')) {
    missing.push('python3 (node-gyp runs gyp with it)');
  }
  if (!onPath('make')) missing.push('make');
  const cc = (process.env.CC || '').split(' ')[0];
  if (cc ? !onPath(cc) : !onPath('cc') && !onPath('gcc') && !onPath('clang')) {
    missing.push(`a C compiler (${cc || 'cc, gcc or clang'})`);
  }
  return missing;
}

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) {
    return [process.execPath, process.env.npm_config_node_gyp];
  }
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    return onPath('node-gyp') ? ['node-gyp'] : null;
  }
}

const how =
  'Install them (Debian/Ubuntu: apt-get install python3 make gcc; Alpine: apk add python3 make gcc musl-dev linux-headers; ' +
  'macOS: xcode-select --install), then run `npm rebuild bsdsock`.';
const platform = `${process.platform}-${process.arch}`;

if (!developing && !fromSource && prebuiltLoads()) process.exit(0);

const missing = missingTools();
const gyp = nodeGyp();
if (!gyp) missing.push('node-gyp (npm bundles it; or npm install -g node-gyp)');
if (missing.length > 0) {
  console.error(
    `bsdsock: no prebuilt binary for ${platform} loads here, and building it from source needs what is missing: ${missing.join(', ')}.\n${how}`,
  );
  process.exit(1);
}
const r = spawnSync(gyp[0], [...gyp.slice(1), 'rebuild'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(
    `bsdsock: building the native addon from source for ${platform} failed (see node-gyp's output above). ` +
      `It needs python3, make, a C compiler and Node.js headers (node-gyp downloads them unless --nodedir names them). ${how}`,
  );
  process.exit(r.status ?? 1);
}
