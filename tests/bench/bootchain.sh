#!/usr/bin/env bash
# Wall time of the boot chain on qvp's iss backend against qemu-system-aarch64 -cpu cortex-a57
# (with -icount shift=0, and plain TCG for scale), in one run: Debian's U-Boot from reset to its
# prompt, TF-A's BL1 -> BL2 -> BL31 -> U-Boot to its prompt, and with --uefi ArmVirtQemu to
# the UEFI Shell. Each boot types the same keys at the same prompts on every simulator and
# ends with the firmware's power-off. Prints wall times and ratios; never fails on speed.
# The figures are recorded in docs/boot-chain.md.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
Usage: tests/bench/bootchain.sh [--repeat N] [--timeout SECONDS] [--uefi] [--no-tfa] [BUILD_DIR]

Boots, on qvp (--backend iss), on QEMU -icount shift=0 and on plain QEMU TCG:
  uboot  Debian's U-Boot (--bios u-boot.bin): a key at "Hit any key", `poweroff` at "=> "
  tfa    TF-A's flash.bin from sw/tfa/build.sh (virt-secure, QEMU -M virt,secure=on, 1 GiB):
         BL1, BL2, BL31, then U-Boot as above (skipped when TF-A cannot be built)
  uefi   with --uefi: AAVMF_CODE.fd and a copy of AAVMF_VARS.fd, a key at the startup.nsh
         countdown, `reset -s` at "Shell> "

  BUILD_DIR          qvp's CMake build directory (default: build)
  --repeat N         boots per simulator and firmware; the fastest one counts (default: 3)
  --timeout SECONDS  stop a boot that takes longer than this (default: 300)
  --uefi             time the UEFI boot too
  --no-tfa           leave TF-A out
  -h, --help         print this help

Environment: QEMU names the qemu-system-aarch64 to use.
Exit status: 0 when every boot reached its prompt and powered off, 1 when one did not,
2 for bad usage or missing files.
USAGE
}

