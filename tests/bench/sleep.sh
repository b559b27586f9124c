#!/usr/bin/env bash
# How fast an idle guest runs: sleep.elf (1,000 ticks of 1 ms in WFI) and sleep_long.elf
# (10,000 ticks of 10 ms: 100 s) on qvp and on qemu-system-aarch64 -icount shift=0,sleep=off
# (QEMU's own time warp), in the same run. Prints virtual seconds per wall second for each;
# never fails on speed.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
Usage: tests/bench/sleep.sh [--repeat N] [BUILD_DIR]

  BUILD_DIR   qvp's CMake build directory (default: build)
  --repeat N  runs per measurement; the fastest counts (default: 3)

Environment: QEMU names the qemu-system-aarch64 to use.
Exit status: 0 when every run worked and slept the same number of counts, 1 otherwise,
2 for bad usage or missing files.
USAGE
}

repeat=3
build_dir=build
while [[ $# -gt 0 ]]; do
	case $1 in
	--repeat) repeat=${2:-}; shift 2 || shift ;;
	--repeat=*) repeat=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "sleep.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) build_dir=$1; shift ;;
	esac
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "sleep.sh: --repeat needs a positive integer" >&2; exit 2; }
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ! -d $build_dir && $build_dir != /* && -d $repo_root/$build_dir ]]; then
	build_dir=$repo_root/$build_dir
fi
qvp=$build_dir/qvp
qemu=${QEMU:-qemu-system-aarch64}
for f in "$qvp" "$build_dir/sw/sleep.elf" "$build_dir/sw/sleep_long.elf"; do
	[[ -e $f ]] || { echo "sleep.sh: $f not found: build first" >&2; exit 2; }
done
command -v "$qemu" >/dev/null || { echo "sleep.sh: $qemu not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }

# measure OUT COMMAND...: fastest wall time of $repeat runs in $best; output in OUT.
measure() {
	local out=$1 start end elapsed
	shift
	best=
	for ((i = 0; i < repeat; i++)); do
		start=$(now)
		if ! timeout --kill-after=5 900 "$@" </dev/null >"$out" 2>"$out.err"; then
			echo "sleep.sh: failed: $*" >&2
			tail -n 3 "$out.err" | sed 's/^/    | /' >&2
			return 1
		fi
		end=$(now)
		elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
		if [[ -z $best ]] || awk -v e="$elapsed" -v b="$best" 'BEGIN { exit !(e < b) }'; then
			best=$elapsed
		fi
	done
}

# The counts the firmware slept ("sleep: N ticks of M ms, C counts"), at 62.5 MHz.
slept_seconds() {
	awk '/^sleep: / { for (i = 1; i <= NF; i++) if ($(i) == "counts") c = $(i - 1) }
	     END { if (c == "") exit 1; printf "%.6f", c / 62500000 }' "$1"
}

failed=0
echo "sleep benchmark: best of $repeat; QEMU: $("$qemu" --version | head -n 1)"
printf '%-12s %-34s %12s %12s %14s\n' "firmware" "simulator" "virtual s" "wall s" "virtual/wall"
declare -A ratio
for fw in sleep sleep_long; do
	elf=$build_dir/sw/$fw.elf
	for sim in qvp qemu; do
		if [[ $sim == qvp ]]; then
			label="qvp --backend iss"
			cmd=("$qvp" run --backend iss "$elf")
		else
			label="QEMU -icount shift=0,sleep=off"
			cmd=("$qemu" -M virt -cpu cortex-a57 -nic none -nographic -no-reboot -icount shift=0,sleep=off -kernel "$elf")
		fi
		out=$work/$fw.$sim
		if ! measure "$out" "${cmd[@]}"; then
			failed=1
			continue
		fi
		if ! virtual=$(slept_seconds "$out"); then
			echo "sleep.sh: $label printed no 'sleep:' line for $fw" >&2
			failed=1
			continue
		fi
		ratio[$fw.$sim]=$(awk -v v="$virtual" -v w="$best" 'BEGIN { printf "%.1f", v / w }')
		printf '%-12s %-34s %12.3f %12.3f %14s\n' "$fw" "$label" "$virtual" "$best" "${ratio[$fw.$sim]}"
	done
	if [[ -s $work/$fw.qvp && -s $work/$fw.qemu ]] && ! cmp -s "$work/$fw.qvp" "$work/$fw.qemu"; then
		echo "sleep.sh: $fw: qvp and QEMU printed different lines:" >&2
		diff "$work/$fw.qvp" "$work/$fw.qemu" | sed 's/^/    | /' >&2 || true
		failed=1
	fi
done
echo
for fw in sleep sleep_long; do
	if [[ -n ${ratio[$fw.qvp]:-} && -n ${ratio[$fw.qemu]:-} ]]; then
		echo "$fw: qvp / QEMU (virtual seconds per wall second): $(awk -v a="${ratio[$fw.qvp]}" \
			-v b="${ratio[$fw.qemu]}" 'BEGIN { printf "%.2f", a / b }')"
	fi
done
echo "(wall time includes each simulator's start-up; above 1 means qvp gets through idle time faster)"
exit "$failed"
