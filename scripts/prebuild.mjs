#!/usr/bin/env node
// `npm run prebuilds`: builds the Node-API binaries that ship in the package,
// one per platform, into prebuilds/<platform>-<arch>/ under the names
// node-gyp-build looks for (node.napi.<libc>.node):
//
//   linux-x64   glibc  the system compiler (gcc)
//   linux-arm64 glibc  Debian's cross compiler (gcc-aarch64-linux-gnu)
//   linux-x64   musl   Debian's musl-gcc (musl-tools) over the kernel's uapi headers
//
// Each target is built from a fresh copy of the sources in a temporary
// directory, with the paths of that directory mapped away and
// SOURCE_DATE_EPOCH fixed, so that the same sources and compilers give the
// same bytes (the sha256 of each binary is printed). The constants table is
// generated with the target's compiler, so it holds the target's own values.
// A compiler that is missing is installed with apt-get when this runs as
// root on Debian (unless --no-install); otherwise the message names the
// package. Every binary is checked with readelf: its machine, and that it
// needs no library but its own C library.
//
// The names of each target's constants go to prebuilds/constants/<target>.json
// (not shipped; read by scripts/build.mjs).
//
// usage: node scripts/prebuild.mjs [--target linux-x64-glibc,linux-arm64-glibc,linux-x64-musl] [--no-install]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const TARGETS = {
  'linux-x64-glibc': {
    dir: 'linux-x64',
    file: 'node.napi.glibc.node',
    arch: 'x64',
    cc: 'gcc',
    strip: 'strip',
    apt: ['gcc', 'binutils'],
    machine: 'Advanced Micro Devices X86-64',
    // The dynamic loader too: thread-local variables go through its __tls_get_addr.
    libs: ['libc.so.6', 'ld-linux-x86-64.so.2'],
  },
  'linux-arm64-glibc': {
    dir: 'linux-arm64',
    file: 'node.napi.glibc.node',
    arch: 'arm64',
    cc: 'aarch64-linux-gnu-gcc',
    strip: 'aarch64-linux-gnu-strip',
    apt: ['gcc-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu'],
    machine: 'AArch64',
    libs: ['libc.so.6', 'ld-linux-aarch64.so.1'],
  },
  'linux-x64-musl': {
    dir: 'linux-x64',
    file: 'node.napi.musl.node',
    arch: 'x64',
    cc: 'musl-gcc',
    strip: 'strip',
    apt: ['musl-tools', 'binutils'],
    machine: 'Advanced Micro Devices X86-64',
    libs: ['libc.so'],
    // musl-gcc sees only musl's headers; the kernel's uapi headers
    // (linux/, asm/, asm-generic/ from linux-libc-dev) come after them.
    preInclude: ['netinet/in.h', 'netinet/if_ether.h'],
    kernelHeaders: { linux: '/usr/include/linux', asm: '/usr/include/x86_64-linux-gnu/asm', 'asm-generic': '/usr/include/asm-generic' },
  },
};

