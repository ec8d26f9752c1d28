// The boundary between TypeScript and the addon (src/native.ts,
// native/bsd.h): one declaration names everything the addon exports, and
// the addon answers with a result, a negative errno, or (the resolver) a
// tagged lookup failure; it never words an argument error of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import * as socket from 'bsdsock';

const require = createRequire(import.meta.url);
const { binding, _declaredNames } = require('../dist/cjs/native.js');
const { EINVAL } = osConstants.errno;

test('the Binding declaration names exactly what the addon exports', () => {
  const exported = Object.keys(binding).sort();
  const declared = [..._declaredNames].sort();
  assert.deepEqual(
    { missing: exported.filter((n) => !declared.includes(n)), extra: declared.filter((n) => !exported.includes(n)) },
    { missing: [], extra: [] },
  );
});

test('a binding refuses an argument TypeScript never passes with -EINVAL, not a message', () => {
  const refusals = {
    strerror: () => binding.strerror('x'),
    close: () => binding.close('x'),
    setnonblocking: () => binding.setnonblocking(0, 'yes'),
    socket: () => binding.socket(socket.AF_INET, 2 ** 40, 0),
    send: () => binding.send(99999, Buffer.alloc(4), 2, 3, 0),
    recvbuf: () => binding.recvbuf(99999, 'x', 0),
    recvmsg: () => binding.recvmsg(99999, [Buffer.alloc(1)], -1, 0),
    mmsg_send: () => binding.mmsg_send(99999, 'x', null, socket.AF_INET, 0),
    mmsg_recv: () => binding.mmsg_recv(99999, Buffer.alloc(8), 8, 2, 0, new Int32Array(4)),
    getaddrinfo: () => binding.getaddrinfo(5, null, 0, 0, 0, 0),
    getaddrinfo_async: () => binding.getaddrinfo_async('localhost', null, 0.5, 0, 0, 0),
    getnameinfo: () => binding.getnameinfo(socket.AF_INET, ['127.0.0.1', 80], 'x'),
    getnameinfo_async: () => binding.getnameinfo_async(socket.AF_INET, ['127.0.0.1', 80], 'x'),
    gethostbyname_ex: () => binding.gethostbyname_ex(5),
    sendto_sockaddr: () => binding.sendto_sockaddr(99999, Buffer.alloc(1), 0, 1, 0, 'x'),
    'sendto_sockaddr empty': () => binding.sendto_sockaddr(99999, Buffer.alloc(1), 0, 1, 0, Buffer.alloc(0)),
    readiness_start: () => binding.readiness_start('not a function', 'uv'),
    'readiness_start backend': () => binding.readiness_start(() => {}, 5),
    readiness_watch: () => binding.readiness_watch('x', 1),
    readiness_ref: () => binding.readiness_ref(0, 'yes'),
    gethostbyaddr: () => binding.gethostbyaddr(Buffer.alloc(3), socket.AF_INET),
    gethostbyaddr_async: () => binding.gethostbyaddr_async(Buffer.alloc(16), socket.AF_INET),
    getprotobyname: () => binding.getprotobyname(5),
    getservbyname: () => binding.getservbyname('http', 5),
    getservbyport: () => binding.getservbyport(70000, null),
    sethostname: () => binding.sethostname('x'),
    inet_aton: () => binding.inet_aton(5),
    inet_pton: () => binding.inet_pton('x', '1.2.3.4'),
    inet_ntop: () => binding.inet_ntop(socket.AF_INET, Buffer.alloc(3)),
    if_nametoindex: () => binding.if_nametoindex(null),
    if_indextoname: () => binding.if_indextoname(-1),
    own: () => binding.own('x'),
    sendfile: () => binding.sendfile(99999, 99999, 0.5, 1),
    lseek: () => binding.lseek(99999, 'x', 0),
    select_fds: () => binding.select_fds([1], new Int32Array(0), new Int32Array(0), 0),
    epoll_wait: () => binding.epoll_wait(0, new Uint32Array(2), 2, 0),
    sockaddr_encode: () => binding.sockaddr_encode('x', ['127.0.0.1', 80]),
    sockaddr_decode: () => binding.sockaddr_decode('x'),
    'sockaddr_decode (proto)': () => binding.sockaddr_decode(Buffer.alloc(16), 'x'),
    'sockaddr_decode (1 byte)': () => binding.sockaddr_decode(Buffer.alloc(1)),
  };
  // The address codecs: every binding that encodes an address refuses a
  // form the address rules never give (before any system call: fd 99999
  // would be EBADF).
  const malformed = {
    [socket.AF_INET]: [5, ['127.0.0.1', 'x'], [5, 80], ['127.0.0.1', 80.5]],
    [socket.AF_INET6]: [['::1', 80, 'x', 0], ['::1', 80, 0, -1]],
    [socket.AF_UNIX]: [5, ['/tmp/x'], 'a\0b'],
    [socket.AF_NETLINK]: [['1', 0], [1], 5],
    [socket.AF_PACKET]: [[5, 0], ['lo', 0, 0, 0, 5], ['lo', 'x']],
    [socket.AF_CAN]: [[5], ['lo', 'x', 0, 0]],
    [socket.AF_ALG]: [[1, 'x'], ['hash', 5]],
    [socket.AF_TIPC]: [['1', 1, 1, 1, 2], [1, 1, 1]],
    [socket.AF_VSOCK]: [[1, 'x']],
  };
  for (const [family, addresses] of Object.entries(malformed)) {
    for (const a of addresses) {
      const f = Number(family);
      refusals[`sockaddr_encode ${f} ${String(a)}`] = () => binding.sockaddr_encode(f, a);
      refusals[`bind ${f} ${String(a)}`] = () => binding.bind(99999, f, a);
      refusals[`connect ${f} ${String(a)}`] = () => binding.connect(99999, f, a);
      refusals[`sendto ${f} ${String(a)}`] = () => binding.sendto(99999, Buffer.alloc(1), 0, 1, 0, f, a);
      refusals[`sendmsg ${f} ${String(a)}`] = () => binding.sendmsg(99999, [Buffer.alloc(1)], null, 0, f, a);
      refusals[`mmsg_send ${f} ${String(a)}`] = () => binding.mmsg_send(99999, [Buffer.alloc(1)], [a], f, 0);
      refusals[`getnameinfo ${f} ${String(a)}`] = () => binding.getnameinfo(f, a, 0);
    }
  }
  for (const [name, call] of Object.entries(refusals)) assert.equal(call(), -EINVAL, name);
  // CMSG_LEN/CMSG_SPACE answer -1 for any length out of their range.
  assert.equal(binding.cmsg_len('x'), -1);
  assert.equal(binding.cmsg_space(-1), -1);
  // cmsg_encode's Buffer has no room for an errno: the internal-error path.
  assert.throws(() => binding.cmsg_encode([[0, 0, 'x']]), { code: 'ERR_BSDSOCK_INTERNAL' });
});

