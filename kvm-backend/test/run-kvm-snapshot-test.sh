#!/usr/bin/env bash
# A snapshot taken under --backend kvm continues on the iss backend (docs/snapshots.md). Inside
# the nested arm64 KVM host, qvp runs firmware under KVM and saves it part-way
# (`--snapshot-at TIME FILE --stop`) straight into a virtio console port, which QEMU writes to
# a file here. Here `qvp run --restore` continues each snapshot in the interpreter, its images
# found by name (--image-dir). What the KVM part printed followed by what the restored run
# prints must be what the straight iss run prints, with the same exit status.
#
# usage: kvm-backend/test/run-kvm-snapshot-test.sh [BUILD_DIR] [IMAGE_DIR]
set -euo pipefail

source "$(dirname "$0")/kvm-host.sh"
kvm_host_init "$@"
log="$build/kvm-snapshot-console.log"

# NAME FIRMWARE TIME [QVP OPTIONS]: bench is a long computation (registers, SIMD, memory),
# sgi takes interrupts through the GIC model, sleep waits in WFI for the virtual timer (its
# CTL, CVAL and CNTKCTL move from KVM into the model), smp_hello runs on two vCPUs.
cases=(
	"bench bench 50ms"
	"sgi sgi 20us --quantum 5us"
	"sleep sleep 300ms"
	"smp_hello smp_hello 30us --cpus 2 --quantum 5us"
)

cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > "$work/native.log"
echo "run-kvm-snapshot-test: cross-building a static arm64 qvp in $build/aarch64"
kvm_host_build_qvp "$build"
kvm_host_prepare_root "$build" "$work/root"
qemu_ports=()
port=1
for line in "${cases[@]}"; do
	read -r name firmware time options <<< "$line"
	# shellcheck disable=SC2086 # options are words
	echo "$name /qvp run --backend kvm ${options:-} --snapshot-at $time /dev/vport0p$port --stop /fw/$firmware.elf" \
		>> "$work/root/tests.txt"
	qemu_ports+=(-chardev "file,id=snap$port,path=$work/$name.qvps" -device "virtserialport,chardev=snap$port,name=qvp.snap$port")
	port=$((port + 1))
done
kvm_host_pack "$work/root" "$work/initrd.gz"

echo "run-kvm-snapshot-test: booting the KVM host (console log: $log)"
kvm_host_boot "$images/Image" "$work/initrd.gz" "$log" -device virtio-serial-device "${qemu_ports[@]}" -icount shift=0
grep -q "qvp-test: done" "$log" || { echo "run-kvm-snapshot-test: the VM did not finish:"; tail -30 "$log"; exit 1; }

# The images by the names the snapshots recorded inside the VM (/fw/NAME.elf, /platforms/virt.dtb).
mkdir -p "$work/images"
ln -s "$build"/sw/*.elf "$build/platforms/virt.dtb" "$work/images/"

failures=0
for line in "${cases[@]}"; do
	read -r name firmware time options <<< "$line"
	expected_status=0
	status=0
	# shellcheck disable=SC2086
	"$build/qvp" run --backend iss ${options:-} --stats "$build/sw/$firmware.elf" > "$work/iss.out" 2> "$work/iss.stats" ||
		expected_status=$?
	kvm_status=$(kvm_host_test_status "$log" "$name")
	kvm_host_test_lines "$log" "$name" > "$work/kvm.out"
	# In the VM the console (standard input) was the VM's terminal, so the snapshot has console
	# input attached: the restored run gets an empty pipe as its input.
	: | "$build/qvp" run --restore "$work/$name.qvps" --image-dir "$work/images" --stats > "$work/restored.out" \
		2> "$work/restored.stats" || status=$?
	cat "$work/kvm.out" "$work/restored.out" > "$work/joined.out"
	echo "run-kvm-snapshot-test: $name: snapshot at $time under kvm (status ${kvm_status:-?}), $(wc -c < "$work/$name.qvps") bytes"
	echo "        instructions: $(sed -n 's/^instructions: //p' "$work/restored.stats") restored, $(sed -n 's/^instructions: //p' "$work/iss.stats") straight on iss"
	if [ "$kvm_status" = 0 ] && [ "$status" = "$expected_status" ] && cmp -s "$work/iss.out" "$work/joined.out"; then
		echo "run-kvm-snapshot-test: $name: kvm then iss prints what iss alone prints, status $status"
	else
		echo "run-kvm-snapshot-test: $name: FAILED (restored status $status, iss status $expected_status)"
		sed 's/^/        restore: /' "$work/restored.stats" | grep -v "^        restore: \(cpu\|idle\|wall\)" | head -5
		diff "$work/iss.out" "$work/joined.out" | head -20 || true
		failures=$((failures + 1))
	fi
done
if [ "$failures" -ne 0 ]; then
	echo "run-kvm-snapshot-test: $failures failure(s)"
	exit 1
fi
echo "run-kvm-snapshot-test: every snapshot taken under KVM continued on the iss backend"
