#!/usr/bin/env bash
# The whole suite, the random-argument sweep included, against the addon
# built with AddressSanitizer and UBSan into build-sanitize/ (its own folder:
# the tree the other jobs read is left alone). A sanitizer finding aborts
# the node process that made it, which fails its test file and so the job.
# Needs gcc with libasan and libubsan (Debian: gcc).
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
isolated node scripts/sanitize.mjs
