// Loads and stores: every width, sign extension, addressing mode and writeback.
#include "iss_harness.h"

using namespace iss_test;

namespace
{

class Memory : public IssTest
{
      protected:
	void SetUp() override
	{
		IssTest::SetUp();
		// 0x80 0x81 ... 0xbf then 0x00 0x01 ...: bytes with both sign bits.
		for (unsigned k = 0; k < 256; k++) {
			uint8_t byte = (uint8_t)(0x80 + k);
			cpu->ops->write_memory(cpu, kData + k, &byte, 1);
		}
	}
	// Little-endian value of `size` pattern bytes at kData + offset.
	static uint64_t pattern(unsigned offset, unsigned size)
	{
		uint64_t v = 0;
		for (unsigned k = 0; k < size; k++)
			v |= (uint64_t)(uint8_t)(0x80 + offset + k) << (8 * k);
		return v;
	}
	static uint64_t sext(uint64_t v, unsigned bits)
	{
		return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
	}
};

TEST_F(Memory, LoadLiteral)
{
	exec("ldr w0, word\n ldr x1, dword\n ldrsw x2, word\n prfm pldl1keep, word\n b done\n"
	     ".balign 8\n dword: .quad 0x1122334455667788\n word: .word 0x87654321\n done:");
	EXPECT_EQ(x(0), 0x87654321u);
	EXPECT_EQ(x(1), 0x1122334455667788ull);
	EXPECT_EQ(x(2), 0xffffffff87654321ull);
}

TEST_F(Memory, UnsignedOffsetLoadsEveryWidthAndSign)
{
	exec("ldrb w0, [x9, #1]\n ldrh w1, [x9, #2]\n ldr w2, [x9, #4]\n ldr x3, [x9, #8]\n"
	     "ldrsb w4, [x9, #3]\n ldrsb x5, [x9, #3]\n ldrsh w6, [x9, #6]\n ldrsh x7, [x9, #6]\n"
	     "ldrsw x8, [x9, #12]\n ldrsb x10, [x9, #0x90]\n ldrsh w11, [x9, #0x90]\n"
	     "ldr x12, [x9, #32760]\n",
	     {{9, kData}});
	EXPECT_EQ(x(0), pattern(1, 1));
	EXPECT_EQ(x(1), pattern(2, 2));
	EXPECT_EQ(x(2), pattern(4, 4));
	EXPECT_EQ(x(3), pattern(8, 8));
	EXPECT_EQ(x(4), sext(pattern(3, 1), 8) & 0xffffffff);
	EXPECT_EQ(x(5), sext(pattern(3, 1), 8));
	EXPECT_EQ(x(6), sext(pattern(6, 2), 16) & 0xffffffff);
	EXPECT_EQ(x(7), sext(pattern(6, 2), 16));
	EXPECT_EQ(x(8), sext(pattern(12, 4), 32));
	EXPECT_EQ(x(10), 0x10u); // 0x80 + 0x90 wraps to 0x10: positive
	EXPECT_EQ(x(11), 0x1110u);
	EXPECT_EQ(x(12), 0u); // untouched RAM reads zero
}

TEST_F(Memory, StoresEveryWidth)
{
	fill(kData + 0x200, 0xee, 32);
	exec("strb w1, [x9, #0x200]\n strh w1, [x9, #0x202]\n str w1, [x9, #0x204]\n str x1, [x9, #0x208]\n"
	     "str xzr, [x9, #0x210]\n strb wzr, [x9, #0x218]\n",
	     {{9, kData}, {1, 0x0102030405060708ull}});
	EXPECT_EQ(read64(kData + 0x200), 0x050607080708ee08ull);
	EXPECT_EQ(read64(kData + 0x208), 0x0102030405060708ull);
	EXPECT_EQ(read64(kData + 0x210), 0u);
	EXPECT_EQ(read64(kData + 0x218), 0xeeeeeeeeeeeeee00ull);
}

TEST_F(Memory, UnscaledOffsets)
{
	enable_mmu_identity(); // unaligned accesses need Normal memory
	exec("ldur x0, [x9, #-1]\n ldur w1, [x9, #255]\n ldursb x2, [x9, #-3]\n stur w3, [x9, #-7]\n"
	     "ldurh w4, [x9, #-7]\n",
	     {{9, kData + 0x20}, {3, 0xcafef00d}});
	EXPECT_EQ(x(0), pattern(0x1f, 8));
	EXPECT_EQ(x(1), 0u); // kData + 0x11f: past the pattern
	EXPECT_EQ(x(2), sext(pattern(0x1d, 1), 8));
	EXPECT_EQ(read32(kData + 0x19), 0xcafef00du);
	EXPECT_EQ(x(4), 0xf00du);
}

TEST_F(Memory, PreAndPostIndexWriteBack)
{
	exec("ldr x0, [x9, #8]!\n mov x10, x9\n ldr w1, [x9], #-4\n mov x11, x9\n"
	     "str x2, [x12, #-16]!\n strb w2, [x13], #1\n ldrsh x3, [x14, #2]!\n ldrsb w4, [x15], #3\n",
	     {{9, kData}, {2, 0xabcdef}, {12, kData + 0x300}, {13, kData + 0x400}, {14, kData}, {15, kData + 5}});
	EXPECT_EQ(x(0), pattern(8, 8));
	EXPECT_EQ(x(10), kData + 8);
	EXPECT_EQ(x(1), pattern(8, 4));
	EXPECT_EQ(x(11), kData + 4);
	EXPECT_EQ(x(12), kData + 0x2f0);
	EXPECT_EQ(read64(kData + 0x2f0), 0xabcdefu);
	EXPECT_EQ(x(13), kData + 0x401);
	EXPECT_EQ(read32(kData + 0x400) & 0xff, 0xefu);
	EXPECT_EQ(x(14), kData + 2);
	EXPECT_EQ(x(3), sext(pattern(2, 2), 16));
	EXPECT_EQ(x(15), kData + 8);
	EXPECT_EQ(x(4), sext(pattern(5, 1), 8) & 0xffffffff);
}

TEST_F(Memory, RegisterOffsetExtendsAndScales)
{
	exec("ldr x0, [x9, x1]\n ldr x2, [x9, x1, lsl #3]\n ldr w3, [x9, w4, uxtw #2]\n ldrb w5, [x9, w6, sxtw]\n"
	     "ldrh w7, [x9, x8, sxtx #1]\n str w10, [x9, w11, uxtw]\n ldrsw x12, [x9, w6, sxtw #2]\n",
	     {{9, kData + 0x40},
	      {1, 8},
	      {4, 0xffffffff00000003ull},
	      {6, 0xfffffff8ull},
	      {8, (uint64_t)-4},
	      {10, 0x5a5a5a5a},
	      {11, 0x1000}});
	EXPECT_EQ(x(0), pattern(0x48, 8));
	EXPECT_EQ(x(2), pattern(0x80, 8));
	EXPECT_EQ(x(3), pattern(0x4c, 4));
	EXPECT_EQ(x(5), pattern(0x38, 1));
	EXPECT_EQ(x(7), pattern(0x38, 2));
	EXPECT_EQ(read32(kData + 0x1040), 0x5a5a5a5au);
	EXPECT_EQ(x(12), sext(pattern(0x20, 4), 32));
}

TEST_F(Memory, SpAsBase)
{
	exec("str x1, [sp, #-16]!\n ldr x2, [sp]\n ldp x3, x4, [sp], #16\n", {{CPU_REG_SP, kData + 0x800}, {1, 77}});
	EXPECT_EQ(x(2), 77u);
	EXPECT_EQ(x(3), 77u);
	EXPECT_EQ(sp(), kData + 0x800);
}

// The two halves of a pair in two pages, each through its own TLB entry; a pair whose first
// half is in a page of decoded code takes the slow path, and the second half's store to the
// next page is what runs there.
TEST_F(Memory, PairAcrossAPageBoundary)
{
	const uint64_t a = 0x1111111187654321ull, b = 0x22222222f0000001ull;
	exec("stp x1, x2, [x9]\n ldp x3, x4, [x9]\n ldpsw x5, x6, [x10]\n",
	     {{9, kData + 0xff8}, {10, kData + 0x1ffc}, {1, a}, {2, b}});
	EXPECT_EQ(read64(kData + 0xff8), a);
	EXPECT_EQ(read64(kData + 0x1000), b);
	EXPECT_EQ(x(3), a);
	EXPECT_EQ(x(4), b);
	EXPECT_EQ(x(5), 0u); // kData + 0x1ffc is still zero
	EXPECT_EQ(x(6), 0u);
	std::vector<uint32_t> words = assemble("mov x0, #7\n mov x0, #9\n");
	load("mov x0, #1\n stp w1, w2, [x9]\n b 1f\n .balign 4096\n 1: nop\n mov x0, #2\n wfi\n");
	set_x(1, words[0]);
	set_x(2, words[1]);
	set_x(9, kRamBase + 0x1000 - 4); // the first half is in this page, the second overwrites the NOP
	EXPECT_EQ(run(100).reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 2u); // the NOP became MOV X0, #9, then MOV X0, #2 ran
	EXPECT_EQ(read32(kRamBase + 0x1000), words[1]);
}

TEST_F(Memory, PairsEveryModeAndWidth)
{
	const uint64_t a = 0x1111111187654321ull, b = 0x22222222f0000001ull;
	exec("stp x1, x2, [x9]\n stp w1, w2, [x9, #16]\n stp x1, x2, [x10, #-16]!\n stp w2, w1, [x11], #8\n"
	     "ldp x3, x4, [x9]\n ldp w5, w6, [x9, #16]\n ldpsw x7, x8, [x9, #16]\n"
	     "ldp x12, x13, [x10], #16\n ldp x18, x19, [x20, #16]!\n ldp w14, w15, [x11, #-8]!\n"
	     "ldpsw x16, x17, [x11], #8\n",
	     {{9, kData + 0x500}, {10, kData + 0x600}, {11, kData + 0x700}, {20, kData + 0x4f0}, {1, a}, {2, b}});
	EXPECT_EQ(read64(kData + 0x500), a);
	EXPECT_EQ(read64(kData + 0x508), b);
	EXPECT_EQ(read64(kData + 0x510), 0xf000000187654321ull);
	EXPECT_EQ(read64(kData + 0x5f0), a);
	EXPECT_EQ(read64(kData + 0x5f8), b);
	EXPECT_EQ(read64(kData + 0x700), 0x87654321f0000001ull);
	EXPECT_EQ(x(3), a);
	EXPECT_EQ(x(4), b);
	EXPECT_EQ(x(5), 0x87654321u);
	EXPECT_EQ(x(6), 0xf0000001u);
	EXPECT_EQ(x(7), 0xffffffff87654321ull);
	EXPECT_EQ(x(8), 0xfffffffff0000001ull);
	EXPECT_EQ(x(12), a); // post-index from 0x5f0
	EXPECT_EQ(x(13), b);
	EXPECT_EQ(x(10), kData + 0x600);
	EXPECT_EQ(x(18), a); // pre-index to 0x500
	EXPECT_EQ(x(19), b);
	EXPECT_EQ(x(20), kData + 0x500);
	EXPECT_EQ(x(14), 0xf0000001u); // pre-index back to 0x700
	EXPECT_EQ(x(15), 0x87654321u);
	EXPECT_EQ(x(16), 0xfffffffff0000001ull);
	EXPECT_EQ(x(17), 0xffffffff87654321ull);
	EXPECT_EQ(x(11), kData + 0x708);
}

TEST_F(Memory, PrefetchesAreNops)
{
	exec("prfm pldl1keep, [x9]\n prfm pstl2strm, [x9, #8]\n prfum pldl3keep, [x9, #-1]\n"
	     "prfm pldl1keep, [x9, x1]\n mov x0, #1\n",
	     {{9, 0x10}, {1, 8}}); // an unmapped address: prefetches never fault
	EXPECT_EQ(x(0), 1u);
}

TEST_F(Memory, WritebackIntoTheTransferRegisterIsDefined)
{
	// Loaded value wins over the written-back base; a store writes the old base.
	write64(kData + 0x900, 0x1234);
	exec("ldr x1, [x1], #8\n str x2, [x2, #8]!\n", {{1, kData + 0x900}, {2, kData + 0xa00}});
	EXPECT_EQ(x(1), 0x1234u);
	EXPECT_EQ(x(2), kData + 0xa08);
	EXPECT_EQ(read64(kData + 0xa08), kData + 0xa00);
}

TEST_F(Memory, LoadIntoZeroRegisterIsDiscarded)
{
	exec("ldr xzr, [x9]\n mov x0, xzr\n", {{9, kData}});
	EXPECT_EQ(x(0), 0u);
}

TEST_F(Memory, UnalignedAccessesFaultWithTheMmuOff)
{
	// With the MMU off every data access is to Device memory, where unaligned accesses fault.
	install_vectors();
	load("ldur x0, [x9, #1]\n");
	set_x(9, kData);
	run();
	Taken t = taken();
	EXPECT_EQ(t.ec(), (unsigned)EC_DABORT_SAME);
	EXPECT_EQ(t.iss(), 0x21u); // alignment fault, read
	EXPECT_EQ(t.far, kData + 1);
	EXPECT_EQ(t.elr, kRamBase);
}

TEST_F(Memory, UnalignedAccessesWorkOnNormalMemory)
{
	enable_mmu_identity();
	exec("ldur x0, [x9, #1]\n stur w1, [x9, #0xf3]\n ldur w2, [x9, #0xf3]\n", {{9, kData}, {1, 0xa1b2c3d4}});
	EXPECT_EQ(x(0), pattern(1, 8));
	EXPECT_EQ(x(2), 0xa1b2c3d4u);
}

TEST_F(Memory, AccessAtTheEndOfRam)
{
	const uint64_t last = kRamBase + kRamSize - 8;
	exec("str x1, [x9]\n ldr x2, [x9]\n ldrb w3, [x9, #7]\n", {{9, last}, {1, 0x0102030405060708ull}});
	EXPECT_EQ(x(2), 0x0102030405060708ull);
	EXPECT_EQ(x(3), 1u);
}

TEST_F(Memory, AccessStraddlingTheEndOfRamAborts)
{
	enable_mmu_identity();
	install_vectors();
	load("ldr x0, [x9]\n wfi");
	set_x(9, kRamBase + kRamSize - 4);
	set_x(0, 7);
	run();
	Taken t = taken();
	EXPECT_EQ(t.ec(), (unsigned)EC_DABORT_SAME);
	EXPECT_EQ(t.iss() & 0x3f, 0x10u); // synchronous external abort: nothing answers past RAM
	EXPECT_EQ(t.far, kRamBase + kRamSize);
	EXPECT_EQ(x(0), 7u);
}

} // namespace

