#!/usr/bin/env bash
# Fetches Debian's own arm64 kernel (no WFx-exit capability) for the fallback tests and
# prints the directory holding its Image. The package is the one linux-image-arm64 names.
# Needs the arm64 architecture in dpkg (bootstrap.sh adds it for the kernel tests).
set -euo pipefail

cache=${QVP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qvp/kernel}
package=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-arm64\):arm64$/\1/p' | head -n 1)
if [ -z "$package" ]; then
	echo "stock-kernel.sh: cannot resolve linux-image-arm64:arm64 (is the arm64 architecture added?)" >&2
	exit 1
fi
out="$cache/stock-$package"
if [ ! -f "$out/Image" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	echo "stock-kernel.sh: downloading $package:arm64" >&2
	(cd "$work" && apt-get download -q "$package:arm64" > /dev/null 2>&1)
	dpkg-deb -x "$work"/"$package"_*_arm64.deb "$work/root"
	mkdir -p "$out.partial"
	# Debian's vmlinuz for arm64 is an EFI-stub Image that qemu -kernel boots as it is.
	cp "$work"/root/boot/vmlinuz-* "$out.partial/Image"
	rm -rf "$out"
	mv "$out.partial" "$out"
fi
echo "$out"
