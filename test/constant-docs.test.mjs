// The TSDoc that scripts/build.mjs writes above each generated constant
// (scripts/constant-docs.mjs): every constant gets a description and a
// TypeDoc group named by its prefix, so the API reference lists them by
// prefix and TypeDoc's "every export documented" check holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as socket from 'bsdsock';
import { constantComment, constantPrefix } from '../scripts/constant-docs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the longest known prefix wins', () => {
  const cases = {
    SOCK_STREAM: 'SOCK_', SO_REUSEADDR: 'SO_', SOL_SOCKET: 'SOL_', SOMAXCONN: 'SOMAXCONN',
    IP_TTL: 'IP_', IPV6_V6ONLY: 'IPV6_', IPPROTO_TCP: 'IPPROTO_', IPPORT_RESERVED: 'IPPORT_',
    ETH_P_ALL: 'ETH_', ETHERTYPE_IP: 'ETHERTYPE_', VMADDR_CID_ANY: 'VMADDR_', VM_SOCKETS_INVALID_VERSION: 'VM_',
  };
  for (const [name, prefix] of Object.entries(cases)) assert.equal(constantPrefix(name), prefix, name);
});

test('every constant of this build has a known prefix, so none falls back to the generic text', () => {
  const generic = socket.CONSTANT_NAMES.filter((n) => constantComment(n).includes("a constant of the system's socket interface"));
  assert.deepEqual(generic, []);
});

test('the generated file carries the comment above each constant', () => {
  const generated = readFileSync(join(root, 'src', 'constants.generated.ts'), 'utf8');
  for (const name of ['AF_INET', 'SO_REUSEADDR', 'EAI_NONAME', 'SOMAXCONN']) {
    // Defined on every platform with a prebuilt binary, so typed as a number.
    assert.ok(generated.includes(`${constantComment(name)}\nexport const ${name}: number = c.${name}!;`), name);
  }
  assert.match(constantComment('AF_INET'), /@group Constants: AF_\*\n/);
  assert.match(constantComment('SOMAXCONN'), /@group Constants: Other constants\n/);
  const exports = generated.match(/^export const /gm).length;
  const comments = generated.match(/^ \* @group Constants: /gm).length;
  assert.equal(comments, exports);
});
