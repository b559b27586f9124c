#!/usr/bin/env bash
# Reverse debugging's costs (docs/gdb.md), with the real gdb-multiarch against qvp --gdb:
# how long reverse-stepi and stepi take (median, 99th percentile), and how much a forward run
# under gdb slows when history is recorded (best of N, history on against `monitor history
# off`). On bench.elf (2 MiB of RAM in use) and on Debian's kernel boot (about 80 MiB), if
# sw/linux/build.sh has built it. Never fails on speed.
#
# No QEMU row: QEMU's reverse debugging needs a record run and a replay run with a qcow2 disk
# for its snapshots (-icount rr=record/replay), which these firmware images do not have.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
Usage: tests/bench/reverse.sh [--repeat N] [BUILD_DIR]

  BUILD_DIR   qvp's CMake build directory (default: build)
  --repeat N  forward runs per measurement; the fastest counts (default: 3)

Exit status: 0 when every session worked, 1 otherwise, 2 for bad usage or missing files.
USAGE
}

repeat=3
build_dir=build
while [[ $# -gt 0 ]]; do
	case $1 in
	--repeat) repeat=${2:-}; shift 2 || shift ;;
	--repeat=*) repeat=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "reverse.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) build_dir=$1; shift ;;
	esac
done
qvp=$build_dir/qvp
bench=$build_dir/sw/bench.elf
linux=$build_dir/linux
for file in "$qvp" "$bench"; do
	[[ -e $file ]] || { echo "reverse.sh: $file is missing: build first (cmake --build $build_dir)" >&2; exit 2; }
done
command -v gdb-multiarch > /dev/null || { echo "reverse.sh: gdb-multiarch is missing (./bootstrap.sh)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# gdb's Python: each command N times, its latency's median and 99th percentile in ms.
cat > "$work/latency.py" <<'PY'
import gdb, time
def latency(command, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        gdb.execute(command, to_string=True)
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    print("latency %-14s n=%-4d median %7.1f ms  p99 %7.1f ms" % (command, count, times[count // 2],
          times[min(count - 1, int(count * 0.99))]))
PY

port_base=$((20000 + $$ % 20000))
session=0

# One gdb session against `qvp run --gdb PORT --gdb-wait ARGS...`; the gdb commands come from
# the array `commands`. Prints gdb's output; fails when qvp does not exit 0.
gdb_session() {
	local port=$((port_base + session)) pid status
	session=$((session + 1))
	"$qvp" run --gdb "127.0.0.1:$port" --gdb-wait "$@" > "$work/console" 2> "$work/qvp.err" &
	pid=$!
	for _ in $(seq 100); do grep -q "listening on" "$work/qvp.err" 2> /dev/null && break; sleep 0.05; done
	local args=()
	for command in "${commands[@]}"; do args+=(-ex "$command"); done
	timeout 900 gdb-multiarch -batch -nx -ex 'set confirm off' -ex 'set architecture aarch64' \
		-ex "target remote 127.0.0.1:$port" "${args[@]}" 2>&1 || true
	status=0
	wait "$pid" || status=$?
	if [[ $status -ne 0 ]]; then
		echo "reverse.sh: qvp $* exited with $status: $(tail -3 "$work/qvp.err")" >&2
		return 1
	fi
}

# Wall seconds of a forward run to the end under gdb, history on or off; the best of $repeat.
forward_seconds() {
	local history=$1 best= start end seconds
	shift
	for _ in $(seq "$repeat"); do
		commands=()
		[[ $history == off ]] && commands+=("monitor history off")
		commands+=(continue)
		start=$(date +%s.%N)
		gdb_session "$@" > /dev/null
		end=$(date +%s.%N)
		seconds=$(echo "$end - $start" | bc -l)
		if [[ -z $best ]] || (($(echo "$seconds < $best" | bc -l))); then best=$seconds; fi
	done
	printf '%.3f' "$best"
}

measure() {
	local name=$1 goto=$2 steps=$3
	shift 3
	echo "== $name"
	commands=("monitor goto $goto" "source $work/latency.py" "python latency('stepi', $steps)"
		"python latency('reverse-stepi', $steps)" "monitor history" "monitor history off" continue)
	gdb_session "$@" | grep -E "^latency|^history" | sed 's/^/   /'
	local on off
	on=$(forward_seconds on "$@")
	off=$(forward_seconds off "$@")
	printf '   forward run under gdb: %s s with history, %s s without (%+.1f%%)\n' "$on" "$off" \
		"$(echo "($on - $off) * 100 / $off" | bc -l)"
}

measure "bench.elf, at instruction 300,000,000 of 302,779,512" 300000000 100 "$bench"
if [[ -e $linux/Image && -e $linux/initramfs.cpio.gz ]]; then
	measure "Debian's kernel boot to power-off, at instruction 400,000,000" 400000000 30 \
		--kernel "$linux/Image" --initrd "$linux/initramfs.cpio.gz" --append "console=ttyAMA0 rdinit=/poweroff-init"
else
	echo "== Debian's kernel boot: skipped, $linux has no Image (sw/linux/build.sh $linux builds it)"
fi
