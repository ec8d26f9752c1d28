#!/usr/bin/env bash
# The suite (`npm test`) on Node 24, the official linux-x64 build from the npm registry.
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
dir=$(node_dir 24 x64)
export PATH="$dir/bin:$PATH"
node --version
# --ignore-scripts: no pretest rebuild (.ci/run built dist/ once; jobs only read it).
isolated npm test --ignore-scripts
