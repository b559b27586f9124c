#!/usr/bin/env bash
# KVM inside qvp against KVM inside QEMU: el2.kvm_guest_inside's initramfs (bare_kvm, then
# hello, exitcode, sgi, vector and fp_math under qvp --backend kvm) booted at EL2 twice on
# qvp's iss backend, then on qemu-system-aarch64 -M virt,virtualization=on with -icount
# shift=0 and without.
# Prints each boot's wall time (and the outer qvp's instructions and virtual time).
#
# usage: tests/bench/kvm_inside.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
QVP_KVM_INSIDE_QEMU=1 exec "$here/../../kvm-backend/test/run-kvm-inside-qvp-test.sh" "$@"
