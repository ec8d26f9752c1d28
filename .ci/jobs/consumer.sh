#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, publint and attw on the tarball,
# then scratch projects that install it:
# - with --ignore-scripts and no compiler, make or python3 on PATH: the
#   prebuilt binary is used; require() and import both work (a socketpair
#   round trip, a TCP echo through the async twins); TypeScript consumers
#   compile under module nodenext (ESM and CJS) and moduleResolution bundler;
# - from a tarball without this platform's prebuilt binaries, install scripts
#   on: built from source; and without the tools: the install fails naming them.
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
work=$(mktemp -d /tmp/bsdsock-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
# npm's own script, to run npm with a PATH that holds nothing but node.
npm_cli=$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js
test -f "$npm_cli" || { echo "npm-cli.js not found next to $(command -v npm)"; exit 1; }
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

echo '== npm pack'
# .ci/run built dist/ already: no prepare run here (jobs only read the tree).
npm pack --ignore-scripts --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/bsdsock-*.tgz)
tar -tzf "$tarball" | sort >"$work/files.txt"
for want in package/LICENSE package/README.md package/docs/API.md package/dist/cjs/index.js package/dist/esm/index.mjs \
  package/prebuilds/linux-x64/node.napi.glibc.node package/prebuilds/linux-x64/node.napi.musl.node \
  package/prebuilds/linux-arm64/node.napi.glibc.node package/scripts/install.mjs package/binding.gyp; do
  grep -qx "$want" "$work/files.txt" || { echo "missing from the tarball: $want"; exit 1; }
done
if grep -E '^package/(src/|test/|bench/|build/|\.ci/|dist/\.tsbuildinfo|prebuilds/constants)' "$work/files.txt"; then
  echo 'build leftovers or sources in the tarball (above)'
  exit 1
fi
echo "tarball: $(basename "$tarball"), $(wc -l <"$work/files.txt") files, $(du -k "$tarball" | cut -f1) KiB"

echo '== publint and attw'
npx --no-install publint --strict "$tarball"
npx --no-install attw "$tarball"

echo '== install with --ignore-scripts, no compiler on PATH'
app="$work/app"
mkdir -p "$app" "$work/bin"
# node, and sh (npm runs install scripts with it): a slim image's tools.
ln -s "$(command -v node)" "$work/bin/node"
ln -s "$(readlink -f /bin/sh)" "$work/bin/sh"
bare="$work/bin"
for tool in cc gcc clang make python3 python node-gyp; do
  if PATH="$bare" command -v "$tool" >/dev/null; then echo "$tool is on the bare PATH"; exit 1; fi
done
cp .ci/consumer/* "$app/"
(cd "$app" && echo '{ "name": "consumer", "version": "1.0.0", "private": true }' >package.json &&
  PATH="$bare" node "$npm_cli" install --ignore-scripts --no-save "$tarball" @types/node@^20.17.0 >/dev/null)
test ! -e "$app/node_modules/bsdsock/build" || { echo 'a build/ folder appeared'; exit 1; }
(cd "$app" && PATH="$bare" node -p "'loads ' + require('node-gyp-build').path(require('path').dirname(require.resolve('bsdsock/package.json')))")
(cd "$app" && PATH="$bare" node use.cjs && PATH="$bare" node use.mjs)

echo '== TypeScript consumers'
tsc="$ROOT/node_modules/typescript/bin/tsc"
(cd "$app" && node "$tsc" --version && node "$tsc" -p tsconfig.nodenext.json && echo 'module nodenext: ok' &&
  node "$tsc" -p tsconfig.bundler.json && echo 'moduleResolution bundler: ok')

echo '== no prebuilt binary for this platform: built from source at install'
mkdir -p "$work/repack"
tar -xzf "$tarball" -C "$work/repack"
rm -rf "$work/repack/package/prebuilds/linux-x64"
tar -czf "$work/noprebuild.tgz" -C "$work/repack" package
src_app="$work/source-app"
mkdir -p "$src_app"
(cd "$src_app" && echo '{ "name": "from-source", "version": "1.0.0", "private": true }' >package.json &&
  node "$npm_cli" install --no-save --foreground-scripts "$work/noprebuild.tgz" >"$work/source-install.log" 2>&1) ||
  { cat "$work/source-install.log"; exit 1; }
test -f "$src_app/node_modules/bsdsock/build/Release/bsdsock.node" || { cat "$work/source-install.log"; echo 'no build/Release/bsdsock.node'; exit 1; }
cp .ci/consumer/use.cjs "$src_app/"
(cd "$src_app" && node use.cjs)

echo '== and without python3, make and a compiler: the install fails and names them'
fail_app="$work/fail-app"
mkdir -p "$fail_app"
rc=0
(cd "$fail_app" && echo '{ "name": "no-tools", "version": "1.0.0", "private": true }' >package.json &&
  PATH="$bare" node "$npm_cli" install --no-save --foreground-scripts "$work/noprebuild.tgz" >"$work/fail-install.log" 2>&1) || rc=$?
if [ "$rc" = 0 ]; then cat "$work/fail-install.log"; echo 'the install succeeded without build tools'; exit 1; fi
for named in 'python3' 'make' 'a C compiler'; do
  grep -q "missing: .*$named" "$work/fail-install.log" || { cat "$work/fail-install.log"; echo "the failure does not name $named"; exit 1; }
done
grep -m1 'missing:' "$work/fail-install.log"
echo 'consumer: all checks passed'
