// LED patterns (A01 rates, 50 % duty) and STATUS precedence (LED-06), measured on the fake GPIO.
#include "app/panel/led.h"

#include <gtest/gtest.h>

#include "fakes/fakes.h"

namespace lmc {
namespace {

TEST(StatusPattern, PrecedenceOfLed06) {
  // Button feedback beats everything.
  EXPECT_EQ(status_pattern(Feedback::FastBlink, false, NetLed::Online), Pattern::Fast);
  EXPECT_EQ(status_pattern(Feedback::On, true, NetLed::Offline), Pattern::On);
  EXPECT_EQ(status_pattern(Feedback::Off, true, NetLed::Online), Pattern::Off);
  // Then the hotspot start.
  EXPECT_EQ(status_pattern(Feedback::None, true, NetLed::Online), Pattern::Fast);
  // Then the network state: on > blink > slow blink > off (LED-04, 03, 02, 01).
  EXPECT_EQ(status_pattern(Feedback::None, false, NetLed::Online), Pattern::On);
  EXPECT_EQ(status_pattern(Feedback::None, false, NetLed::Searching), Pattern::Blink);
  EXPECT_EQ(status_pattern(Feedback::None, false, NetLed::Joining), Pattern::Slow);
  EXPECT_EQ(status_pattern(Feedback::None, false, NetLed::Offline), Pattern::Off);
}

struct LedRig {
  fake::FakeClock clock;
  fake::FakeIdle idle{clock};
  fake::FakeConsole con;
  fake::FakeGpio gpio{clock};
  Log log{con};
  Loop loop{clock, idle, log};
  static void set(void* ctx, bool on) { static_cast<fake::FakeGpio*>(ctx)->led_status(on); }
  BlinkLed led{"led", loop, &LedRig::set, &gpio};
};

// A01: slow 0.5 Hz (2 s), blinking 1 Hz (1 s), fast 4 Hz (0.25 s); half of it lit.
struct Rate {
  Pattern p;
  std::uint64_t period_ms;
};
class LedRate : public ::testing::TestWithParam<Rate> {};

TEST_P(LedRate, PeriodAndDutyMatchA01) {
  LedRig r;
  r.led.set(GetParam().p);
  r.loop.run_until(20000);
  auto periods = fake::FakeGpio::periods(r.gpio.status_log, 0, 20000);
  ASSERT_GE(periods.size(), 5u);
  for (auto p : periods) EXPECT_EQ(p, GetParam().period_ms);
  // 50 % duty: lit in the first half of each period, dark in the second.
  std::uint64_t half = GetParam().period_ms / 2;
  EXPECT_TRUE(fake::FakeGpio::level_at(r.gpio.status_log, 4 * GetParam().period_ms + half - 1));
  EXPECT_FALSE(fake::FakeGpio::level_at(r.gpio.status_log, 4 * GetParam().period_ms + half));
}

INSTANTIATE_TEST_SUITE_P(A01, LedRate,
                         ::testing::Values(Rate{Pattern::Slow, 2000}, Rate{Pattern::Blink, 1000},
                                           Rate{Pattern::Fast, 250}));

TEST(BlinkLed, SteadyPatternsStopTheTimer) {
  LedRig r;
  r.led.set(Pattern::Fast);
  r.loop.run_until(1000);
  r.led.set(Pattern::On);
  std::size_t changes = r.gpio.status_log.size();
  r.loop.run_until(10000);
  EXPECT_EQ(r.gpio.status_log.size(), changes);
  EXPECT_TRUE(r.gpio.status);
  r.led.set(Pattern::Off);
  EXPECT_FALSE(r.gpio.status);
  EXPECT_FALSE(r.led.set(Pattern::Off));  // no change, no line
}

TEST(BlinkLed, LateWakeUpDoesNotStretchThePeriod) {
  LedRig r;
  r.led.set(Pattern::Blink);
  r.loop.run_until(3000);
  r.clock.t += 120;  // the loop was busy (a flash erase) for 120 ms
  r.loop.run_until(20000);
  auto periods = fake::FakeGpio::periods(r.gpio.status_log, 5000, 20000);
  for (auto p : periods) EXPECT_EQ(p, 1000u);
  // And the grid is kept: the LED still rises on the whole seconds it started on.
  for (auto& [t, on] : r.gpio.status_log) {
    if (on && t >= 5000) {
      EXPECT_EQ(t % 1000, 0u) << t;
    }
  }
}

}  // namespace
}  // namespace lmc
