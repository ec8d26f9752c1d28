// The `bsdsock` command line: help, usage errors, one-line errors with the
// errno name, and `connect`/`listen` relaying over every family they speak
// (TCP v4/v6, UDP, AF_UNIX stream/datagram/seqpacket, paths and abstract
// names), each end a subprocess; compared with socat where it is installed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as socket from 'bsdsock';
import { has, hasLoopback6, jsonLines, linux, namespace, namespacesLeftBehind, root, run, start, whyNoNamespace } from './fixtures/cli.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';
import { scratchDir } from './support/scratch.mjs';

const COMMANDS = ['connect', 'listen', 'send', 'recv', 'ping', 'resolve', 'ifaces', 'capture'];
const noLinux = !linux && 'Linux only (abstract names, seqpacket, netlink, AF_PACKET)';
const noSocat = !has('socat', ['-V']) && 'socat is not installed';
const noIPv6 = !hasLoopback6() && 'no ::1 here';
const dir = scratchDir(`bsdsock-cli-${process.pid}-`);
const unique = (name) => `bsdsock-cli-${process.pid}-${name}`;

/** A TCP port on 127.0.0.1 that refuses connections: bound, never listening, kept until the test ends. */
function refusingPort(t) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.bind(['127.0.0.1', 0]);
  t.after(() => s.close());
  return s.getsockname()[1];
}

