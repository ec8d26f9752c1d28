#!/usr/bin/env bash
# The API reference and the linter: TypeDoc builds docs/api/ (its own
# folder) from the TSDoc comments of the built tree and fails on any
# warning (an undocumented export, a broken link); then `npm run lint`
# (typescript-eslint's recommended rules over src/, no finding allowed).
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
npx typedoc
test -s docs/api/index.html
npm run --silent lint
