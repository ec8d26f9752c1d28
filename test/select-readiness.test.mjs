// Readiness of every kind, bsdsock/select against CPython on the very same
// sockets: each state is built once with bsdsock, its descriptors are
// handed to a python3 child (as the child's fds 3, 4, ...), and both sides
// ask select(), poll (two masks), epoll and the three selectors what is
// ready. Readable, writable, end of stream, hang-up, errors (a reset, a
// refused connect), urgent data (MSG_OOB), full send buffers, listening
// sockets, datagrams; and a descriptor that is not open. Loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as socket from 'bsdsock';
import * as S from 'bsdsock/select';
import { openFdsWithLoops } from './support/fds.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';
import { SLOWDOWN } from './support/emulation.mjs';

const linux = process.platform === 'linux';
const havePython = spawnSync('python3', ['--version']).status === 0;
const skip = !linux ? 'Linux only (epoll)' : !havePython && 'python3 is not installed';

const POLL_ALL = S.POLLIN | S.POLLPRI | S.POLLOUT | S.POLLRDHUP;
const EPOLL_ALL = S.EPOLLIN | S.EPOLLPRI | S.EPOLLOUT | S.EPOLLRDHUP;

const PY = `
import json, os, select, selectors, sys
fds = json.loads(sys.argv[1])
POLL_ALL = select.POLLIN | select.POLLPRI | select.POLLOUT | select.POLLRDHUP
EPOLL_ALL = select.EPOLLIN | select.EPOLLPRI | select.EPOLLOUT | select.EPOLLRDHUP

def poll_one(fd, mask=None):
    p = select.poll()
    if mask is None:
        p.register(fd)
    else:
        p.register(fd, mask)
    return dict(p.poll(0)).get(fd, 0)

def epoll_one(fd):
    with select.epoll() as ep:
        ep.register(fd, EPOLL_ALL)
        return dict(ep.poll(0)).get(fd, 0)

def selector_one(cls, fd):
    with cls() as sel:
        sel.register(fd, selectors.EVENT_READ | selectors.EVENT_WRITE)
        return sum(ev for key, ev in sel.select(0))

out = []
for fd in fds:
    r, w, x = select.select([fd], [fd], [fd], 0)
    out.append({
        'select': [len(r), len(w), len(x)],
        'poll': poll_one(fd, POLL_ALL),
        'pollDefault': poll_one(fd),
        'epoll': epoll_one(fd),
        'SelectSelector': selector_one(selectors.SelectSelector, fd),
        'PollSelector': selector_one(selectors.PollSelector, fd),
        'EpollSelector': selector_one(selectors.EpollSelector, fd),
    })

# A descriptor that is not open: a pipe's read end, closed (the epoll
# object exists first, so that it cannot take the number).
ep = select.epoll()
rd, wr = os.pipe()
os.close(rd)
closed = {}
try:
    select.select([rd], [], [], 0)
    closed['select'] = 'ok'
except OSError as e:
    closed['select'] = e.errno
closed['poll'] = poll_one(rd)
try:
    ep.register(rd)
    closed['epoll'] = 'ok'
except OSError as e:
    closed['epoll'] = e.errno
os.close(wr)
print(json.dumps({'states': out, 'closed': closed}))
`;

function answersOf(fd, sock) {
  const pollOne = (mask) => {
    const p = S.poll();
    if (mask === undefined) p.register(sock);
    else p.register(sock, mask);
    const got = p.poll(0).find(([f]) => f === fd);
    return got ? got[1] : 0;
  };
  const epollOne = () => {
    const ep = S.epoll();
    try {
      ep.register(sock, EPOLL_ALL);
      const got = ep.poll(0).find(([f]) => f === fd);
      return got ? got[1] : 0;
    } finally {
      ep[Symbol.dispose]();
    }
  };
  const selectorOne = (Cls) => {
    const sel = new Cls();
    try {
      sel.register(sock, S.EVENT_READ | S.EVENT_WRITE);
      return sel.select(0).reduce((sum, [, ev]) => sum + ev, 0);
    } finally {
      sel[Symbol.dispose]();
    }
  };
  const [r, w, x] = S.select([sock], [sock], [sock], 0);
  return {
    select: [r.length, w.length, x.length],
    poll: pollOne(POLL_ALL),
    pollDefault: pollOne(),
    epoll: epollOne(),
    SelectSelector: selectorOne(S.SelectSelector),
    PollSelector: selectorOne(S.PollSelector),
    EpollSelector: selectorOne(S.EpollSelector),
  };
}

/** Waits (bounded) until `sock` shows `mask` to poll(2): the state has settled. */
function settle(sock, mask) {
  const p = S.poll();
  p.register(sock, mask);
  for (let i = 0; i < 100; i++) {
    const got = p.poll(20);
    if (got.length && (got[0][1] & mask) === mask) return;
  }
  assert.fail(`state did not settle: fd ${sock.fileno()} never showed ${mask}`);
}

function tcpPair() {
  const srv = socket.create_server(['127.0.0.1', 0]);
  const client = socket.create_connection(srv.getsockname());
  const [server] = srv.accept();
  srv.close();
  return [client, server];
}

