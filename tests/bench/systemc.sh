#!/usr/bin/env bash
# The cost of running qvp inside SystemC: the same firmware under qvp-sc and under qvp, in
# one run, and the ratio of their CPU times (goal: within 10% on bench). Never fails on speed.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
Usage: tests/bench/systemc.sh [--repeat N] [BUILD_DIR]

Runs BUILD_DIR/sw/bench.elf (and sleep, sleep_long, timer_irq when they are built) under
BUILD_DIR/qvp and BUILD_DIR/qvp-sc, alternating, and prints the least CPU time (user +
system) of each, MIPS and qvp-sc's time over qvp's.

  BUILD_DIR    a CMake build directory with qvp-sc (default: build)
  --repeat N   runs per program and firmware; the fastest counts (default: 5)
  -h, --help   print this help

Exit status: 0 when every run worked and both programs printed the same console output and
the same instruction count and virtual time, 1 otherwise, 2 for bad usage.
USAGE
}

repeat=5
build_dir=build
while [[ $# -gt 0 ]]; do
	case $1 in
	--repeat) repeat=${2:-}; shift 2 || shift ;;
	--repeat=*) repeat=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "systemc.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) build_dir=$1; shift ;;
	esac
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "systemc.sh: --repeat needs a positive integer" >&2; exit 2; }
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ! -d $build_dir && $build_dir != /* && -d $repo_root/$build_dir ]]; then
	build_dir=$repo_root/$build_dir
fi
for program in qvp qvp-sc; do
	[[ -x $build_dir/$program ]] || { echo "systemc.sh: $build_dir/$program is not built" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Arithmetic with awk, which every Debian has (bc is not installed by default).
calc() {
	awk "BEGIN { print $1 }"
}

# Runs one program on one firmware; prints "seconds instructions virtual_time", where seconds
# is the process's CPU time (user + system): on a busy machine wall time mostly measures
# the other processes, CPU time what the simulator did.
TIMEFORMAT='%3U %3S'
measure() {
	local program=$1 firmware=$2 tag=$3 ok=0
	{ time "$build_dir/$program" run --stats-json "$work/$tag.json" "$firmware" \
		>"$work/$tag.out" 2>"$work/$tag.err" || ok=$?; } 2>"$work/$tag.time"
	if ((ok != 0)); then
		echo "systemc.sh: $program run $firmware failed:" >&2
		cat "$work/$tag.err" >&2
		return 1
	fi
	local wall instructions vtime
	read -r user system <"$work/$tag.time"
	wall=$(calc "$user + $system")
	instructions=$(sed -n 's/.*"instructions": \([0-9]*\).*/\1/p' "$work/$tag.json")
	vtime=$(sed -n 's/.*"virtual_time_ps": \([0-9]*\).*/\1/p' "$work/$tag.json")
	echo "$wall $instructions $vtime"
}

status=0
printf '%-10s %12s %12s %10s %10s %8s\n' firmware "qvp CPU s" "qvp-sc CPU s" "qvp MIPS" "sc MIPS" ratio
for name in bench sleep sleep_long timer_irq; do
	firmware=$build_dir/sw/$name.elf
	[[ -r $firmware ]] || continue
	best_native= best_sc=
	for ((i = 0; i < repeat; i++)); do
		read -r wall count vtime < <(measure qvp "$firmware" native) || { status=1; continue 2; }
		[[ -z $best_native ]] || (($(calc "$wall < $best_native") == 1)) && best_native=$wall
		native_count=$count native_vtime=$vtime
		read -r wall count vtime < <(measure qvp-sc "$firmware" sc) || { status=1; continue 2; }
		[[ -z $best_sc ]] || (($(calc "$wall < $best_sc") == 1)) && best_sc=$wall
		if ! cmp -s "$work/native.out" "$work/sc.out" || [[ $count != "$native_count" || $vtime != "$native_vtime" ]]; then
			echo "systemc.sh: $name: qvp-sc differs from qvp (console, instructions or virtual time)" >&2
			status=1
		fi
	done
	printf '%-10s %12.3f %12.3f %10.1f %10.1f %8.3f\n' "$name" "$best_native" "$best_sc" \
		"$(calc "$native_count / ($best_native > 0 ? $best_native : 0.001) / 1000000")" \
		"$(calc "$native_count / ($best_sc > 0 ? $best_sc : 0.001) / 1000000")" \
		"$(calc "$best_sc / ($best_native > 0 ? $best_native : 0.001)")"
done
echo "ratio: qvp-sc CPU time over qvp's (1.000 = no cost; the goal on bench is at most 1.100)"
exit $status
