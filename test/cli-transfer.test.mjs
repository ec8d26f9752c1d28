// bsdsock send / recv: a file over TCP (IPv4, IPv6) and AF_UNIX with
// sendfile, checked byte for byte and by SHA-256; the progress bar only on
// a terminal (a pseudo-terminal made by script(1)); against socat.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, has, hasLoopback6, jsonLines, linux, run, start } from './fixtures/cli.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';
import { scratchDir } from './support/scratch.mjs';

const dir = scratchDir(`bsdsock-cli-transfer-${process.pid}-`);
const noIPv6 = !hasLoopback6() && 'no ::1 here';
const noScript = !has('script', ['--version']) && 'script (util-linux) is not installed: no pseudo-terminal';
const noSocat = !has('socat', ['-V']) && 'socat is not installed';
const noLinux = !linux && 'Linux only (abstract names)';

// 3 MiB and a few bytes: several sendfile chunks, and an odd tail.
const content = randomBytes(3 * 1024 * 1024 + 17);
const source = join(dir, 'source.bin');
writeFileSync(source, content);
const sha256 = createHash('sha256').update(content).digest('hex');

/** Starts `recv -v ... ADDR FILE`, waits until it listens; returns it and the address it took. */
async function receiver(addr, file, args = [], options = {}) {
  const r = start(['recv', '-v', ...args, addr, file], options);
  const [, address] = await r.stderrMatch(/listening on (\S+)/);
  return { r, address };
}

