#!/usr/bin/env bash
# Runs every .ci/jobs/*.sh (in name order), CI_PARALLEL at a time (2: the
# machine has 2 cores). Each job runs in the repository root with its
# output captured in .ci/out/<job>.log, printed whole if the job fails, and
# is stopped after CI_JOB_TIMEOUT seconds. Ends with one summary line:
# `jobs: N passed, N failed`.
#
# A job is a bash script that exits non-zero on failure. It may use
# .ci/lib/common.sh (Node versions from the npm registry, a cache folder).
# Jobs run side by side, so a job must not write into the tree outside its
# own scratch folders (use `npm test --ignore-scripts`, not a rebuild).
set -uo pipefail
cd "$(dirname "$0")/../.."
parallel=${CI_PARALLEL:-2}
limit=${CI_JOB_TIMEOUT:-1200}
out=.ci/out
rm -rf "$out"
mkdir -p "$out"

run_one() {
  local name=$1 start=$SECONDS rc=0
  timeout --kill-after=30 "$limit" bash ".ci/jobs/$name.sh" </dev/null >"$out/$name.log" 2>&1 || rc=$?
  if [ "$rc" = 124 ]; then echo "(stopped after ${limit} s)" >>"$out/$name.log"; fi
  echo "$rc $((SECONDS - start))" >"$out/$name.status"
  if [ "$rc" = 0 ]; then
    printf 'job %s: passed in %d s\n' "$name" "$((SECONDS - start))"
  else
    printf 'job %s: FAILED (exit %d) in %d s\n' "$name" "$rc" "$((SECONDS - start))"
  fi
}

names=()
for file in .ci/jobs/*.sh; do names+=("$(basename "$file" .sh)"); done
for name in "${names[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n; done
  printf 'job %s: started\n' "$name"
  run_one "$name" &
done
wait

passed=0 failed=0 failures=()
for name in "${names[@]}"; do
  read -r rc _ <"$out/$name.status" 2>/dev/null || rc=1
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf '\n----- %s (exit %s): output -----\n' "$name" "$rc"
    cat "$out/$name.log"
    printf -- '----- end of %s -----\n' "$name"
  fi
done
# Each job's closing lines, so the log shows what ran where it passed too.
# (a test runner's counts, else the job's last line).
for name in "${names[@]}"; do
  counts=$(grep -E '^(# |ℹ )(tests|pass|fail|skipped) ' "$out/$name.log" | tr -s ' ' | paste -sd' ' - | cut -c1-200)
  printf '%s: %s\n' "$name" "${counts:-$(tail -n 1 "$out/$name.log" | cut -c1-200)}"
done
[ "$failed" = 0 ] || printf 'failed jobs: %s\n' "${failures[*]}"
printf 'jobs: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
