// The installed package through require(): a socketpair round trip.
'use strict';
const assert = require('node:assert/strict');
const socket = require('bsdsock');

const [a, b] = socket.socketpair();
assert.equal(a.family, socket.AF_UNIX);
a.sendall(Buffer.from('ping'));
assert.deepEqual(b.recv(4), Buffer.from('ping'));
b.sendall(Buffer.from('pong'));
assert.deepEqual(a.recv(4), Buffer.from('pong'));
a.close();
b.close();
console.log('require: socketpair round trip ok');
