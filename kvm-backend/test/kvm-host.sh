# Shared by the nested-KVM scripts (source it): build what runs inside the arm64 KVM host,
# pack it into an initramfs, and boot it in qemu-system-aarch64 with virtualization on.
# The initramfs's /init (init.c) runs each line of /tests.txt, "NAME PROGRAM [ARGS...]",
# between "qvp-test: begin NAME" and "qvp-test: end NAME status N" lines on the console.

kvm_host_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kvm_host_root=$(cd "$kvm_host_dir/../.." && pwd)

# The arguments every harness takes, [BUILD_DIR] [IMAGE_DIR]: sets `build` (default: build),
# `images` (default: our patched kernel, kvm-backend/kernel/build.sh) and `work`, a scratch
# directory removed at exit.
kvm_host_init() {
	build=$(cd "${1:-$kvm_host_root/build}" && pwd)
	images=${2:-$("$kvm_host_root/kvm-backend/kernel/build.sh")}
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
}

# Cross-builds a static arm64 qvp and the boards in BUILD/aarch64 ($1: the native build dir).
kvm_host_build_qvp() {
	local build=$1 libfdt="$1/aarch64/libfdt/usr/lib/aarch64-linux-gnu/libfdt.a" download
	if [ ! -f "$libfdt" ]; then
		# libfdt-dev cannot be installed for two architectures at once: unpack arm64's aside.
		download=$(mktemp -d)
		(cd "$download" && apt-get download -q libfdt-dev:arm64 > /dev/null 2>&1)
		mkdir -p "$build/aarch64/libfdt"
		dpkg-deb -x "$download"/libfdt-dev_*_arm64.deb "$build/aarch64/libfdt"
		rm -rf "$download"
	fi
	cmake -S "$kvm_host_root" -B "$build/aarch64" -DCMAKE_TOOLCHAIN_FILE="$kvm_host_root/cmake/aarch64-linux-gnu.cmake" \
		-DQVP_STATIC=ON -DQVP_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DLIBFDT_LIBRARY="$libfdt" > "$build/aarch64-cmake.log"
	cmake --build "$build/aarch64" -j"$(nproc)" --target qvp platforms >> "$build/aarch64-cmake.log" 2>&1
}

# For the Linux tests: Debian's kernel and busybox in BUILD/linux (sw/linux/build.sh), the native
# qvp and firmware, and the static arm64 qvp, in BUILD ($1). Exits 77 (CTest's skip), saying so
# as NAME ($2), when Debian's packages cannot be fetched.
kvm_host_build_for_linux() {
	local build=$1 name=$2 status=0
	"$kvm_host_root/sw/linux/build.sh" "$build/linux" > /dev/null || status=$?
	if [ "$status" = 2 ]; then
		echo "$name: SKIPPED: Debian's kernel and busybox could not be fetched"
		exit 77
	fi
	[ "$status" = 0 ] || exit "$status"
	cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > /dev/null
	echo "$name: cross-building a static arm64 qvp in $build/aarch64"
	kvm_host_build_qvp "$build"
}

# Fills ROOT ($2) with /init, /qvp, /platforms/virt.dtb and BUILD's ($1) firmware in /fw;
# the caller writes ROOT/tests.txt, then calls kvm_host_pack.
kvm_host_prepare_root() {
	local build=$1 root=$2
	mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/fw" "$root/platforms"
	aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -o "$root/init" "$kvm_host_dir/init.c"
	cp "$build/aarch64/qvp" "$root/qvp"
	cp "$build/aarch64/platforms/virt.dtb" "$root/platforms/"
	cp "$build"/sw/*.elf "$root/fw/"
}

# Packs ROOT ($1) into the gzipped cpio archive $2.
kvm_host_pack() {
	(cd "$1" && find . | cpio -o -H newc --quiet | gzip -1 > "$2")
}

# Boots IMAGE ($1) with INITRD ($2), console to LOG ($3); more arguments go to qemu. The host's
# CPU is QEMU's `max` unless the caller sets kvm_host_cpu (KVM's guests see its features).
kvm_host_boot() {
	local image=$1 initrd=$2 log=$3
	shift 3
	timeout "${QVP_KVM_TEST_TIMEOUT:-900}" qemu-system-aarch64 \
		-machine virt,virtualization=on,gic-version=3 -cpu "${kvm_host_cpu:-max,pauth-impdef=on}" \
		-smp 1 -m 1024 -nographic -no-reboot -nic none "$@" \
		-kernel "$image" -initrd "$initrd" \
		-append "console=ttyAMA0 panic=-1 loglevel=3 rdinit=/init" < /dev/null > "$log" 2>&1 || true
	tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
}

# Whether the VM of a background kvm_host_boot (PID $1) still runs; if not, says so with the
# last lines of its LOG ($2), so a harness fails at once instead of waiting out its timeouts.
kvm_host_vm_alive() {
	kill -0 "$1" 2>/dev/null && return 0
	echo "kvm-host: the VM exited early; the last lines of its console:" >&2
	tail -n 30 "$2" | sed 's/^/    vm: /' >&2
	return 1
}

# Runs COMMAND ($3...) while the VM of a background kvm_host_boot (PID $1, LOG $2) runs: if the
# VM goes first, COMMAND is stopped and the status is 1. Otherwise COMMAND's own status.
kvm_host_while_vm_runs() {
	local vm=$1 log=$2 command
	shift 2
	"$@" &
	command=$!
	while kill -0 "$command" 2>/dev/null; do
		if ! kill -0 "$vm" 2>/dev/null; then
			sleep 2 # the command may still be reading what the VM's last output
			kill -0 "$command" 2>/dev/null || break
			kill "$command" 2>/dev/null
			wait "$command" 2>/dev/null
			kvm_host_vm_alive "$vm" "$log"
			return 1
		fi
		sleep 0.2
	done
	wait "$command"
}

# The lines test NAME ($2) printed in LOG ($1), without the markers.
kvm_host_test_lines() {
	sed -n "/^qvp-test: begin $2\$/,/^qvp-test: end $2 /p" "$1" | sed '1d;$d'
}

# How long test NAME ($2) in LOG ($1) ran, in seconds of the KVM host's clock.
kvm_host_test_seconds() {
	sed -n "s/^qvp-test: $2 took \\([0-9.]*\\) s\$/\\1/p" "$1"
}

# The exit status of test NAME ($2) in LOG ($1).
kvm_host_test_status() {
	sed -n "s/^qvp-test: end $2 status \\([0-9-]*\\)\$/\\1/p" "$1"
}
