// The console log format is an interface (docs/firmware.md "The log"): these tests pin it.
#include "app/core/log.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>

#include "fakes/fakes.h"

namespace lmc {
namespace {

TEST(Log, OneLinePerEventWithPrefixAreaEventAndPairs) {
  fake::FakeConsole con;
  Log log(con);
  log.event("panel", "button-up").kv("held_ms", 3210).kv("gesture", "hotspot");
  log.event("system", "boot");
  EXPECT_EQ(con.out, "lmc: panel button-up held_ms=3210 gesture=hotspot\nlmc: system boot\n");
}

TEST(Log, NumbersSignedUnsignedExtremes) {
  fake::FakeConsole con;
  Log log(con);
  log.event("t", "n")
      .kv("a", -5)
      .kv("b", std::int64_t{INT64_MIN})
      .kv("c", std::uint64_t{UINT64_MAX})
      .kv("d", 0u)
      .kv("e", true)
      .kv("f", false);
  EXPECT_EQ(con.out, "lmc: t n a=-5 b=-9223372036854775808 c=18446744073709551615 d=0 e=true f=false\n");
}

TEST(Log, FixedPointIpAndHex) {
  fake::FakeConsole con;
  Log log(con);
  // 125 tenths = 12.5; -5 hundredths = -0.05; 50000 mHz / 10 = 5000 centi-Hz = 50.00 Hz.
  log.event("t", "x").kv_fixed("a", 125, 1).kv_fixed("b", -5, 2).kv_fixed("hz", 5000, 2).kv_fixed("i", 7, 0);
  log.event("t", "y").kv_ip("ip", 0xC0A80132).kv_hex("cause", 0x5).kv_hex("z", 0).kv_hex("w", 0xDEADBEEF);
  EXPECT_EQ(con.lines().at(0), "lmc: t x a=12.5 b=-0.05 hz=50.00 i=7");
  EXPECT_EQ(con.lines().at(1), "lmc: t y ip=192.168.1.50 cause=0x5 z=0x0 w=0xdeadbeef");
}

TEST(Log, TextValuesAreQuotedWhenTheyAreNotOneWord) {
  fake::FakeConsole con;
  Log log(con);
  log.event("t", "s").kv("ssid", "My Wifi").kv("q", "a\"b\\c").kv("ctl", "x\ny").kv("empty", "").kv("ok", "SE1-2.3");
  EXPECT_EQ(con.lines().at(0), R"(lmc: t s ssid="My Wifi" q="a\"b\\c" ctl="x\x0ay" empty="" ok=SE1-2.3)");
  // Still one line: the newline inside the value was escaped.
  EXPECT_EQ(con.lines().size(), 1u);
}

TEST(Log, OverlongLineIsCutAndMarked) {
  fake::FakeConsole con;
  Log log(con);
  std::string big(500, 'x');
  log.event("t", "long").kv("v", big.c_str());
  ASSERT_EQ(con.lines().size(), 1u);
  const std::string line = con.lines()[0];
  EXPECT_LE(line.size() + 1, LogLine::kLineMax);
  EXPECT_NE(line.find(" truncated=true"), std::string::npos);
  EXPECT_EQ(line.rfind(" truncated=true"), line.size() - std::string(" truncated=true").size());
}

TEST(Log, TextLinesOfOtherModulesGetThePrefix) {
  fake::FakeConsole con;
  Log log(con);
  log.text("config reject line=3 key=lm.fuse reason=out_of_range");
  EXPECT_EQ(con.out, "lmc: config reject line=3 key=lm.fuse reason=out_of_range\n");
}

TEST(RateLimit, AtMostOnePerIntervalAndCountsTheRest) {
  RateLimit rl(1000);
  EXPECT_TRUE(rl.allow(0));
  EXPECT_FALSE(rl.allow(10));
  EXPECT_FALSE(rl.allow(999));
  EXPECT_TRUE(rl.allow(1000));  // exactly one interval later (MISC-03: <= 1 per second)
  EXPECT_EQ(rl.take_suppressed(), 2u);
  EXPECT_EQ(rl.take_suppressed(), 0u);
  EXPECT_FALSE(rl.allow(1500));
  EXPECT_TRUE(rl.allow(2000));
}

}  // namespace
}  // namespace lmc
