#!/usr/bin/env bash
# gdb-multiarch on this machine steps firmware that runs under --backend kvm inside the nested
# arm64 KVM host. The debugger's serial line is a virtio console port of the VM: QEMU serves
# it as a TCP socket here, and qvp inside runs `--gdb /dev/vport0p1`. The session is the one
# tests/test_gdb.cpp runs against the iss backend: break, `monitor reset` (the breakpoint hit
# again), next, step, finish, locals, system registers, disassembly, a hardware watchpoint, a
# changed variable, and the exit code. Then a second gdb on the same port, once the first has
# gone and a second qvp serves the line, attaches to a spinning guest, stops it with Ctrl-C and
# detaches: the run goes on to its --timeout. A third, on a qvp that waited for it through the
# hang-up, sees its breakpoint at printf hit on both boots of a PSCI SYSTEM_RESET. A fourth
# debugs smp_hello on two vCPUs, each a thread: a breakpoint in the function both CPUs run,
# `info threads`, `thread 2`, continue, `next` in thread 2; what gdb prints must be what it
# prints for the same session against the iss backend here (where each thread stands when the
# other stops aside).
#
# usage: kvm-backend/test/run-kvm-gdb-test.sh [BUILD_DIR] [IMAGE_DIR]
set -euo pipefail

source "$(dirname "$0")/kvm-host.sh"
build=$(cd "${1:-$kvm_host_root/build}" && pwd)
images=${2:-$("$kvm_host_root/kvm-backend/kernel/build.sh")}
work=$(mktemp -d)
qemu_pid=
trap '[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$((20000 + $$ % 20000))
log="$build/kvm-gdb-console.log"

cmake --build "$build" -j"$(nproc)" --target qvp firmware platforms > "$work/native.log"
echo "run-kvm-gdb-test: cross-building a static arm64 qvp in $build/aarch64"
kvm_host_build_qvp "$build"
kvm_host_prepare_root "$build" "$work/root"
echo "debugme /qvp run --backend kvm --gdb /dev/vport0p1 --gdb-wait /fw/debugme.elf" > "$work/root/tests.txt"
printf '\x00\x00\x00\x14' > "$work/root/fw/spin.bin" # b .
echo "spin /qvp run --backend kvm --gdb /dev/vport0p1 --timeout 10s --raw 0x40080000 /fw/spin.bin" >> "$work/root/tests.txt"
echo "reset /qvp run --backend kvm --gdb /dev/vport0p1 --gdb-wait /fw/psci_reset.elf" >> "$work/root/tests.txt"
echo "smp /qvp run --backend kvm --cpus 2 --gdb /dev/vport0p1 --gdb-wait /fw/smp_hello.elf" >> "$work/root/tests.txt"
kvm_host_pack "$work/root" "$work/initrd.gz"

# wait=on: QEMU starts the VM only once gdb has connected, so no byte of the session is lost.
# -icount: psci_reset must reach its check within 1 ms of a counter that runs with the host's
# during a run (as in run-kvm-tests.sh).
echo "run-kvm-gdb-test: booting the KVM host (console log: $log), gdb on port $port"
kvm_host_boot "$images/Image" "$work/initrd.gz" "$log" \
	-device virtio-serial-device -chardev "socket,id=gdb,host=127.0.0.1,port=$port,server=on,wait=on" \
	-device virtserialport,chardev=gdb,name=qvp.gdb -icount shift=0 &
qemu_pid=$!
for _ in $(seq 300); do # QEMU says when it listens (connecting to look would be the session)
	grep -q "waiting for connection" "$log" 2>/dev/null && break
	kvm_host_vm_alive "$qemu_pid" "$log" || exit 1
	sleep 0.1
done

