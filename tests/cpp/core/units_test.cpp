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

// One time grammar (issue 17 item 4): compound durations with falling units and ISO 8601
// durations. Expected values by hand: 3 h 10 min = 3*3600 + 10*60 = 11400 s.
TEST(Units, CompoundAndIsoDurations) {
  EXPECT_EQ(*parse_duration("3h10min"), 11400 * kSec);
  EXPECT_EQ(*parse_duration("1d2h30min"), (86400 + 2 * 3600 + 30 * 60) * kSec);
  EXPECT_EQ(*parse_duration("2min30s"), 150 * kSec);
  EXPECT_EQ(*parse_duration("1s500ms"), 1500 * kMs);
  EXPECT_EQ(*parse_duration("PT3H10M"), 11400 * kSec);
  EXPECT_EQ(*parse_duration("P1DT12H"), (86400 + 12 * 3600) * kSec);
  EXPECT_EQ(*parse_duration("PT90S"), 90 * kSec);
  EXPECT_EQ(*parse_duration("PT0.5S"), 500 * kMs);
  EXPECT_FALSE(parse_duration("10min3h"));  // units must fall
  EXPECT_FALSE(parse_duration("3h3h"));
  EXPECT_FALSE(parse_duration("3h10"));  // a part without unit
  EXPECT_FALSE(parse_duration("3h10A"));
  EXPECT_FALSE(parse_duration("PT"));
  EXPECT_FALSE(parse_duration("PT3M1H"));  // designators in order
  EXPECT_FALSE(parse_duration("P1H"));     // hours only after T
  EXPECT_FALSE(parse_duration("P3Y"));     // years have no fixed length
  EXPECT_FALSE(parse_duration("99d25h"));  // beyond 100 days
}
