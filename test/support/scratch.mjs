// A scratch directory for one test file, removed when the process ends.
//
// A file's last test or an after() hook is not enough: a test skipped under
// some runtime never removes it, and under `deno test` neither t.after in a
// describe() nor process 'exit' runs. Deno does dispatch 'unload' on
// globalThis, so both are listened to (removing twice is harmless).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Makes a fresh directory under the system's temporary one, named `prefix` + random letters. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', remove);
  globalThis.addEventListener?.('unload', remove);
  return dir;
}