test('a failed lookup comes back as a tagged object with the C library message', async () => {
  const flags = socket.NI_NAMEREQD | socket.NI_NUMERICHOST;
  for (const r of [
    binding.getnameinfo(socket.AF_INET, ['127.0.0.1', 80], flags),
    await binding.getnameinfo_async(socket.AF_INET, ['127.0.0.1', 80], flags),
  ]) {
    assert.deepEqual(Object.keys(r), ['eai', 'errno', 'message']);
    assert.equal(r.eai, socket.EAI_NONAME);
    assert.equal(typeof r.message, 'string');
    assert.ok(r.message.length > 0);
  }
  const found = binding.getaddrinfo('127.0.0.1', '80', socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST);
  assert.deepEqual(found, [[socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, '', ['127.0.0.1', 80]]]);
});

test('getnameinfo gives the address its scope_id and flowinfo, as Python does', async () => {
  // The numeric getaddrinfo step and the getnameinfo step run apart now
  // (TypeScript decides between them): the caller's scope_id must reach
  // the second.
  const lo = socket.if_indextoname(1);
  const numeric = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV;
  assert.deepEqual(socket.getnameinfo(['fe80::1', 7, 0, 1], numeric), [`fe80::1%${lo}`, '7']);
  assert.deepEqual(await socket.getnameinfoAsync(['fe80::1', 7, 0, 1], numeric), [`fe80::1%${lo}`, '7']);
  // A zone in the text, without a scope_id, is dropped (scope_id 0 wins).
  assert.deepEqual(socket.getnameinfo([`fe80::1%${lo}`, 7, 0, 0], numeric), ['fe80::1', '7']);
  assert.deepEqual(socket.getnameinfo(['::1', 7, 5], numeric), ['::1', '7']);
  await assert.rejects(socket.getnameinfoAsync(['127.0.0.1', 7, 0], numeric), { message: 'IPv4 sockaddr must be 2 tuple' });
});
