#!/usr/bin/env bash
# Runs the libFuzzer harnesses built in BUILD/fuzz (tests/fuzz/CMakeLists.txt).
#   run.sh [--minutes N] [--runs N] [--build DIR] [NAME...]
# --runs N: CI's short run: the seeds plus N new inputs with a fixed seed, from an empty working
#           corpus, so every run tries the same inputs (CTest's fuzz.NAME tests);
# --minutes N: a long run per harness (default 10), growing BUILD/fuzz/corpus/NAME across runs.
# Seeds: tests/fuzz/corpus/NAME/ plus real files of the build (firmware ELFs, board DTBs and,
# in long runs, Debian's vendor trees; manifests and console scripts of sw/). Crashes go to
# BUILD/fuzz/crashes/; the last lines of each run (executions, exec/s, coverage) to stdout and
# the whole log to BUILD/fuzz/logs/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../.." && pwd)"
build="$source_dir/build"
minutes=10
runs=""
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
fuzz="$build/fuzz"
if [ "${#names[@]}" -eq 0 ]; then
  for binary in "$fuzz"/tests/fuzz/fuzz_*; do
    names+=("$(basename "$binary" | sed 's/^fuzz_//')")
  done
fi

# Real files of the source tree and the build that make good first inputs.
collect_seeds() {
  local name="$1" seeds="$fuzz/seeds/$1"
  rm -rf "$seeds"
  mkdir -p "$seeds"
  cp "$here/corpus/$name"/* "$seeds"/ 2>/dev/null || true
  case "$name" in
    loader) cp "$build"/sw/*.elf "$seeds"/ 2>/dev/null || true ;;
    platform) cp "$fuzz"/platforms/*.dtb "$seeds"/ 2>/dev/null || true
      # Long runs: Debian's vendor trees that fit in an input, once the Linux tests unpacked them
      # (sw/linux/build.sh); not in CI's short run, whose inputs must not depend on test order.
      [ -n "$runs" ] || find "$build/linux/dtbs" -name '*.dtb' -size -16k -exec cp {} "$seeds"/ \; 2>/dev/null || true ;;
    manifest) cp "$source_dir"/sw/farm.yaml "$seeds"/ ;;
    console_script) cp "$source_dir"/sw/firmware/*.script "$seeds"/ ;;
  esac
}

# Inputs larger than this are not worth the time (the gdb harness also needs them to fit a
# socket's buffer); the largest seeds (firmware ELFs) set the loader's.
max_len() {
  case "$1" in
    loader) echo 262144 ;;
    gdb) echo 8192 ;;
    iss_unicorn) echo 513 ;; # the state and 64 instructions
    snapshot) echo 65536 ;; # the seeds, real snapshots of the virt board, are 12 and 28 KiB
    *) echo 16384 ;;
  esac
}

run_one() {
  local name="$1" binary="$fuzz/tests/fuzz/fuzz_$1" work log
  local flags=(-max_len="$(max_len "$name")" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
               -artifact_prefix="$fuzz/crashes/$name-")
  if [ ! -x "$binary" ]; then
    echo "run.sh: $binary is missing: build first (cmake --build $build)" >&2
    return 1
  fi
  collect_seeds "$name"
  if [ -n "$runs" ]; then
    work="$fuzz/ci/$name"
    rm -rf "$work"
    flags+=(-seed=1 -runs="$runs")
  else
    work="$fuzz/corpus/$name"
    flags+=(-max_total_time=$((minutes * 60)))
  fi
  mkdir -p "$work" "$fuzz/crashes" "$fuzz/logs"
  log="$fuzz/logs/$name.log"
  echo "run.sh: $name: ${flags[*]}"
  if "$binary" "${flags[@]}" "$work" "$fuzz/seeds/$name" >"$log" 2>&1; then
    grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -n 1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' "$log" || true
  else
    tail -n 60 "$log"
    echo "run.sh: $name: FAILED (crash or hang; input in $fuzz/crashes/, log $log)"
    return 1
  fi
}

status=0
for name in "${names[@]}"; do
  run_one "$name" || status=1
done
exit $status
