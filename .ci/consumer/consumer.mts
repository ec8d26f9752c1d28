// Type-checks as an ES module consumer (module nodenext, and bundler resolution).
import * as socket from 'bsdsock';
import bsdsock, { socketpair, AF_INET, Socket } from 'bsdsock';

const [a, b]: [Socket, Socket] = socketpair();
const sent: number = a.send(Buffer.from('x'));
const data: Buffer = b.recv(1);
const pending: Promise<Buffer> = b.recvAsync(1, { signal: AbortSignal.timeout(1000) });
const family: number = AF_INET;
const viaDefault: typeof socket.socket = bsdsock.socket;
const s: Socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
const timeout: number | null = s.gettimeout();
// Addresses: typed per family; arguments also take a bytes host and bigint numbers.
s.bind([Buffer.from('127.0.0.1'), 0n]);
const bound: socket.Address = s.getsockname();
const inet: socket.InetAddress = ['127.0.0.1', 80];
const arg6: socket.AddressArg = ['::1', 80n, 0, 0n];
// @ts-expect-error: an object is no address
s.connect({ host: '127.0.0.1', port: 80 });
export { sent, data, pending, family, viaDefault, timeout, bound, inet, arg6 };
