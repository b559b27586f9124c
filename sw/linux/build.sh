#!/usr/bin/env bash
# Builds what the Linux tests boot on qvp's virt board, from Debian's own packages:
#   Image             Debian's arm64 kernel (linux-image-*-arm64, as the kvm harness fetches it)
#   initramfs.cpio.gz busybox-static:arm64 with /init (a shell on the console), the kernel's
#                     modules for the virtio disk and ext2 (through ext4), and
#                     /poweroff-init (no FP/SIMD, no libc: prints a line and powers off)
#   disk.ext2         a small ext2 image holding hello.txt, for the virtio block device
#   dtbs/VENDOR/*.dtb the device trees of every arm64 board Debian's kernel supports (vendor
#                     trees for qvp's board builder, and seeds of the platform fuzz harness)
# Every file gets the same mtime, owner and order, so the same inputs give the same bytes.
#
# usage: sw/linux/build.sh OUTDIR
# Prints OUTDIR on stdout; progress on stderr. Exits 2 (and says so) when the packages cannot
# be fetched, so tests can skip. Downloads are cached in ~/.cache/qvp (QVP_KERNEL_CACHE).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:?usage: sw/linux/build.sh OUTDIR}
cache=${QVP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qvp/kernel}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200} # 2024-01-01, qvp's RTC default
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
export LC_ALL=C

say() { echo "sw/linux/build.sh: $*" >&2; }
unavailable() { say "cannot fetch $1 (no network or no arm64 architecture in dpkg?)"; exit 2; }

# The cached .deb of PACKAGE:arm64 ($1), downloaded once, like the kvm harness's kernel.
cached_deb() {
	local deb
	deb=$(find "$cache/debs" -name "${1}_*_arm64.deb" 2>/dev/null | sort | tail -n 1)
	if [ -z "$deb" ]; then
		say "downloading $1:arm64"
		mkdir -p "$cache/debs"
		(cd "$cache/debs" && { apt-get download -q "$1:arm64" > /dev/null 2>&1 ||
			{ apt-get update -qq > /dev/null 2>&1 && apt-get download -q "$1:arm64" > /dev/null 2>&1; }; }) ||
			unavailable "$1:arm64"
		deb=$(find "$cache/debs" -name "${1}_*_arm64.deb" | sort | tail -n 1)
	fi
	echo "$deb"
}

# Same mtime everywhere, then a sorted newc archive owned by root.
pack_initramfs() {
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$1" && find . | sort | cpio -o -H newc --quiet --reproducible -R 0:0) | gzip -n -9 > "$2"
}

# Debian builds these as modules; /init loads them in this order (no modules.dep in the
# package: depmod makes it at install time). virtio itself is built in.
modules=(kernel/drivers/virtio/virtio_mmio.ko kernel/drivers/block/virtio_blk.ko kernel/lib/crc16.ko
	kernel/crypto/crc32c_generic.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko kernel/fs/ext4/ext4.ko)

# The modules above from the kernel's package ($1) into ROOT/lib/modules/qvp ($2), with the order.
add_modules() {
	local kernel_deb=$1 dir=$2/lib/modules/qvp unpacked=$2/../modules module
	mkdir -p "$dir" "$unpacked"
	dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$unpacked" --wildcards "${modules[@]/#/./lib/modules/*/}"
	for module in "${modules[@]}"; do
		cp "$unpacked"/lib/modules/*/"$module" "$dir/"
		basename "$module" >> "$dir/order"
	done
}

build_initramfs() {
	local busybox_deb=$1 tree=$2 kernel_deb=$3
	dpkg-deb -x "$busybox_deb" "$tree/unpacked"
	mkdir -p "$tree/root/bin" "$tree/root/sbin" "$tree/root/usr/bin" "$tree/root/usr/sbin" "$tree/root/proc" \
		"$tree/root/sys" "$tree/root/dev" "$tree/root/mnt" "$tree/root/tmp"
	cp "$tree/unpacked/bin/busybox" "$tree/root/bin/busybox"
	ln -s busybox "$tree/root/bin/sh"
	install -m 0755 "$here/init" "$tree/root/init"
	aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -nostdlib -ffreestanding -mgeneral-regs-only \
		-fno-pie -no-pie -Wl,--build-id=none -o "$tree/root/poweroff-init" "$here/poweroff-init.c"
	add_modules "$kernel_deb" "$tree/root"
	pack_initramfs "$tree/root" "$out/initramfs.cpio.gz"
}

# Kept while the package is the same: unpacking them takes seconds, and each test runs this
# script, several at once when tests run in parallel (hence the lock).
extract_dtbs() {
	local kernel_deb=$1 unpacked=$2/dtbs
	exec 9> "$out/dtbs.lock"
	flock 9
	if [ "$(cat "$out/dtbs/package" 2>/dev/null)" != "$(basename "$kernel_deb")" ]; then
		rm -rf "$out/dtbs"
		mkdir -p "$unpacked" "$out/dtbs"
		dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$unpacked" --wildcards './usr/lib/linux-image-*/*/*.dtb'
		mv "$unpacked"/usr/lib/linux-image-*/* "$out/dtbs/"
		basename "$kernel_deb" > "$out/dtbs/package"
	fi
	exec 9>&-
}

build_disk() {
	local tree=$1
	mkdir -p "$tree/disk"
	echo "hello from the qvp virtio disk" > "$tree/disk/hello.txt"
	find "$tree/disk" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	rm -f "$out/disk.ext2"
	mke2fs -q -t ext2 -b 1024 -m 0 -L qvp-disk -U 5ca1ab1e-0000-4000-8000-000000000001 \
		-E hash_seed=5ca1ab1e-0000-4000-8000-000000000002,root_owner=0:0 \
		-d "$tree/disk" "$out/disk.ext2" 4M > /dev/null
	# mke2fs -d copies each file's ctime, which no one can set on the host: set it here
	(cd "$tree/disk" && find . -mindepth 1 | sort) | while read -r file; do
		debugfs -w -R "set_inode_field ${file#.} ctime @$SOURCE_DATE_EPOCH" "$out/disk.ext2" 2> /dev/null
	done
}

for tool in apt-get dpkg-deb cpio gzip mke2fs debugfs aarch64-linux-gnu-gcc; do
	command -v "$tool" > /dev/null || { say "$tool not found (./bootstrap.sh installs what is needed)"; exit 1; }
done
kernel_dir=$("$root/kvm-backend/test/stock-kernel.sh") || unavailable "Debian's linux-image-*-arm64"
busybox_deb=$(cached_deb busybox-static)
kernel_deb=$(cached_deb "$(basename "$kernel_dir" | sed 's/^stock-//')") # the package stock-kernel.sh took
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$kernel_dir/Image" "$out/Image"
build_initramfs "$busybox_deb" "$work" "$kernel_deb"
build_disk "$work"
extract_dtbs "$kernel_deb" "$work"
say "kernel $(basename "$kernel_dir"), $(dpkg-deb -f "$busybox_deb" Package) $(dpkg-deb -f "$busybox_deb" Version)"
echo "$out"