repeat=3
run_timeout=300
uefi=0
tfa=1
build_dir=build
while [[ $# -gt 0 ]]; do
	case $1 in
	--repeat) repeat=${2:-}; shift 2 || shift ;;
	--timeout) run_timeout=${2:-}; shift 2 || shift ;;
	--uefi) uefi=1; shift ;;
	--no-tfa) tfa=0; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "bootchain.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) build_dir=$1; shift ;;
	esac
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "bootchain.sh: --repeat needs a positive integer" >&2; exit 2; }
[[ $run_timeout =~ ^[1-9][0-9]*$ ]] || { echo "bootchain.sh: --timeout needs whole seconds" >&2; exit 2; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ! -d $build_dir && $build_dir != /* && -d $repo_root/$build_dir ]]; then
	build_dir=$repo_root/$build_dir
fi
qvp=$build_dir/qvp
qemu=${QEMU:-qemu-system-aarch64}
uboot=/usr/lib/u-boot/qemu_arm64/u-boot.bin
aavmf_code=/usr/share/AAVMF/AAVMF_CODE.fd
aavmf_vars=/usr/share/AAVMF/AAVMF_VARS.fd
[[ -x $qvp ]] || { echo "bootchain.sh: $qvp not found: build first" >&2; exit 2; }
command -v "$qemu" > /dev/null || { echo "bootchain.sh: $qemu not found (apt-get install qemu-system-arm)" >&2; exit 2; }
[[ -r $uboot ]] || { echo "bootchain.sh: $uboot not found (apt-get install u-boot-qemu)" >&2; exit 2; }
if [[ $uefi -eq 1 && ! -r $aavmf_code ]]; then
	echo "bootchain.sh: $aavmf_code not found (apt-get install qemu-efi-aarch64)" >&2
	exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }

# The dialogue of the boot being measured: wait for expects[k], then type sends[k] (printf %b).
expects=()
sends=()

# qvp's --console-script for the dialogue.
console_script() {
	local k
	for ((k = 0; k < ${#expects[@]}; k++)); do
		printf 'expect "%s"\nsend "%s"\n' "${expects[k]}" "${sends[k]}"
	done
}

# converse LOG COMMAND...: runs COMMAND with its console on a pipe and types each text once
# its prompt has been printed, as qvp's console script does; the console goes to LOG.
converse() {
	local log=$1 step=0 tail= c
	shift
	coproc SIM { exec timeout --kill-after=5 "$run_timeout" "$@" 2> /dev/null; }
	local from=${SIM[0]} to=${SIM[1]} pid=$SIM_PID
	: > "$log"
	while IFS= read -r -N 1 c <&"$from"; do
		printf '%s' "$c" >> "$log"
		((step < ${#expects[@]})) || continue
		tail+=$c
		((${#tail} <= 80)) || tail=${tail:1} # the prompts are short: the last 80 characters hold them
		if [[ $tail == *"${expects[step]}" ]]; then
			printf '%b' "${sends[step]}" >&"$to"
			tail=
			step=$((step + 1))
		fi
	done
	wait "$pid"
}

# measure TAG KIND COMMAND...: the fastest of $repeat boots in seconds, in $best; KIND is qvp
# (the dialogue as a console script) or qemu (the dialogue over a pipe). A boot counts only
# if it ended with status 0 after the dialogue's last prompt.
measure() {
	local tag=$1 kind=$2 i start end status
	shift 2
	best=
	console_script > "$work/dialogue.script"
	for ((i = 0; i < repeat; i++)); do
		status=0
		start=$(now)
		if [[ $kind == qvp ]]; then
			timeout --kill-after=5 "$run_timeout" "$@" --console-script "$work/dialogue.script" \
				< /dev/null > "$work/$tag.log" 2> "$work/$tag.err" || status=$?
		else
			converse "$work/$tag.log" "$@" || status=$?
		fi
		end=$(now)
		if [[ $status -ne 0 ]] || ! grep -qF "${expects[-1]}" "$work/$tag.log"; then
			echo "bootchain.sh: $tag: did not reach its last prompt and power off (exit status $status): $*" >&2
			tail -n 5 "$work/$tag.log" | sed 's/^/    | /' >&2
			return 1
		fi
		best=$(awk -v a="$end" -v b="$start" -v best="$best" \
			'BEGIN { t = a - b; if (best == "" || t < best) best = t; printf "%.3f", best }')
	done
}

failed=0
rows=()
# time_boot NAME QVP_ARGS -- QEMU_ARGS: one row of the table, the three simulators in turn.
time_boot() {
	local name=$1 qvp_args=() qemu_args=() q= i= t= n= v=
	shift
	while [[ $1 != -- ]]; do qvp_args+=("$1"); shift; done
	shift
	qemu_args=("$@")
	echo "  $name ..."
	if measure "${name}_qvp" qvp "$qvp" run --backend iss --stats "${qvp_args[@]}"; then
		q=$best
		n=$(sed -n 's/^instructions: //p' "$work/${name}_qvp.err")
		v=$(sed -n 's/^virtual time: //p' "$work/${name}_qvp.err")
	else
		failed=1
	fi
	measure "${name}_icount" qemu "$qemu" "${qemu_args[@]}" -icount shift=0 && i=$best || failed=1
	measure "${name}_tcg" qemu "$qemu" "${qemu_args[@]}" && t=$best || failed=1
	rows+=("$name|${q:-failed}|${i:-failed}|${t:-failed}|${n:-?}|${v:-?}")
}

qemu_common=(-cpu cortex-a57 -nic none -display none -monitor none -serial stdio -no-reboot)
echo "boot chain benchmark: best of $repeat, up to ${run_timeout}s per boot"
echo "QEMU: $("$qemu" --version | head -n 1)"

expects=("Hit any key to stop autoboot" "=> ")
sends=(" " "poweroff\\n")
time_boot uboot --bios "$uboot" -- -M virt "${qemu_common[@]}" -bios "$uboot"

if [[ $tfa -eq 1 ]]; then
	status=0
	tfa_dir=$("$repo_root/sw/tfa/build.sh" 2> "$work/tfa.err") || status=$?
	if [[ $status -eq 0 ]]; then
		time_boot tfa --platform virt-secure --memory 1G --bios "$tfa_dir/flash.bin" -- \
			-M virt,secure=on -m 1024 "${qemu_common[@]}" -bios "$tfa_dir/flash.bin"
	else
		echo "bootchain.sh: TF-A left out: sw/tfa/build.sh ended with $status" >&2
		tail -n 3 "$work/tfa.err" | sed 's/^/    | /' >&2
		[[ $status -eq 2 ]] || failed=1
	fi
fi

if [[ $uefi -eq 1 ]]; then
	# a key at the startup.nsh countdown: the shell then stalls (busy) 1 s instead of 5
	expects=("any other key to continue" "Shell> ")
	sends=(" " "reset -s\\r")
	cp "$aavmf_vars" "$work/vars.fd"
	# QEMU's runs get a snapshot of the store (-snapshot), qvp's leave it alone (no ,rw)
	time_boot uefi --bios "$aavmf_code" --flash "$work/vars.fd" -- -M virt "${qemu_common[@]}" -snapshot \
		-bios "$aavmf_code" -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd"
fi

echo
printf '%-6s %10s %14s %10s %16s %16s %16s\n' boot "qvp s" "QEMU icount s" "QEMU s" \
	"icount / qvp" "TCG / qvp" "qvp instructions"
for row in "${rows[@]}"; do
	IFS='|' read -r name q i t n v <<< "$row"
	awk -v name="$name" -v q="$q" -v i="$i" -v t="$t" -v n="$n" 'function ratio(a, b) {
		return (a == "failed" || b == "failed" || b <= 0) ? "-" : sprintf("%.2f", a / b)
	}
	BEGIN { printf "%-6s %10s %14s %10s %16s %16s %16s\n", name, q, i, t, ratio(i, q), ratio(t, q), n }'
done
echo "(wall time of the whole process, start-up included, best of $repeat; a ratio above 1 means qvp is faster)"
exit "$failed"
