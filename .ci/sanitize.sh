#!/usr/bin/env bash
# CI: the whole suite, the random-argument sweep included, against the addon
# built with AddressSanitizer and UBSan (build-sanitize/). A sanitizer finding
# aborts the node process that made it, which fails its test file and so the
# run. Needs gcc with libasan and libubsan (Debian: gcc).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run test:sanitize
