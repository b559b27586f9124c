#!/usr/bin/env bash
# Builds TF-A (PLAT=qemu) from Debian bookworm's arm-trusted-firmware source package with
# Debian's U-Boot as BL33, and lays out flash.bin as QEMU's docs describe: bl1.bin at 0,
# fip.bin at 256 KiB. Results are cached by a hash of the source version, U-Boot and this
# script, so an unchanged TF-A is never rebuilt (as kvm-backend/kernel/build.sh caches its kernel).
#
# usage: sw/tfa/build.sh
# Prints the directory holding flash.bin, bl1/bl2/bl31 ELF files and fip.bin on stdout;
# progress goes to stderr. Exit status 2: the source could not be downloaded. QVP_TFA_CACHE overrides the cache directory (default ~/.cache/qvp/tfa).
set -euo pipefail

cache=${QVP_TFA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qvp/tfa}
pool=http://deb.debian.org/debian/pool/main/a/arm-trusted-firmware
version=2.8.0+dfsg-1
dsc=arm-trusted-firmware_$version.dsc
bl33=${QVP_TFA_BL33:-/usr/lib/u-boot/qemu_arm64/u-boot.bin}
cross=(CROSS_COMPILE=aarch64-linux-gnu-)

say() { echo "tfa/build.sh: $*" >&2; }

[ -f "$bl33" ] || { say "BL33 $bl33 is missing (Debian's u-boot-qemu)"; exit 1; }

# Fetches one file of the source package; exit status 2 when the mirror cannot be reached,
# so that tests skip rather than fail without a network.
download() {
	curl -fsS -o "$1.partial" "$pool/$1" && mv "$1.partial" "$1" ||
		{ rm -f "$1.partial"; say "cannot download $pool/$1"; exit 2; }
}

# Downloads the .dsc and the files it names, and checks them against its SHA-256 list.
fetch_source() {
	mkdir -p "$cache/src"
	cd "$cache/src"
	[ -f "$dsc" ] || download "$dsc"
	local sum size name
	while read -r sum size name; do
		[ -f "$name" ] || { say "downloading $name"; download "$name"; }
		echo "$sum  $name" | sha256sum -c --quiet - >&2 ||
			{ say "$name does not match the .dsc's SHA-256"; rm -f "$name"; exit 1; }
	done < <(sed -n '/^Checksums-Sha256:/,/^[A-Z]/p' "$dsc" | grep '^ ')
	cd - > /dev/null
}

fetch_source
key=$( { echo "$version"; sha256sum "$bl33"; cat "$0"; } | sha256sum | cut -c1-16)
out="$cache/$key"
if [ -f "$out/flash.bin" ]; then
	say "cached: arm-trusted-firmware $version"
	echo "$out"
	exit 0
fi

work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "unpacking arm-trusted-firmware $version"
tar -xJf "$cache/src"/arm-trusted-firmware_*.orig.tar.xz -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
tar -xJf "$cache/src/arm-trusted-firmware_$version.debian.tar.xz" -C "$src"
if [ -f "$src/debian/patches/series" ]; then
	while read -r patch; do
		case $patch in ''|\#*) continue ;; esac
		say "applying Debian's $patch"
		patch -d "$src" -p1 --quiet --forward < "$src/debian/patches/$patch"
	done < "$src/debian/patches/series"
fi

log="$work/build.log"
say "building PLAT=qemu (bl1, fip with BL2, BL31 and BL33 = $(basename "$bl33"))"
start=$(date +%s)
# Debian's debian/rules does the same: binutils 2.40 warns about BL2's and BL31's RWX segment, which TF-A's
# fatal warnings would make an error; GCC 12 needs min-pagesize=0 for the MMIO accessors.
# CTX_INCLUDE_AARCH32_REGS=0: qvp's CPU has no AArch32 (ID_AA64PFR0_EL1.EL1 says AArch64 only),
# which BL1 refuses with the default (1); QEMU's A57 runs this build the same.
if ! make -C "$src" "${cross[@]}" CFLAGS=--param=min-pagesize=0 TF_LDFLAGS_aarch64=--no-warn-rwx-segments \
	PLAT=qemu DEBUG=0 CTX_INCLUDE_AARCH32_REGS=0 BL33="$bl33" -j"$(nproc)" all fip > "$log" 2>&1; then
	tail -n 40 "$log" >&2
	say "TF-A build failed"
	exit 1
fi
say "built in $(( $(date +%s) - start )) s"

rel="$src/build/qemu/release"
mkdir -p "$out.partial"
# QEMU's docs (docs/system/arm/virt.rst, TF-A's plat/qemu docs): BL1 at 0, the FIP at 256 KiB.
dd if="$rel/bl1.bin" of="$out.partial/flash.bin" bs=4096 conv=notrunc status=none
dd if="$rel/fip.bin" of="$out.partial/flash.bin" seek=64 bs=4096 conv=notrunc status=none
cp "$rel/bl1.bin" "$rel/fip.bin" "$rel/bl1/bl1.elf" "$rel/bl2/bl2.elf" "$rel/bl31/bl31.elf" "$out.partial/"
rm -rf "$out"
mv "$out.partial" "$out"
say "flash.bin: $(stat -c %s "$out/flash.bin") bytes"
echo "$out"
