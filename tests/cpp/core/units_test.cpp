#include <gtest/gtest.h>

#include "sim/units.h"

using namespace lmsim;

TEST(Units, ParsesPrefixedQuantities) {
  auto q = parse_quantity("11kW");
  ASSERT_TRUE(q);
  EXPECT_DOUBLE_EQ(q->value, 11000);
  EXPECT_EQ(q->unit, "W");
  EXPECT_DOUBLE_EQ(parse_quantity("30mA")->value, 0.03);
  EXPECT_EQ(parse_quantity("30mA")->unit, "A");
  EXPECT_DOUBLE_EQ(parse_quantity("60kWh")->value, 60000);
  EXPECT_EQ(parse_quantity("60kWh")->unit, "Wh");
  EXPECT_DOUBLE_EQ(parse_quantity("-3.5e2 var")->value, -350);
  EXPECT_DOUBLE_EQ(parse_quantity("2.4GHz")->value, 2.4e9);
}

TEST(Units, TimeUnitsScaleToSeconds) {
  EXPECT_DOUBLE_EQ(parse_quantity("8h")->value, 28800);
  EXPECT_DOUBLE_EQ(parse_quantity("1.5min")->value, 90);
  EXPECT_DOUBLE_EQ(parse_quantity("250ms")->value, 0.25);
  EXPECT_EQ(*parse_duration("90s"), 90 * kSec);
  EXPECT_EQ(*parse_duration("1.0005s"), 1000500 * kUs);
  EXPECT_FALSE(parse_duration("16A"));
  EXPECT_FALSE(parse_duration("-1s"));
  // Beyond SystemC's 64-bit picosecond clock a duration would wrap or clamp: refused instead.
  EXPECT_EQ(*parse_duration("100d"), kMaxTime);
  EXPECT_FALSE(parse_duration("101d"));
  EXPECT_FALSE(parse_duration("300d"));
}

TEST(Units, PercentAndPlainNumbers) {
  EXPECT_EQ(parse_quantity("20%")->unit, "%");
  EXPECT_DOUBLE_EQ(parse_quantity("20%")->value, 20);
  EXPECT_EQ(parse_quantity("0.95")->unit, "");
}

TEST(Units, RejectsUnknownUnitsAndJunk) {
  EXPECT_FALSE(parse_quantity("16Q"));
  EXPECT_FALSE(parse_quantity("kW"));
  EXPECT_FALSE(parse_quantity(""));
  EXPECT_FALSE(parse_quantity("nan"));
  EXPECT_FALSE(parse_quantity("0x10"));
  EXPECT_FALSE(parse_quantity("1kmin"));  // minutes take no prefix
  EXPECT_FALSE(parse_quantity("5 5A"));
}

TEST(Units, FormatsTime) {
  EXPECT_EQ(format_time(3723 * kSec + 250 * kMs), "01:02:03.250000");
}
