// W5: TCP accept rate, connections opened and closed one after another, net (client measures; the server is a helper process).
import { ROLE, run } from './lib/common.mjs';
import { accept } from './lib/accept.mjs';

run(() => accept(new URL(import.meta.url).pathname, 'net', ROLE));
