#!/usr/bin/env bash
# CI: the API reference. TypeDoc builds docs/api/ from the TSDoc comments and
# fails on any warning (an undocumented export, a broken link).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run docs
test -s docs/api/index.html
