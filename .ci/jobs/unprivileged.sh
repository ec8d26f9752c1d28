#!/usr/bin/env bash
# The suite as a user who is not root, with Debian's /usr/bin/python3 first
# on PATH (a python3 built with BlueZ's headers; the root run in .ci/run uses
# whichever python3 comes first there). Tests that need root skip, saying why.
source "$(dirname "$0")/../lib/common.sh"
user=${BSDSOCK_CI_USER:-bsdsock-ci}
id -u "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
home=$(getent passwd "$user" | cut -d: -f6)
# The clone may sit where only root can read (/root/...): the user gets a copy of its own.
work=$(mktemp -d /tmp/bsdsock-unprivileged.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$ROOT" --exclude=./.git --exclude=./node_modules/.cache --exclude=./.ci/out -cf - . | tar -C "$work" -xf -
chown -R "$user:" "$work"
chmod 755 "$work"
node_bin=$(dirname "$(command -v node)")
path="/usr/bin:/bin:$node_bin:/usr/local/bin"
echo "user: $user ($(id -u "$user")); node: $(PATH=$path command -v node); python3: $(PATH=$path command -v python3 || echo none)"
cd "$work"
isolated runuser -u "$user" -- env HOME="$home" PATH="$path" npm test --ignore-scripts
