// Ripple control (behaviours.md RC-03..RC-13, CFG-09, A14; section C scenarios 10-12).
#include "app/lm/ripple.h"

#include <gtest/gtest.h>

namespace {

using namespace lmc::lm;

int count(const RippleOutput& o, RippleEventType t) {
  int k = 0;
  for (int e = 0; e < o.n_events; ++e) k += o.events[e].type == t;
  return k;
}

// Samples the DI every 100 ms from t0 to t1 with a level function; returns the last output.
template <class F>
const RippleOutput& run(Ripple& r, std::uint64_t t0, std::uint64_t t1, F level, bool cloud_up = true,
                        int* glitches = nullptr) {
  for (std::uint64_t t = t0; t <= t1; t += 100) {
    const RippleOutput& o = r.step(t, level(t), cloud_up, 10000);
    if (glitches) *glitches += count(o, RippleEventType::Glitch);
  }
  return r.output();
}

// RC-03 and scenario 10: "normally closed" (default) = 0 V at rest, 24 V = active → Blocked
// (the default on-signal mode) once the level has held 1 s (RC-10).
TEST(Ripple, Rc03NormallyClosedActiveAt24V) {
  Ripple r;
  r.configure(RippleConfig{});
  EXPECT_EQ(run(r, 0, 5000, [](auto) { return false; }).mode, RippleMode::Normal);
  run(r, 5100, 5900, [](auto) { return true; });
  EXPECT_EQ(r.output().mode, RippleMode::Normal);  // 0.8 s: not yet
  const RippleOutput& o = run(r, 6000, 6200, [](auto) { return true; });
  EXPECT_EQ(o.mode, RippleMode::Blocked);
  EXPECT_EQ(o.source, RippleSource::Di);
}

// RC-04 and scenario 11: "normally open" = 24 V at rest; a cut wire (0 V) is active and blocks.
TEST(Ripple, Rc04NormallyOpenWireBreakBlocks) {
  Ripple r;
  RippleConfig c;
  c.mapping = DiMapping::NormallyOpen;
  r.configure(c);
  EXPECT_EQ(run(r, 0, 5000, [](auto) { return true; }).mode, RippleMode::Normal);
  EXPECT_EQ(run(r, 5100, 7000, [](auto) { return false; }).mode, RippleMode::Blocked);
}

// RC-10 and scenario 10: 200 ms pulses change nothing and are logged as glitches.
TEST(Ripple, Rc10GlitchesIgnoredAndLogged) {
  Ripple r;
  r.configure(RippleConfig{});
  run(r, 0, 3000, [](auto) { return false; });
  int glitches = 0;
  // Five 200 ms pulses, one per second.
  const RippleOutput& o = run(
      r, 3100, 8000, [](std::uint64_t t) { return (t % 1000) < 200; }, true, &glitches);
  EXPECT_EQ(o.mode, RippleMode::Normal);
  EXPECT_EQ(glitches, 5);
}

// CFG-09: the on-signal mode can be Reduced; the reduced power is passed on (RC-08).
TEST(Ripple, Cfg09ReducedOnSignal) {
  Ripple r;
  RippleConfig c;
  c.on_signal = RippleMode::Reduced;
  c.reduced_power_w = 5000;
  r.configure(c);
  const RippleOutput& o = run(r, 0, 3000, [](auto) { return true; });
  EXPECT_EQ(o.mode, RippleMode::Reduced);
  EXPECT_EQ(o.reduced_power_w, 5000);
}

// RC-11 and scenario 12: cloud Reduced, then DI Blocked → Blocked (most restrictive); DI back →
// Reduced from the cloud; cloud link lost → Reduced held 2 h, then released.
TEST(Ripple, Rc11MostRestrictiveWinsAndCloudHeldTwoHoursAfterLinkLoss) {
  Ripple r;
  r.configure(RippleConfig{});
  run(r, 0, 2000, [](auto) { return false; });
  r.cloud_command(2000, RippleMode::Reduced, 0);
  const RippleOutput& o1 = r.step(2100, false, true, 0);
  EXPECT_EQ(o1.mode, RippleMode::Reduced);
  EXPECT_EQ(o1.source, RippleSource::Cloud);
  const RippleOutput& o2 = run(r, 2200, 4000, [](auto) { return true; });
  EXPECT_EQ(o2.mode, RippleMode::Blocked);
  EXPECT_EQ(o2.source, RippleSource::Di);
  const RippleOutput& o3 = run(r, 4100, 6000, [](auto) { return false; });
  EXPECT_EQ(o3.mode, RippleMode::Reduced);
  // Link lost at 10 s: held until 10 s + 2 h, released then.
  r.step(10000, false, false, 0);
  EXPECT_EQ(r.step(10000 + 7200000 - 100, false, false, 0).mode, RippleMode::Reduced);
  const RippleOutput& o4 = r.step(10000 + 7200000, false, false, 0);
  EXPECT_EQ(o4.mode, RippleMode::Normal);
  EXPECT_EQ(count(o4, RippleEventType::CloudExpired), 1);
}

// RC-11: a cloud mode ends at its own validity, and (A22) the same command can be restored
// after a reboot with its remaining duration.
TEST(Ripple, Rc11CloudValidity) {
  Ripple r;
  r.configure(RippleConfig{});
  r.step(0, false, true, 0);
  r.cloud_command(0, RippleMode::Blocked, 600000);
  EXPECT_EQ(r.step(599900, false, true, 0).mode, RippleMode::Blocked);
  EXPECT_EQ(r.cloud_valid_until_ms(), 600000u);
  EXPECT_EQ(r.step(600000, false, true, 0).mode, RippleMode::Normal);
}

// RC-12: the DI is not settled (stations stay at fallback) until it has been read for 1 s.
TEST(Ripple, Rc12SettledOnlyAfterDebounceAtBoot) {
  Ripple r;
  r.configure(RippleConfig{});
  EXPECT_FALSE(r.step(0, true, false, 0).di_settled);
  EXPECT_FALSE(r.step(900, true, false, 0).di_settled);
  const RippleOutput& o = r.step(1000, true, false, 0);
  EXPECT_TRUE(o.di_settled);
  EXPECT_EQ(o.mode, RippleMode::Blocked);  // active at boot: blocked before any release
}

// RC-13: every grid command is recorded with start, end, mode, source, power before and 60 s after.
TEST(Ripple, Rc13AuditRecord) {
  Ripple r;
  r.configure(RippleConfig{});
  for (std::uint64_t t = 0; t <= 2000; t += 1000) r.step(t, false, true, 11000);
  // Active from 3 s; debounced at 4 s with 11 kW; 60 s later the stations are at 0 W.
  r.step(3000, true, true, 11000);
  r.step(4000, true, true, 11000);
  r.step(30000, true, true, 0);
  r.step(64000, true, true, 0);
  r.step(100000, false, true, 0);
  r.step(101000, false, true, 4000);
  ASSERT_EQ(r.audit_count(), 1);
  const AuditRecord& a = r.audit_at(0);
  EXPECT_EQ(a.start_ms, 4000u);
  EXPECT_EQ(a.end_ms, 101000u);
  EXPECT_EQ(a.mode, RippleMode::Blocked);
  EXPECT_EQ(a.source, RippleSource::Di);
  EXPECT_EQ(a.power_before_w, 11000);
  EXPECT_EQ(a.power_after_w, 0);
}

}  // namespace
