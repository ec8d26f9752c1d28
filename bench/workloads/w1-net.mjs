// W1: TCP stream throughput, 64 KiB writes, net (sender measures; the receiver is a helper process).
import { ROLE, run } from './lib/common.mjs';
import { stream } from './lib/stream.mjs';

run(() => stream(new URL(import.meta.url).pathname, 'net', ROLE));