describe('bsdsock send / recv', { concurrency: 3 }, () => {
  for (const [name, listenAddr, connectAddr, skip] of [
    ['TCP over IPv4', '127.0.0.1:0', (a) => a, false],
    ['TCP over IPv6', '[::1]:0', (a) => a, noIPv6],
    ['AF_UNIX, a path', `unix:${join(dir, 'transfer.sock')}`, (a) => `unix:${a}`, false],
    ['AF_UNIX, an abstract name', `unix:@bsdsock-cli-${process.pid}-transfer`, (a) => `unix:${a}`, noLinux],
  ]) {
    test(`${name}: the file arrives whole, both ends report its SHA-256`, { skip }, async () => {
      const target = join(dir, `received-${name.replace(/\W+/g, '-')}.bin`);
      const { r, address } = await receiver(listenAddr, target, ['--json']);
      const sent = await run(['send', '--json', source, connectAddr(address)]);
      const got = await r.done;
      assert.equal(sent.status, 0, sent.stderr);
      assert.equal(got.status, 0, got.stderr);
      assert.ok(readFileSync(target).equals(content));
      const [s] = jsonLines(sent.stdout);
      const [g] = jsonLines(got.stdout);
      assert.deepEqual([s.bytes, s.sha256, g.bytes, g.sha256], [content.length, sha256, content.length, sha256]);
      // Not a terminal: no progress bar; on stderr only where -v said it listens.
      assert.equal(sent.stderr, '');
      assert.equal(got.stderr, `bsdsock: listening on ${address}\n`);
    });
  }

  test('the other way round: send --listen, recv --connect, to stdout', async () => {
    const s = start(['send', '-v', '--listen', source, '127.0.0.1:0']);
    const [, address] = await s.stderrMatch(/listening on (\S+)/);
    const got = await run(['recv', '--connect', address, '-']);
    assert.equal(got.status, 0, got.stderr);
    assert.ok(got.stdout.equals(content));
    const sent = await s.done;
    assert.equal(sent.status, 0, sent.stderr);
    assert.match(sent.stderr, /\nbsdsock: sent 3145745 bytes of .*source\.bin to 127\.0\.0\.1:\d+ in [\d.]+ s\n$/);
  });

  test('an empty file', async () => {
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    const { r, address } = await receiver('127.0.0.1:0', join(dir, 'empty-out.bin'), ['--json', '--size', '0']);
    const sent = await run(['send', '--json', empty, address]);
    const got = await r.done;
    const e3b0 = createHash('sha256').digest('hex');
    assert.deepEqual([sent.status, jsonLines(sent.stdout)[0].sha256, got.status, jsonLines(got.stdout)[0].bytes], [0, e3b0, 0, 0]);
  });

  test('recv --size: fewer bytes than expected is an error', async () => {
    const { r, address } = await receiver('127.0.0.1:0', join(dir, 'short.bin'), ['--size', String(content.length + 1)]);
    await run(['send', source, address]);
    const got = await r.done;
    assert.equal(got.status, 1);
    assert.equal(got.stderr.split('\n').at(-2), `bsdsock: recv 127.0.0.1:0: received ${content.length} bytes, expected ${content.length + 1}`);
  });

  test('errors: a missing file, a refused connection', async () => {
    const missing = await run(['send', join(dir, 'nope.bin'), '127.0.0.1:9']);
    assert.deepEqual([missing.status, missing.stderr], [1, `bsdsock: send ${join(dir, 'nope.bin')}: ENOENT: no such file or directory, open '${join(dir, 'nope.bin')}'\n`]);
    const refused = await run(['send', source, `unix:${join(dir, 'nobody.sock')}`]);
    assert.deepEqual([refused.status, refused.stderr], [1, `bsdsock: connect unix:${join(dir, 'nobody.sock')}: FileNotFoundError [ENOENT]\n`]);
  });

  test('the progress bar draws its first frame at once, however soon after the process started', { skip: nodeOnly('cli', ['deno']) }, () => {
    // Bun starts fast enough that the first update came within a tenth of a
    // second of the process's start, and the bar skipped it as too soon
    // after a frame never drawn. The clock is pinned to 5 ms here.
    const transfer = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'dist', 'cjs', 'cli', 'transfer.js');
    const script = `
      const { ProgressBar } = require(${JSON.stringify(transfer)});
      const frames = [];
      Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
      process.stderr.write = (chunk) => (frames.push(String(chunk)), true);
      performance.now = () => 5;
      const bar = new ProgressBar('file', 100);
      bar.update(1);
      bar.update(100, true);
      process.stdout.write(JSON.stringify(frames.map((f) => f.includes('100%') ? 'last' : 'first')));
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ['first', 'last']);
  });

  test('on a terminal: a progress bar with bytes, rate and time left; the last one at 100%', { skip: noScript || nodeOnly('pty', ['deno']) }, async () => {
    const { r, address } = await receiver('127.0.0.1:0', join(dir, 'tty.bin'), ['--size', String(content.length)]);
    // script(1) runs the command on a pseudo-terminal and copies what it writes.
    const command = [process.execPath, bin, 'send', source, address].map((a) => `'${a}'`).join(' ');
    const tty = await run(['script', '-qec', command, '/dev/null'], { tool: true });
    assert.equal(tty.status, 0, tty.stderr);
    assert.equal((await r.done).status, 0);
    // Each frame starts with \r and erases the rest of the line; the last ends it (\r\n on a terminal).
    const text = tty.stdout.toString();
    assert.ok(text.endsWith('\x1b[K\r\n'), JSON.stringify(text.slice(-20)));
    const frames = text.split('\r').filter((f) => f.trim() !== '');
    assert.ok(frames.length >= 2, JSON.stringify(text)); // the first chunk's frame, then the last
    assert.match(frames.at(-1), /^source\.bin \[#+\] 100%  3\.0 MiB \/ 3\.0 MiB  [\d.]+ [KMG]?i?B\/s  in \d+:\d\d\x1b\[K$/);
    for (const frame of frames.slice(0, -1)) assert.match(frame, /^source\.bin \[#+-+\] +\d+%  [\d.]+ [KM]?i?B \/ 3\.0 MiB  [\d.]+ [KMG]?i?B\/s  \d+:\d\d left\x1b\[K$/);
  });

  test('recv on a terminal with --size: the bar of the share received', { skip: noScript || nodeOnly('pty', ['deno']) }, async () => {
    const socketPath = join(dir, 'tty-recv.sock');
    const command = [process.execPath, bin, 'recv', '--size', String(content.length), `unix:${socketPath}`, join(dir, 'tty-recv.bin')]
      .map((a) => `'${a}'`)
      .join(' ');
    const tty = start(['script', '-qec', command, '/dev/null'], { tool: true });
    for (let i = 0; i < 50; i++) {
      const sent = await run(['send', source, `unix:${socketPath}`]);
      if (sent.status === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100)); // recv is still starting
    }
    const r = await tty.done;
    assert.equal(r.status, 0, r.stderr);
    const last = r.stdout.toString().split('\r').filter((f) => f.trim() !== '').at(-1);
    assert.match(last, /^tty-recv\.bin \[#+\] 100%  3\.0 MiB \/ 3\.0 MiB  [\d.]+ [KMG]?i?B\/s  in \d+:\d\d\x1b\[K$/);
    assert.ok(readFileSync(join(dir, 'tty-recv.bin')).equals(content));
  });

  test('socat sends to recv, send sends to socat: the same bytes', { skip: noSocat }, async () => {
    const { r, address } = await receiver('127.0.0.1:0', join(dir, 'from-socat.bin'), ['--json']);
    const socat = await run(['socat', '-u', `FILE:${source}`, `TCP:${address}`], { tool: true });
    assert.equal(socat.status, 0, socat.stderr);
    const got = await r.done;
    assert.equal(jsonLines(got.stdout)[0].sha256, sha256);

    const path = join(dir, 'to-socat.sock');
    const out = join(dir, 'to-socat.bin');
    const server = start(['socat', '-u', `UNIX-LISTEN:${path}`, `CREATE:${out}`], { tool: true });
    let sent;
    for (let i = 0; i < 50; i++) {
      sent = await run(['send', source, `unix:${path}`]);
      if (sent.status === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100)); // socat is still starting
    }
    assert.equal(sent.status, 0, sent.stderr);
    assert.equal((await server.done).status, 0);
    assert.ok(readFileSync(out).equals(content));
  });
});