test('every kind of readiness: the same answers as CPython on the same sockets', { skip, timeout: 30000 }, (t) => {
  const before = openFdsWithLoops();
  const states = [];
  const keep = [];
  const add = (name, sock) => states.push({ name, sock });
  try {
    // Unix stream socketpairs.
    const [idleA, idleB] = socket.socketpair();
    keep.push(idleA, idleB);
    add('unix: idle (writable only)', idleA);

    const [dataA, dataB] = socket.socketpair();
    keep.push(dataA, dataB);
    dataA.sendall(Buffer.from('ready'));
    add('unix: data waiting (readable and writable)', dataB);

    const [eofA, eofB] = socket.socketpair();
    keep.push(eofA, eofB);
    eofA.shutdown(socket.SHUT_WR);
    add('unix: peer shut down writing (end of stream, RDHUP)', eofB);
    add('unix: this end shut down writing', eofA);

    const [gone, goneB] = socket.socketpair();
    keep.push(gone, goneB);
    goneB.close();
    add('unix: peer closed (hang-up)', gone);

    const [full, fullPeer] = socket.socketpair();
    keep.push(full, fullPeer);
    full.setblocking(false);
    const chunk = Buffer.alloc(65536);
    for (let i = 0; i < 10000; i++) {
      try {
        full.send(chunk);
      } catch (e) {
        assert.ok(e instanceof socket.BlockingIOError);
        break;
      }
    }
    add('unix: send buffer full (not writable)', full);
    add('unix: peer of a full buffer (readable)', fullPeer);

    const [dgA, dgB] = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
    keep.push(dgA, dgB);
    dgA.send(Buffer.from('datagram'));
    add('unix datagram: one waiting', dgB);
    add('unix datagram: nothing waiting', dgA);

    // TCP over loopback.
    const listener = socket.create_server(['127.0.0.1', 0]);
    keep.push(listener);
    add('tcp: listening, nobody connecting', listener);

    const pending = socket.create_server(['127.0.0.1', 0]);
    keep.push(pending);
    const knocking = socket.create_connection(pending.getsockname());
    keep.push(knocking);
    settle(pending, S.POLLIN);
    add('tcp: listening with a connection to accept', pending);

    const [urgentSender, urgent] = tcpPair();
    keep.push(urgentSender, urgent);
    urgentSender.send(Buffer.from('!'), socket.MSG_OOB);
    settle(urgent, S.POLLPRI);
    add('tcp: urgent data (MSG_OOB): exceptional condition', urgent);

    const [resetter, reset] = tcpPair();
    keep.push(reset);
    resetter.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    resetter.close();
    settle(reset, S.POLLERR);
    add('tcp: connection reset (error pending)', reset);

    const [halfA, halfB] = tcpPair();
    keep.push(halfA, halfB);
    halfA.shutdown(socket.SHUT_WR);
    settle(halfB, S.POLLRDHUP);
    add('tcp: peer shut down writing (RDHUP)', halfB);

    const fresh = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    keep.push(fresh);
    add('tcp: never connected', fresh);

    // A refused non-blocking connect: a port that was just free.
    const probe = socket.create_server(['127.0.0.1', 0]);
    const freePort = probe.getsockname()[1];
    probe.close();
    const refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    keep.push(refused);
    refused.setblocking(false);
    assert.equal(refused.connect_ex(['127.0.0.1', freePort]), osConstants.errno.EINPROGRESS);
    settle(refused, S.POLLERR);
    add('tcp: connect refused (error pending)', refused);

    const udpA = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const udpB = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    keep.push(udpA, udpB);
    udpB.bind(['127.0.0.1', 0]);
    udpA.sendto(Buffer.from('u'), udpB.getsockname());
    settle(udpB, S.POLLIN);
    add('udp: a datagram waiting', udpB);
    add('udp: idle', udpA);

    const fds = states.map((s) => s.sock.fileno());
    const childFds = fds.map((_, i) => 3 + i);
    const py = spawnSync('python3', ['-c', PY, JSON.stringify(childFds)], {
      stdio: ['ignore', 'pipe', 'pipe', ...fds],
      encoding: 'utf8',
      timeout: 15000 * SLOWDOWN,
    });
    assert.equal(py.status, 0, py.stderr);
    const python = JSON.parse(py.stdout);

    for (let i = 0; i < states.length; i++) {
      const { name, sock } = states[i];
      const ours = answersOf(sock.fileno(), sock);
      assert.deepEqual(ours, python.states[i], name);
      t.diagnostic(`${name}: ${JSON.stringify(ours)}`);
    }
    // Each kind of readiness really occurred among the states.
    const all = states.map((s, i) => python.states[i]);
    for (const bit of [S.POLLIN, S.POLLOUT, S.POLLPRI, S.POLLERR, S.POLLHUP, S.POLLRDHUP]) {
      assert.ok(all.some((a) => (a.poll & bit) !== 0), `no state showed poll bit ${bit}`);
    }
    assert.ok(all.some((a) => a.select[2] === 1), 'no state was exceptional for select()');
    assert.ok(all.some((a) => a.poll === 0), 'no state showed nothing');

    // A descriptor that is not open (the epoll object exists first, so
    // that it cannot take the number).
    const ep = S.epoll();
    const closedFd = (() => {
      const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
      return s.detach();
    })();
    socket.close(closedFd);
    const ours = {};
    try {
      S.select([closedFd], [], [], 0);
      ours.select = 'ok';
    } catch (e) {
      assert.ok(e instanceof socket.OSError);
      ours.select = e.errno;
    }
    const p = S.poll();
    p.register(closedFd);
    ours.poll = p.poll(0).find(([f]) => f === closedFd)?.[1] ?? 0;
    try {
      ep.register(closedFd);
      ours.epoll = 'ok';
    } catch (e) {
      assert.ok(e instanceof socket.OSError);
      ours.epoll = e.errno;
    } finally {
      ep.close();
    }
    assert.deepEqual(ours, python.closed);
    assert.deepEqual(ours, { select: osConstants.errno.EBADF, poll: S.POLLNVAL, epoll: osConstants.errno.EBADF });
  } finally {
    for (const s of keep) s.close();
  }
  if (!nodeOnly('ownFds')) assert.equal(openFdsWithLoops(), before, 'descriptors leaked');
});
