// W3: UDP 64-byte datagrams, bsdsock-async (receiver measures; the sender is a helper process).
import { ARGS, ROLE, run } from './lib/common.mjs';
import { udp } from './lib/udp.mjs';

run(() => udp(new URL(import.meta.url).pathname, 'bsdsock-async', ROLE, ARGS));
