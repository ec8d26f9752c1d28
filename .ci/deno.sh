#!/usr/bin/env bash
# CI job: the whole suite under Deno (from the npm registry), with Deno's
# runner for node:test files (`deno test`). The addon is built by npm
# with Node first. Tests that need a Node-only API skip under Deno and
# name it (test/fixtures/runtime.mjs); every other failure fails the job.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/runtimes.sh
DENO_VERSION=${DENO_VERSION:-2.9.6}
deno=$(runtime_binary deno "$DENO_VERSION" @deno/linux-x64 deno)
"$deno" --version
[ -f build/Release/bsdsock.node ] || npm ci
npm run build
# No update check (a query to dl.deno.land), no colours in the log, no
# remote modules.
export DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
"$deno" test -A --no-remote test/
