#!/usr/bin/env bash
# Debian's arm64 kernel on qvp --backend kvm inside the nested arm64 KVM host: the same
# kernel, initramfs and disk image as the iss backend's Linux tests (sw/linux/build.sh), the
# busybox shell driven by a console script (uname, /proc/interrupts, a sleep, the virtio disk,
# poweroff -f), each output checked, and qvp's exit status 0 from the guest's PSCI SYSTEM_OFF.
# Then the same kernel on two vCPUs (--cpus 2): both come online, nproc and /proc/cpuinfo
# count two, and no RCU stall is reported.
#
# usage: kvm-backend/test/run-kvm-linux-test.sh [BUILD_DIR] [IMAGE_DIR]
# Exits 77 (CTest's skip) when Debian's packages cannot be fetched.
set -euo pipefail

source "$(dirname "$0")/kvm-host.sh"
build=$(cd "${1:-$kvm_host_root/build}" && pwd)
images=${2:-$("$kvm_host_root/kvm-backend/kernel/build.sh")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$build/kvm-linux-console.log"

status=0
"$kvm_host_root/sw/linux/build.sh" "$build/linux" > /dev/null || status=$?
if [ "$status" = 2 ]; then
	echo "run-kvm-linux-test: SKIPPED: Debian's kernel and busybox could not be fetched"
	exit 77
fi
[ "$status" = 0 ] || exit "$status"
cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > "$work/native.log"
echo "run-kvm-linux-test: cross-building a static arm64 qvp in $build/aarch64"
kvm_host_build_qvp "$build"
kvm_host_prepare_root "$build" "$work/root"
mkdir -p "$work/root/linux"
cp "$build/linux/Image" "$build/linux/initramfs.cpio.gz" "$build/linux/disk.ext2" "$work/root/linux/"
cat > "$work/root/linux/script" <<'SCRIPT'
expect "qvp-init: ready"
expect "# "
send "uname -a\n"
expect "# "
send "cat /proc/interrupts\n"
expect "# "
send "sleep 1; echo slept\n"
expect "slept"
expect "# "
send "mount -t ext2 -o ro /dev/vda /mnt && cat /mnt/hello.txt\n"
expect "# "
send "poweroff -f\n"
SCRIPT
cat > "$work/root/linux/script-smp" <<'SCRIPT'
expect "qvp-init: ready"
expect "# "
send "nproc\n"
expect "# "
send "echo processors: $(grep -c ^processor /proc/cpuinfo)\n"
expect "# "
send "poweroff -f\n"
SCRIPT
echo "linux /qvp run --backend kvm --stats --timeout 300s --kernel /linux/Image --initrd /linux/initramfs.cpio.gz" \
	"--append console=ttyAMA0 --disk /linux/disk.ext2 --console-script /linux/script" > "$work/root/tests.txt"
echo "linux-smp /qvp run --backend kvm --cpus 2 --stats --timeout 300s --kernel /linux/Image" \
	"--initrd /linux/initramfs.cpio.gz --append console=ttyAMA0 --console-script /linux/script-smp" >> "$work/root/tests.txt"
kvm_host_pack "$work/root" "$work/initrd.gz"

echo "run-kvm-linux-test: booting the KVM host (console log: $log)"
kvm_host_boot "$images/Image" "$work/initrd.gz" "$log"
kvm_host_test_lines "$log" linux > "$work/linux.out"
kvm_host_test_lines "$log" linux-smp > "$work/linux-smp.out"

failures=0
expect() { # $1: what, $2: fixed text that must appear in the guest's console; $3: which run
	if grep -qF -- "$2" "$work/${3:-linux}.out"; then
		echo "run-kvm-linux-test: $1"
	else
		echo "run-kvm-linux-test: FAILED: $1 (no '$2')"
		failures=$((failures + 1))
	fi
}
expect "the kernel booted" "Booting Linux on physical CPU 0x0000000000"
expect "PSCI from KVM, at our version" "psci: PSCIv1.0 detected in firmware."
expect "the shell is up" "qvp-init: ready"
expect "uname -a" "Linux (none) 6.1.0"
expect "/proc/interrupts lists the timer" "arch_timer"
expect "sleep 1" "slept"
expect "the virtio disk's file" "hello from the qvp virtio disk"
expect "poweroff -f" "reboot: Power down"
grep -E '^(instructions|virtual time|wall time|kvm |qvp: )' "$work/linux.out" | sed 's/^/        /' || true
expect "two vCPUs: the second came online" "CPU1: Booted secondary processor 0x0000000001" linux-smp
expect "two vCPUs: the kernel has both" "smp: Brought up 1 node, 2 CPUs" linux-smp
expect "two vCPUs: /proc/cpuinfo" "processors: 2" linux-smp
if ! grep -qx "2" "$work/linux-smp.out"; then
	echo "run-kvm-linux-test: FAILED: two vCPUs: nproc did not print 2"
	failures=$((failures + 1))
fi
if grep -qE "rcu.*(stall|detected)|failed to come online|clocksource.*unstable" "$work/linux-smp.out"; then
	echo "run-kvm-linux-test: FAILED: two vCPUs: a stall, an offline CPU or an unstable clocksource:"
	grep -E "rcu.*(stall|detected)|failed to come online|clocksource.*unstable" "$work/linux-smp.out" | head -5
	failures=$((failures + 1))
fi
grep -E '^(instructions|virtual time|wall time|cpu [0-9])' "$work/linux-smp.out" | sed 's/^/        /' || true
for run in linux linux-smp; do
	if [ "$(kvm_host_test_status "$log" $run)" != 0 ]; then
		echo "run-kvm-linux-test: FAILED: $run: qvp's exit status '$(kvm_host_test_status "$log" $run)', expected 0"
		tail -40 "$work/$run.out" | sed 's/^/    /'
		failures=$((failures + 1))
	fi
done
[ "$failures" -eq 0 ] || { echo "run-kvm-linux-test: $failures failure(s)"; exit 1; }
echo "run-kvm-linux-test: Debian's kernel ran the shell session under real KVM"
