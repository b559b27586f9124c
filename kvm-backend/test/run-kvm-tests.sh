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
# Not the timer firmware (timer_irq, sleep, rtc, sp804): it checks interrupt times to a few
# counter ticks, and during a run the guest's counter follows the host's (docs/kvm.md).
firmware=(hello exitcode bench sgi spi_priorities mmio_pairs psci psci_reset)
# The SMP firmware on several vCPUs (NAME-N: --cpus N), under -icount only: KVM's in-kernel
# PSCI starts and stops the secondaries, our GICv2 raises each vCPU's lines (docs/kvm.md).
# Not on a stock kernel (IDLE_MODE kick): without KVM_ARM_EXIT_ON_STOPPED a vCPU's CPU_OFF
# sleeps in KVM_RUN until the budget's host-timer backstop, which works but only slowly.
# NAME+auto-N runs with --backend auto, which must pick kvm here and run the N vCPUs.
smp_firmware=(smp_hello-2 smp_hello-4 smp_atomic-4 smp_ipi-2 smp_timers-4 psci_smp-2 psci_smp-4 smp_hello+auto-2)
[ "${3:-wfx}" = wfx ] || smp_firmware=()
spin_timeout=5ms spin_instructions=5000000 # a guest spinning in "b ." until --timeout
# Virtual time also follows the guest's counter, which runs with the host's during KVM_RUN
# (docs/kvm.md), so the nested host's own time inside each run retires fewer instructions by
# the timeout: 4.88 and 4.92 million of the 5 in two fresh CI runs without --precise, 4.97
# million with it (its single-stepped tail is slow), on Debian's newest stock kernel.
spin_least=4500000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > "$work/native.log"
echo "run-kvm-tests: cross-building a static arm64 qvp in $build/aarch64"
kvm_host_build_qvp "$build"
kvm_host_prepare_root "$build" "$work/root"
# A test's firmware and its qvp options: NAME-N runs NAME.elf with --cpus N, NAME+auto-N the
# same with --backend auto.
test_elf() { local name=${1%-[0-9]}; echo "${name%+auto}"; }
test_cpus() { case $1 in *-[0-9]) echo "--cpus ${1##*-}" ;; esac; }
test_backend() { case $1 in *+auto-[0-9]) echo auto ;; *) echo kvm ;; esac; }
for name in "${firmware[@]}"; do
	echo "$name /qvp run --backend kvm --stats --timeout 60s /fw/$name.elf" >> "$work/root/tests.txt"
done
# sleep: 1,000 WFI waits for the timer; it checks its own timing and exits 0 when right.
# Without -icount each wait costs at least a KVM_RUN of the nested host's own time, which
# virtual time follows: on a loaded host 1,000 of them passed 60 s (status 124 in a run under
# load, likely what failed a CI run), so its timeout is 600 s; under -icount it takes about 1 s.
echo "sleep /qvp run --backend kvm --stats --timeout 600s /fw/sleep.elf" >> "$work/root/tests.txt"
kvm_host_pack "$work/root" "$work/initrd.gz"
# With a PMU that counts the guest, budgets: coarse (overshoot measured) and --precise (exact).
printf '\x00\x00\x00\x14' > "$work/root/fw/spin.bin"
for name in "${smp_firmware[@]}"; do
	echo "$name /qvp run --backend $(test_backend "$name") $(test_cpus "$name") --stats --timeout 60s /fw/$(test_elf "$name").elf" >> "$work/root/tests.txt"
done
for mode in coarse precise; do
	flag=$([ "$mode" = precise ] && echo --precise || true)
	echo "spin_$mode /qvp run --backend kvm $flag --stats --raw 0x40080000 --timeout $spin_timeout /fw/spin.bin" >> "$work/root/tests.txt"
done
kvm_host_pack "$work/root" "$work/initrd-budget.gz"

# Each failure is printed where it happens and again in the summary at the end, which a
# shortened CI log still shows.
failed=()
fail() { echo "run-kvm-tests: $*"; failed+=("$*"); }
run_in_vm() { # $1: label, $2: initramfs, $3...: the firmware, then -- and extra qemu arguments
	local label=$1 initrd=$2 log="$build/kvm-tests-console-$1.log" names=()
	shift 2
	while [ "$1" != -- ]; do names+=("$1"); shift; done
	shift
	echo "run-kvm-tests: [$label] booting the KVM host (console log: $log)"
	kvm_host_boot "$images/Image" "$initrd" "$log" "$@"
	for name in "${names[@]}"; do
		local expected_status=0 status
		# shellcheck disable=SC2046 # test_cpus prints two words or none
		"$build/qvp" run --backend iss --stats $(test_cpus "$name") "$build/sw/$(test_elf "$name").elf" \
			> "$work/iss-$name.out" 2> "$work/iss-$name.stats" || expected_status=$?
		status=$(kvm_host_test_status "$log" "$name")
		kvm_host_test_lines "$log" "$name" > "$work/section"
		sed '/^--- qvp stats ---$/,$d' "$work/section" > "$work/kvm-$name.out"
		if [ "$status" = "$expected_status" ] && cmp -s "$work/iss-$name.out" "$work/kvm-$name.out"; then
			echo "run-kvm-tests: [$label] $name: same output and exit status ($status) as the iss backend"
		else
			fail "[$label] $name: FAILED (kvm status '$status', iss status $expected_status)"
			diff "$work/iss-$name.out" "$work/kvm-$name.out" | head -20 || true
		fi
		echo "        took $(kvm_host_test_seconds "$log" "$name") s in the KVM host"
		grep -E '^(instructions|virtual time|kvm |qvp: |cpu [0-9])' "$work/section" | sed 's/^/        /' || true
		check_vcpu_stats "$label" "$name"
		if [ "$name" = mmio_pairs ] && ! grep -qE '^kvm emulated instructions: [1-9]' "$work/section"; then
			fail "[$label] mmio_pairs: FAILED: no access went through KVM_EXIT_ARM_NISV"
		fi
		if ! grep -qxF "kvm idle: $idle_mode" "$work/section"; then
			fail "[$label] $name: FAILED: qvp did not report 'kvm idle: $idle_mode'"
		fi
	done
	check_idle "$label"
	grep -q "qvp-test: done" "$log" || { fail "[$label] the VM did not finish:"; tail -30 "$log"; }
}

