#!/usr/bin/env bash
# The API reference: TypeDoc builds docs/api/ (its own folder) from the
# TSDoc comments of the built tree and fails on any warning (an undocumented
# export, a broken link).
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
npx typedoc
test -s docs/api/index.html
