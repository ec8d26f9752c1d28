#!/usr/bin/env bash
# the whole suite under Bun (from the npm registry), with Bun's
# runner for node:test files (`bun test`), one process per test file. The
# addon is built by npm with Node first. Tests that need a Node-only API
# skip under Bun and name it (test/fixtures/runtime.mjs); every other
# failure fails the job.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/runtimes.sh"
cd "$ROOT"
BUN_VERSION=${BUN_VERSION:-1.4.5}
bun=$(runtime_binary bun "$BUN_VERSION" @oven/bun-linux-x64 bin/bun)
"$bun" --version
# No telemetry or crash report leaves the machine; no colours in the log.
export DO_NOT_TRACK=1 BUN_ENABLE_CRASH_REPORTING=0 NO_COLOR=1
failed=()
for f in test/*.test.mjs; do
  echo "=== $f"
  # The suite's own per-test timeouts are longer than bun test's 5 s default.
  if ! isolated "$bun" test --timeout=60000 "./$f"; then failed+=("$f"); fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed under Bun: ${failed[*]}" >&2
  exit 1
fi
