// W3: UDP 64-byte datagrams, bsdsock-async with the batch calls: the sender
// awaits sendmmsgAsync (64 datagrams a call), the receiver recvmmsgAsync
// (everything ready, up to 256, per wake-up). Receiver measures; the sender
// is a helper process.
import { ARGS, ROLE, run } from './lib/common.mjs';
import { udp } from './lib/udp.mjs';

run(() => udp(new URL(import.meta.url).pathname, 'bsdsock-async-mmsg', ROLE, ARGS));
