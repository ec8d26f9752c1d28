// Review 14: defects found reading the attempts of the raw file layer,
// messages, batches and sendfile, each checked against CPython 3 on Linux.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as socket from 'bsdsock';

const B = (s) => Buffer.from(s);

/** A bound UDP pair on loopback: [receiver, sender]. */
function udpPair(t) {
  const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  t.after(() => {
    rx.close();
    tx.close();
  });
  rx.bind(['127.0.0.1', 0]);
  return [rx, tx];
}

/** The next datagram queued at `s`, or null when none is (never waits). */
function queued(s) {
  const saved = s.gettimeout();
  s.setblocking(false);
  try {
    return s.recv(100);
  } catch (e) {
    if (e instanceof socket.BlockingIOError) return null;
    throw e;
  } finally {
    s.settimeout(saved);
  }
}

// Python: SocketIO.readinto(b) checks _timeout_occurred, then calls
// recv_into(b), which for an empty b returns 0 without a system call: a
// queued datagram stays queued.
test('SocketIO.readinto of an empty buffer leaves a queued datagram alone (as Python)', (t) => {
  const [rx, tx] = udpPair(t);
  tx.sendto(B('abc'), rx.getsockname());
  const f = rx.makefile('rb', 0);
  t.after(() => f.close());
  // Let the datagram arrive first.
  rx.settimeout(5);
  assert.equal(rx.recv(1, socket.MSG_PEEK).length, 1);
  assert.equal(f.readinto(new Uint8Array(0)), 0);
  assert.deepEqual(queued(rx), B('abc'));
});

test('SocketIO.readintoAsync of an empty buffer leaves a queued datagram alone (as the sync readinto)', async (t) => {
  const [rx, tx] = udpPair(t);
  tx.sendto(B('abc'), rx.getsockname());
  const f = rx.makefile('rb', 0);
  t.after(() => f.close());
  rx.settimeout(5);
  assert.equal(rx.recv(1, socket.MSG_PEEK).length, 1);
  assert.equal(await f.readintoAsync(new Uint8Array(0)), 0);
  assert.deepEqual(queued(rx), B('abc'));
});

// Python: read(0) is readinto(bytearray(0)), which raises OSError
// 'cannot read from timed out object' once a read has timed out.
test('SocketIO.read(0) after a timeout raises "cannot read from timed out object" (as Python)', (t) => {
  const [a, b] = socket.socketpair();
  t.after(() => {
    a.close();
    b.close();
  });
  const f = a.makefile('rb', 0);
  t.after(() => f.close());
  a.settimeout(0.01);
  assert.throws(() => f.read(1), (e) => e instanceof socket.TimeoutError && e.message === 'timed out');
  assert.throws(() => f.read(0), (e) => e instanceof socket.OSError && e.errno === null && e.message === 'cannot read from timed out object');
});

// Python: SocketIO.write(b) is sock.send(b), a system call even for
// b'' (BrokenPipeError once the socket's writing half is shut down).
test('SocketIO.write of empty data is a send, as Python (EPIPE after shutdown(SHUT_WR))', (t) => {
  const [a, b] = socket.socketpair();
  t.after(() => {
    a.close();
    b.close();
  });
  const f = a.makefile('wb', 0);
  t.after(() => f.close());
  assert.equal(f.write(new Uint8Array(0)), 0);
  a.shutdown(socket.SHUT_WR);
  assert.throws(() => a.send(Buffer.alloc(0)), (e) => e instanceof socket.BrokenPipeError);
  assert.throws(() => f.write(new Uint8Array(0)), (e) => e instanceof socket.BrokenPipeError);
});

test('SocketIO.writeAsync of empty data is a send too (EPIPE after shutdown(SHUT_WR))', async (t) => {
  const [a, b] = socket.socketpair();
  t.after(() => {
    a.close();
    b.close();
  });
  const f = a.makefile('wb', 0);
  t.after(() => f.close());
  a.shutdown(socket.SHUT_WR);
  await assert.rejects(f.writeAsync(new Uint8Array(0)), (e) => e instanceof socket.BrokenPipeError);
});

// Python takes timeouts up to about 292 years; setTimeout cannot wait more
// than 2**31 - 1 ms (it warns and waits 1 ms instead), so a twin on a
// socket with a timeout above about 24.8 days must not time out at once.
test('an async twin on a socket whose timeout exceeds setTimeout\'s range waits for its data', async (t) => {
  const [a, b] = socket.socketpair();
  t.after(() => {
    a.close();
    b.close();
  });
  a.settimeout(3e6); // 34.7 days
  const warnings = [];
  const onWarning = (w) => warnings.push(w.name);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const timer = setTimeout(() => b.send(B('hi')), 50);
  t.after(() => clearTimeout(timer));
  assert.deepEqual(await a.recvAsync(10), B('hi'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(warnings, []);
});

/** `[host, port]` whose host is a getter counting its reads. */
function countingAddress(host, port) {
  const address = [undefined, port];
  let reads = 0;
  Object.defineProperty(address, 0, {
    get() {
      reads++;
      return host;
    },
    enumerable: true,
  });
  return { address, reads: () => reads };
}

// The project's rule (as the sync calls keep it): each caller value is
// read once. The twins read an address's host once to decide whether it
// needs a lookup and again to convert it, so a host that changes between
// the reads (a getter, a Proxy) can skip the thread-pool lookup and be
// looked up on the event loop by the conversion.
for (const host of ['127.0.0.1', 'localhost']) {
  test(`the async twins read an address's host (${host}) once, as the sync calls do`, async (t) => {
    const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const cx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    t.after(() => {
      rx.close();
      tx.close();
      cx.close();
    });
    rx.bind(['127.0.0.1', 0]);
    const port = rx.getsockname()[1];
    const reads = {};
    let c = countingAddress(host, port);
    tx.sendto(B('a'), c.address);
    reads.sendto = c.reads();
    c = countingAddress(host, port);
    await tx.sendtoAsync(B('a'), c.address);
    reads.sendtoAsync = c.reads();
    c = countingAddress(host, port);
    await tx.sendmsgAsync([B('a')], [], 0, c.address);
    reads.sendmsgAsync = c.reads();
    c = countingAddress(host, port);
    await tx.sendmmsgAsync([[B('a'), c.address]]);
    reads.sendmmsgAsync = c.reads();
    c = countingAddress(host, port);
    await cx.connectAsync(c.address);
    reads.connectAsync = c.reads();
    c = countingAddress(host, port);
    assert.equal(await cx.connect_exAsync(c.address), 0);
    reads.connect_exAsync = c.reads();
    assert.deepEqual(reads, { sendto: 1, sendtoAsync: 1, sendmsgAsync: 1, sendmmsgAsync: 1, connectAsync: 1, connect_exAsync: 1 });
  });
}
