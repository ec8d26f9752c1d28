#!/usr/bin/env bash
# the whole suite under Deno (from the npm registry), with Deno's
# runner for node:test files (`deno test`). The addon is built by npm
# with Node first. Tests that need a Node-only API skip under Deno and
# name it (test/fixtures/runtime.mjs); every other failure fails the job.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/runtimes.sh"
cd "$ROOT"
DENO_VERSION=${DENO_VERSION:-2.9.6}
deno=$(runtime_binary deno "$DENO_VERSION" @deno/linux-x64 deno)
"$deno" --version
# No update check (a query to dl.deno.land), no colours in the log, no
# remote modules.
export DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
isolated "$deno" test -A --no-remote test/
