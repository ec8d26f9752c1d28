// W8: 1,200-byte UDP datagrams in bulk, dgram (see lib/bulk.mjs).
import { ROLE, run } from './lib/common.mjs';
import { bulk } from './lib/bulk.mjs';

run(() => bulk(new URL(import.meta.url).pathname, 'dgram', ROLE));
