#!/usr/bin/env bash
# Speed of qvp's iss backend against QEMU (TCG, and TCG with -icount shift=0) on the same
# firmware, sw/firmware/bench.c. Prints MIPS for each and the ratios; never fails on speed.
# See tests/bench/README.md for what is measured and how to read it.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
Usage: tests/bench/run.sh [--repeat N] [--timeout SECONDS] [--firmware NAME] [BUILD_DIR]

Runs BUILD_DIR/sw/bench.elf on qvp (--backend iss) and on qemu-system-aarch64 -M virt
-cpu cortex-a57, with and without -icount shift=0, and prints each one's speed in MIPS.

  BUILD_DIR          qvp's CMake build directory (default: build)
  --firmware NAME    time BUILD_DIR/sw/NAME.elf instead of bench.elf, e.g. vector_bench
                     (AdvSIMD code from GCC's vectorizer); its last line is the checksum
  --repeat N         runs per measurement; the fastest one counts (default: 3)
  --timeout SECONDS  stop a run that takes longer than this (default: 600)
  --instructions N   the workload's instruction count, if qvp cannot report it
                     (otherwise it comes from qvp --stats)
  -h, --help         print this help

Environment: QEMU names the qemu-system-aarch64 to use.
Exit status: 0 when every run worked and printed the same output (whatever the speed),
1 when a run failed, timed out or printed something else, 2 for bad usage.
USAGE
}

repeat=3
run_timeout=600
build_dir=build
given_count=
firmware=bench
while [[ $# -gt 0 ]]; do
	case $1 in
	--repeat) repeat=${2:-}; shift 2 || shift ;;
	--repeat=*) repeat=${1#*=}; shift ;;
	--timeout) run_timeout=${2:-}; shift 2 || shift ;;
	--timeout=*) run_timeout=${1#*=}; shift ;;
	--instructions) given_count=${2:-}; shift 2 || shift ;;
	--instructions=*) given_count=${1#*=}; shift ;;
	--firmware) firmware=${2:-}; shift 2 || shift ;;
	--firmware=*) firmware=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) build_dir=$1; shift ;;
	esac
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat needs a positive integer" >&2; exit 2; }
[[ $run_timeout =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --timeout needs whole seconds" >&2; exit 2; }
[[ -z $given_count || $given_count =~ ^[1-9][0-9]*$ ]] ||
	{ echo "run.sh: --instructions needs a positive integer" >&2; exit 2; }

# A relative build directory is looked up from here, then from the repository root.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ! -d $build_dir && $build_dir != /* && -d $repo_root/$build_dir ]]; then
	build_dir=$repo_root/$build_dir
fi

qvp=$build_dir/qvp
bench_elf=$build_dir/sw/$firmware.elf
hello_elf=$build_dir/sw/hello.elf
bench_host=$build_dir/sw/bench_host
checksum_pattern='^bench checksum: 0x[0-9a-f]\{16\}$'
if [[ $firmware != bench ]]; then
	bench_host= # no host oracle: the simulators must agree with each other
	checksum_pattern='.'
fi
qemu=${QEMU:-qemu-system-aarch64}

missing=0
for f in "$qvp" "$bench_elf" "$hello_elf"; do
	if [[ ! -e $f ]]; then
		echo "run.sh: $f not found: build first (cmake --build $build_dir)" >&2
		missing=1
	fi
done
for tool in "$qemu" timeout awk; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; missing=1; }
done
[[ $missing -eq 0 ]] || exit 2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The three simulators, each a command line that takes the ELF as its last argument.
sims=(qvp qemu_tcg qemu_icount)
declare -A label=(
	[qvp]="qvp --backend iss"
	[qemu_tcg]="QEMU TCG"
	[qemu_icount]="QEMU TCG -icount shift=0"
)
qemu_base=("$qemu" -M virt -cpu cortex-a57 -nic none -nographic -no-reboot)
# shellcheck disable=SC2034 # used through the nameref in the measuring loop
{
	cmd_qvp=("$qvp" run --backend iss --stats)
	cmd_qemu_tcg=("${qemu_base[@]}" -kernel)
	cmd_qemu_icount=("${qemu_base[@]}" -icount shift=0 -kernel)
}

now() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		echo "$EPOCHREALTIME" # bash 5: no fork, microseconds
	else
		date +%s.%N
	fi
}

# measure TAG ELF COMMAND...: runs `COMMAND ELF` $repeat times and sets best to the
# fastest whole-process wall time in seconds. The last run's stdout and stderr stay in
# $work/TAG.out and $work/TAG.err. Returns 1 (after saying why) if a run failed.
measure() {
	local tag=$1 elf=$2
	shift 2
	local i start end elapsed status
	best=
	for ((i = 0; i < repeat; i++)); do
		status=0
		start=$(now)
		timeout --kill-after=5 "$run_timeout" "$@" "$elf" \
			</dev/null >"$work/$tag.out" 2>"$work/$tag.err" || status=$?
		end=$(now)
		if [[ $status -ne 0 ]]; then
			if [[ $status -eq 124 || $status -eq 137 ]]; then
				echo "run.sh: $tag: timed out after ${run_timeout}s: $* $elf" >&2
			else
				echo "run.sh: $tag: exit status $status: $* $elf" >&2
			fi
			tail -n 5 "$work/$tag.err" | sed 's/^/    | /' >&2
			return 1
		fi
		elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
		if [[ -z $best ]] || awk -v e="$elapsed" -v b="$best" 'BEGIN { exit !(e < b) }'; then
			best=$elapsed
		fi
	done
}

