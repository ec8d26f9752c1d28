// A seeded random-argument sweep: every exported function and every Socket
// method (async twins included) called with hostile arguments. It fails on a
// crash (the sweep runs in a child process; its exit status and signal are
// checked), on a hang (each async call has a deadline, each sync call runs on
// a socket with a short timeout and is timed, and the child as a whole has a
// deadline), and on any error that is not a TypeError, a RangeError or an
// OSError subclass.
//
//   BSDSOCK_FUZZ_SEED=<n>     replay a run (the seed is printed on failure)
//   BSDSOCK_FUZZ_SECONDS=<s>  time budget (default 20)
//
// Safety: the child runs in a network namespace of its own where one is
// available (`unshare --net --uts`, root): only its own loopback exists, and
// its hostname is its own. Whatever the namespace, every host a call could
// look up or send to is filtered to loopback and localhost (HOST_SAFE), file
// descriptors given to calls that would adopt, close or read them are the
// sweep's own, and AF_VSOCK sockets are never connected or sent on (the
// sweep's target sockets are AF_INET, AF_INET6 and AF_UNIX only).
// Not called, and why:
// - methods whose name starts with `_`: internal hooks, not API (`_adopt`
//   takes over any descriptor).
// - `sethostname` outside a namespace of its own: it renames the machine.
// - `getfqdn`/`getfqdnAsync` with no argument outside a namespace: they look
//   up this machine's name, which may not be in /etc/hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = process.env.BSDSOCK_FUZZ_CHILD === '1';

