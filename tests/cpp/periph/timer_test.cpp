#include "models/mcu/timer.h"

#include <gtest/gtest.h>

#include "periph_harness.h"

using namespace periph_test;
using lmsim::kMs;
using lmsim::kSec;
using lmsim::kUs;

TEST(Timer, PeriodicMatchInSimulatedTime) {
  auto site = make_site();
  Timer tim("timer0", *site, device_cfg(*site));
  Initiator bus("bus", tim);
  IrqProbe irq;
  irq.attach(tim.irq);
  EXPECT_EQ(bus.rd(Timer::CTRL), 0u);
  EXPECT_EQ(bus.rd(Timer::LOAD), 0xFFFFFFFFu);
  EXPECT_EQ(bus.rd(Timer::COUNT), 0u);
  EXPECT_EQ(bus.rd(Timer::PRESC), 0u);
  bus.wr(Timer::COUNT, 5);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bus.rd(0x14);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  run_until(10 * kUs);
  bus.wr(Timer::PRESC, 119);  // 120 MHz / 120 = 1 MHz ticks
  bus.wr(Timer::LOAD, 1000);  // 1 ms period
  bus.wr(Timer::CTRL, Timer::CTRL_EN | Timer::CTRL_IE);
  Time t0 = now();
  EXPECT_EQ(bus.rd(Timer::COUNT, 250 * kUs), 250u);
  run_until(t0 + 1 * kMs - 1);
  EXPECT_EQ(bus.rd(Timer::STATUS), 0u);
  EXPECT_FALSE(irq.level);
  run_until(t0 + 1 * kMs);
  EXPECT_EQ(bus.rd(Timer::STATUS), Timer::MATCH);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(irq.edges.back().first, t0 + 1 * kMs);
  bus.wr(Timer::STATUS, Timer::MATCH);
  EXPECT_FALSE(irq.level);
  // No drift: after 1000 periods the count is exactly in phase.
  run_until(t0 + 1 * kSec + 500 * kUs);
  EXPECT_EQ(bus.rd(Timer::COUNT), 500u);
  EXPECT_EQ(irq.edges.back().first, t0 + 2 * kMs);  // MATCH stayed set since the 2nd period
  bus.wr(Timer::STATUS, Timer::MATCH);
  run_until(t0 + 1001 * kMs);
  EXPECT_EQ(irq.edges.back(), std::make_pair(t0 + 1001 * kMs, true));
  // Disable: no further matches.
  bus.wr(Timer::CTRL, 0);
  bus.wr(Timer::STATUS, Timer::MATCH);
  run_until(now() + 5 * kMs);
  EXPECT_EQ(bus.rd(Timer::STATUS), 0u);
}

TEST(Timer, OneShotStopsAndClockFromScenario) {
  auto site = make_site("device: {clock: 48MHz}");
  Timer tim("timer0", *site, device_cfg(*site));
  Initiator bus("bus", tim);
  EXPECT_EQ(tim.clock_hz(), 48e6);
  bus.wr(Timer::PRESC, 0);
  bus.wr(Timer::LOAD, 480);  // 10 us at 48 MHz
  bus.wr(Timer::CTRL, Timer::CTRL_EN | Timer::CTRL_ONESHOT);
  run_until(10 * kUs - 1);
  EXPECT_EQ(bus.rd(Timer::STATUS), 0u);
  EXPECT_EQ(bus.rd(Timer::COUNT), 479u);
  run_until(10 * kUs);
  EXPECT_EQ(bus.rd(Timer::STATUS), Timer::MATCH);
  EXPECT_EQ(bus.rd(Timer::CTRL) & Timer::CTRL_EN, 0u);
  bus.wr(Timer::STATUS, Timer::MATCH);
  run_until(100 * kUs);
  EXPECT_EQ(bus.rd(Timer::STATUS), 0u);
  tim.reset(ResetCause::Watchdog);
  EXPECT_EQ(bus.rd(Timer::LOAD), 0xFFFFFFFFu);
}

TEST(Timer, BadClockIsAnInputErrorWithLine) {
  auto site = make_site("name: x\ndevice:\n  clock: fast\n");
  try {
    Timer tim("timer0", *site, device_cfg(*site));
    FAIL() << "expected an InputError";
  } catch (const lmsim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("test.yaml:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("frequency"), std::string::npos) << e.what();
  }
}
