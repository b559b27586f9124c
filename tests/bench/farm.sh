#!/usr/bin/env bash
# Throughput of the regression farm and its cost per test: the project's suite (sw/farm.yaml)
# with `qvp test -j 1` and `-j 2`, and N hello tests through `qvp test -j 1` against the same
# N `qvp run` calls made directly from this script; and L Linux shell tests that each boot Debian's
# kernel against the same tests started from one setup's snapshot (docs/farm.md, "setups").
# Prints the figures; never fails on speed.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
Usage: tests/bench/farm.sh [--repeat N] [--count N] [--linux L] [BUILD_DIR]

  BUILD_DIR    qvp's CMake build directory (default: build)
  --repeat N   measurements of each kind; the fastest counts (default: 3)
  --count N    hello tests in the overhead measurement (default: 200)
  --linux L    Linux shell tests in the setup measurement (default: 8; 0: none;
               needs BUILD_DIR/linux from sw/linux/build.sh)
  -h, --help   print this help

Exit status: 0 when every run passed, 1 when one failed, 2 for bad usage.
USAGE
}

repeat=3
count=200
linux=8
build_dir=build
while [ $# -gt 0 ]; do
	case "$1" in
	--repeat) repeat="$2"; shift 2 ;;
	--count) count="$2"; shift 2 ;;
	--linux) linux="$2"; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) build_dir="$1"; shift ;;
	esac
done

