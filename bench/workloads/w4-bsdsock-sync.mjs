// W4: AF_UNIX stream ping-pong, 64 bytes, bsdsock-sync (client measures; echo server is a helper process).
import { ROLE, run } from './lib/common.mjs';
import { pingpong } from './lib/pingpong.mjs';

run(() => pingpong(new URL(import.meta.url).pathname, 'bsdsock-sync', 'unix', ROLE));