describe('bsdsock: help and errors', { concurrency: 3 }, () => {
  test('--help lists every command; no command is a usage error (2)', async () => {
    const help = await run(['--help']);
    assert.equal(help.status, 0);
    for (const c of COMMANDS) assert.match(help.stdout.toString(), new RegExp(`^  ${c} +\\S`, 'm'));
    const none = await run([]);
    assert.equal(none.status, 2);
    assert.equal(none.stdout.toString(), help.stdout.toString());
    const version = await run(['--version']);
    assert.equal(version.stdout.toString(), `bsdsock ${JSON.parse(readFileSync(join(root, 'package.json'))).version}\n`);
  });

  test('every command has --help (and help COMMAND), mentions --json, exits 0', async () => {
    const results = await Promise.all(COMMANDS.map((c) => run([c, '--help'])));
    COMMANDS.forEach((c, i) => {
      const r = results[i];
      assert.equal(r.status, 0, c);
      assert.match(r.stdout.toString(), new RegExp(`^Usage: bsdsock ${c} \\[options\\]`), c);
      assert.match(r.stdout.toString(), /--json/, c);
    });
    assert.equal((await run(['help', 'ping'])).stdout.toString(), results[COMMANDS.indexOf('ping')].stdout.toString());
  });

  test('usage mistakes: one line on stderr, status 2', async () => {
    const cases = [
      [['frobnicate'], "bsdsock: no command 'frobnicate' (try 'bsdsock --help')\n"],
      [['connect'], "bsdsock connect: missing ADDR (see 'bsdsock connect --help')\n"],
      [['connect', '--bogus', 'x:1'], "bsdsock connect: Unknown option '--bogus' (see 'bsdsock connect --help')\n"],
      [['connect', '::1:80'], "bsdsock connect: '::1:80': write an IPv6 address in brackets, [::1]:80 (see 'bsdsock connect --help')\n"],
      [['connect', 'unix:'], "bsdsock connect: 'unix:' names no path (see 'bsdsock connect --help')\n"],
      [['connect', 'localhost'], "bsdsock connect: 'localhost' is not an address (HOST:PORT, udp:HOST:PORT, unix:PATH, ...) (see 'bsdsock connect --help')\n"],
      [['connect', '-t', 'soon', '127.0.0.1:1'], "bsdsock connect: --timeout must be a number (got 'soon') (see 'bsdsock connect --help')\n"],
      [['listen', 'a:1', 'b:2'], "bsdsock listen: unexpected argument 'b:2' (see 'bsdsock listen --help')\n"],
      [['send', 'f', 'unix-dgram:/x'], "bsdsock send: 'unix-dgram:/x' is not a stream socket (HOST:PORT or unix:PATH) (see 'bsdsock send --help')\n"],
      [['ping', '-c', '0', '127.0.0.1'], "bsdsock ping: --count must be at least 1 (got 0) (see 'bsdsock ping --help')\n"],
      [['resolve', 'localhost', '-t', 'bogus'], "bsdsock resolve: --type: no SOCK_* constant 'bogus' (see 'bsdsock resolve --help')\n"],
      [['capture', 'lo', '-p', 'sctp'], "bsdsock capture: --proto: 'sctp' is none of tcp, udp, icmp, icmp6, arp, ip, ip6 (see 'bsdsock capture --help')\n"],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    cases.forEach(([args, stderr], i) => {
      const r = results[i];
      assert.deepEqual([r.status, r.stderr, r.stdout.length], [2, stderr, 0], args.join(' '));
    });
  });

  test('a refused connection: one line with the class and errno name, status 1, no stack', async (t) => {
    const port = refusingPort(t);
    const r = await run(['connect', `127.0.0.1:${port}`]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `bsdsock: connect 127.0.0.1:${port}: ConnectionRefusedError [ECONNREFUSED]\n`);
    const json = await run(['connect', '--json', `127.0.0.1:${port}`]);
    assert.deepEqual([json.status, json.stderr, json.stdout.length], [1, r.stderr, 0]);
  });

  test('other failures name their errno the same way', { skip: noLinux }, async () => {
    const missing = join(dir, 'missing.sock');
    const r = await run(['connect', `unix:${missing}`]);
    assert.deepEqual([r.status, r.stderr], [1, `bsdsock: connect unix:${missing}: FileNotFoundError [ENOENT]\n`]);
    const timedOut = await run(['listen', '-t', '0.2', '127.0.0.1:0']);
    assert.deepEqual([timedOut.status, timedOut.stderr], [1, 'bsdsock: accept 127.0.0.1:0: TimeoutError [ETIMEDOUT]\n']);
    // A name that is never looked up on the network: AI_NUMERICHOST.
    const gai = await run(['resolve', '-F', 'numerichost', 'not-a-number']);
    assert.deepEqual([gai.status, gai.stderr], [1, 'bsdsock: resolve not-a-number: gaierror [EAI_NONAME]\n']);
  });

  test('the command uses only the public entry of bsdsock (src/cli imports ../index, node: and its own files)', () => {
    const cli = join(root, 'src', 'cli');
    for (const file of readdirSync(cli)) {
      const text = readFileSync(join(cli, file), 'utf8');
      for (const [, from] of text.matchAll(/^import .* from '([^']+)';$/gm)) {
        assert.ok(from === '../index' || from.startsWith('node:') || /^\.\/[\w-]+$/.test(from), `${file} imports ${from}`);
      }
    }
  });

  test('a closed stdout ends the command quietly', async () => {
    const child = start(['--help']);
    child.child.stdout.destroy();
    const r = await child.done;
    assert.equal(r.stderr, '');
  });
});

/**
 * Runs `listen --json ADDR` with `serverInput` and `connect` to the address
 * it reports with `clientInput`. Returns both results and the listener's events.
 */
async function exchange(listenAddr, connectAddr, serverInput, clientInput, { listenArgs = [], connectArgs = [] } = {}) {
  const server = start(['listen', '--json', ...listenArgs, listenAddr], { input: serverInput });
  const listening = await server.event('listening');
  const target = connectAddr(listening.address);
  const client = await run(['connect', ...connectArgs, target], { input: clientInput });
  const served = await server.done;
  return { listening, client, served, events: jsonLines(served.stdout) };
}

const received = (events) => Buffer.concat(events.filter((e) => e.event === 'data').map((e) => Buffer.from(e.base64, 'base64'))).toString();

