// RTOS conformance (firmware/tests/t_kernel.cpp): a preemptive kernel with PendSV switching,
// lazy FP stacking, tickless idle and interrupt-side queue sends, run for 24 simulated hours.
// Expected values are derived by hand from the firmware's configuration, not from the model:
// - TIMER0 at 1 MHz with LOAD 500000 matches every 500 ms (docs/mcu-peripherals.md, TIMER0):
//   86400 s / 0.5 s = 172800 periods; the first starts a few microseconds after power-on, so
//   172799 complete before the 24 h mark. Each TIMER0 interrupt pends IRQ 20 once, and the FP
//   task pends it once per round.
// - the FP task wakes every 1000 ticks (1 s), the integer task every 250 ticks.
// - the kernel's tick count follows the PWR uptime counter (microseconds since power-on): it
//   may lag by the cycles SysTick is stopped while a tickless sleep reprograms it (FreeRTOS
//   has the same loss). Those windows are the code between the SYST_CSR writes in
//   suppress_ticks_and_sleep(): about 35 instructions by the disassembly; at ARM's published
//   Cortex-M4 timings (at most 2 cycles each, one UDIV at most 12) under 64 cycles, so the lag
//   is at most sleeps * 64 / 120000 ticks, plus the tick in progress and the start-up.
// - the GPIO edge interrupt fires once per toggle of input 1 (RISE and FALL enabled).
#include <gtest/gtest.h>

#include <cstdio>

#include "mcu_support.h"
#include "testlib.h"

using namespace lmsim;
using namespace lmsim::mcu;

namespace {
const char* const kErrors[] = {"FP registers of a task changed",
                               "r4-r11 of a task changed",
                               "messages lost or out of order",
                               "an ISR's FP value arrived wrong",
                               "CONTROL.FPCA wrong at handler entry or after an FP instruction",
                               "a delayed task woke at the wrong tick",
                               "the high-priority FP interrupt computed a wrong value",
                               "an API interrupt ran inside a kernel critical section",
                               "FPCCR.ASPEN/LSPEN not set at reset",
                               "a task stack overflowed"};
std::string errors(std::uint32_t bits) {
  std::string s;
  for (unsigned i = 0; i < 10; ++i)
    if (bits & (1u << i)) s += std::string(kErrors[i]) + "; ";
  return s;
}
}  // namespace

TEST(McuKernel, PreemptiveKernelWithLazyFpAndTicklessIdleFor24Hours) {
  auto b = mcu::testing::make_bench("t_kernel");
  constexpr unsigned kHours = 24;
  for (unsigned h = 0; h < kHours; ++h) {
    b.run(3600 * kSec);
    ASSERT_TRUE(b.site->faults().empty()) << "hour " << h << ": " << b.site->faults()[0].message;
    // One GPIO edge per hour (not after the last hour: the run ends at 24 h).
    if (h + 1 < kHours) b.site->registry().at("device.ripple.in1").set(h % 2 == 0 ? 1.0 : 0.0);
  }
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  auto r = [&](unsigned i) { return b.sym("test_result", i); };
  EXPECT_EQ(r(0), 0u) << errors(r(0));
  EXPECT_EQ(r(17), 0u) << "queue overflows";

  EXPECT_EQ(r(3), 172799u) << "TIMER0 messages";
  EXPECT_EQ(r(4), kHours - 1) << "GPIO edge messages";
  EXPECT_EQ(r(12), kHours - 1) << "IRQ 21 (pended by the GPIO ISR) runs";
  // The tasks' rounds follow the kernel's tick count (which may lag the uptime, below): at the
  // last TIMER0 message (uptime 86399.5 s) it was r(1); the run ended at most 500 ms later.
  std::uint32_t last_ticks = r(1);
  EXPECT_GE(r(6), last_ticks / 1000) << "FP task rounds (every 1000 ticks)";
  EXPECT_LE(r(6), (last_ticks + 501) / 1000) << "FP task rounds (every 1000 ticks)";
  EXPECT_EQ(r(16), r(6) * 1000u) << "the FP task wakes exactly on its ticks (delay-until)";
  EXPECT_GE(r(7), last_ticks / 250) << "integer task rounds (every 250 ticks)";
  EXPECT_LE(r(7), (last_ticks + 501) / 250) << "integer task rounds (every 250 ticks)";
  EXPECT_EQ(r(5), r(3) + r(6)) << "IRQ 20 messages: one per TIMER0 interrupt and one per FP round";
  EXPECT_EQ(r(11), r(6)) << "IRQ 20 entries with an FP frame (EXC_RETURN bit 4 = 0): one per FP round";
  EXPECT_EQ(r(15), r(11)) << "FPCAR points at the s0 slot of the frame (ARMv7-M B3.2.22)";

  // Tickless idle: many sleeps, each up to the 24-bit SysTick limit (2^24 / 120000 = 139 ticks),
  // and the tick count kept in step with the uptime counter.
  std::uint32_t sleeps = r(8);
  EXPECT_GT(sleeps, 600000u) << "at least one sleep per wake-up (4 + 1 + 2 per second)";
  EXPECT_EQ(r(13), 138u) << "longest sleep: 139 ticks, of which SysTick's interrupt counts one";
  EXPECT_GT(r(9), 0u) << "sleeps cut short by TIMER0 or GPIO";
  std::uint32_t ticks = r(1), uptime_ms = r(2);
  EXPECT_GT(uptime_ms, 86399000u) << "last TIMER0 message near the end of the 24 h";
  EXPECT_GE(uptime_ms, ticks) << "ticks cannot run ahead of time";
  std::printf("kernel: %u sleeps, tick lag %u ms after 24 h, %u switches\n", sleeps, uptime_ms - ticks, r(10));
  EXPECT_LE(uptime_ms - ticks, sleeps * 64ull / 120000 + 2)
      << "ticks " << ticks << " uptime " << uptime_ms << " ms, sleeps " << sleeps;
  // Every integer round, FP round and TIMER0 message switches into a task that was blocked.
  EXPECT_GE(r(10), r(7) + r(6) + r(3)) << "context switches";
}
