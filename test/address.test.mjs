// Address arguments family by family: the forms Python accepts, and the
// errors for the forms it rejects, raised before any system call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as socket from 'bsdsock';


function withSocket(family, type, fn) {
  const s = socket.socket(family, type);
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

const typeErr = (re) => ({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: re });
const valueErr = (re) => ({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: re });
const rangeErr = (re) => ({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: re });

test('AF_INET: \'\' is INADDR_ANY, \'<broadcast>\' is 255.255.255.255, localhost and numeric forms resolve', () => {
  withSocket(socket.AF_INET, socket.SOCK_DGRAM, (s) => {
    s.bind(['', 0]);
    assert.equal(s.getsockname()[0], '0.0.0.0');
  });
  withSocket(socket.AF_INET, socket.SOCK_DGRAM, (s) => {
    // Binding to the broadcast address sends nothing.
    s.bind(['<broadcast>', 0]);
    assert.equal(s.getsockname()[0], '255.255.255.255');
  });
  for (const host of ['localhost', '127.1', '0x7f.1', '2130706433', Buffer.from('127.0.0.1'), new Uint8Array(Buffer.from('127.0.0.1'))]) {
    withSocket(socket.AF_INET, socket.SOCK_DGRAM, (s) => {
      s.bind([host, 0]);
      assert.equal(s.getsockname()[0], '127.0.0.1', String(host));
    });
  }
  withSocket(socket.AF_INET, socket.SOCK_DGRAM, (s) => {
    s.bind(['127.0.0.1', 65535n > 0n ? 0n : 0n]);
    assert.equal(s.getsockname()[0], '127.0.0.1');
  });
});

test('AF_INET: wrong shapes, types and ports raise without reaching the kernel', () => {
  withSocket(socket.AF_INET, socket.SOCK_STREAM, (s) => {
    for (const method of ['bind', 'connect', 'connect_ex']) {
      const call = (a) => s[method](a);
      assert.throws(() => call('127.0.0.1'), typeErr(/"address" argument must be an array \[host, port\] for AF_INET/));
      assert.throws(() => call({ host: '127.0.0.1', port: 1 }), typeErr(/"address"/));
      assert.throws(() => call(undefined), typeErr(/"address"/));
      assert.throws(() => call(null), typeErr(/"address"/));
      assert.throws(() => call(['127.0.0.1']), typeErr(/AF_INET address must be a pair \[host, port\]/));
      assert.throws(() => call(['127.0.0.1', 1, 2]), typeErr(/AF_INET address must be a pair/));
      assert.throws(() => call([]), typeErr(/AF_INET address must be a pair/));
      assert.throws(() => call([1, 1]), typeErr(/"host" argument must be of type string or a bytes-like object/));
      assert.throws(() => call([null, 1]), typeErr(/"host"/));
      assert.throws(() => call(['127.0.0.1', '80']), typeErr(/"port" argument must be an integer/));
      assert.throws(() => call(['127.0.0.1', 1.5]), typeErr(/"port"/));
      assert.throws(() => call(['127.0.0.1', NaN]), typeErr(/"port"/));
      assert.throws(() => call(['127.0.0.1', undefined]), typeErr(/"port"/));
      assert.throws(() => call(['127.0.0.1', 65536]), rangeErr(new RegExp(`${method}\\(\\): port must be 0-65535`)));
      assert.throws(() => call(['127.0.0.1', -1]), rangeErr(/port must be 0-65535/));
      assert.throws(() => call(['127.0.0.1', 2n ** 64n]), rangeErr(/port must be 0-65535/));
      assert.throws(() => call(['127.0.0.1\0', 1]), valueErr(/"?host"?|null/));
    }
    assert.throws(() => s.sendto(Buffer.from('x'), ['127.0.0.1', 70000]), rangeErr(/sendto\(\): port must be 0-65535/));
    assert.throws(() => s.sendto(Buffer.from('x'), 0, ['127.0.0.1']), typeErr(/AF_INET address must be a pair/));
    // '<broadcast>' is for AF_INET only.
  });
  withSocket(socket.AF_INET6, socket.SOCK_DGRAM, (s) => {
    assert.throws(() => s.bind(['<broadcast>', 0]), (e) => e.constructor === socket.OSError && e.message === 'address family mismatched' && e.errno === null);
  });
  // Nothing was bound by any of the failed calls.
  withSocket(socket.AF_INET, socket.SOCK_STREAM, (s) => {
    assert.throws(() => s.bind(['127.0.0.1', 99999]), rangeErr(/port/));
    assert.deepEqual(s.getsockname(), ['0.0.0.0', 0]);
  });
});

test('AF_INET6: 2 to 4 elements, flowinfo range, scope_id wraps as a C unsigned int', () => {
  withSocket(socket.AF_INET6, socket.SOCK_DGRAM, (s) => {
    s.bind(['::1', 0, 0, 0]);
    const name = s.getsockname();
    assert.equal(name[0], '::1');
    assert.equal(name.length, 4);
  });
  withSocket(socket.AF_INET6, socket.SOCK_DGRAM, (s) => {
    s.bind(['', 0]);
    assert.equal(s.getsockname()[0], '::');
  });
  withSocket(socket.AF_INET6, socket.SOCK_DGRAM, (s) => {
    // Python reads scope_id as an unsigned int without an overflow check: -1 is accepted;
    // the kernel ignores the scope of a non-link-local address.
    s.bind(['::1', 0, 0, -1]);
    assert.equal(s.getsockname()[3], 0);
  });
  withSocket(socket.AF_INET6, socket.SOCK_DGRAM, (s) => {
    s.bind(['::1', 0, 0xfffff]);
    assert.equal(s.getsockname()[2], 0, 'the kernel does not keep the flowinfo of a bound address');
  });
  withSocket(socket.AF_INET6, socket.SOCK_DGRAM, (s) => {
    s.bind(['::ffff:127.0.0.1', 0]);
    assert.equal(s.getsockname()[0], '::ffff:127.0.0.1');
  });
  withSocket(socket.AF_INET6, socket.SOCK_DGRAM, (s) => {
    assert.throws(() => s.bind(['::1']), typeErr(/AF_INET6 address must be an array/));
    assert.throws(() => s.bind(['::1', 0, 0, 0, 0]), typeErr(/AF_INET6 address must be an array/));
    assert.throws(() => s.bind('::1'), typeErr(/"address"/));
    assert.throws(() => s.bind(['::1', 0, 0x100000]), rangeErr(/bind\(\): flowinfo must be 0-1048575/));
    assert.throws(() => s.bind(['::1', 0, -1]), rangeErr(/flowinfo must be 0-1048575/));
    assert.throws(() => s.bind(['::1', 0, 1.5]), typeErr(/"flowinfo"/));
    assert.throws(() => s.bind(['::1', 0, 0, 'x']), typeErr(/"scope_id"/));
    assert.throws(() => s.bind(['::1', 65536]), rangeErr(/port must be 0-65535/));
    assert.throws(() => s.bind([6, 0]), typeErr(/"host"/));
    assert.throws(() => s.sendto(Buffer.from('x'), ['::1', 0, 0x100000]), rangeErr(/sendto\(\): flowinfo/));
    assert.deepEqual(s.getsockname(), ['::', 0, 0, 0]);
  });
});

test('AF_UNIX: paths as strings and Buffers; NUL in a string path is rejected; long paths are an OSError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsdsock-'));
  try {
    withSocket(socket.AF_UNIX, socket.SOCK_STREAM, (s) => {
      assert.throws(
        () => s.bind(join(dir, 'a\0b')),
        valueErr(/"?address"?.*NUL/),
        'NUL inside a string path: TypeError ERR_INVALID_ARG_VALUE (a deliberate departure from CPython)',
      );
      assert.throws(() => s.connect('\0abstract'), valueErr(/NUL/));
      assert.throws(() => s.bind(42), typeErr(/"address"/));
      assert.throws(() => s.bind(['path']), typeErr(/"address"/));
      assert.throws(() => s.bind(null), typeErr(/"address"/));
      assert.throws(() => s.bind(undefined), typeErr(/"address"/));
      assert.equal(s.getsockname(), '');
    });
    const tooLong = (e) => e.constructor === socket.OSError && e.message === 'AF_UNIX path too long' && e.errno === null;
    withSocket(socket.AF_UNIX, socket.SOCK_DGRAM, (s) => {
      // A filesystem path needs room for its terminating NUL in sun_path[108].
      assert.throws(() => s.bind('/'.repeat(108)), tooLong);
      assert.throws(() => s.bind(Buffer.from('/'.repeat(108))), tooLong);
      assert.throws(() => s.connect('é'.repeat(54)), tooLong, 'the limit counts UTF-8 bytes');
      assert.throws(() => s.sendto(Buffer.from('x'), '/'.repeat(200)), tooLong);
      // An abstract name may fill all 108 bytes, not more.
      assert.throws(() => s.bind(Buffer.concat([Buffer.alloc(1), Buffer.alloc(108, 0x61)])), tooLong);
      // 107 bytes is a valid (if absent) path: the kernel answers.
      assert.throws(() => s.connect('/'.repeat(107)), (e) => e instanceof socket.OSError && e.errno !== null);
    });
    withSocket(socket.AF_UNIX, socket.SOCK_DGRAM, (s) => {
      const name = Buffer.concat([Buffer.from([0]), Buffer.alloc(107, 0x62)]);
      s.bind(name);
      assert.deepEqual(s.getsockname(), name);
    });
    withSocket(socket.AF_UNIX, socket.SOCK_DGRAM, (s) => {
      // A path that is not UTF-8 comes back as a Buffer.
      const raw = Buffer.concat([Buffer.from(join(dir, 'x')), Buffer.from([0xff, 0xfe])]);
      s.bind(raw);
      assert.deepEqual(s.getsockname(), raw);
    });
    withSocket(socket.AF_UNIX, socket.SOCK_DGRAM, (s) => {
      const p = join(dir, 'ünïcode');
      s.bind(p);
      assert.equal(s.getsockname(), p);
    });
    withSocket(socket.AF_UNIX, socket.SOCK_DGRAM, (s) => {
      s.bind(new ArrayBuffer(0));
      const n = s.getsockname();
      assert.ok(Buffer.isBuffer(n) && n[0] === 0 && n.length === 6);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a numeric address of the other family is a gaierror (no name lookup happens)', () => {
  withSocket(socket.AF_INET6, socket.SOCK_DGRAM, (s) => {
    // '127.0.0.1' has no AF_INET6 form without AI_V4MAPPED.
    assert.throws(() => s.bind(['127.0.0.1', 0]), (e) => {
      assert.equal(e.constructor, socket.gaierror);
      assert.equal(e.errno, socket.EAI_ADDRFAMILY);
      assert.equal(e.code, 'EAI_ADDRFAMILY');
      return true;
    });
  });
});
