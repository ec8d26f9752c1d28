#!/usr/bin/env bash
# CI job: the tests of the async twins once with each readiness backend
# forced (BSDSOCK_READINESS=uv: a uv_poll_t on the environment's epoll set;
# BSDSOCK_READINESS=thread: a thread waiting on it, the backend Bun uses),
# besides the default run of the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/Release/bsdsock.node ] || npm ci
npm run build
# Every test file that uses a twin (an *Async call).
mapfile -t files < <(grep -l 'Async(' test/*.test.mjs)
for backend in uv thread; do
  echo "=== BSDSOCK_READINESS=$backend: ${#files[@]} files"
  BSDSOCK_READINESS=$backend node --test --test-concurrency=2 "${files[@]}"
done
