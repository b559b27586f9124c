#!/usr/bin/env bash
# Boots the patched kernel (kvm-backend/kernel/build.sh) as an arm64 KVM host inside
# qemu-system-aarch64 with virtualization on, and runs the KVM selftest of our WFx-exit
# series there: real KVM, nested under TCG on any host.
#
# usage: kvm-backend/test/run-kernel-tests.sh [IMAGE_DIR]
# IMAGE_DIR holds Image and wfx_exit_test; by default build.sh builds (or finds) them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
images=${1:-$("$here/../kernel/build.sh")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The initramfs: our static /init and the programs it runs.
mkdir -p "$work/root/proc" "$work/root/sys" "$work/root/dev"
aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -o "$work/root/init" "$here/init.c"
cp "$images/wfx_exit_test" "$work/root/"
echo "wfx_exit_test /wfx_exit_test" > "$work/root/tests.txt"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initrd.gz")

log="$work/console.log"
echo "run-kernel-tests: booting $images/Image under qemu-system-aarch64 (virtualization=on)"
timeout "${QVP_KERNEL_TEST_TIMEOUT:-600}" qemu-system-aarch64 \
	-machine virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on \
	-smp 1 -m 512 -nographic -no-reboot \
	-kernel "$images/Image" -initrd "$work/initrd.gz" \
	-append "console=ttyAMA0 panic=-1 loglevel=4 rdinit=/init" \
	< /dev/null > "$log" 2>&1 || true
sed 's/^/    /' "$log"

if grep -q "qvp-test: end wfx_exit_test status 0" "$log" && grep -q "wfx_exit_test: PASS" "$log"; then
	echo "run-kernel-tests: wfx_exit_test passed under real KVM"
	exit 0
fi
echo "run-kernel-tests: wfx_exit_test FAILED (see the console log above)"
exit 1