if (!CHILD) {
  test('random arguments to every function and method: no crash, no hang, only TypeError, RangeError or OSError', (t) => {
    const seed = process.env.BSDSOCK_FUZZ_SEED ?? String(Date.now() % 2 ** 31);
    const seconds = Number(process.env.BSDSOCK_FUZZ_SECONDS ?? 20);
    const self = fileURLToPath(import.meta.url);
    const env = { ...process.env, BSDSOCK_FUZZ_CHILD: '1', BSDSOCK_FUZZ_SEED: seed, BSDSOCK_FUZZ_SECONDS: String(seconds) };
    const nodeArgs = ['--no-warnings', '--expose-gc', self];
    const netns = process.platform === 'linux' && spawnSync('unshare', ['--net', '--uts', 'true']).status === 0;
    const [cmd, args] = netns
      ? ['unshare', ['--net', '--uts', 'sh', '-c', 'ip link set lo up 2>/dev/null; exec "$0" "$@"', process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
    env.BSDSOCK_FUZZ_NETNS = netns ? '1' : '0';
    // The child starts in an empty directory of its own, which must still be
    // empty at the end: no socket file left behind by a relative AF_UNIX name.
    const startDir = mkdtempSync(join(tmpdir(), 'bsdsock-fuzz-cwd-'));
    const r = spawnSync(cmd, args, { cwd: startDir, env, encoding: 'utf8', timeout: (seconds + 60) * 1000, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = r.stdout.split('\n').filter(Boolean);
    const last = lines.filter((l) => l.startsWith('>')).at(-1);
    const bad = lines.filter((l) => l.startsWith('BAD '));
    const done = lines.find((l) => l.startsWith('DONE '));
    const where = `seed ${seed} (replay: BSDSOCK_FUZZ_SEED=${seed} node --test test/fuzz-arguments.test.mjs)`;
    assert.equal(r.signal, null, `the sweep child died of ${r.signal}, ${where}; last call: ${last}\n${r.stderr.slice(-4000)}`);
    assert.deepEqual(bad, [], `${where}`);
    assert.equal(r.status, 0, `the sweep child exited with ${r.status}, ${where}; last call: ${last}\n${r.stderr.slice(-4000)}`);
    assert.ok(done, `no summary, ${where}`);
    const leftBehind = readdirSync(startDir);
    rmSync(startDir, { recursive: true, force: true });
    assert.deepEqual(leftBehind, [], `files left in the working directory, ${where}`);
    const summary = JSON.parse(done.slice(5));
    t.diagnostic(`seed ${seed}: ${summary.calls} calls (${summary.asyncCalls} async) in ${summary.seconds} s, own network namespace: ${netns}`);
    assert.ok(summary.calls > 0);
  });
} else {
  await sweep();
}

async function sweep() {
  const require = createRequire(import.meta.url);
  const socket = require('../dist/cjs/index.js');
  const seed = Number(process.env.BSDSOCK_FUZZ_SEED);
  const budgetMs = Number(process.env.BSDSOCK_FUZZ_SECONDS) * 1000;
  const inNetns = process.env.BSDSOCK_FUZZ_NETNS === '1';
  const SYNC_LIMIT_MS = 5000;
  const ASYNC_LIMIT_MS = 5000;

  // mulberry32: a small seeded generator, so a seed replays a run.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (list) => list[Math.floor(random() * list.length)];
  const out = (line) => process.stdout.write(line + '\n');

  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-fuzz-'));
  // Strings such as 'localhost' are valid AF_UNIX names relative to the
  // working directory: bound there, they would leave socket files behind.
  process.chdir(dir);
  const filePath = join(dir, 'file');
  writeFileSync(filePath, Buffer.alloc(1 << 16, 7));
  const fileFd = openSync(filePath, 'r');
  let pathCount = 0;

  class Probe extends Error {}
  const throwing = () => {
    throw new Probe('a getter of the sweep');
  };

  // The targets: one live socket of each kind, remade when a call closes
  // or detaches it.
  const listener = socket.create_server(['127.0.0.1', 0]);
  const listenAddr = listener.getsockname();
  const udpPeer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  udpPeer.bind(['127.0.0.1', 0]);
  const udpAddr = udpPeer.getsockname();
  const kinds = {
    tcp: () => {
      const s = socket.create_connection(listenAddr);
      listener.settimeout(1);
      try {
        listener.accept()[0].close();
      } catch {}
      return s;
    },
    tcpFresh: () => socket.socket(socket.AF_INET, socket.SOCK_STREAM),
    listening: () => {
      const s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM);
      s.bind(['::1', 0]);
      s.listen();
      return s;
    },
    udp: () => {
      const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      s.connect(udpAddr);
      return s;
    },
    udp6: () => socket.socket(socket.AF_INET6, socket.SOCK_DGRAM),
    unixStream: () => socket.socketpair()[0],
    unixDgram: () => socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)[0],
  };
  const live = {};
  const target = (kind) => {
    let s = live[kind];
    if (!s || s.fileno() === -1) {
      s = kinds[kind]();
      live[kind] = s;
    }
    s.settimeout(0.05);
    return s;
  };
  /** A descriptor the sweep owns and may lose: a fresh socket's. */
  const victimFd = () => socket.socket(socket.AF_INET, socket.SOCK_DGRAM).detach();

  // Values, each made fresh (calls may detach or resize them) with a label
  // for the report.
  const detachedBuffer = () => {
    const ab = new ArrayBuffer(8);
    structuredClone(ab, { transfer: [ab] });
    return ab;
  };
  const viewOfDetached = () => {
    const ab = new ArrayBuffer(8);
    const v = new Uint8Array(ab);
    structuredClone(ab, { transfer: [ab] });
    return v;
  };
  const resizable = () => new ArrayBuffer(8, { maxByteLength: 64 });
  const shrunkView = () => {
    const ab = new ArrayBuffer(16, { maxByteLength: 64 });
    const v = new Uint8Array(ab, 4, 8);
    ab.resize(2);
    return v;
  };
  const trackingView = () => new Uint8Array(new ArrayBuffer(8, { maxByteLength: 64 }));
  const proxyThrowing = () =>
    new Proxy({}, { get: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, getPrototypeOf: throwing });
  const proxyArray = (inner) => new Proxy(inner, {});
  const getterObject = () => Object.defineProperty({}, 'signal', { get: throwing, enumerable: true });
  const getterArray = () => Object.defineProperty([0, 0], 0, { get: throwing });
  const valueOfThrowing = () => ({ valueOf: throwing, toString: throwing, [Symbol.toPrimitive]: throwing });
  const iterThrowing = () => ({ [Symbol.iterator]: throwing });
  const VALUES = [
    ['undefined', () => undefined],
    ['null', () => null],
    ['true', () => true],
    ['false', () => false],
    ['NaN', () => NaN],
    ['Infinity', () => Infinity],
    ['-Infinity', () => -Infinity],
    ['0', () => 0],
    ['-0', () => -0],
    ['1', () => 1],
    ['-1', () => -1],
    ['2', () => 2],
    ['0.5', () => 0.5],
    ['65535', () => 65535],
    ['65536', () => 65536],
    ['2**31', () => 2 ** 31],
    ['-(2**31)-1', () => -(2 ** 31) - 1],
    ['2**32', () => 2 ** 32],
    ['2**53', () => 2 ** 53],
    ['2**64', () => 2 ** 64],
    ['1e308', () => 1e308],
    ['-1e308', () => -1e308],
    ['0n', () => 0n],
    ['1n', () => 1n],
    ['-1n', () => -1n],
    ['2n**64n', () => 2n ** 64n],
    ['-(2n**63n)', () => -(2n ** 63n)],
    ["''", () => ''],
    ["'localhost'", () => 'localhost'],
    ["'127.0.0.1'", () => '127.0.0.1'],
    ["'::1'", () => '::1'],
    ["'a\\0b'", () => 'a\0b'],
    ["'\\ud800'", () => '\ud800'],
    ["'x\\udc00'", () => 'x\udc00'],
    ["'x'.repeat(300)", () => 'x'.repeat(300)],
    ["'r'", () => 'r'],
    ["'rwb'", () => 'rwb'],
    ['unix path', () => join(dir, `p${pathCount++}`)],
    ['Symbol()', () => Symbol('fuzz')],
    ['function', () => function fuzz() {}],
    ['Buffer(0)', () => Buffer.alloc(0)],
    ['Buffer(5)', () => Buffer.from('hello')],
    ['Buffer(70000)', () => Buffer.alloc(70000)],
    ['Uint8Array(3)', () => new Uint8Array(3)],
    ['Float64Array(2)', () => new Float64Array(2)],
    ['Int32Array(2)', () => new Int32Array(2)],
    ['DataView(4)', () => new DataView(new ArrayBuffer(4))],
    ['ArrayBuffer(4)', () => new ArrayBuffer(4)],
    ['detached ArrayBuffer', detachedBuffer],
    ['view of a detached ArrayBuffer', viewOfDetached],
    ['resizable ArrayBuffer', resizable],
    ['length-tracking view', trackingView],
    ['out-of-bounds view of a shrunk ArrayBuffer', shrunkView],
    ['SharedArrayBuffer(8)', () => new SharedArrayBuffer(8)],
    ['Uint8Array on a SharedArrayBuffer', () => new Uint8Array(new SharedArrayBuffer(8))],
    ['[]', () => []],
    ['[Buffer(1)]', () => [Buffer.from('a')]],
    ['[Buffer, detached]', () => [Buffer.from('a'), viewOfDetached()]],
    ["['127.0.0.1', 0]", () => ['127.0.0.1', 0]],
    ['udp peer address', () => [...udpAddr]],
    ['listener address', () => [...listenAddr]],
    ["['::1', 0, 0, 0]", () => ['::1', 0, 0, 0]],
    ["['localhost', 65536]", () => ['localhost', 65536]],
    ['[null]', () => [null]],
    ['[[]]', () => [[]]],
    ['[[1, 2, Buffer]]', () => [[1, 2, Buffer.from('x')]]],
    ['[1, 2, 3]', () => [1, 2, 3]],
    ['sparse array', () => [, , 1]], // eslint-disable-line no-sparse-arrays
    ['100,000 zeros', () => new Array(100000).fill(0)],
    ['5,000 Buffers', () => Array.from({ length: 5000 }, () => Buffer.alloc(1))],
    ['3,000 messages', () => Array.from({ length: 3000 }, () => [Buffer.from('m'), [...udpAddr]])],
    ['1,000 fds', () => new Array(1000).fill(fileFd)],
    ['Set of Buffers', () => new Set([Buffer.from('s')])],
    ['{}', () => ({})],
    ['Object.create(null)', () => Object.create(null)],
    ['{ signal: undefined }', () => ({ signal: undefined })],
    ['{ signal: {} }', () => ({ signal: {} })],
    ['{ signal: aborted }', () => ({ signal: AbortSignal.abort() })],
    ['an aborted AbortSignal', () => AbortSignal.abort()],
    ['{ family: 2, backlog: -1 }', () => ({ family: 2, backlog: -1 })],
    ['{ all_errors: true }', () => ({ all_errors: true })],
    ['{ fd: file }', () => ({ fd: fileFd })],
    ['file fd', () => fileFd],
    ['Proxy that throws', proxyThrowing],
    ['Proxy of an address', () => proxyArray(['127.0.0.1', 0])],
    ['Proxy of [Buffer]', () => proxyArray([Buffer.from('p')])],
    ['object with a throwing getter', getterObject],
    ['array with a throwing element', getterArray],
    ['throwing valueOf/toString', valueOfThrowing],
    ['throwing iterator', iterThrowing],
    ['a Promise', () => Promise.resolve(1)],
    ['a Date', () => new Date(0)],
    ['another socket', () => target('unixDgram')],
  ];

  // Where a host name or an address goes: strings other than these are
  // replaced, so nothing but loopback and localhost is ever looked up.
  const HOST_SAFE = new Set(['localhost', '127.0.0.1', '::1', '0', '127.1', '::ffff:127.0.0.1']);
  const safeHost = (v) => {
    if (typeof v === 'string') return HOST_SAFE.has(v) ? v : 'localhost';
    if (!inNetns && v !== null && (typeof v === 'object' || typeof v === 'function')) return 'localhost';
    return v;
  };
  // The host of an address array is replaced in place (the array is the
  // sweep's own, made for this call); a getter there throws a Probe and
  // never yields a host.
  const safeAddress = (v) => {
    if (!Array.isArray(v)) return safeHost(v);
    const d = Object.getOwnPropertyDescriptor(v, 0);
    if (d && 'value' in d) v[0] = safeHost(d.value);
    return v;
  };
  // Descriptors: only the sweep's own, or numbers that are no descriptor.
  const FD_SAFE = [-1, -(2 ** 31), 2 ** 31, 1e10, 1.5, NaN];
  const safeFd = (v, own) => (typeof v === 'number' || typeof v === 'bigint' ? (random() < 0.5 ? own() : pick(FD_SAFE)) : v);

  const C = socket;
  // Tables by name, without Object.prototype's names in them.
  const table = (entries) => Object.assign(Object.create(null), entries);
  // Plausible arguments per name, so that random values reach past the
  // first argument; `sock` is the target for methods.
  const plausible = table({
    bind: () => [['127.0.0.1', 0]],
    connect: () => [[...listenAddr]],
    connect_ex: () => [[...listenAddr]],
    listen: () => [5],
    recv: () => [100, 0],
    recv_into: () => [Buffer.alloc(10), 5, 0],
    recvfrom: () => [100, 0],
    recvfrom_into: () => [Buffer.alloc(10), 5, 0],
    send: () => [Buffer.from('x'), 0],
    sendall: () => [Buffer.from('x'), 0],
    sendto: () => [Buffer.from('x'), 0, [...udpAddr]],
    getsockopt: () => [C.SOL_SOCKET, C.SO_LINGER, 8],
    setsockopt: () => [C.SOL_SOCKET, C.SO_RCVBUF, 4096],
    shutdown: () => [C.SHUT_WR],
    settimeout: () => [0.05],
    setblocking: () => [false],
    set_inheritable: () => [false],
    sendmsg: () => [[Buffer.from('a'), Buffer.from('b')], [], 0, [...udpAddr]],
    recvmsg: () => [100, 64, 0],
    recvmsg_into: () => [[Buffer.alloc(4), Buffer.alloc(4)], 64, 0],
    recvmmsg: () => [4, 100, 0],
    recvmmsg_into: () => [[Buffer.alloc(4), Buffer.alloc(4)], 0],
    sendmmsg: () => [[[Buffer.from('m'), [...udpAddr]]], 0],
    sendmsg_afalg: () => [[Buffer.from('x')], {}],
    sendfile: () => [fileFd, 0, 100],
    makefile: () => ['rwb', 0],
    toDuplex: () => [{}],
    readableWebStream: () => [{}],
    writableWebStream: () => [{}],
    toNetSocket: () => [{}],
    socket: () => [C.AF_INET, C.SOCK_DGRAM, 0],
    Socket: () => [C.AF_INET, C.SOCK_DGRAM, 0],
    SocketType: () => [C.AF_INET, C.SOCK_DGRAM, 0],
    socketpair: () => [C.AF_UNIX, C.SOCK_STREAM, 0],
    fromfd: () => [victimFd(), C.AF_INET, C.SOCK_DGRAM],
    dup: () => [victimFd()],
    close: () => [victimFd()],
    create_connection: () => [[...listenAddr], 0.5],
    create_server: () => [['127.0.0.1', 0]],
    getaddrinfo: () => ['localhost', 80, 0, C.SOCK_STREAM],
    getnameinfo: () => [['127.0.0.1', 80], 0],
    gethostbyname: () => ['localhost'],
    gethostbyname_ex: () => ['localhost'],
    gethostbyaddr: () => ['127.0.0.1'],
    getfqdn: () => ['localhost'],
    sethostname: () => ['fuzz'],
    getprotobyname: () => ['tcp'],
    getservbyname: () => ['http', 'tcp'],
    getservbyport: () => [80, 'tcp'],
    inet_aton: () => ['1.2.3.4'],
    inet_ntoa: () => [Buffer.from([1, 2, 3, 4])],
    inet_pton: () => [C.AF_INET6, '::1'],
    inet_ntop: () => [C.AF_INET, Buffer.from([1, 2, 3, 4])],
    htons: () => [1],
    ntohs: () => [1],
    htonl: () => [1],
    ntohl: () => [1],
    CMSG_LEN: () => [4],
    CMSG_SPACE: () => [4],
    if_nametoindex: () => ['lo'],
    if_indextoname: () => [1],
    send_fds: () => [target('unixStream'), [Buffer.from('x')], [fileFd]],
    recv_fds: () => [target('unixStream'), 10, 2],
    setdefaulttimeout: () => [0.05],
    SocketIO: () => [target('unixStream'), 'rb'],
    SocketDuplex: () => [target('unixStream')],
    fromNetSocket: () => [{}],
    OSError: () => [22, 'Invalid argument'],
    ExceptionGroup: () => ['message', [new Error('x')]],
  });
  const baseName = (name) => (name.endsWith('Async') ? name.slice(0, -5) : name);
  // Which arguments are addresses, hosts or descriptors, by base name.
  const ADDRESS_ARGS = table({
    bind: [0], connect: [0], connect_ex: [0], sendto: [1, 2], sendmsg: [3], create_connection: [0, 2], create_server: [0],
    getnameinfo: [0], send_fds: [4],
  });
  const HOST_ARGS = table({ getaddrinfo: [0], gethostbyname: [0], gethostbyname_ex: [0], gethostbyaddr: [0], getfqdn: [0] });
  const FD_ARGS = table({ socket: [3], Socket: [3], SocketType: [3], fromfd: [0], dup: [0], close: [0], sendfile: [0] });
  const MESSAGE_ARGS = table({ sendmmsg: [0] });

  function makeArgs(name) {
    const base = baseName(name);
    let args;
    if (plausible[base] && random() < 0.7) {
      args = plausible[base]();
      const changes = 1 + Math.floor(random() * 2);
      for (let k = 0; k < changes; k++) {
        const i = Math.floor(random() * (args.length + 1));
        const [label, make] = pick(VALUES);
        args[i] = make();
        args.labels ??= [];
        args.labels[i] = label;
      }
    } else {
      const n = Math.floor(random() * 6);
      args = [];
      args.labels = [];
      for (let i = 0; i < n; i++) {
        const [label, make] = pick(VALUES);
        args.push(make());
        args.labels.push(label);
      }
    }
    if (name.endsWith('Async') && random() < 0.2) {
      args.push({ signal: AbortSignal.timeout(Math.floor(random() * 30)) });
    }
    for (const i of ADDRESS_ARGS[base] ?? []) if (i < args.length) args[i] = safeAddress(args[i]);
    for (const i of HOST_ARGS[base] ?? []) if (i < args.length) args[i] = safeHost(args[i]);
    for (const i of FD_ARGS[base] ?? []) if (i < args.length) args[i] = safeFd(args[i], victimFd);
    // sendmmsg's messages hold addresses: each [data, address] gets a safe
    // host (a getter in the list throws a Probe and yields nothing).
    for (const i of MESSAGE_ARGS[base] ?? []) {
      if (!Array.isArray(args[i])) continue;
      for (let k = 0; k < args[i].length; k++) {
        const d = Object.getOwnPropertyDescriptor(args[i], k);
        if (d && 'value' in d && Array.isArray(d.value) && d.value.length > 1) {
          const m = Object.getOwnPropertyDescriptor(d.value, 1);
          if (m && 'value' in m) d.value[1] = safeAddress(m.value);
        }
      }
    }
    // The descriptors send_fds passes: the sweep's file, whatever the list.
    if (base === 'send_fds' && Array.isArray(args[2])) args[2] = new Array(Math.min(args[2].length, 300)).fill(fileFd);
    return args;
  }

  const describe = (name, args) =>
    `${name}(${args.map((a, i) => args.labels?.[i] ?? (typeof a === 'string' ? JSON.stringify(a) : Array.isArray(a) ? `[${a.length} items]` : typeof a === 'object' && a !== null ? a.constructor?.name ?? 'object' : String(a))).join(', ')})`;

  const allowed = (e) =>
    e instanceof TypeError ||
    e instanceof RangeError ||
    e instanceof socket.OSError ||
    e instanceof Probe ||
    // create_connection's all_errors: Python's ExceptionGroup of OSErrors.
    (e instanceof socket.ExceptionGroup && e.errors.every((x) => x instanceof socket.OSError)) ||
    // An AbortSignal given by the sweep: the signal's reason.
    (e instanceof DOMException && (e.name === 'TimeoutError' || e.name === 'AbortError')) ||
    // A stream made with an aborted signal: Node's own AbortError, as net.Socket's.
    (e instanceof Error && e.name === 'AbortError' && e.code === 'ABORT_ERR');

  /** Closes whatever a call made: sockets, files, descriptors. */
  function release(value, desc, depth = 0) {
    if (depth > 2 || value === null || typeof value !== 'object') return;
    if (value instanceof socket.Socket) {
      if (!Object.values(live).includes(value)) value.close();
      return;
    }
    if (typeof value.destroy === 'function' && typeof value.pipe === 'function') {
      // A stream's errors come as events, later: they are judged as thrown ones.
      value.on('error', (e) => {
        if (!allowed(e)) report(`an 'error' event of the stream ${desc}`, e);
      });
      value.destroy();
      return;
    }
    if (Array.isArray(value)) for (const v of value.slice(0, 16)) release(v, desc, depth + 1);
  }
  const releaseFds = (name, result) => {
    if (baseName(name) === 'dup' && typeof result === 'number' && result >= 0) closeSync(result);
    if (/recv_fds|recvmsg/.test(name) && Array.isArray(result)) {
      const fds = Array.isArray(result[1]) && typeof result[1][0] === 'number' ? result[1] : [];
      for (const fd of fds) if (fd > 2) try { closeSync(fd); } catch {}
    }
  };

  // The callables.
  const moduleFns = Object.entries(socket)
    .filter(([name, v]) => typeof v === 'function')
    .filter(([name]) => inNetns || name !== 'sethostname');
  const methodNames = [];
  for (let p = socket.Socket.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const key of Reflect.ownKeys(p)) {
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (typeof d.value !== 'function' || key === 'constructor') continue;
      if (typeof key === 'string' && key.startsWith('_')) continue;
      methodNames.push(key);
    }
  }
  const KIND_NAMES = Object.keys(kinds);

  const started = Date.now();
  let calls = 0;
  let asyncCalls = 0;
  let bad = 0;
  const outcomes = {};
  const count = (what) => (outcomes[what] = (outcomes[what] ?? 0) + 1);
  const report = (desc, e) => {
    bad++;
    const what = e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack}` : `${typeof e}: ${String(e)}`;
    out(`BAD ${JSON.stringify({ call: desc, error: what })}`);
  };

  while (Date.now() - started < budgetMs && bad < 20) {
    calls++;
    let fn;
    let self;
    let name;
    let ctor = false;
    if (random() < 0.45) {
      [name, fn] = pick(moduleFns);
      ctor = /^[A-Z]/.test(name) && name !== 'CMSG_LEN' && name !== 'CMSG_SPACE';
    } else {
      const key = pick(methodNames);
      const kind = pick(KIND_NAMES);
      self = target(kind);
      fn = socket.Socket.prototype[key];
      name = `${kind}.${String(key)}`;
    }
    const args = makeArgs(typeof name === 'string' && name.includes('.') ? name.split('.')[1] : name);
    if (!inNetns && /getfqdn/.test(name) && (args.length === 0 || args[0] === undefined || args[0] === '')) args[0] = 'localhost';
    const desc = `#${calls} ${ctor ? 'new ' : ''}${describe(name, args)}`;
    out(`> ${desc}`);
    const t0 = Date.now();
    let result;
    let threw = false;
    try {
      result = ctor ? Reflect.construct(fn, args) : Reflect.apply(fn, self, args);
    } catch (e) {
      threw = true;
      count(e?.constructor?.name ?? typeof e);
      if (!allowed(e)) report(desc, e);
    }
    if (Date.now() - t0 > SYNC_LIMIT_MS) report(desc, new Error(`a sync call took ${Date.now() - t0} ms`));
    if (result instanceof Promise) {
      asyncCalls++;
      let timer;
      const deadline = new Promise((resolve) => {
        timer = setTimeout(() => resolve('HANG'), ASYNC_LIMIT_MS);
      });
      try {
        const settled = await Promise.race([result, deadline]);
        if (settled === 'HANG') report(desc, new Error(`the promise did not settle in ${ASYNC_LIMIT_MS} ms`));
        else result = settled;
        count('resolved');
      } catch (e) {
        count(`rejected ${e?.constructor?.name ?? typeof e}`);
        if (!allowed(e)) report(desc, e);
      } finally {
        clearTimeout(timer);
      }
    }
    if (!threw && !(result instanceof Promise)) count('returned');
    try {
      releaseFds(name, result);
      release(result, desc);
    } catch {}
    socket.setdefaulttimeout(null);
    if (calls % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  for (const s of Object.values(live)) s.close();
  listener.close();
  udpPeer.close();
  closeSync(fileFd);
  rmSync(dir, { recursive: true, force: true });
  out(`DONE ${JSON.stringify({ calls, asyncCalls, seconds: ((Date.now() - started) / 1000).toFixed(1), bad, outcomes })}`);
  // Whatever a call left running (a stream, a server) may not keep the
  // child up for long.
  setTimeout(() => process.exit(), 2000).unref();
}
