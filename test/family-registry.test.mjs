// The two family registries, src/families/registry.ts (address rules) and
// native/sockaddr.c (struct sockaddr codecs), name the same families: an
// address the rules accept always has a codec to encode it, and a codec
// always has rules in front of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The addon the package loaded (the sanitizer build under test:sanitize).
const { binding } = require(join(root, 'dist', 'cjs', 'native.js'));
const { familyRules } = require(join(root, 'dist', 'cjs', 'families', 'registry.js'));
const C = binding.constants;

/** Every AF_* number of this system's headers, by name. */
const addressFamilies = Object.entries(C).filter(([name]) => name.startsWith('AF_'));

test('every family with address rules has a native codec', () => {
  const ruled = addressFamilies.filter(([, n]) => familyRules(n) !== undefined).map(([name]) => name);
  assert.ok(ruled.includes('AF_INET') && ruled.includes('AF_INET6') && ruled.includes('AF_UNIX'), ruled.join());
  for (const name of ruled) assert.ok(binding.codec_families.includes(C[name]), name);
});

test('every native codec has address rules (Bluetooth only with BlueZ, as in Python)', () => {
  const haveBluez = C.BTPROTO_L2CAP !== undefined;
  for (const family of binding.codec_families) {
    if (family === -1) continue;
    const names = addressFamilies.filter(([, n]) => n === family).map(([name]) => name);
    if (!haveBluez && family === C.AF_BLUETOOTH) {
      assert.equal(familyRules(family), undefined, names.join());
      continue;
    }
    assert.notEqual(familyRules(family), undefined, `${names.join()} (${family})`);
  }
});
