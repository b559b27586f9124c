// Debian's arm64 kernel entered at EL2 (qvp run --el2 --kernel): it finds every CPU at EL2,
// probes PSCI over the SMC conduit the tree names, initializes KVM's hyp mode (nVHE: no VHE
// is advertised), finds the GICv2 virtualization frames and their maintenance interrupt
// (models/gicv2_virt.c) and powers off through PSCI SYSTEM_OFF over SMC. KVM guests inside it:
// el2.kvm_guest_inside (kvm-backend/test/run-kvm-inside-qvp-test.sh; docs/iss.md, KVM inside qvp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::TempDir;

namespace
{

class El2Linux : public ::testing::Test
{
      protected:
	static void SetUpTestSuite()
	{
		ProcessResult built =
		    qvp_test::run_process({ std::string(QVP_SOURCE_DIR) + "/sw/linux/build.sh", build_path("linux") });
		status_ = built.status;
		why_ = built.err;
	}

	void SetUp() override
	{
		if (status_ == 2)
			GTEST_SKIP() << "Debian's kernel and busybox could not be fetched: " << why_;
		ASSERT_EQ(status_, 0) << why_;
	}

	static int status_;
	static std::string why_;
};

int El2Linux::status_ = -1;
std::string El2Linux::why_;

bool has(const std::string &text, const std::string &what)
{
	return text.find(what) != std::string::npos;
}

TEST_F(El2Linux, BootsAtEl2AndPowersOffOverSmc)
{
	TempDir dir;
	const std::string console = dir.path("console.log");
	ProcessResult run = qvp_test::run_process(
	    { build_path("qvp"), "run", "--backend", "iss", "--el2", "--cpus", "2", "--kernel", build_path("linux/Image"),
	      "--initrd", build_path("linux/initramfs.cpio.gz"), "--append", "console=ttyAMA0 rdinit=/poweroff-init",
	      "--console", console, "--timeout", "20s" });
	std::string log = qvp_test::read_file(console);
	EXPECT_EQ(run.status, 0) << run.err << log;
	EXPECT_TRUE(has(log, "CPU: All CPU(s) started at EL2")) << log;
	EXPECT_TRUE(has(log, "smp: Brought up 1 node, 2 CPUs")) << log;
	EXPECT_TRUE(has(log, "psci: PSCIv1.0 detected in firmware.")) << log;
	EXPECT_TRUE(has(log, "kvm [1]: vgic interrupt IRQ")) << log; // the maintenance PPI: GICH and GICV found
	EXPECT_TRUE(has(log, "kvm [1]: Hyp mode initialized successfully")) << log;
	EXPECT_TRUE(has(log, "reboot: Power down")) << log;
}

TEST_F(El2Linux, KvmBackendRefusesEl2)
{
	ProcessResult run = qvp_test::run_process({ build_path("qvp"), "run", "--backend", "kvm", "--el2", "--kernel",
						    build_path("linux/Image") });
	EXPECT_NE(run.status, 0);
	EXPECT_TRUE(has(run.err, "backend kvm: cannot start the CPUs at EL2")) << run.err;
}

} // namespace
