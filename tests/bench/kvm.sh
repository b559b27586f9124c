#!/usr/bin/env bash
# Idle guests under the kvm backend, in the nested-KVM host: `sleep` (1,000 ticks of 1 ms) and
# `sleep_long` on our patched kernel, where a WFI exits to qvp and virtual time skips ahead,
# and on Debian's stock kernel, where KVM_RUN blocks in WFI until a host-timer kick. Prints
# each run's wall time (qvp --stats, measured inside the VM) and the ratio.
# Wall-clock figures inside an emulator say nothing about real hardware: compare ratios only.
#
# usage: tests/bench/kvm.sh [BUILD_DIR]
set -euo pipefail

source "$(dirname "$0")/../../kvm-backend/test/kvm-host.sh"
build=$(cd "${1:-$kvm_host_root/build}" && pwd)
patched=$("$kvm_host_root/kvm-backend/kernel/build.sh")
stock=$("$kvm_host_root/kvm-backend/test/stock-kernel.sh")
firmware=(sleep sleep_long)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > "$work/native.log"
kvm_host_build_qvp "$build"
kvm_host_prepare_root "$build" "$work/root"
for name in "${firmware[@]}"; do
	echo "$name /qvp run --backend kvm --stats --timeout 200s /fw/$name.elf" >> "$work/root/tests.txt"
done
kvm_host_pack "$work/root" "$work/initrd.gz"

stat_of() { # LOG NAME KEY
	kvm_host_test_lines "$1" "$2" | sed -n "s/^$3: //p"
}

printf '%-12s %-28s %14s %20s %12s\n' firmware kernel "wall time" "idle skipped" "virtual"
for kernel in patched stock; do
	image=$([ "$kernel" = patched ] && echo "$patched" || echo "$stock")
	kvm_host_boot "$image/Image" "$work/initrd.gz" "$work/$kernel.log"
	for name in "${firmware[@]}"; do
		printf '%-12s %-28s %14s %20s %12s\n' "$name" "$kernel" \
			"$(stat_of "$work/$kernel.log" "$name" "wall time")" \
			"$(stat_of "$work/$kernel.log" "$name" "idle time skipped" | cut -c1-10) s" \
			"$(stat_of "$work/$kernel.log" "$name" "virtual time" | cut -c1-8) s"
		echo "$name $kernel $(stat_of "$work/$kernel.log" "$name" "wall time" | cut -d' ' -f1)" >> "$work/walls"
	done
done
for name in "${firmware[@]}"; do
	awk -v n="$name" '$1 == n { w[$2] = $3 } END { if (w["patched"] > 0) printf "%s: stock kernel (kick) / patched kernel (WFx exit) wall time = %.2f\n", n, w["stock"] / w["patched"] }' "$work/walls"
done
