#!/usr/bin/env bash
# The kvm backend's own overhead, in the nested-KVM host, against the same guest under a bare
# KVM_RUN loop that answers every MMIO read with a constant (kvm_roundtrip/bare_kvm.c):
# - an exit served inside a run: an MMIO read of the simulation-control device (KVM_RUN
#   returns, the bus serves the read at the current virtual time, KVM_RUN again), with a
#   quantum long enough that no run ends meanwhile;
# - a quantum round trip: the same guest with the default 100 us quantum, so that runs also
#   end at their budget (the host timer's kick) and the loop fires events and starts the next
#   run; its cost is the extra wall time over the extra quanta (--stats counts them).
# Each side runs the guest with two exit counts; differences of wall times over differences of
# counts give costs free of start-up.
# Wall-clock figures inside an emulator say nothing about real hardware: compare ratios only.
#
# usage: tests/bench/kvm_roundtrip.sh [BUILD_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../kvm-backend/test/kvm-host.sh"
build=$(cd "${1:-$kvm_host_root/build}" && pwd)
patched=$("$kvm_host_root/kvm-backend/kernel/build.sh")
small=20000 large=220000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > "$work/native.log"
kvm_host_build_qvp "$build"
kvm_host_prepare_root "$build" "$work/root"
aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -o "$work/root/bare_kvm" "$here/kvm_roundtrip/bare_kvm.c"
for exits in $small $large; do
	aarch64-linux-gnu-gcc -c -DEXITS=$exits -o "$work/guest-$exits.o" "$here/kvm_roundtrip/guest.S"
	aarch64-linux-gnu-objcopy -O binary "$work/guest-$exits.o" "$work/root/fw/roundtrip-$exits.bin"
	echo "bare_$exits /bare_kvm /fw/roundtrip-$exits.bin" >> "$work/root/tests.txt"
	echo "qvp_$exits /qvp run --backend kvm --stats --quantum 10s --raw 0x40080000 /fw/roundtrip-$exits.bin" >> "$work/root/tests.txt"
done
echo "quanta_$large /qvp run --backend kvm --stats --raw 0x40080000 /fw/roundtrip-$large.bin" >> "$work/root/tests.txt"
kvm_host_pack "$work/root" "$work/initrd.gz"
kvm_host_boot "$patched/Image" "$work/initrd.gz" "$work/console.log"

wall() { # NAME: the wall time in seconds the run printed
	kvm_host_test_lines "$work/console.log" "$1" | sed -n 's/^wall time: \([0-9.]*\) s.*/\1/p'
}
quanta() { # NAME: the quanta the run counted
	kvm_host_test_lines "$work/console.log" "$1" | sed -n 's/^quanta: \([0-9]*\).*/\1/p'
}
for name in bare_$small bare_$large qvp_$small qvp_$large quanta_$large; do
	if [ -z "$(wall "$name")" ] || [ "$(kvm_host_test_status "$work/console.log" "$name")" != 0 ]; then
		echo "kvm_roundtrip: $name did not run:"; tail -30 "$work/console.log"; exit 1
	fi
done
awk -v bs="$(wall bare_$small)" -v bl="$(wall bare_$large)" -v qs="$(wall qvp_$small)" -v ql="$(wall qvp_$large)" \
	-v tq="$(wall quanta_$large)" -v nq="$(quanta quanta_$large)" -v n1="$(quanta qvp_$large)" \
	-v n=$((large - small)) 'BEGIN {
	bare = (bl - bs) / n * 1e6; qvp = (ql - qs) / n * 1e6; quantum = (tq - ql) / (nq - n1) * 1e6
	printf "%-44s %10s %12s\n", "", "us", "x bare exit"
	printf "%-44s %10.2f %12.2f\n", "bare KVM_RUN loop, one MMIO exit", bare, 1
	printf "%-44s %10.2f %12.2f\n", "qvp --backend kvm, one MMIO exit in a run", qvp, qvp / bare
	printf "%-44s %10.2f %12.2f\n", "qvp --backend kvm, one quantum round trip", quantum, quantum / bare
	printf "(%d exits of difference; %d quanta against %d; nested KVM under QEMU TCG)\n", n, nq, n1
}'
