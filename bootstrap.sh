#!/usr/bin/env bash
# Quick start, step one: install what a fresh Debian 12 lacks, build qvp and the guest
# firmware into build/, and run the demo firmware.
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  build-essential cmake pkg-config          # host build
  libelf-dev libfdt-dev device-tree-compiler # ELF loading, device trees
  libdw-dev lcov                             # --coverage: DWARF line tables; lcov/genhtml check its tracefiles
  libcapstone-dev                            # --trace-insns: the instruction trace's disassembly
  zlib1g-dev cpio                            # gzip-compressed Linux kernel Images; sw/linux/'s initramfs
  libgtest-dev                               # the test suite
  libunicorn-dev                             # the ISS's differential oracle (tests only)
  libyaml-dev libssl-dev libxml2-utils       # qvp test: manifests, result hashes (and TF-A's fiptool); xmllint checks JUnit
  libsystemc-dev                             # qvp-sc: qvp in a SystemC/TLM-2.0 simulation
  gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu # guest firmware and ISS tests
  gdb-multiarch                              # the gdb stub's tests (docs/gdb.md)
  qemu-system-arm                            # the oracle of the QEMU comparisons, the benchmark's peer
  e2fsprogs                                  # sw/linux/build.sh's disk image (mke2fs)
  u-boot-qemu                                # Debian's U-Boot for QEMU's virt board: the --bios tests (tests/test_bootchain.cpp)
  curl xz-utils                              # sw/tfa/build.sh fetches and unpacks Debian's arm-trusted-firmware source (tests/test_tfa.cpp)
  qemu-efi-aarch64                           # Debian's UEFI (ArmVirtQemu) flash images: the UEFI boot tests (tests/test_uefi.cpp)
  dosfstools mtools                          # the UEFI tests' FAT boot disk, built without root (mkfs.vfat, mcopy)
  clang libclang-rt-14-dev                   # the fuzz harnesses (libFuzzer, tests/fuzz); CI's second compiler
)
kernel_tests=OFF
if [ "${QVP_KERNEL_TESTS:-0}" = 1 ]; then    # the patched KVM kernel, tested nested in QEMU
  packages+=(flex bison bc cpio rsync patch xz-utils)
  # a static arm64 qvp for the kvm backend's tests (libfdt's arm64 archive is unpacked aside)
  packages+=(g++-aarch64-linux-gnu libelf-dev:arm64 zlib1g-dev:arm64 libyaml-dev:arm64 libssl-dev:arm64)
  kernel_tests=ON
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ "$kernel_tests" = ON ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQVP_KERNEL_TESTS=$kernel_tests
cmake --build build -j"$(nproc)"
echo "bootstrap: running build/sw/hello.elf"
build/qvp run build/sw/hello.elf