# The VM boots while gdb waits for the first reply: a long remote timeout.
kvm_host_while_vm_runs "$qemu_pid" "$log" timeout 1200 gdb-multiarch -batch -nx -ex "set confirm off" -ex "set remotetimeout 600" \
	-ex "target remote 127.0.0.1:$port" \
	-ex "break main" -ex "continue" -ex "monitor reset" -ex "maintenance flush register-cache" -ex "continue" \
	-ex "next" -ex "step" -ex "info locals" -ex "finish" \
	-ex "print local" -ex "print counter" -ex "info registers SCTLR_EL1 VBAR_EL1 CurrentEL" -ex "monitor time" \
	-ex "set var \$d1 = 2.5" -ex "print \$d1" -ex "print/x \$fpcr" -ex "x/2i \$pc" \
	-ex "set var \$ESR_EL1 = 0x96000010" -ex "print/x \$ESR_EL1" \
	-ex "watch counter" -ex "continue" -ex "set var counter = 12" -ex "continue" \
	"$build/sw/debugme.elf" > "$work/gdb.out" 2>&1 || true

# The next qvp serves the line while nothing is connected at this end (a hung-up port); its gdb
# comes a second later.
wait_for_qvp() { # $1: how many qvps have served the line
	for _ in $(seq 3000); do
		[ "$(grep -c "qvp: gdb: serving on /dev/vport0p1" "$log")" -ge "$1" ] && break
		kvm_host_vm_alive "$qemu_pid" "$log" || return 1
		sleep 0.1
	done
	sleep 1
}
# gdb's Ctrl-C is SIGINT to gdb during `continue`.
wait_for_qvp 2 || exit 1
timeout 600 gdb-multiarch -batch -nx -ex "set confirm off" -ex "set remotetimeout 60" -ex "set architecture aarch64" \
	-ex "target remote 127.0.0.1:$port" -ex "continue" -ex "print \$pc" -ex "monitor time" -ex "detach" \
	> "$work/spin.out" 2>&1 &
spin_gdb=$!
# gdb -batch prints where it found the target when it attaches, then continues at once.
for _ in $(seq 1200); do
	grep -q "^0x0000000040080000 in" "$work/spin.out" && break
	kvm_host_vm_alive "$qemu_pid" "$log" || { kill "$spin_gdb"; exit 1; }
	sleep 0.1
done
sleep 3
# To gdb itself: timeout(1) would pass a SIGINT on to its whole process group as well, and a
# second SIGINT before the stop reply makes gdb give up on the target ("Disconnected").
pkill -INT -P "$spin_gdb" gdb-multiarch || true
wait "$spin_gdb" || true
wait_for_qvp 3 || exit 1
kvm_host_while_vm_runs "$qemu_pid" "$log" timeout 600 gdb-multiarch -batch -nx -ex "set confirm off" -ex "set remotetimeout 60" -ex "target remote 127.0.0.1:$port" \
	-ex "break printf" -ex "continue" -ex "continue" -ex "continue" "$build/sw/psci_reset.elf" > "$work/reset.out" 2>&1 || true
# Both CPUs run hello(): CPU 0 stops there first, CPU 1 next, each stop naming its thread;
# `next` then steps CPU 1 (vCont with its thread id) over its spin_lock() call.
smp_session=(-ex "break hello" -ex "continue" -ex "print index" -ex "info threads" -ex "thread 2" -ex "continue"
	-ex "print index" -ex "next" -ex "info threads" -ex "delete" -ex "continue")
wait_for_qvp 4 || exit 1
kvm_host_while_vm_runs "$qemu_pid" "$log" timeout 600 gdb-multiarch -batch -nx -ex "set confirm off" -ex "set remotetimeout 60" \
	-ex "target remote 127.0.0.1:$port" "${smp_session[@]}" "$build/sw/smp_hello.elf" > "$work/smp.out" 2>&1 || true
wait "$qemu_pid" || true
qemu_pid=
# The same session against the iss backend here: the reference.
iss_port=$((port + 1))
"$build/qvp" run --backend iss --cpus 2 --gdb "127.0.0.1:$iss_port" --gdb-wait "$build/sw/smp_hello.elf" \
	> "$work/smp-iss.console" 2>&1 &
