// Type-checks as a CommonJS consumer under module nodenext.
import socket = require('bsdsock');

const [a, b] = socket.socketpair();
const sent: number = a.send(Buffer.from('x'));
const data: Buffer = b.recv(1);
const connected: Promise<void> = a.connectAsync(['127.0.0.1', 1]);
export = { sent, data, connected };
