#!/usr/bin/env bash
# Debian's kernel booted part-way under --backend kvm, then continued in the interpreter
# (docs/snapshots.md): inside the nested arm64 KVM host, qvp boots the kernel and initramfs of
# sw/linux/build.sh under KVM and saves the run at 300 ms of virtual time (mid-boot)
# straight into a virtio console port. Here `qvp run --restore` continues it on the iss
# backend: the boot goes on to the busybox shell, which the console script drives (uname,
# /proc/cpuinfo, poweroff -f), and qvp exits 0 from the guest's PSCI SYSTEM_OFF. Restored
# twice, the runs print the same bytes and end at the same instruction count and virtual time.
#
# The KVM host is a Cortex-A57 here, the CPU the interpreter models: on QEMU's `max` CPU the
# kernel under KVM would use LSE atomics and pointer authentication (QEMU's own algorithm),
# which no v8.0 interpreter can continue.
#
# usage: kvm-backend/test/run-kvm-linux-snapshot-test.sh [BUILD_DIR] [IMAGE_DIR]
# Exits 77 (CTest's skip) when Debian's packages cannot be fetched.
set -euo pipefail

source "$(dirname "$0")/kvm-host.sh"
kvm_host_init "$@"
log="$build/kvm-linux-snapshot-console.log"
kvm_host_cpu=cortex-a57

kvm_host_build_for_linux "$build" run-kvm-linux-snapshot-test
kvm_host_prepare_root "$build" "$work/root"
mkdir -p "$work/root/linux"
cp "$build/linux/Image" "$build/linux/initramfs.cpio.gz" "$work/root/linux/"
cat > "$work/root/linux/script" <<'SCRIPT'
expect "qvp-init: ready"
expect "# "
send "uname -a\n"
expect "# "
send "grep -m1 Features /proc/cpuinfo\n"
expect "# "
send "poweroff -f\n"
SCRIPT
echo "linux /qvp run --backend kvm --snapshot-at 300ms /dev/vport0p1 --stop --kernel /linux/Image" \
	"--initrd /linux/initramfs.cpio.gz --append console=ttyAMA0 --console-script /linux/script" > "$work/root/tests.txt"
kvm_host_pack "$work/root" "$work/initrd.gz"

echo "run-kvm-linux-snapshot-test: booting the KVM host, a $kvm_host_cpu (console log: $log)"
kvm_host_boot "$images/Image" "$work/initrd.gz" "$log" -device virtio-serial-device \
	-chardev "file,id=snap1,path=$work/linux.qvps" -device virtserialport,chardev=snap1,name=qvp.snap1 -icount shift=0
grep -q "qvp-test: done" "$log" || { echo "run-kvm-linux-snapshot-test: the VM did not finish:"; tail -30 "$log"; exit 1; }
kvm_host_test_lines "$log" linux > "$work/kvm.out"

# The images by the names the snapshot recorded inside the VM.
mkdir -p "$work/images"
ln -s "$build/platforms/virt.dtb" "$build/linux/Image" "$build/linux/initramfs.cpio.gz" "$work/images/"
cp "$work/root/linux/script" "$work/images/script"
restore() { # $1: a name for this run's files
	local status=0
	# In the VM the console was the VM's terminal: the restored run gets an empty pipe.
	: | "$build/qvp" run --restore "$work/linux.qvps" --image-dir "$work/images" --stats --timeout 120s \
		> "$work/$1.out" 2> "$work/$1.stats" || status=$?
	echo "$status" > "$work/$1.status"
}
restore first
restore second

failures=0
check() { # $1: what, then a command that must succeed
	local what=$1
	shift
	if "$@"; then
		echo "run-kvm-linux-snapshot-test: $what"
	else
		echo "run-kvm-linux-snapshot-test: FAILED: $what"
		failures=$((failures + 1))
	fi
}
stat_of() { sed -n "s/^$1: //p" "$work/$2.stats"; }
count() { grep -cF -- "$1" "$work/joined.out" || true; }
cat "$work/kvm.out" "$work/first.out" > "$work/joined.out"
check "saved under KVM at 300 ms, $(wc -c < "$work/linux.qvps") bytes (status $(kvm_host_test_status "$log" linux))" \
	test "$(kvm_host_test_status "$log" linux)" = 0
check "KVM's part booted the kernel" grep -qF "Booting Linux on physical CPU" "$work/kvm.out"
check "the shell came up in the interpreter" grep -qF "qvp-init: ready" "$work/first.out"
check "uname -a answered" grep -qF "Linux (none) 6.1.0" "$work/first.out"
# The interpreter's own CPU has no aes, pmull, sha1 or sha2: listed, they were found under KVM.
check "the kernel kept the features it found under KVM (the A57's)" grep -q "^Features.*aes pmull sha1 sha2 crc32" \
	"$work/first.out"
check "poweroff -f ended the restored run with status 0" test "$(cat "$work/first.status")" = 0
check "each kernel line once across the seam" test "$(count "Booting Linux on physical CPU")$(count "Run /init as init process")" = 11
check "restored twice: the same console" cmp -s "$work/first.out" "$work/second.out"
check "restored twice: $(stat_of instructions first) instructions, $(stat_of 'virtual time' first) both times" \
	test "$(stat_of instructions first) $(stat_of 'virtual time' first)" = "$(stat_of instructions second) $(stat_of 'virtual time' second)"
check "restored on the iss backend" test "$(stat_of backend first)" = iss
if [ "$failures" -ne 0 ]; then
	echo "run-kvm-linux-snapshot-test: $failures failure(s); the restored run's last lines:"
	tail -15 "$work/first.out" | sed 's/^/        /'
	exit 1
fi
echo "run-kvm-linux-snapshot-test: Debian's kernel booted under KVM went on to the shell in the interpreter"
