// W1: as w1-bsdsock-async, but the receiver reuses one buffer (recv_intoAsync).
import { ROLE, run } from './lib/common.mjs';
import { stream } from './lib/stream.mjs';

run(() => stream(new URL(import.meta.url).pathname, 'bsdsock-async-into', ROLE));
