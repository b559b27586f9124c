#!/usr/bin/env bash
# Boot time of Debian's arm64 kernel on qvp's iss backend against qemu-system-aarch64 -M virt
# -cpu cortex-a57 (TCG, and TCG with -icount shift=0): the same kernel, initramfs and command
# line, from reset to PSCI SYSTEM_OFF, in one run. Prints wall times and ratios; never fails
# on speed. The figures are recorded in docs/linux.md.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
Usage: tests/bench/linux.sh [--repeat N] [--cpus N] [--init PATH] [BUILD_DIR]

Builds (or reuses) BUILD_DIR/linux with sw/linux/build.sh, then boots the kernel with the
initramfs and rdinit=PATH on qvp (--backend iss) and on qemu-system-aarch64, each until the
guest powers off, and prints the wall time of each and the ratios.

  BUILD_DIR    qvp's CMake build directory (default: build)
  --repeat N   boots per simulator; the fastest one counts (default: 1)
  --cpus N     CPUs: qvp --cpus N against QEMU -smp N (default: 1)
  --init PATH  the initramfs's program that runs as PID 1 and powers off (default:
               /init, busybox's init script up to where it would start the shell,
               told by qvp.poweroff on the command line to power off instead;
               /poweroff-init powers off at once, without busybox)
  -h, --help   print this help

Environment: QEMU names the qemu-system-aarch64 to use.
Exit status: 0 when every boot powered off, 1 when one did not, 2 for bad usage.
USAGE
}

repeat=1
cpus=1
init=/init
build_dir=build
while [[ $# -gt 0 ]]; do
	case $1 in
	--repeat) repeat=${2:-}; shift 2 || shift ;;
	--cpus) cpus=${2:-}; shift 2 || shift ;;
	--init) init=${2:-}; shift 2 || shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "linux.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) build_dir=$1; shift ;;
	esac
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "linux.sh: --repeat needs a positive integer" >&2; exit 2; }
[[ $cpus =~ ^[1-8]$ ]] || { echo "linux.sh: --cpus needs a count from 1 to 8" >&2; exit 2; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ! -d $build_dir && $build_dir != /* && -d $repo_root/$build_dir ]]; then
	build_dir=$repo_root/$build_dir
fi
qvp=$build_dir/qvp
qemu=${QEMU:-qemu-system-aarch64}
[[ -x $qvp ]] || { echo "linux.sh: $qvp not found: build first" >&2; exit 2; }
command -v "$qemu" > /dev/null || { echo "linux.sh: $qemu not found (apt-get install qemu-system-arm)" >&2; exit 2; }

linux=$("$repo_root/sw/linux/build.sh" "$build_dir/linux")
append="console=ttyAMA0 rdinit=$init qvp.poweroff"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }

# measure TAG COMMAND...: the fastest of $repeat boots in seconds, in $best; the console of
# the last one in $work/TAG.log. A boot must end with the kernel's "reboot: Power down".
measure() {
	local tag=$1 i start end status
	shift
	best=
	for ((i = 0; i < repeat; i++)); do
		status=0
		start=$(now)
		timeout --kill-after=5 900 "$@" < /dev/null > "$work/$tag.log" 2> "$work/$tag.err" || status=$?
		end=$(now)
		if [[ $status -ne 0 ]] || ! grep -q "reboot: Power down" "$work/$tag.log"; then
			echo "linux.sh: $tag: did not power off (exit status $status): $*" >&2
			tail -n 5 "$work/$tag.log" "$work/$tag.err" | sed 's/^/    | /' >&2
			return 1
		fi
		best=$(awk -v a="$end" -v b="$start" -v best="$best" \
			'BEGIN { t = a - b; if (best == "" || t < best) best = t; printf "%.3f", best }')
	done
}

qemu_base=("$qemu" -M virt -cpu cortex-a57 -m 128M -smp "$cpus" -nic none -nographic -no-reboot
	-kernel "$linux/Image" -initrd "$linux/initramfs.cpio.gz" -append "$append")
measure qvp "$qvp" run --backend iss --cpus "$cpus" --stats --kernel "$linux/Image" --initrd "$linux/initramfs.cpio.gz" \
	--append "$append"
qvp_s=$best
instructions=$(sed -n 's/^instructions: //p' "$work/qvp.err")
virtual=$(sed -n 's/^virtual time: //p' "$work/qvp.err")
measure qemu_tcg "${qemu_base[@]}"
tcg_s=$best
measure qemu_icount "${qemu_base[@]}" -icount shift=0
icount_s=$best

printf 'Linux boot to %s and power-off on %s CPU(s) (kernel %s)\n' "$init" "$cpus" "$(sed -n 's/.*Linux version \([^ ]*\).*/\1/p' "$work/qvp.log" | head -n 1)"
printf '  %-28s %8.2f s   (%s instructions, %s virtual)\n' "qvp --backend iss" "$qvp_s" "$instructions" "$virtual"
printf '  %-28s %8.2f s\n' "QEMU TCG" "$tcg_s" "QEMU TCG -icount shift=0" "$icount_s"
awk -v q="$qvp_s" -v t="$tcg_s" -v i="$icount_s" 'BEGIN {
	printf "  qvp vs QEMU -icount shift=0: %.2fx %s\n", (q < i ? i / q : q / i), (q < i ? "faster" : "slower")
	printf "  qvp vs QEMU TCG:             %.2fx %s\n", (q < t ? t / q : q / t), (q < t ? "faster" : "slower")
}'