function parseArgs(argv) {
  const o = { targets: Object.keys(TARGETS), install: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-install') o.install = false;
    else if (a === '--target' || a.startsWith('--target=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error('--target needs a value');
      o.targets = v.split(',').filter(Boolean);
      for (const t of o.targets) if (!(t in TARGETS)) throw new Error(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`);
    } else if (a === '--help' || a === '-h') {
      console.log(`usage: node scripts/prebuild.mjs [--target ${Object.keys(TARGETS).join(',')}] [--no-install]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v "$1"`, 'sh', cmd], { stdio: 'ignore' }).status === 0;

/** Installs the Debian packages of the tools a target lacks, or says which to install. */
function ensureTools(names, install) {
  const missing = names.filter(([tool]) => !has(tool));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap(([, pkgs]) => pkgs))];
  const what = `${missing.map(([tool]) => tool).join(', ')} (Debian: apt-get install ${packages.join(' ')})`;
  if (!install || process.getuid?.() !== 0 || !has('apt-get')) throw new Error(`missing ${what}`);
  console.log(`prebuild: installing ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  // Package lists may be missing or stale on a fresh machine: update once on failure.
  if (!apt(['install', '-y', '-q', ...packages]) && !(apt(['update', '-q']) && apt(['install', '-y', '-q', ...packages]))) {
    throw new Error(`could not install ${packages.join(' ')}`);
  }
  const still = missing.filter(([tool]) => !has(tool));
  if (still.length) throw new Error(`still missing after apt-get: ${still.map(([t]) => t).join(', ')}`);
}

/** Node's own headers (node_api.h, uv.h): npm's nodedir, or next to this node. */
function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')].filter(Boolean);
  for (const dir of candidates) if (existsSync(join(dir, 'include', 'node', 'node_api.h'))) return dir;
  return null; // node-gyp fetches the headers itself
}

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  for (const file of candidates) if (existsSync(file)) return file;
  throw new Error('node-gyp not found: run through `npm run prebuild` (npm bundles node-gyp) or set npm_config_node_gyp');
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The checks of a built binary, from readelf's view of it. */
function checkElf(file, target) {
  const header = execFileSync('readelf', ['-h', file], { encoding: 'utf8' });
  const machine = /Machine:\s*(.*)/.exec(header)?.[1].trim();
  if (machine !== target.machine) throw new Error(`${file}: machine ${machine}, want ${target.machine}`);
  const dynamic = execFileSync('readelf', ['-d', file], { encoding: 'utf8' });
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  if (!needed.includes(target.libs[0]) || needed.some((lib) => !target.libs.includes(lib))) {
    throw new Error(`${file}: needs ${needed.join(', ')}; want ${target.libs[0]} and nothing but ${target.libs.join(', ')}`);
  }
  const symbols = execFileSync('readelf', ['--dyn-syms', '-W', file], { encoding: 'utf8' });
  const versions = [...symbols.matchAll(/@GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  if (target.libs[0] === 'libc.so') {
    if (versions.length) throw new Error(`${file}: a musl build refers to glibc symbol versions`);
    return { needed, libc: 'musl' };
  }
  const [major, minor] = versions.reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a), [0, 0]);
  return { needed, libc: `glibc >= ${major}.${minor}` };
}

/**
 * Loads a musl binary with musl's dynamic linker: a small musl program that
 * defines a stand-in for each Node-API and libuv function the addon imports
 * (Node's executable provides them at run time) dlopen()s it with every
 * symbol bound at once, so that any C-library symbol musl lacks fails the
 * load. No musl build of Node.js runs here; this is the closest check.
 */
function muslLoadCheck(file, cc, work) {
  const symbols = execFileSync('readelf', ['--dyn-syms', '-W', file], { encoding: 'utf8' });
  const fromNode = [...new Set([...symbols.matchAll(/\sUND\s+((?:napi|uv)_\w+)/g)].map((m) => m[1]))].sort();
  const harness = join(work, 'load-check.c');
  writeFileSync(
    harness,
    [
      '#include <dlfcn.h>',
      '#include <stdio.h>',
      ...fromNode.map((n) => `void ${n}(void) {}`),
      'int main(int argc, char **argv) {',
      '  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);',
      '  if (!h) { fprintf(stderr, "%s\\n", dlerror()); return 1; }',
      '  if (!dlsym(h, "napi_register_module_v1")) { fprintf(stderr, "no napi_register_module_v1\\n"); return 1; }',
      '  puts("loaded");',
      '  return 0;',
      '}',
      '',
    ].join('\n'),
  );
  const exe = join(work, 'load-check');
  execFileSync(cc, ['-rdynamic', '-o', exe, harness]);
  const r = spawnSync(exe, [file], { encoding: 'utf8' });
  if (r.status !== 0 || r.stdout.trim() !== 'loaded') throw new Error(`musl's dynamic linker does not load ${file}: ${r.stderr || r.error}`);
  return fromNode.length;
}

function build(name, target, opts) {
  ensureTools(
    [
      [target.cc, target.apt],
      [target.strip, target.apt],
      ['readelf', ['binutils']],
      ['make', ['make']],
      ['python3', ['python3']],
    ],
    opts.install,
  );
  const work = mkdtempSync(join(tmpdir(), `bsdsock-prebuild-${name}-`));
  try {
    // Only what the native build reads, so nothing else can change the output.
    const src = join(work, 'src');
    mkdirSync(join(src, 'scripts'), { recursive: true });
    cpSync(join(root, 'binding.gyp'), join(src, 'binding.gyp'));
    cpSync(join(root, 'native'), join(src, 'native'), { recursive: true });
    cpSync(join(root, 'scripts', 'gen-constants.mjs'), join(src, 'scripts', 'gen-constants.mjs'));
    cpSync(join(root, 'package.json'), join(src, 'package.json'));

    let cc = target.cc;
    if (target.kernelHeaders) {
      const inc = join(work, 'kernel-include');
      mkdirSync(inc);
      for (const [link, to] of Object.entries(target.kernelHeaders)) {
        if (!existsSync(to)) throw new Error(`${to} is missing (Debian: apt-get install linux-libc-dev)`);
        symlinkSync(to, join(inc, link));
      }
      // A wrapper, so that every compiler call (node-gyp's and the constants
      // generator's) sees the same headers. musl's netinet headers tell the
      // kernel's (through __UAPI_DEF_*) which structs they already define, but
      // only when they come first: pre-include them.
      cc = join(work, 'cc');
      const first = (target.preInclude ?? []).map((h) => `-include ${h}`).join(' ');
      writeFileSync(cc, `#!/bin/sh\nexec ${target.cc} -idirafter '${inc}' ${first} "$@"\n`);
      chmodSync(cc, 0o755);
    }
    const env = {
      ...process.env,
      CC: cc,
      LINK: cc,
      CFLAGS: `-ffile-prefix-map=${work}=.`,
      LDFLAGS: '-Wl,--build-id=sha1',
      SOURCE_DATE_EPOCH: '0',
      LC_ALL: 'C',
    };
    delete env.CXX;
    const args = [nodeGyp(), 'rebuild', `--arch=${target.arch}`, '--release', `--jobs=${opts.jobs}`];
    const dir = nodeDir();
    if (dir) args.push(`--nodedir=${dir}`);
    const r = spawnSync(process.execPath, args, { cwd: src, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node-gyp failed for ${name}:\n${r.stdout}\n${r.stderr}`);
    const built = join(src, 'build', 'Release', 'bsdsock.node');
    // The names of the target's constants table, for scripts/build.mjs: the
    // TypeScript declarations cover every target, the values come from the
    // binary that is loaded.
    const table = readFileSync(join(src, 'build', 'Release', 'obj.target', 'bsdsock', 'geni', 'bsd_constants_gen.h'), 'utf8');
    const names = [...table.matchAll(/^BSD_CONST\((\w+)\)$/gm)].map((m) => m[1]).sort();
    if (names.length === 0) throw new Error(`${name}: empty constants table`);
    mkdirSync(join(root, 'prebuilds', 'constants'), { recursive: true });
    writeFileSync(join(root, 'prebuilds', 'constants', `${name}.json`), `${JSON.stringify(names, null, 0)}\n`);
    execFileSync(target.strip, ['--strip-unneeded', built]);
    const out = join(root, 'prebuilds', target.dir, target.file);
    mkdirSync(dirname(out), { recursive: true });
    cpSync(built, out);
    const { needed, libc } = checkElf(out, target);
    if (libc === 'musl') {
      const standIns = muslLoadCheck(out, cc, work);
      console.log(`prebuild: ${name}: musl's dynamic linker loads it (${standIns} Node-API/libuv functions stood in for)`);
    }
    console.log(`prebuild: ${name} -> prebuilds/${target.dir}/${target.file} (${target.machine}; needs ${needed.join(', ')}: ${libc}; sha256 ${sha256(out)})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const opts = parseArgs(process.argv.slice(2));
opts.jobs = 2;
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`prebuild: the prebuilt binaries are made on linux-x64 (this is ${process.platform}-${process.arch}); build from source with npm run build:native`);
  process.exit(1);
}
try {
  for (const name of opts.targets) build(name, TARGETS[name], opts);
} catch (e) {
  console.error(`prebuild: ${e.message}`);
  process.exit(1);
}
