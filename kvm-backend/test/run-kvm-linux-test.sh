#!/usr/bin/env bash
# Debian's arm64 kernel on qvp --backend kvm inside the nested arm64 KVM host: the same
# kernel, initramfs and disk image as the iss backend's Linux tests (sw/linux/build.sh), the
# busybox shell driven by a console script (uname, /proc/interrupts, a sleep, the virtio disk,
# poweroff -f), each output checked, and qvp's exit status 0 from the guest's PSCI SYSTEM_OFF.
# Then the same kernel on two vCPUs (and on four with QVP_KVM_LINUX_CPUS="2 4"): all come
# online, nproc and /proc/cpuinfo count N, taskset runs a program on each CPU, and dmesg
# reports no RCU stall, no CPU that failed to come online and no unstable clocksource.
#
# usage: kvm-backend/test/run-kvm-linux-test.sh [BUILD_DIR] [IMAGE_DIR]
# Exits 77 (CTest's skip) when Debian's packages cannot be fetched.
set -euo pipefail

source "$(dirname "$0")/kvm-host.sh"
kvm_host_init "$@"
log="$build/kvm-linux-console.log"

kvm_host_build_for_linux "$build" run-kvm-linux-test
kvm_host_prepare_root "$build" "$work/root"
mkdir -p "$work/root/linux"
cp "$build/linux/Image" "$build/linux/initramfs.cpio.gz" "$build/linux/disk.ext2" "$work/root/linux/"
cat > "$work/root/linux/script" <<'SCRIPT'
expect "qvp-init: ready"
expect "# "
send "uname -a\n"
expect "# "
send "cat /proc/interrupts\n"
expect "# "
send "sleep 1; echo slept\n"
expect "slept"
expect "# "
send "mount -t ext2 -o ro /dev/vda /mnt && cat /mnt/hello.txt\n"
expect "# "
send "poweroff -f\n"
SCRIPT
# The echoed commands hold "$c" where the output has the number, and brackets in the words the
# console is searched for below: only the output matches.
cat > "$work/root/linux/script-smp" <<'SCRIPT'
expect "qvp-init: ready"
expect "# "
send "nproc\n"
expect "# "
send "echo processors: $(grep -c ^processor /proc/cpuinfo)\n"
expect "# "
send "c=0; while [ $c -lt $(nproc) ]; do echo cpu $c ran on $(taskset -c $c cut -d' ' -f39 /proc/self/stat); c=$((c + 1)); done\n"
expect "# "
send "echo dmesg warnings: $(dmesg | grep -ciE 'rcu.*stal[l]|come onlin[e]|clocksource.*unstabl[e]')\n"
expect "# "
send "poweroff -f\n"
SCRIPT
# Four vCPUs only when asked (QVP_KVM_LINUX_CPUS="2 4"): one such boot took 402 s of wall time
# in the nested host on a busy 2-core machine (176 s for one vCPU, 79 s for two), another 62 s
# on a quieter one (27 s for one vCPU): up to minutes more of CI time.
read -r -a smp_cpus <<< "${QVP_KVM_LINUX_CPUS:-2}"
echo "linux /qvp run --backend kvm --stats --timeout 300s --kernel /linux/Image --initrd /linux/initramfs.cpio.gz" \
	"--append console=ttyAMA0 --disk /linux/disk.ext2 --console-script /linux/script" > "$work/root/tests.txt"
for cpus in "${smp_cpus[@]}"; do
	echo "linux-smp$cpus /qvp run --backend kvm --cpus $cpus --stats --timeout 300s --kernel /linux/Image" \
		"--initrd /linux/initramfs.cpio.gz --append console=ttyAMA0 --console-script /linux/script-smp" >> "$work/root/tests.txt"
done
kvm_host_pack "$work/root" "$work/initrd.gz"

echo "run-kvm-linux-test: booting the KVM host (console log: $log)"
kvm_host_boot "$images/Image" "$work/initrd.gz" "$log"
kvm_host_test_lines "$log" linux > "$work/linux.out"
for cpus in "${smp_cpus[@]}"; do kvm_host_test_lines "$log" "linux-smp$cpus" > "$work/linux-smp$cpus.out"; done

failures=0
expect() { # $1: what, $2: fixed text that must appear in the guest's console; $3: which run
	if grep -qF -- "$2" "$work/${3:-linux}.out"; then
		echo "run-kvm-linux-test: $1"
	else
		echo "run-kvm-linux-test: FAILED: $1 (no '$2')"
		failures=$((failures + 1))
	fi
}
expect "the kernel booted" "Booting Linux on physical CPU 0x0000000000"
expect "PSCI from KVM, at our version" "psci: PSCIv1.0 detected in firmware."
expect "the shell is up" "qvp-init: ready"
expect "uname -a" "Linux (none) 6.1.0"
expect "/proc/interrupts lists the timer" "arch_timer"
expect "sleep 1" "slept"
expect "the virtio disk's file" "hello from the qvp virtio disk"
expect "poweroff -f" "reboot: Power down"
grep -E '^(instructions|virtual time|wall time|kvm |qvp: )' "$work/linux.out" | sed 's/^/        /' || true
check_smp() { # $1: the number of vCPUs
	local n=$1 run=linux-smp$1 last=$(($1 - 1))
	expect "$n vCPUs: the last came online" "CPU$last: Booted secondary processor 0x000000000$last" "$run"
	expect "$n vCPUs: the kernel has them all" "smp: Brought up 1 node, $n CPUs" "$run"
	expect "$n vCPUs: /proc/cpuinfo" "processors: $n" "$run"
	if ! grep -qx "$n" "$work/$run.out"; then
		echo "run-kvm-linux-test: FAILED: $n vCPUs: nproc did not print $n"
		failures=$((failures + 1))
	fi
	for c in $(seq 0 "$last"); do
		expect "$n vCPUs: taskset ran a program on CPU $c" "cpu $c ran on $c" "$run"
	done
	expect "$n vCPUs: dmesg: no RCU stall, no CPU that failed to come online, no unstable clocksource" \
		"dmesg warnings: 0" "$run"
	if grep -qE "rcu.*(stall|detected)|failed to come online|clocksource.*unstable" "$work/$run.out"; then
		echo "run-kvm-linux-test: FAILED: $n vCPUs: a stall, an offline CPU or an unstable clocksource:"
		grep -E "rcu.*(stall|detected)|failed to come online|clocksource.*unstable" "$work/$run.out" | head -5
		failures=$((failures + 1))
	fi
	grep -E '^(instructions|virtual time|wall time|cpu [0-9])' "$work/$run.out" | sed 's/^/        /' || true
}
for cpus in "${smp_cpus[@]}"; do check_smp "$cpus"; done
for run in linux "${smp_cpus[@]/#/linux-smp}"; do
	if [ "$(kvm_host_test_status "$log" $run)" != 0 ]; then
		echo "run-kvm-linux-test: FAILED: $run: qvp's exit status '$(kvm_host_test_status "$log" $run)', expected 0"
		tail -40 "$work/$run.out" | sed 's/^/    /'
		failures=$((failures + 1))
	fi
done
[ "$failures" -eq 0 ] || { echo "run-kvm-linux-test: $failures failure(s)"; exit 1; }
echo "run-kvm-linux-test: Debian's kernel ran the shell session under real KVM"