// Write tracking for history checkpoints (cpu_ops.watch_ram_writes): after watching starts,
// a page reads as unwritten until a store of any kind reaches it: the CPU's plain, pair and
// DC ZVA stores (the first after watching takes the slow path even where the TLB had a
// writable entry), a device's DMA and the debugger's writes. A page nothing wrote stays so.
TEST_F(IssTest, WatchedRamPagesLoseUnwrittenAtEveryKindOfStore)
{
	const uint64_t page = 0x1000, plain = kData, pair = kData + page, zva = kData + 2 * page, dma = kData + 3 * page,
		       debugger = kData + 4 * page, untouched = kData + 5 * page;
	enable_mmu_identity(); // DC ZVA needs Normal memory
	exec("str x1, [x0]\n", { { 0, plain }, { 1, 1 } }); // the TLB now holds a writable entry for `plain`
	cpu->ops->watch_ram_writes(cpu);
	for (uint64_t address : { plain, pair, zva, dma, debugger, untouched })
		EXPECT_TRUE(cpu->ops->ram_unwritten(cpu, address, 4096)) << std::hex << address;
	exec("str x1, [x0]\n stp x1, x1, [x2]\n dc zva, x3\n", { { 0, plain + 8 }, { 1, 7 }, { 2, pair + 16 }, { 3, zva + 64 } });
	cpu->ops->ram_written(cpu, dma + 100, 4);
	uint32_t word = 5;
	ASSERT_EQ(cpu->ops->write_memory(cpu, debugger + 8, &word, sizeof(word)), 0);
	for (uint64_t address : { plain, pair, zva, dma, debugger })
		EXPECT_FALSE(cpu->ops->ram_unwritten(cpu, address, 4096)) << std::hex << address;
	EXPECT_TRUE(cpu->ops->ram_unwritten(cpu, untouched, 4096));
	EXPECT_TRUE(cpu->ops->ram_unwritten(cpu, untouched + 4000, 2 * page)); // and the page after it
	EXPECT_FALSE(cpu->ops->ram_unwritten(cpu, plain, 6 * page)) << "a range is unwritten only if all of it is";
	EXPECT_FALSE(cpu->ops->ram_unwritten(cpu, debugger + page - 1, 2));
	EXPECT_FALSE(cpu->ops->ram_unwritten(cpu, kRamBase + kRamSize - page, 2 * page)) << "past RAM's end";
	EXPECT_EQ(read64(plain + 8), 7u);
}
