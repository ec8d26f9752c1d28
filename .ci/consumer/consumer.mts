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
export { sent, data, pending, family, viaDefault, timeout };