source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
qvp="$build_dir/qvp"
hello="$(cd "$build_dir" && pwd)/sw/hello.elf"
[ -x "$qvp" ] || { echo "farm.sh: no $qvp; build first" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Runs "$@" $repeat times; prints the fastest wall time and the least CPU time (user + system,
# children included) in seconds. CPU time says more than wall time on a busy machine.
fastest() {
	local best="" best_cpu="" real user sys cpu
	local TIMEFORMAT='%R %U %S'
	for _ in $(seq "$repeat"); do
		read -r real user sys < <({ time "$@" >/dev/null 2>&1 || echo "failed" >&2; } 2>&1)
		[ "$real" != failed ] || { echo "farm.sh: failed: $*" >&2; exit 1; }
		cpu=$(echo "$user + $sys" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$real < $best" | bc -l)" = 1 ]; then best=$real; fi
		if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc -l)" = 1 ]; then best_cpu=$cpu; fi
	done
	echo "$best $best_cpu"
}

suite() { "$qvp" test --jobs "$1" --build-dir "$build_dir" "$source_dir/sw/farm.yaml"; }

direct_hellos() {
	for _ in $(seq "$count"); do
		"$qvp" run "$hello" >/dev/null
	done
}

{
	echo "tests:"
	for i in $(seq "$count"); do
		printf '  - name: hello%d\n    firmware: %s\n    expect: "^Hello from qvp!$"\n' "$i" "$hello"
	done
} >"$work/hellos.yaml"

tests=$(grep -c '^  - name:' "$source_dir/sw/farm.yaml")
read -r suite_j1 _ < <(fastest suite 1)
read -r suite_j2 _ < <(fastest suite 2)
read -r direct direct_cpu < <(fastest direct_hellos)
read -r farm_j1 farm_j1_cpu < <(fastest "$qvp" test --jobs 1 "$work/hellos.yaml")
read -r farm_j2 _ < <(fastest "$qvp" test --jobs 2 "$work/hellos.yaml")

printf 'host: %s, %s CPUs, load average %s; fastest of %s runs\n' "$(uname -m)" "$(nproc)" \
	"$(cut -d' ' -f1 /proc/loadavg)" "$repeat"
printf 'project suite (sw/farm.yaml, %d tests):\n' "$tests"
printf '  -j 1: %6.2f s  %7.1f tests/min\n' "$suite_j1" "$(echo "$tests * 60 / $suite_j1" | bc -l)"
printf '  -j 2: %6.2f s  %7.1f tests/min\n' "$suite_j2" "$(echo "$tests * 60 / $suite_j2" | bc -l)"
printf '%d hello tests:\n' "$count"
printf '  qvp run, one after another: %6.2f s  %6.2f ms/test\n' "$direct" "$(echo "$direct * 1000 / $count" | bc -l)"
printf '  qvp test -j 1:              %6.2f s  %6.2f ms/test  %7.0f tests/min\n' "$farm_j1" \
	"$(echo "$farm_j1 * 1000 / $count" | bc -l)" "$(echo "$count * 60 / $farm_j1" | bc -l)"
printf '  qvp test -j 2:              %6.2f s  %6.2f ms/test  %7.0f tests/min\n' "$farm_j2" \
	"$(echo "$farm_j2 * 1000 / $count" | bc -l)" "$(echo "$count * 60 / $farm_j2" | bc -l)"
printf '  runner overhead per test (-j 1 minus direct): %.2f ms wall, %.2f ms CPU\n' \
	"$(echo "($farm_j1 - $direct) * 1000 / $count" | bc -l)" \
	"$(echo "($farm_j1_cpu - $direct_cpu) * 1000 / $count" | bc -l)"

# Linux shell tests: each boots the kernel to the shell and runs one command, or each starts from
# one setup's snapshot of the booted shell. Both manifests give every test the same script.
[ "$linux" -gt 0 ] || exit 0
image="$(cd "$build_dir" && pwd)/linux/Image"
initrd="$(cd "$build_dir" && pwd)/linux/initramfs.cpio.gz"
if [ ! -f "$image" ] || [ ! -f "$initrd" ]; then
	echo "linux: no $image (sw/linux/build.sh $build_dir/linux): left out"
	exit 0
fi
printf 'expect "qvp-init: ready"\nexpect "# "\n' >"$work/boot.script"
printf 'send "cat /proc/cpuinfo | grep -c processor\\n"\nexpect "# "\nsend "poweroff -f\\n"\n' >"$work/test.script"
cat "$work/boot.script" "$work/test.script" >"$work/whole.script"
{
	printf 'defaults:\n  options: [--append, "console=ttyAMA0 cryptomgr.notests"]\n  timeout: 30s\n'
	echo "tests:"
	for i in $(seq "$linux"); do
		printf '  - name: boot%d\n    kernel: %s\n    initrd: %s\n    input: %s\n    expect: "^1\\r$"\n' \
			"$i" "$image" "$initrd" "$work/whole.script"
	done
} >"$work/boots.yaml"
{
	printf 'defaults:\n  options: [--append, "console=ttyAMA0 cryptomgr.notests"]\n  timeout: 30s\n'
	printf 'setups:\n  - name: shell\n    kernel: %s\n    initrd: %s\n    input: %s\n' "$image" "$initrd" \
		"$work/boot.script"
	echo "tests:"
	for i in $(seq "$linux"); do
		printf '  - name: shell%d\n    setup: shell\n    input: %s\n    expect: "^1\\r$"\n' "$i" "$work/test.script"
	done
} >"$work/setup.yaml"
read -r boots boots_cpu < <(fastest "$qvp" test --jobs 2 "$work/boots.yaml")
read -r setup setup_cpu < <(fastest "$qvp" test --jobs 2 "$work/setup.yaml")
printf '%d Linux shell tests (Debian kernel to busybox, one command, power-off), qvp test -j 2:\n' "$linux"
printf '  each boots:           %6.2f s wall  %6.2f s CPU\n' "$boots" "$boots_cpu"
printf '  from one setup:       %6.2f s wall  %6.2f s CPU\n' "$setup" "$setup_cpu"
printf '  setup / each boots:   %6.3f wall  %6.3f CPU\n' "$(echo "$setup / $boots" | bc -l)" \
	"$(echo "$setup_cpu / $boots_cpu" | bc -l)"
