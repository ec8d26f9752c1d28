# Sourced by .ci/jobs/deno.sh and .ci/jobs/bun.sh: installs a JavaScript runtime from
# the npm registry into a cache directory of its own (never into the
# project's dependencies) and prints the path of its binary.
#
#   runtime_binary <npm package> <version> <platform package prefix> <binary path in the platform package>
#
# The runtimes' install scripts are not run (npm --ignore-scripts): the
# binary comes with the platform package that npm picks among the
# optional dependencies, so nothing has to be downloaded afterwards.
# BSDSOCK_RUNTIMES sets the cache directory (default: ~/.cache/bsdsock-runtimes).
runtime_binary() {
  local pkg=$1 version=$2 platform_prefix=$3 binary=$4
  local dir="${BSDSOCK_RUNTIMES:-$HOME/.cache/bsdsock-runtimes}/$pkg-$version"
  if ! ls "$dir"/node_modules/$platform_prefix*/$binary >/dev/null 2>&1; then
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"private":true}' > "$dir/package.json"
    npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund "$pkg@$version" >&2
  fi
  local found
  for found in "$dir"/node_modules/$platform_prefix*/$binary; do
    if [ -x "$found" ]; then
      echo "$found"
      return 0
    fi
  done
  echo "no $pkg binary for this platform under $dir/node_modules/$platform_prefix*" >&2
  return 1
}