iss_qvp=$!
for _ in $(seq 100); do grep -q "listening on" "$work/smp-iss.console" && break; sleep 0.1; done
timeout 120 gdb-multiarch -batch -nx -ex "set confirm off" -ex "target remote 127.0.0.1:$iss_port" "${smp_session[@]}" \
	"$build/sw/smp_hello.elf" > "$work/smp-iss.out" 2>&1 || true
wait "$iss_qvp" || true
sed 's/^/    gdb: /' "$work/gdb.out"

failures=0
expect() { # $1: what, $2: file, $3: fixed text that must appear
	if grep -qF -- "$3" "$2"; then
		echo "run-kvm-gdb-test: $1"
	else
		echo "run-kvm-gdb-test: FAILED: $1 (no '$3')"
		failures=$((failures + 1))
	fi
}
expect "breakpoint at main" "$work/gdb.out" "Breakpoint 1, main () at"
expect "monitor reset halts the rebuilt board at its entry" "$work/gdb.out" "board reset: halted at 0x40080000"
if [ "$(grep -c "^Breakpoint 1, main () at" "$work/gdb.out")" = 2 ]; then
	echo "run-kvm-gdb-test: the breakpoint at main is hit again after monitor reset"
else
	echo "run-kvm-gdb-test: FAILED: the breakpoint at main was not hit again after monitor reset"
	failures=$((failures + 1))
fi
expect "step into the call" "$work/gdb.out" "add_twice (value=7) at"
expect "locals" "$work/gdb.out" "twice = "
expect "finish with the return value" "$work/gdb.out" "Value returned is \$1 = 15"
expect "print a local" "$work/gdb.out" "\$2 = 7"
expect "print a global" "$work/gdb.out" "\$3 = 5"
expect "a SIMD&FP register written and read back" "$work/gdb.out" "\$4 = {f = 2.5, "
expect "FPCR" "$work/gdb.out" "\$5 = 0x"
expect "a system register written and read back" "$work/gdb.out" "\$6 = 0x96000010"
expect_line() { # $1: what, $2: file, $3: a line's extended regular expression
	if grep -qE -- "$3" "$2"; then
		echo "run-kvm-gdb-test: $1"
	else
		echo "run-kvm-gdb-test: FAILED: $1 (no line like '$3')"
		failures=$((failures + 1))
	fi
}
expect_line "system registers: SCTLR_EL1" "$work/gdb.out" "^SCTLR_EL1 +0x[0-9a-f]+"
expect_line "system registers: VBAR_EL1 in the firmware" "$work/gdb.out" "^VBAR_EL1 +0x4008[0-9a-f]{4} "
expect_line "system registers: CurrentEL is EL1" "$work/gdb.out" "^CurrentEL +0x4 "
expect_line "monitor time" "$work/gdb.out" "^virtual time [0-9.]+ s, [0-9]+ instructions"
expect "disassembly at the pc" "$work/gdb.out" "=> 0x"
expect "hardware watchpoint fires on the write" "$work/gdb.out" "New value = 20"
expect "exit code after the variable was changed" "$work/gdb.out" "exited with code 04"
kvm_host_test_lines "$log" debugme > "$work/console"
expect "the guest printed the changed value" "$work/console" "debugme: counter 12"
sed 's/^/    gdb (spin): /' "$work/spin.out"
expect "a second gdb on the line stops the spinning guest with Ctrl-C" "$work/spin.out" "Program received signal SIGINT"
expect "where it spins" "$work/spin.out" "0x40080000"
expect "detach" "$work/spin.out" "[Inferior 1 (Remote target) detached]"
if [ "$(kvm_host_test_status "$log" spin)" != 124 ]; then
	echo "run-kvm-gdb-test: FAILED: the spinning guest's status '$(kvm_host_test_status "$log" spin)', expected 124 (ran on to --timeout after the detach)"
	failures=$((failures + 1))
