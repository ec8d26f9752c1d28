// Shared by the Node.js workloads: parameters from the driver (environment),
// the one-line JSON result, timing, and helper processes (the other end of a
// two-ended workload) that die with the measuring process.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

/** Seconds of measured work (after the warm-up). */
export const DURATION = Number(process.env.BENCH_DURATION ?? 1.5);
/** Seconds of warm-up before measuring (JIT, caches, TCP windows). */
export const WARMUP = Number(process.env.BENCH_WARMUP ?? 0.25);
/** Directory for Unix socket paths (the driver's mkdtemp dir). */
export const TMP = process.env.BENCH_TMP ?? tmpdir();

export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Prints the single JSON result line the driver reads. */
export function emit(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** A blocking sleep for synchronous code (no event loop needed). */
const sab = new Int32Array(new SharedArrayBuffer(4));
export function sleepSync(ms) {
  Atomics.wait(sab, 0, 0, ms);
}

/** The role argument: `node w2-net.mjs server` runs the helper side. */
export const ROLE = process.argv[2] ?? 'main';
export const ARGS = process.argv.slice(3);

const helpers = new Set();
process.on('exit', () => {
  for (const c of helpers) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
});

/**
 * Starts `node file role ...args` as a helper process. Its stdout is read
 * line by line (`nextLine()`); its stderr goes to ours. The helper inherits
 * our CPU affinity (taskset) and is killed when we exit.
 */
export function spawnHelper(file, role, args = [], nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, file, role, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  helpers.add(child);
  const lines = [];
  const waiters = [];
  let ended = false;
  const rl = createInterface({ input: child.stdout });
  rl.on('line', (l) => {
    const w = waiters.shift();
    if (w) w.resolve(l);
    else lines.push(l);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiters.splice(0)) w.reject(new Error(`helper ${role} ended without output`));
  });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      helpers.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    child,
    exited,
    nextLine(timeoutMs = 15000) {
      if (lines.length > 0) return Promise.resolve(lines.shift());
      if (ended) return Promise.reject(new Error(`helper ${role} ended without output`));
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`helper ${role}: no output in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          resolve: (l) => (clearTimeout(t), resolve(l)),
          reject: (e) => (clearTimeout(t), reject(e)),
        });
      });
    },
    kill() {
      try {
        child.kill('SIGKILL');
      } catch {}
    },
  };
}

/** Runs `main`, prints its result, and exits (killing helpers); errors exit 1. */
export function run(main) {
  main().then(
    (result) => {
      if (result !== undefined) emit(result);
      process.exit(0);
    },
    (err) => {
      console.error(err && err.stack ? err.stack : err);
      process.exit(1);
    },
  );
}

/** A unique Unix socket path in the temp dir. */
export function unixPath(tag) {
  return `${TMP}/${tag}-${process.pid}-${Math.floor(Math.random() * 1e6)}.sock`;
}

// --- the floor's parts --------------------------------------------------------
//
// The `floor` implementations use bsdsock's internals directly: the addon's
// raw calls (a result or a negative errno, no checks) and its readiness.

const requireHere = createRequire(import.meta.url);

/** The addon's raw bindings, with `constants` and `errnos`. */
export function rawAddon() {
  return requireHere('../../../dist/cjs/native.js').binding;
}

/** The addon's form of `address` for connect/bind on a socket of `family`. */
export function rawAddress(family, address) {
  return requireHere('../../../dist/cjs/address.js').toNativeAddress(family, address, 'connect');
}

/**
 * Starts the addon's readiness for this process (so nothing else in it may
 * use the async twins) with one handler per descriptor: `wait` asks for one
 * delivery of `events` (1 readable, 2 writable) to `handler`; `forget` takes
 * a descriptor out of the poll set before it is closed, as a Socket's
 * close does.
 */
export function floorReadiness(binding) {
  const handlers = new Map();
  let delivered = null;
  const ready = binding.readiness_start((count) => {
    for (let i = 0; i < count; i++) handlers.get(delivered[2 * i])?.(delivered[2 * i + 1]);
  }, 'uv');
  if (typeof ready === 'number') throw new Error(`readiness_start: errno ${-ready}`);
  delivered = new Int32Array(ready);
  return {
    wait(fd, events, handler) {
      handlers.set(fd, handler);
      binding.readiness_watch(fd, events);
    },
    forget(fd) {
      handlers.delete(fd);
      binding.disown(fd);
    },
  };
}
