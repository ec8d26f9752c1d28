// W5: TCP accept rate, the floor: bsdsock's readiness driving raw addon calls from callbacks (no Socket objects, no Promise, no checks); the least any JavaScript library on this runtime can spend per connection.
import { ROLE, run } from './lib/common.mjs';
import { accept } from './lib/accept.mjs';

run(() => accept(new URL(import.meta.url).pathname, 'floor', ROLE));