describe('bsdsock connect / listen', { concurrency: 4 }, () => {
  const streams = [
    ['TCP over IPv4', '127.0.0.1:0', (a) => a, false],
    ['TCP over IPv6', '[::1]:0', (a) => a, noIPv6],
    ['AF_UNIX stream, a path', `unix:${join(dir, 'stream.sock')}`, (a) => `unix:${a}`, false],
    ['AF_UNIX stream, an abstract name', `unix:@${unique('stream')}`, (a) => `unix:${a}`, noLinux],
    ['AF_UNIX seqpacket, a path', `seqpacket:${join(dir, 'seq.sock')}`, (a) => `seqpacket:${a}`, noLinux],
    ['AF_UNIX seqpacket, an abstract name', `seqpacket:@${unique('seq')}`, (a) => `seqpacket:${a}`, noLinux],
  ];
  for (const [name, listenAddr, connectAddr, skip] of streams) {
    test(`${name}: both directions, half-close at stdin's end, both end at EOF`, { skip }, async () => {
      const { listening, client, served, events } = await exchange(listenAddr, connectAddr, 'from the listener\n', 'from the client\n');
      assert.equal(client.status, 0, client.stderr);
      assert.equal(client.stdout.toString(), 'from the listener\n');
      assert.equal(client.stderr, '');
      assert.equal(served.status, 0, served.stderr);
      assert.equal(received(events), 'from the client\n');
      assert.deepEqual(events.at(-1), { event: 'closed', peer: events[1].peer, sent: 18, received: 16, end: 'eof' });
      if (listenAddr.includes(':0')) assert.match(listening.address, /:\d+$/);
      else assert.equal(listening.address, listenAddr.slice(listenAddr.indexOf(':') + 1));
    });
  }

  test('a socket file made by listen is gone afterwards, also after SIGTERM or SIGINT', { skip: noLinux || nodeOnly('signalExit', ['deno']) }, async () => {
    for (const [signal, status] of [['SIGTERM', 143], ['SIGINT', 130]]) {
      const path = join(dir, `${signal}.sock`);
      const server = start(['listen', '--json', `unix:${path}`], { input: null });
      await server.event('listening');
      assert.ok(existsSync(path));
      server.child.kill(signal);
      const r = await server.done;
      assert.deepEqual([r.status, r.stderr], [status, ''], signal);
      assert.equal(existsSync(path), false);
    }
  });

  test(':PORT listens on every address; tcp4: and tcp6: pick the family', async () => {
    const words = [[':0', /^0\.0\.0\.0:\d+$/, '127.0.0.1']];
    words.push(['tcp4::0', /^0\.0\.0\.0:\d+$/, '127.0.0.1']);
    if (!noIPv6) words.push(['tcp6::0', /^\[::\]:\d+$/, '[::1]']);
    for (const [word, pattern, host] of words) {
      const server = start(['listen', '--json', word], { input: 'ok\n' });
      const { address, family } = await server.event('listening');
      assert.match(address, pattern, word);
      assert.equal(family, word.startsWith('tcp6') ? 'AF_INET6' : 'AF_INET');
      const client = await run(['connect', `${host}:${address.split(':').at(-1)}`], { input: '' });
      assert.equal(client.stdout.toString(), 'ok\n');
      assert.equal((await server.done).status, 0);
    }
  });

  test('--timeout bounds connecting: a SYN that nobody answers (a veth pair in a namespace, its peer down)', { skip: whyNoNamespace() }, async (t) => {
    const ns = namespace(t, 'timeout');
    ns.sh('ip link add v0 type veth peer name v1 && ip addr add 10.99.0.1/24 dev v0 && ip link set v0 up');
    const r = await run(['connect', '-t', '0.3', '10.99.0.2:80'], { prefix: ns.prefix });
    assert.deepEqual([r.status, r.stderr], [1, 'bsdsock: connect 10.99.0.2:80: TimeoutError [ETIMEDOUT]\n']);
  });

  const datagrams = [
    ['UDP over IPv4', 'udp:127.0.0.1:0', (a) => `udp:${a}`, false],
    ['UDP over IPv6', 'udp:[::1]:0', (a) => `udp:${a}`, noIPv6],
    ['AF_UNIX datagram, a path', `unix-dgram:${join(dir, 'dgram.sock')}`, (a) => `unix-dgram:${a}`, noLinux],
    ['AF_UNIX datagram, an abstract name', `unix-dgram:@${unique('dgram')}`, (a) => `unix-dgram:${a}`, noLinux],
  ];
  for (const [name, listenAddr, connectAddr, skip] of datagrams) {
    test(`${name}: the listener answers the first sender; both end when idle`, { skip }, async () => {
      // The listener's --timeout also bounds its wait for the first datagram: room for a slow start.
      const { client, served, events } = await exchange(listenAddr, connectAddr, 'answer\n', 'question\n', {
        listenArgs: ['-t', '5'],
        connectArgs: ['--json', '-t', '3'],
      });
      assert.equal(served.status, 0, served.stderr);
      assert.equal(received(events), 'question\n');
      assert.equal(events.at(-1).event, 'closed');
      assert.equal(events.at(-1).end, 'idle');
      assert.equal(client.status, 0, client.stderr);
      const clientEvents = jsonLines(client.stdout);
      assert.equal(clientEvents[0].event, 'connected');
      assert.equal(received(clientEvents), 'answer\n');
      // Each datagram names its sender: the listener's address.
      assert.equal(clientEvents[1].from, clientEvents[0].peer);
      assert.deepEqual(clientEvents.at(-1), { event: 'closed', sent: 9, received: 7, end: 'idle' });
    });
  }

  test('--keep accepts again, stdin goes to the first connection; ends when no connection came for --timeout', async () => {
    // -t: long enough for the second client to start on a loaded machine
    // (1.5 s was not, once, with the suite running beside three others).
    const server = start(['listen', '--json', '--keep', '-t', '4', '127.0.0.1:0'], { input: 'only once\n' });
    const { address } = await server.event('listening');
    const first = await run(['connect', address], { input: 'one\n' });
    const second = await run(['connect', address], { input: 'two\n' });
    const served = await server.done;
    assert.equal(served.status, 0, served.stderr);
    assert.equal(first.stdout.toString(), 'only once\n');
    assert.equal(second.stdout.toString(), '');
    const events = jsonLines(served.stdout);
    assert.deepEqual(events.map((e) => e.event), ['listening', 'accepted', 'data', 'closed', 'accepted', 'data', 'closed']);
    assert.equal(received(events), 'one\ntwo\n');
  });

  test('--timeout ends an idle connection (status 0, end "idle"); the peer then sees EOF', async () => {
    const server = start(['listen', '--json', '127.0.0.1:0'], { input: null });
    const { address } = await server.event('listening');
    const client = await run(['connect', '--json', '-t', '0.3', address], { input: null });
    assert.equal(client.status, 0, client.stderr);
    assert.deepEqual(jsonLines(client.stdout).at(-1), { event: 'closed', sent: 0, received: 0, end: 'idle' });
    // The listener's stdin stays open: it ends once stdin is quiet for a moment after the EOF.
    const served = await server.done;
    assert.equal(served.status, 0, served.stderr);
    assert.deepEqual(jsonLines(served.stdout).at(-1), { event: 'closed', peer: jsonLines(served.stdout)[1].peer, sent: 0, received: 0, end: 'eof' });
  });

  test("after the peer's EOF, the rest of stdin is still sent (the peer only half-closed)", async () => {
    // The listener's stdin ends at once: it half-closes before the client has read its own stdin.
    // (Less than a pipe's buffer, so all of it waits in the pipe: the 0.5 s linger is not at stake.)
    const big = 'x'.repeat(60000) + '\n';
    for (let i = 0; i < 3; i++) {
      const { client, served, events } = await exchange('127.0.0.1:0', (a) => a, '', big);
      assert.equal(client.status, 0, client.stderr);
      assert.equal(served.status, 0, served.stderr);
      assert.equal(received(events).length, big.length);
    }
  });

  test('-v says what happened on stderr, and stdout carries only the data', async () => {
    const server = start(['listen', '-v', '127.0.0.1:0'], { input: 'hi\n' });
    const [, address] = await server.stderrMatch(/listening on (\S+) \(SOCK_STREAM\)/);
    const client = await run(['connect', '-v', address], { input: 'ho\n' });
    const served = await server.done;
    assert.equal(served.stdout.toString(), 'ho\n');
    assert.match(served.stderr, /^bsdsock: listening on 127\.0\.0\.1:\d+ \(SOCK_STREAM\)\nbsdsock: connection from 127\.0\.0\.1:\d+\nbsdsock: closed 127\.0\.0\.1:\d+ \(eof\): sent 3 bytes, received 3\n$/);
    assert.match(client.stderr, /^bsdsock: connected to 127\.0\.0\.1:\d+ from 127\.0\.0\.1:\d+\nbsdsock: closed \(eof\): sent 3 bytes, received 3\n$/);
  });
});

