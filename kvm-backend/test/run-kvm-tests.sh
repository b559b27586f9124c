#!/usr/bin/env bash
# Runs qvp's firmware under --backend kvm inside an arm64 Linux that qemu-system-aarch64
# boots with virtualization on (real KVM, nested under TCG), and compares each run's UART
# output and exit status with the same firmware on the iss backend outside.
#
# usage: kvm-backend/test/run-kvm-tests.sh [BUILD_DIR] [IMAGE_DIR] [IDLE_MODE]
# BUILD_DIR is the native build (default: build); a static arm64 qvp is cross-built in
# BUILD_DIR/aarch64. IMAGE_DIR holds the host kernel's Image (default: our patched kernel
# from kvm-backend/kernel/build.sh). IDLE_MODE is what qvp must report finding: "wfx" (the
# kernel has our WFx-exit capability, the default) or "kick" (a stock kernel: fallback).
set -euo pipefail

source "$(dirname "$0")/kvm-host.sh"
build=$(cd "${1:-$kvm_host_root/build}" && pwd)
images=${2:-$("$kvm_host_root/kvm-backend/kernel/build.sh")}
case "${3:-wfx}" in
wfx) idle_mode="WFx exits (KVM_CAP_ARM_EXIT_ON_WFX)" ;;
kick) idle_mode="host-timer kick" ;;
*) echo "run-kvm-tests: IDLE_MODE must be wfx or kick" >&2; exit 2 ;;
esac
# The timer firmware (timer_irq, sleep, rtc, sp804) checks interrupt times to a few counter
# ticks; a PMU overflow arrives thousands of instructions late, so they need --precise first.
firmware=(hello exitcode bench sgi spi_priorities)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > "$work/native.log"
echo "run-kvm-tests: cross-building a static arm64 qvp in $build/aarch64"
kvm_host_build_qvp "$build"
kvm_host_prepare_root "$build" "$work/root"
for name in "${firmware[@]}"; do
	echo "$name /qvp run --backend kvm --stats --timeout 60s /fw/$name.elf" >> "$work/root/tests.txt"
done
kvm_host_pack "$work/root" "$work/initrd.gz"

failures=0
run_in_vm() { # $1: label, then extra qemu arguments
	local label=$1 log="$build/kvm-tests-console-$1.log"
	shift
	echo "run-kvm-tests: [$label] booting the KVM host (console log: $log)"
	kvm_host_boot "$images/Image" "$work/initrd.gz" "$log" "$@"
	for name in "${firmware[@]}"; do
		local expected_status=0 status
		"$build/qvp" run --backend iss "$build/sw/$name.elf" > "$work/iss-$name.out" || expected_status=$?
		status=$(kvm_host_test_status "$log" "$name")
		kvm_host_test_lines "$log" "$name" > "$work/section"
		sed '/^--- qvp stats ---$/,$d' "$work/section" > "$work/kvm-$name.out"
		if [ "$status" = "$expected_status" ] && cmp -s "$work/iss-$name.out" "$work/kvm-$name.out"; then
			echo "run-kvm-tests: [$label] $name: same output and exit status ($status) as the iss backend"
		else
			echo "run-kvm-tests: [$label] $name: FAILED (kvm status '$status', iss status $expected_status)"
			diff "$work/iss-$name.out" "$work/kvm-$name.out" | head -20 || true
			failures=$((failures + 1))
		fi
		grep -E '^(instructions|virtual time|kvm idle|kvm budget|qvp: )' "$work/section" | sed 's/^/        /' || true
		if ! grep -qxF "kvm idle: $idle_mode" "$work/section"; then
			echo "run-kvm-tests: [$label] $name: FAILED: qvp did not report 'kvm idle: $idle_mode'"
			failures=$((failures + 1))
		fi
	done
	grep -q "qvp-test: done" "$log" || { echo "run-kvm-tests: [$label] the VM did not finish:"; tail -30 "$log"; failures=$((failures + 1)); }
}

run_in_vm "icount" -icount shift=0   # the PMU counts guest instructions exactly
run_in_vm "tcg"                      # no usable PMU: host-timer budget

if [ "$failures" -ne 0 ]; then
	echo "run-kvm-tests: $failures failure(s)"
	exit 1
fi
echo "run-kvm-tests: all firmware ran under KVM as on the iss backend"