# --stats with N vCPUs: the per-CPU lines of the iss backend (same format), one `kvm cpu K
# exits` line per vCPU, none of them a CPU_OFF on CPU 0, and psci_smp's CPU_OFFs (it waits
# until AFFINITY_INFO says cpu 1 is off) counted on cpu 1; with --backend auto, the kvm backend.
check_vcpu_stats() { # $1: label, $2: test name
	local cpus=${2##*-} least_off=0
	case $2 in *-[0-9]) ;; *) return 0 ;; esac
	case $2 in psci_smp-*) least_off=1 ;; esac
	shape() { grep -E '^cpu [0-9]+ \(MPIDR' "$1" | sed -E 's/[0-9]+ instructions/N instructions/; s/[0-9.]+ s waiting/T s waiting/'; }
	if [ "$(grep -cE '^kvm cpu [0-9]+ exits: ' "$work/section")" != "$cpus" ] ||
		[ "$(sed -nE 's/^kvm cpu 1 exits: .* ([0-9]+) off,.*/\1/p' "$work/section")" -lt "$least_off" ] ||
		! grep -qE '^kvm cpu 0 exits: .* 0 off,' "$work/section" ||
		[ "$(shape "$work/section")" != "$(shape "$work/iss-$2.stats")" ] ||
		[ "$(shape "$work/section" | wc -l)" != "$cpus" ]; then
		fail "[$1] $2: FAILED: --stats did not describe each of the $cpus vCPUs as expected"
		shape "$work/iss-$2.stats" | sed 's/^/        iss: /'
	fi
	if [ "$(test_backend "$2")" = auto ] && ! grep -qx "backend: kvm" "$work/section"; then
		fail "[$1] $2: FAILED: --backend auto did not pick kvm"
	fi
}

# An idle guest: with WFx exits qvp skips idle time; with kicks it cannot (and skips none).
# Without -icount ([tcg]) the guest's counter runs with the nested host's clock, and on a slow
# or loaded host every tick can be due before the guest reaches its WFI, which then never
# blocks: a fresh Debian root once skipped nothing there. So skipping is required under
# -icount only; skipping nothing with kicks is required in both.
check_idle() { # $1: label
	local log="$build/kvm-tests-console-$1.log" skipped
	skipped=$(kvm_host_test_lines "$log" sleep | sed -n 's/^idle time skipped: \([0-9.]*\) s$/\1/p')
	echo "run-kvm-tests: [$1] sleep: status $(kvm_host_test_status "$log" sleep), idle time skipped ${skipped:-?} s"
	if [ "$(kvm_host_test_status "$log" sleep)" != 0 ] || [ -z "$skipped" ] ||
		{ [ "$idle_mode" = "host-timer kick" ] && [ "$skipped" != 0.000000000000 ]; } ||
		{ [ "$idle_mode" != "host-timer kick" ] && [ "$1" = icount ] && [ "$skipped" = 0.000000000000 ]; }; then
		fail "[$1] sleep: FAILED (expected status 0 and idle time skipped only with WFx exits)"
	fi
}

# The spinning guest must end with the timeout status, not long before its instruction count.
# How far past it the PMU's overflow lets it run is printed: under QEMU the skid is far larger
# than --precise's margin, so --precise is not exact there (docs/kvm.md).
check_budgets() { # $1: label
	local log="$build/kvm-tests-console-$1.log" mode count
	for mode in coarse precise; do
		count=$(kvm_host_test_lines "$log" "spin_$mode" | sed -n 's/^instructions: //p')
		echo "run-kvm-tests: [$1] spin_$mode to --timeout $spin_timeout: $count instructions (budget $spin_instructions)"
		if [ "$(kvm_host_test_status "$log" "spin_$mode")" != 124 ] || [ -z "$count" ] || [ "$count" -lt "$spin_least" ]; then
			fail "[$1] spin_$mode: FAILED: expected the timeout status after at least $spin_least instructions"
		fi
	done
}

run_in_vm "icount" "$work/initrd-budget.gz" "${firmware[@]}" "${smp_firmware[@]}" -- -icount shift=0
check_budgets "icount"
# Not psci_reset: it must reach main within 1 ms of its counter, which runs with the host's
# during a run, and without -icount the emulated host is far slower than that.
tcg_firmware=()
for name in "${firmware[@]}"; do [ "$name" = psci_reset ] || tcg_firmware+=("$name"); done
run_in_vm "tcg" "$work/initrd.gz" "${tcg_firmware[@]}" --

if [ "${#failed[@]}" -ne 0 ]; then
	echo "run-kvm-tests: ${#failed[@]} failure(s):"
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
echo "run-kvm-tests: all firmware ran under KVM as on the iss backend"