# instructions FILE: the count in a `qvp --stats` report.
instructions() {
	awk -F': *' '/^instructions:/ { n = $2 } END { if (n == "") exit 1; print n }' "$1"
}

failed=0
declare -A startup bench_time net
echo "qvp benchmark: $bench_elf, best of $repeat, up to ${run_timeout}s per run"
echo "QEMU: $("$qemu" --version | head -n 1)"
for sim in "${sims[@]}"; do
	declare -n cmd="cmd_$sim"
	echo "  running ${label[$sim]} ..."
	if measure "${sim}_hello" "$hello_elf" "${cmd[@]}"; then
		startup[$sim]=$best
		if measure "${sim}_bench" "$bench_elf" "${cmd[@]}"; then
			bench_time[$sim]=$best
			net[$sim]=$(awk -v b="$best" -v s="${startup[$sim]}" 'BEGIN { printf "%.6f", b - s }')
		else
			failed=1
		fi
	else
		failed=1
	fi
	unset -n cmd
done

# Every simulator must print exactly the same; the host build of the workload, when
# there is one, is the oracle, else the first simulator that ran is the reference.
reference=
if [[ -n $bench_host && -x $bench_host ]]; then
	"$bench_host" >"$work/host.out"
	reference=$work/host.out
	reference_label=$bench_host
fi
checksum_line=
for sim in "${sims[@]}"; do
	[[ -n ${net[$sim]:-} ]] || continue
	out=$work/${sim}_bench.out
	if [[ -z $reference ]]; then
		reference=$out
		reference_label=${label[$sim]}
	fi
	if ! tail -n 1 "$out" | grep -q "$checksum_pattern"; then
		echo "run.sh: ${label[$sim]} printed no checksum line" >&2
		failed=1
	elif ! cmp -s "$reference" "$out"; then
		echo "run.sh: ${label[$sim]} printed something else than $reference_label:" >&2
		diff "$reference" "$out" | sed 's/^/    | /' >&2 || true
		failed=1
	else
		checksum_line=$(tail -n 1 "$out")
	fi
done

# The instruction count comes from qvp (same ELF, same workload on every simulator; only
# the start-up and exit paths differ, by a few thousand instructions at most). hello's
# count is taken off as its time is.
count=
if [[ -n $given_count ]]; then
	count=$given_count
elif [[ -n ${net[qvp]:-} ]]; then
	if bench_count=$(instructions "$work/qvp_bench.err") &&
		hello_count=$(instructions "$work/qvp_hello.err"); then
		count=$((bench_count - hello_count))
	else
		echo "run.sh: no 'instructions:' line in qvp --stats output" >&2
		failed=1
	fi
fi

echo
if [[ -n $checksum_line ]]; then
	echo "output:     $checksum_line"
fi
if [[ -n $given_count ]]; then
	echo "workload:   $count instructions (--instructions)"
elif [[ -n $count ]]; then
	echo "workload:   $count instructions (qvp --stats: $firmware.elf $bench_count - hello.elf $hello_count)"
fi
echo
printf '%-26s %12s %12s %12s %10s\n' "simulator" "start-up s" "bench s" "net s" "MIPS"
seconds() {
	if [[ -n $1 ]]; then printf '%.3f' "$1"; else echo failed; fi
}
declare -A mips
for sim in "${sims[@]}"; do
	if [[ -z ${net[$sim]:-} ]]; then
		printf '%-26s %12s %12s %12s %10s\n' "${label[$sim]}" \
			"$(seconds "${startup[$sim]:-}")" "$(seconds "${bench_time[$sim]:-}")" "-" "-"
		continue
	fi
	mips[$sim]=$(awk -v n="$count" -v t="${net[$sim]}" \
		'BEGIN { if (n == "" || n <= 0 || t <= 0) print "n/a"; else printf "%.1f", n / t / 1e6 }')
	printf '%-26s %12.3f %12.3f %12.3f %10s\n' "${label[$sim]}" "${startup[$sim]}" \
		"${bench_time[$sim]}" "${net[$sim]}" "${mips[$sim]}"
done

ratio() {
	awk -v a="${mips[$1]:-n/a}" -v b="${mips[$2]:-n/a}" \
		'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.3f", a / b }'
}
echo
echo "qvp / QEMU TCG:                 $(ratio qvp qemu_tcg)"
echo "qvp / QEMU TCG -icount shift=0: $(ratio qvp qemu_icount)"
echo "(ratios of MIPS: above 1 means qvp is faster; timings are host wall time, best of $repeat)"
exit "$failed"
