#include "models/mcu/watchdog.h"

#include <gtest/gtest.h>

#include "periph_harness.h"

using namespace periph_test;
using lmsim::kMs;
using lmsim::kSec;
using lmsim::kUs;

namespace {
struct ResetLog {
  std::vector<std::pair<Time, ResetCause>> v;
};
}  // namespace

TEST(Watchdog, TimeoutRequestsResetWithCause) {
  auto site = make_site();
  Watchdog wdt("wdt", *site, device_cfg(*site));
  Initiator bus("bus", wdt);
  ResetLog log;
  wdt.request_reset = [&](ResetCause c) {
    log.v.emplace_back(now(), c);
    wdt.reset(c);
  };
  EXPECT_EQ(bus.rd(Watchdog::LOAD), 4u * 32768);
  EXPECT_EQ(bus.rd(Watchdog::CTRL), 0u);
  EXPECT_EQ(bus.rd(Watchdog::EWARN), 4096u);
  EXPECT_EQ(bus.rd(Watchdog::STATUS), 0u);
  bus.rd(Watchdog::KICK);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bus.rd(0x18);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  run_until(10 * kSec);
  EXPECT_TRUE(log.v.empty());     // disabled after reset
  bus.wr(Watchdog::LOAD, 32768);  // 1 s
  bus.wr(Watchdog::CTRL, Watchdog::CTRL_EN);
  Time t0 = now();
  EXPECT_EQ(bus.rd(Watchdog::COUNT, 500 * kMs), 16384u);
  bus.wr(Watchdog::CTRL, 0);  // EN cannot be cleared
  EXPECT_EQ(bus.rd(Watchdog::CTRL), Watchdog::CTRL_EN);
  run_until(t0 + 1 * kSec - 1);
  EXPECT_TRUE(log.v.empty());
  run_until(t0 + 1 * kSec);
  ASSERT_EQ(log.v.size(), 1u);
  EXPECT_EQ(log.v[0].first, t0 + 1 * kSec);
  EXPECT_EQ(log.v[0].second, ResetCause::Watchdog);
  EXPECT_EQ(site->registry().at("device.wdt.resets").value(), 1.0);
  EXPECT_EQ(bus.rd(Watchdog::CTRL), 0u);  // reset disabled it
  run_until(t0 + 5 * kSec);
  EXPECT_EQ(log.v.size(), 1u);
}

TEST(Watchdog, KickPreventsResetAndEarlyWarning) {
  auto site = make_site();
  Watchdog wdt("wdt", *site, device_cfg(*site));
  Initiator bus("bus", wdt);
  IrqProbe irq;
  irq.attach(wdt.irq);
  int resets = 0;
  wdt.request_reset = [&](ResetCause) { ++resets; };
  bus.wr(Watchdog::LOAD, 32768);       // 1 s
  bus.wr(Watchdog::EWARN, 32768 / 4);  // warning 250 ms before
  bus.wr(Watchdog::CTRL, Watchdog::CTRL_EN | Watchdog::CTRL_EWIE);
  for (int i = 1; i <= 10; ++i) {
    run_until(i * 700 * kMs);
    bus.wr(Watchdog::KICK, Watchdog::kKickKey);
  }
  EXPECT_EQ(resets, 0);
  EXPECT_EQ(irq.rises(), 0);
  // A wrong key does not kick.
  Time t0 = now();
  run_until(t0 + 500 * kMs);
  bus.wr(Watchdog::KICK, 0x12345678);
  EXPECT_EQ(bus.rd(Watchdog::STATUS), Watchdog::BADKEY);
  run_until(t0 + 750 * kMs - 1);
  EXPECT_FALSE(irq.level);
  run_until(t0 + 750 * kMs);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(bus.rd(Watchdog::STATUS), Watchdog::BADKEY | Watchdog::EWF);
  bus.wr(Watchdog::STATUS, Watchdog::EWF | Watchdog::BADKEY);
  EXPECT_FALSE(irq.level);
  run_until(t0 + 1 * kSec);
  EXPECT_EQ(resets, 1);
  EXPECT_EQ(site->registry().at("device.wdt.resets").value(), 1.0);
}
