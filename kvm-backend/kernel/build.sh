#!/usr/bin/env bash
# Builds the arm64 kernel Image with our KVM patch series, and the series' KVM selftest,
# from Debian's linux-source-6.1. Results are cached by a hash of the source version, the
# patches, the config fragment and this script, so an unchanged kernel is never rebuilt.
#
# usage: kvm-backend/kernel/build.sh
# Prints the directory holding Image and wfx_exit_test on stdout; progress goes to stderr.
# QVP_KERNEL_CACHE overrides the cache directory (default ~/.cache/qvp/kernel).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${QVP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qvp/kernel}
package=linux-source-6.1
cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)

say() { echo "kernel/build.sh: $*" >&2; }

source_deb() {
	local deb
	deb=$(find "$cache/debs" -name "${package}_*_all.deb" 2>/dev/null | sort | tail -n 1)
	if [ -z "$deb" ]; then
		say "downloading $package"
		mkdir -p "$cache/debs"
		# A stale package list may name a version the mirror no longer has: refresh once.
		(cd "$cache/debs" && { apt-get download -q "$package" >&2 ||
			{ apt-get update -qq >&2 && apt-get download -q "$package" >&2; }; })
		deb=$(find "$cache/debs" -name "${package}_*_all.deb" | sort | tail -n 1)
	fi
	echo "$deb"
}

deb=$(source_deb)
version=$(dpkg-deb -f "$deb" Version)
key=$( { echo "$version"; cat "$here"/patches/*.patch "$here/qvp-kvm.config" "$0"; } | sha256sum | cut -c1-16)
out="$cache/$key"
if [ -f "$out/Image" ] && [ -f "$out/wfx_exit_test" ]; then
	say "cached: $package $version with $(ls "$here"/patches/*.patch | wc -l) patches"
	echo "$out"
	exit 0
fi

work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "unpacking $package $version"
dpkg-deb --fsys-tarfile "$deb" | tar -x -O "./usr/src/$package.tar.xz" | tar -xJ -C "$work"
src="$work/$package"
for patch in "$here"/patches/*.patch; do
	say "applying $(basename "$patch")"
	patch -d "$src" -p1 --quiet --forward < "$patch"
done

build="$work/build"
log="$work/build.log"
say "configuring: allnoconfig + qvp-kvm.config"
make -C "$src" -s O="$build" "${cross[@]}" KCONFIG_ALLCONFIG="$here/qvp-kvm.config" allnoconfig
for option in CONFIG_KVM CONFIG_ARM_GIC_V3 CONFIG_SERIAL_AMBA_PL011_CONSOLE CONFIG_HW_PERF_EVENTS CONFIG_VIRTIO_CONSOLE; do
	grep -q "^$option=y" "$build/.config" || { say "$option did not survive allnoconfig"; exit 1; }
done
say "building Image with -j$(nproc) (about 5 minutes on 2 cores)"
start=$(date +%s)
if ! make -C "$src" O="$build" "${cross[@]}" -j"$(nproc)" Image > "$log" 2>&1; then
	tail -n 40 "$log" >&2
	say "kernel build failed"
	exit 1
fi
say "Image built in $(( $(date +%s) - start )) s"

say "building the KVM selftest wfx_exit_test (static)"
make -C "$src" -s O="$build" "${cross[@]}" headers_install >> "$log" 2>&1
if ! make -C "$src/tools/testing/selftests/kvm" "${cross[@]}" OUTPUT="$work/selftests" \
	LINUX_HDR_PATH="$build/usr/include/" LDFLAGS="-static -pthread -no-pie" \
	"$work/selftests/aarch64/wfx_exit_test" >> "$log" 2>&1; then
	tail -n 40 "$log" >&2
	say "selftest build failed"
	exit 1
fi

mkdir -p "$out.partial"
cp "$build/arch/arm64/boot/Image" "$work/selftests/aarch64/wfx_exit_test" "$out.partial/"
cp "$build/.config" "$out.partial/config"
rm -rf "$out"
mv "$out.partial" "$out"
echo "$out"
