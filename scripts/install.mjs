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
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
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
    console.error(`bsdsock: no prebuilt binary loads here, building from source (${e.message.split('\n')[0]})`);
    return false;
  }
}

/** Whether `cmd` (a name, or a path) is an executable on PATH. */
function onPath(cmd) {
  const dirs = cmd.includes('/') ? [''] : (process.env.PATH || '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => {
    try {
      accessSync(dir ? join(dir, cmd) : cmd, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What node-gyp needs that this machine lacks, each with how to get it. */
function missingTools() {
  const missing = [];
  const python = process.env.npm_config_python || process.env.PYTHON;
  if (python ? !onPath(python) : !onPath('python3') && !onPath('python')) {
    missing.push('python3 (node-gyp runs gyp with it)');
  }
  if (!onPath('make')) missing.push('make');
  const cc = (process.env.CC || '').split(' ')[0];
  if (cc ? !onPath(cc) : !onPath('cc') && !onPath('gcc') && !onPath('clang')) {
    missing.push(`a C compiler (${cc || 'cc, gcc or clang'})`);
  }
  return missing;
}

/** node-gyp: the one npm names while it runs this script, npm's own, or one on PATH. */
function nodeGyp() {
  const scripts = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    scripts.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  const script = scripts.find((file) => file && existsSync(file));
  if (script) return [process.execPath, script];
  return onPath('node-gyp') ? ['node-gyp'] : null;
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
  const why = developing ? 'a development checkout builds from source' : `no prebuilt binary for ${platform} loads here`;
  console.error(`bsdsock: ${why}, and the build needs what is missing: ${missing.join(', ')}.\n${how}`);
  process.exit(1);
}
// Node's own headers when this Node has them (official builds do) and npm
// names none: node-gyp would otherwise download them.
const args = [...gyp.slice(1), 'rebuild'];
const ownHeaders = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(ownHeaders, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${ownHeaders}`);
const r = spawnSync(gyp[0], args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(
    `bsdsock: building the native addon from source for ${platform} failed (see node-gyp's output above). ` +
      `It needs python3, make, a C compiler and Node.js headers (node-gyp downloads them unless --nodedir names them). ${how}`,
  );
  process.exit(r.status ?? 1);
}
