#!/usr/bin/env bash
# The tests of the async twins once with each readiness backend forced
# (BSDSOCK_READINESS=uv: a uv_poll_t on the environment's epoll set;
# BSDSOCK_READINESS=thread: a thread waiting on it, the backend Bun uses),
# besides the default run of the whole suite.
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
# Every test file that uses a twin (an *Async call).
mapfile -t files < <(grep -l 'Async(' test/*.test.mjs)
for backend in uv thread; do
  echo "=== BSDSOCK_READINESS=$backend: ${#files[@]} files"
  BSDSOCK_READINESS=$backend isolated node --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
done