describe('bsdsock connect / listen against socat', { skip: noSocat }, () => {
  test('connect to socat (TCP, unix path, abstract name): data both ways, half-close reaches socat', async () => {
    for (const [listenWord, connectWord] of [
      [`TCP-LISTEN:0`, null],
      [`UNIX-LISTEN:${join(dir, 'socat.sock')}`, `unix:${join(dir, 'socat.sock')}`],
      [`ABSTRACT-LISTEN:${unique('socat')}`, `unix:@${unique('socat')}`],
    ]) {
      // socat echoes upper-cased what it gets, and answers only after our EOF (tr reads to its end).
      let target = connectWord;
      let port = null;
      if (target === null) {
        const probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
        probe.bind(['127.0.0.1', 0]);
        port = probe.getsockname()[1];
        probe.close();
        target = `127.0.0.1:${port}`;
      }
      const word = port === null ? listenWord : `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`;
      const server = start(['socat', word, 'SYSTEM:tr a-z A-Z'], { tool: true, input: null });
      let client;
      for (let i = 0; i < 50; i++) {
        client = await run(['connect', target], { input: 'hello socat\n' });
        if (client.status === 0) break;
        await new Promise((r) => setTimeout(r, 100)); // socat is still starting
      }
      assert.equal(client.status, 0, client.stderr);
      assert.equal(client.stdout.toString(), 'HELLO SOCAT\n');
      assert.equal((await server.done).status, 0);
    }
  });

  test('socat connects to listen (TCP and UDP): the same bytes as socat to socat', async () => {
    for (const [listenAddr, socatWord] of [
      ['127.0.0.1:0', (a) => `TCP:${a}`],
      ['unix:@' + unique('socat2'), (a) => `ABSTRACT-CONNECT:${a.slice(1)}`],
    ]) {
      const server = start(['listen', '--json', listenAddr], { input: 'to socat\n' });
      const { address } = await server.event('listening');
      const client = start(['socat', '-', socatWord(address)], { tool: true, input: 'to bsdsock\n' });
      const c = await client.done;
      const s = await server.done;
      assert.equal(c.status, 0, c.stderr);
      assert.equal(c.stdout.toString(), 'to socat\n');
      assert.equal(received(jsonLines(s.stdout)), 'to bsdsock\n');
    }
  });
});

test('every network namespace these tests made is gone', { skip: whyNoNamespace() }, () => {
  assert.deepEqual(namespacesLeftBehind(), []);
});
