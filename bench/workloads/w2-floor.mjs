// W2: TCP ping-pong, 64 bytes, the floor: bsdsock's readiness driving raw addon calls from a callback (no Promise, no checks); the least any JavaScript library on this runtime can spend per message.
import { ROLE, run } from './lib/common.mjs';
import { pingpong } from './lib/pingpong.mjs';

run(() => pingpong(new URL(import.meta.url).pathname, 'floor', 'tcp', ROLE));