fi
sed 's/^/    gdb (reset): /' "$work/reset.out"
if [ "$(grep -c "^Breakpoint 1, " "$work/reset.out")" = 2 ]; then
	echo "run-kvm-gdb-test: the breakpoint at printf is hit on both boots of a SYSTEM_RESET"
else
	echo "run-kvm-gdb-test: FAILED: the breakpoint at printf was not hit on both boots of the SYSTEM_RESET"
	failures=$((failures + 1))
fi
expect "the reset firmware exits normally" "$work/reset.out" "exited normally"
sed 's/^/    gdb (smp): /' "$work/smp.out"
# What the two sessions must agree on: the stops and their threads, the values printed, each
# thread's CPU, MPIDR and power state in `info threads` (not its frame), the switch, the end.
smp_transcript() {
	grep -oE '^Thread [0-9]+ hit Breakpoint [0-9]+, [a-z_]+ \([^)]*\)|^\$[0-9]+ = .*|Thread [0-9]+ \(cpu [0-9]+, MPIDR affinity 0x[0-9a-f]+, (on|off)\)|^\[Switching to thread .*\]|^\[Inferior 1 \(Remote target\) exited .*\]' "$1"
}
smp_transcript "$work/smp-iss.out" > "$work/smp-iss.transcript"
smp_transcript "$work/smp.out" > "$work/smp.transcript"
expect "iss reference: CPU 1 stops in hello as thread 2" "$work/smp-iss.transcript" "Thread 2 hit Breakpoint 1, hello (index=1)"
expect "two vCPUs: CPU 0 stops in hello as thread 1" "$work/smp.transcript" "Thread 1 hit Breakpoint 1, hello (index=index@entry=0)"
expect "two vCPUs: after thread 2 and continue, CPU 1 stops as thread 2" "$work/smp.transcript" "Thread 2 hit Breakpoint 1, hello (index=1)"
expect "two vCPUs: info threads lists CPU 1 as on" "$work/smp.transcript" "Thread 2 (cpu 1, MPIDR affinity 0x1, on)"
expect "iss reference: next in thread 2 reaches the printf" "$work/smp-iss.out" "printf(\"smp_hello: hello from cpu"
expect "two vCPUs: next in thread 2 reaches the printf" "$work/smp.out" "printf(\"smp_hello: hello from cpu"
if cmp -s "$work/smp-iss.transcript" "$work/smp.transcript"; then
	echo "run-kvm-gdb-test: two vCPUs: gdb printed what it prints against the iss backend ($(wc -l < "$work/smp.transcript") lines)"
else
	echo "run-kvm-gdb-test: FAILED: the two-vCPU session differs from the iss backend's:"
	diff "$work/smp-iss.transcript" "$work/smp.transcript" | sed 's/^/    /' || true
	failures=$((failures + 1))
fi
kvm_host_test_lines "$log" smp > "$work/smp.console"
expect "two vCPUs: both said hello" "$work/smp.console" "smp_hello: 2 CPUs said hello"
if [ "$(kvm_host_test_status "$log" smp)" != 0 ]; then
	echo "run-kvm-gdb-test: FAILED: the two-vCPU qvp's status '$(kvm_host_test_status "$log" smp)', expected 0"
	failures=$((failures + 1))
fi
if [ "$(kvm_host_test_status "$log" debugme)" != 4 ]; then
	echo "run-kvm-gdb-test: FAILED: qvp's exit status '$(kvm_host_test_status "$log" debugme)', expected 4"
	sed 's/^/    vm: /' "$log" | tail -30
	failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || { echo "run-kvm-gdb-test: $failures failure(s)"; exit 1; }
echo "run-kvm-gdb-test: gdb stepped firmware under real KVM as under the iss backend"
