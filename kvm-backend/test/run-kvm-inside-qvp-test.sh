#!/usr/bin/env bash
# KVM inside qvp (issue 18's moonshot, el2.kvm_guest_inside): Debian's arm64 kernel entered at
# EL2 on the iss backend (qvp run --el2) initializes KVM, and inside it the static arm64 qvp of
# the nested-KVM harness runs firmware under --backend kvm. The initramfs is the harness's
# (kvm-host.sh: init.c, /qvp, /fw), booted on qvp instead of on QEMU. Checked:
# - bare_kvm (tests/bench/kvm_roundtrip), the smallest KVM user: a VM, a vCPU, MMIO exits;
# - hello, exitcode, sgi, vector and fp_math (SIMD&FP: nVHE KVM's lazy FP switch, CPTR_EL2.TFP)
#   under --backend kvm print what the iss backend prints here and exit with its status;
# - the whole run twice: the same console byte for byte (the inner qvp's stats included: its
#   host clock is the outer qvp's virtual time) and the same instruction count and virtual
#   time of the outer qvp.
#
# With QVP_KVM_INSIDE_QEMU=1 (tests/bench/kvm_inside.sh) the same initramfs also boots on
# qemu-system-aarch64 -M virt,virtualization=on,gic-version=2 -cpu cortex-a57, with
# -icount shift=0 and without, and the wall times of the three are printed.
#
# usage: kvm-backend/test/run-kvm-inside-qvp-test.sh [BUILD_DIR]
# Exits 77 (CTest's skip) when Debian's packages cannot be fetched.
set -euo pipefail

source "$(dirname "$0")/kvm-host.sh"
build=$(cd "${1:-$kvm_host_root/build}" && pwd)
firmware=(hello exitcode sgi vector fp_math)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

kvm_host_build_for_linux "$build" run-kvm-inside-qvp-test
kvm_host_prepare_root "$build" "$work/root"
here=$(cd "$(dirname "$0")" && pwd)
bench="$here/../../tests/bench/kvm_roundtrip"
aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -o "$work/root/bare_kvm" "$bench/bare_kvm.c"
aarch64-linux-gnu-gcc -c -DEXITS=10 -o "$work/guest.o" "$bench/guest.S"
aarch64-linux-gnu-objcopy -O binary "$work/guest.o" "$work/root/fw/roundtrip-10.bin"
echo "bare_kvm /bare_kvm /fw/roundtrip-10.bin" > "$work/root/tests.txt"
for name in "${firmware[@]}"; do
	echo "$name /qvp run --backend kvm --stats --timeout 60s /fw/$name.elf" >> "$work/root/tests.txt"
done
# The same files give the same archive (mtimes, order), so separate runs boot the same bytes.
find "$work/root" -exec touch -h -d @1704067200 {} +
(cd "$work/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible | gzip -n -1 > "$work/initrd.gz")

# Boots the initramfs on qvp at EL2: console to $work/console-$1.log (without CRs), the outer qvp's stats to
# $work/stats-$1.log; prints the wall time. 512 MiB: the unpacked initramfs does not fit the
# tmpfs of virt's default 128 MiB ("Initramfs unpacking failed: write error").
boot_on_qvp() {
	local start end
	start=$(date +%s.%N)
	"$build/qvp" run --backend iss --el2 --memory 512M --kernel "$build/linux/Image" --initrd "$work/initrd.gz" \
		--append "console=ttyAMA0 panic=-1 rdinit=/init" --timeout 60s --stats \
		--console "$work/console-$1.raw" > /dev/null 2> "$work/stats-$1.log" || true
	end=$(date +%s.%N)
	tr -d '\r' < "$work/console-$1.raw" > "$work/console-$1.log"
	echo "$start $end" | awk '{ printf "%.2f", $2 - $1 }'
}

# Boots the initramfs on QEMU (more arguments go to it): console to $work/qemu-$1.log; prints
# the wall time.
boot_on_qemu() {
	local name=$1 start end
	shift
	start=$(date +%s.%N)
	timeout 300 qemu-system-aarch64 -M virt,virtualization=on,gic-version=2 -cpu cortex-a57 -m 512 \
		-nographic -no-reboot -nic none "$@" -kernel "$build/linux/Image" -initrd "$work/initrd.gz" \
		-append "console=ttyAMA0 panic=-1 rdinit=/init" < /dev/null > "$work/qemu-$name.log" 2>&1 || true
	end=$(date +%s.%N)
	echo "$start $end" | awk '{ printf "%.2f", $2 - $1 }'
}

failures=0
fail() { echo "run-kvm-inside-qvp-test: FAILED: $*"; failures=$((failures + 1)); }
for run in 1 2; do
	echo "run-kvm-inside-qvp-test: run $run: Linux at EL2 on qvp, $(boot_on_qvp $run) s of wall time"
	grep -E '^(instructions|virtual time):' "$work/stats-$run.log" | sed 's/^/        /'
done
if [ "${QVP_KVM_INSIDE_QEMU:-0}" = 1 ]; then
	echo "run-kvm-inside-qvp-test: the same on QEMU -icount shift=0: $(boot_on_qemu icount -icount shift=0) s of wall time"
	echo "run-kvm-inside-qvp-test: the same on QEMU TCG: $(boot_on_qemu tcg) s of wall time"
	grep -q "qvp-test: done" "$work/qemu-tcg.log" || fail "the initramfs's tests did not finish on QEMU"
fi
log="$work/console-1.log"
grep -q "kvm \[1\]: Hyp mode initialized successfully" "$log" || fail "KVM did not initialize"
grep -q "qvp-test: done" "$log" || { fail "the initramfs's tests did not finish"; tail -30 "$log"; }
if [ "$(kvm_host_test_status "$log" bare_kvm)" = 0 ] && kvm_host_test_lines "$log" bare_kvm | grep -qx "exits: 11"; then
	echo "run-kvm-inside-qvp-test: bare_kvm: a VM, a vCPU and 11 MMIO exits to userspace"
else
	fail "bare_kvm:"
	kvm_host_test_lines "$log" bare_kvm
fi
for name in "${firmware[@]}"; do
	expected=0
	"$build/qvp" run --backend iss "$build/sw/$name.elf" > "$work/iss-$name.out" 2> /dev/null || expected=$?
	kvm_host_test_lines "$log" "$name" | sed '/^--- qvp stats ---$/,$d' > "$work/kvm-$name.out"
	got=$(kvm_host_test_status "$log" "$name")
	if [ "$got" = "$expected" ] && cmp -s "$work/iss-$name.out" "$work/kvm-$name.out" &&
		kvm_host_test_lines "$log" "$name" | grep -qx "backend: kvm"; then
		echo "run-kvm-inside-qvp-test: $name: under KVM inside qvp, the same output and status ($got) as the iss backend"
	else
		fail "$name (kvm status '$got', iss status $expected)"
		diff "$work/iss-$name.out" "$work/kvm-$name.out" | head -20 || true
	fi
done
cmp -s "$work/console-1.log" "$work/console-2.log" || fail "the two runs' consoles differ"
diff <(grep -E '^(instructions|virtual time):' "$work/stats-1.log") \
	<(grep -E '^(instructions|virtual time):' "$work/stats-2.log") > /dev/null ||
	fail "the two runs' instruction counts or virtual times differ"
[ "$failures" = 0 ] && echo "run-kvm-inside-qvp-test: both runs identical; all passed"
[ "$failures" = 0 ]
