// W7: memory of 10,000 idle connected TCP sockets, bsdsock-pending (run with --expose-gc; the accepting ends are in a helper process).
import { ROLE, run } from './lib/common.mjs';
import { memory } from './lib/memory.mjs';

run(() => memory(new URL(import.meta.url).pathname, 'bsdsock', 'pending', ROLE));
