// W6: per-call cost, 1-byte send + recv on a socketpair in one thread, bsdsock-sync-into.
import { run } from './lib/common.mjs';
import { percall } from './lib/percall.mjs';

run(() => percall('into'));
