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

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
images=${2:-$("$root/kvm-backend/kernel/build.sh")}
case "${3:-wfx}" in
wfx) idle_mode="WFx exits (KVM_CAP_ARM_EXIT_ON_WFX)" ;;
kick) idle_mode="host-timer kick" ;;
*) echo "run-kvm-tests: IDLE_MODE must be wfx or kick" >&2; exit 2 ;;
esac
# The timer firmware (timer_irq, sleep, rtc, sp804) checks interrupt times to a few counters'
# ticks; a PMU overflow arrives thousands of instructions late, so they need --precise first.
firmware=(hello exitcode bench sgi spi_priorities)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > "$work/native.log"

# libfdt-dev cannot be installed for two architectures at once: unpack the arm64 one aside.
libfdt_arm64="$build/aarch64/libfdt/usr/lib/aarch64-linux-gnu/libfdt.a"
if [ ! -f "$libfdt_arm64" ]; then
	(cd "$work" && apt-get download -q libfdt-dev:arm64 > /dev/null 2>&1)
	mkdir -p "$build/aarch64/libfdt"
	dpkg-deb -x "$work"/libfdt-dev_*_arm64.deb "$build/aarch64/libfdt"
fi

echo "run-kvm-tests: cross-building a static arm64 qvp in $build/aarch64"
cmake -S "$root" -B "$build/aarch64" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" \
	-DQVP_STATIC=ON -DQVP_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DLIBFDT_LIBRARY="$libfdt_arm64" > "$work/cmake.log"
cmake --build "$build/aarch64" -j"$(nproc)" --target qvp platforms >> "$work/cmake.log"

mkdir -p "$work/root/proc" "$work/root/sys" "$work/root/dev" "$work/root/fw" "$work/root/platforms"
aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -o "$work/root/init" "$here/init.c"
cp "$build/aarch64/qvp" "$work/root/qvp"
cp "$build/aarch64/platforms/virt.dtb" "$work/root/platforms/"
for name in "${firmware[@]}"; do
	cp "$build/sw/$name.elf" "$work/root/fw/"
	echo "$name /qvp run --backend kvm --stats --timeout 60s /fw/$name.elf" >> "$work/root/tests.txt"
done
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initrd.gz")

# The text a test printed before qvp's stats, from the console log, without the tty's \r.
test_output() {
	tr -d '\r' < "$1" | sed -n "/^qvp-test: begin $2\$/,/^qvp-test: end $2 /p" |
		sed '1d;$d' | sed '/^--- qvp stats ---$/,$d'
}

test_status() {
	tr -d '\r' < "$1" | sed -n "s/^qvp-test: end $2 status \\([0-9-]*\\)\$/\\1/p"
}

failures=0
run_in_vm() { # $1: label, then extra qemu arguments
	local label=$1 log="$build/kvm-tests-console-$1.log"
	shift
	echo "run-kvm-tests: [$label] booting the KVM host (console log: $log)"
	timeout "${QVP_KVM_TEST_TIMEOUT:-900}" qemu-system-aarch64 \
		-machine virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on \
		-smp 1 -m 1024 -nographic -no-reboot "$@" \
		-kernel "$images/Image" -initrd "$work/initrd.gz" \
		-append "console=ttyAMA0 panic=-1 loglevel=3 rdinit=/init" < /dev/null > "$log" 2>&1 || true
	for name in "${firmware[@]}"; do
		local expected_status=0 status
		"$build/qvp" run --backend iss "$build/sw/$name.elf" > "$work/iss-$name.out" || expected_status=$?
		status=$(test_status "$log" "$name")
		test_output "$log" "$name" > "$work/kvm-$name.out"
		if [ "$status" = "$expected_status" ] && cmp -s "$work/iss-$name.out" "$work/kvm-$name.out"; then
			echo "run-kvm-tests: [$label] $name: same output and exit status ($status) as the iss backend"
		else
			echo "run-kvm-tests: [$label] $name: FAILED (kvm status '$status', iss status $expected_status)"
			diff "$work/iss-$name.out" "$work/kvm-$name.out" | head -20 || true
			failures=$((failures + 1))
		fi
		tr -d '\r' < "$log" | sed -n "/^qvp-test: begin $name\$/,/^qvp-test: end $name /p" > "$work/section"
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
