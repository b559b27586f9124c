#!/usr/bin/env bash
# Boots the patched kernel (kvm-backend/kernel/build.sh) as an arm64 KVM host inside
# qemu-system-aarch64 with virtualization on, and runs the KVM selftest of our WFx-exit
# series there: real KVM, nested under TCG on any host.
#
# usage: kvm-backend/test/run-kernel-tests.sh [IMAGE_DIR]
# IMAGE_DIR holds Image and wfx_exit_test; by default build.sh builds (or finds) them.
set -euo pipefail

source "$(dirname "$0")/kvm-host.sh"
images=${1:-$("$kvm_host_root/kvm-backend/kernel/build.sh")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/root/proc" "$work/root/sys" "$work/root/dev"
aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -o "$work/root/init" "$kvm_host_dir/init.c"
cp "$images/wfx_exit_test" "$work/root/"
echo "wfx_exit_test /wfx_exit_test" > "$work/root/tests.txt"
kvm_host_pack "$work/root" "$work/initrd.gz"

log="$work/console.log"
echo "run-kernel-tests: booting $images/Image under qemu-system-aarch64 (virtualization=on)"
kvm_host_boot "$images/Image" "$work/initrd.gz" "$log"
sed 's/^/    /' "$log"

if [ "$(kvm_host_test_status "$log" wfx_exit_test)" = 0 ] && grep -q "wfx_exit_test: PASS" "$log"; then
	echo "run-kernel-tests: wfx_exit_test passed under real KVM"
	exit 0
fi
echo "run-kernel-tests: wfx_exit_test FAILED (see the console log above)"
exit 1
