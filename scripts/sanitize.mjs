#!/usr/bin/env node
// `npm run test:sanitize`: builds the addon with AddressSanitizer and UBSan
// into build-sanitize/ (build/Release, which the normal suite loads, is left
// alone) and runs the test suite against that build. Node itself is not
// instrumented, so the sanitizer runtimes are preloaded into every node
// process: the environment below is inherited by the children the tests
// spawn. Any UBSan finding stops the process (-fno-sanitize-recover), as
// does any ASan report, so a finding fails the run.
//
//   node scripts/sanitize.mjs            build, then the whole suite
//   node scripts/sanitize.mjs test/x.mjs build, then these test files
//   node scripts/sanitize.mjs --build    build only
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'build-sanitize');
const addon = join(outDir, 'build', 'Release', 'bsdsock.node');
const SANITIZE = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer', '-g', '-O1'];

/** node-gyp: the one npm runs scripts with, else the one npm bundles. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmCli = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
  for (const candidate of [join(npmCli, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
}

/** binding.gyp with paths made relative to build-sanitize/ and sanitizer flags. */
function sanitizeGyp() {
  const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'));
  const up = (p) => (p.startsWith('<') ? p : `../${p}`);
  // A command that lists sources (the family codecs) would run in
  // build-sanitize/: run it here, in the project root, as node-gyp does.
  const expand = (p) => (p.startsWith('<!@(') ? execSync(p.slice(4, -1), { cwd: root, encoding: 'utf8' }).trim().split(/\s+/) : [p]);
  for (const target of gyp.targets) {
    target.sources = target.sources.flatMap(expand).map(up);
    target.include_dirs = target.include_dirs.map(up);
    // -O2 from binding.gyp would come after -O1 and win; drop it.
    target.cflags = [...target.cflags.filter((f) => !f.startsWith('-O')), ...SANITIZE];
    target.ldflags = [...(target.ldflags ?? []), '-fsanitize=address,undefined'];
    for (const action of target.actions ?? []) {
      action.inputs = action.inputs.map(up);
      action.action = action.action.map((a, i) => (i === 1 ? up(a) : a));
    }
  }
  return JSON.stringify(gyp, null, 2);
}

function build() {
  mkdirSync(outDir, { recursive: true });
  const gypPath = join(outDir, 'binding.gyp');
  const text = sanitizeGyp();
  if (!existsSync(gypPath) || readFileSync(gypPath, 'utf8') !== text) writeFileSync(gypPath, text);
  const gyp = nodeGyp();
  const run = (...args) => execFileSync(process.execPath, [gyp, ...args], { cwd: outDir, stdio: 'inherit' });
  // The headers of the running node when it ships them (offline builds),
  // else node-gyp's own choice.
  const prefix = dirname(dirname(process.execPath));
  const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
  if (!existsSync(join(outDir, 'build', 'Makefile'))) run('configure', ...nodedir);
  run('build');
}

/** The environment of a sanitized run: runtimes preloaded, findings fatal. */
export function sanitizerEnv(base = process.env) {
  const lib = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
  const preload = [lib('libasan.so'), lib('libubsan.so')];
  for (const p of preload) if (!existsSync(p)) throw new Error(`sanitizer runtime not found: ${p} (install gcc)`);
  return {
    ...base,
    BSDSOCK_ADDON: addon,
    LD_PRELOAD: preload.join(' '),
    // Node itself leaks at exit by design, and installs its own SIGSEGV
    // handler (WebAssembly bounds checks), so leak checking and ASan's own
    // SEGV handling are off.
    ASAN_OPTIONS: 'detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=0',
    UBSAN_OPTIONS: 'halt_on_error=1:abort_on_error=1:print_stacktrace=1',
    // Node starts seconds slower with the runtimes preloaded: the time
    // limits tests give their child processes scale (test/support/emulation.mjs).
    BSDSOCK_TEST_SLOWDOWN: process.env.BSDSOCK_TEST_SLOWDOWN ?? '3',
  };
}

const args = process.argv.slice(2);
build();
if (!args.includes('--build')) {
  const files = args.length > 0 ? args : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(root, 'test', f));
  const env = sanitizerEnv();
  const check = spawnSync(process.execPath, ['-e', "require('./dist/cjs/native.js'); process.stdout.write(process.env.BSDSOCK_ADDON)"], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (check.status !== 0) {
    process.stderr.write(check.stderr);
    throw new Error('the sanitizer build does not load');
  }
  // One test file at a time: everything runs two to three times slower
  // under the sanitizers, and tests with timing bounds (children given 10 s,
  // packet captures on lo) should not also compete with each other.
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=900000', ...files], { cwd: root, env, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
