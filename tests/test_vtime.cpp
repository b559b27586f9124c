#include <gtest/gtest.h>

#include <string>

#include "error.h"
#include "vtime.h"

TEST(VirtualTime, ParsesUnits)
{
	vtime_t t;
	ASSERT_EQ(vtime_parse("40ps", &t), 0);
	EXPECT_EQ(t, 40u);
	ASSERT_EQ(vtime_parse("1500ns", &t), 0);
	EXPECT_EQ(t, 1500000u);
	ASSERT_EQ(vtime_parse("250us", &t), 0);
	EXPECT_EQ(t, 250 * VTIME_US);
	ASSERT_EQ(vtime_parse("10ms", &t), 0);
	EXPECT_EQ(t, 10 * VTIME_MS);
	ASSERT_EQ(vtime_parse("2s", &t), 0);
	EXPECT_EQ(t, 2 * VTIME_S);
	ASSERT_EQ(vtime_parse("1.5s", &t), 0);
	EXPECT_EQ(t, 1500 * VTIME_MS);
}

// A bare number used to be nanoseconds: `--timeout 10` ran for 10 ns. No unit is guessed now.
TEST(VirtualTime, ABareNumberIsAnErrorNamingTheUnits)
{
	vtime_t t;
	EXPECT_LT(vtime_parse("7", &t), 0);
	EXPECT_STREQ(error_message(), "time '7' needs a unit: ps, ns, us, ms or s (e.g. 10ms)");
}

TEST(VirtualTime, RejectsBadText)
{
	vtime_t t;
	EXPECT_LT(vtime_parse("10 minutes", &t), 0);
	EXPECT_NE(std::string(error_message()).find("needs a unit"), std::string::npos);
	EXPECT_LT(vtime_parse("fast", &t), 0);
	EXPECT_LT(vtime_parse("-5ms", &t), 0);
	EXPECT_LT(vtime_parse("99999999999s", &t), 0); // overflows 64-bit picoseconds
	EXPECT_NE(std::string(error_message()).find("too large"), std::string::npos);
	EXPECT_LT(vtime_parse("1.5ps", &t), 0);
	EXPECT_NE(std::string(error_message()).find("finer than a picosecond"), std::string::npos);
}

TEST(VirtualTime, FormatsSecondsWithPicoseconds)
{
	char text[48];
	vtime_format(VTIME_S + 250 * VTIME_US + 3, text, sizeof(text));
	EXPECT_STREQ(text, "1.000250000003 s");
}
