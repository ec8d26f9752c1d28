// W6: per-call cost, 1-byte send + recv on a socketpair in one thread, the floor: the addon's raw calls into a reused buffer (no checks, no new Buffer).
import { run } from './lib/common.mjs';
import { percall } from './lib/percall.mjs';

run(() => percall('floor'));
