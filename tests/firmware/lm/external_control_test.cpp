// External control (behaviours.md EXT-01..EXT-08, A10, A19; section C scenario 14).
#include "app/lm/external_control.h"

#include <gtest/gtest.h>

namespace {

using namespace lmc::lm;

// EXT-01 / scenario 14: 19050=1, 19052=6 A, 19054=20 A → the cap is 20 A per phase.
// EXT-02: no keep-alive for 120 s → 6 A. EXT-05: a keep-alive (19056) restores 20 A.
// EXT-04: 19050=0 → no cap.
TEST(ExternalControl, Ext01To05Scenario14) {
  ExternalControl x;
  x.boot(ExternalSettings{}, 0);
  EXPECT_EQ(x.step(0), kNoLimit);
  x.set_activation(true, 1000);
  x.set_fallback_limit(6000, 1000);
  x.set_current_limit(20000, 1000);
  EXPECT_EQ(x.step(2000), 20000);
  EXPECT_EQ(x.step(1000 + 119999), 20000);
  EXPECT_EQ(x.step(1000 + 120000), 6000);
  EXPECT_EQ(x.state(), ExtState::FallenBack);
  x.keepalive(200000);
  EXPECT_EQ(x.step(200000), 20000);
  x.set_activation(false, 210000);
  EXPECT_EQ(x.step(10000000), kNoLimit);
  ExtEvent ev[8];
  int n = x.take_events(ev, 8);
  ASSERT_GE(n, 4);
  EXPECT_EQ(ev[0].type, ExtEventType::Activated);
}

// EXT-03: any write resets the timer.
TEST(ExternalControl, Ext03AnyWriteIsAKeepAlive) {
  ExternalControl x;
  x.boot(ExternalSettings{}, 0);
  x.set_activation(true, 0);
  x.set_current_limit(16000, 0);
  x.set_fallback_limit(6000, 100000);  // a write at 100 s
  EXPECT_EQ(x.step(219000), 16000);    // 119 s after it
  EXPECT_EQ(x.step(220000), 6000);
}

// FLEX_CONTROL_MESSAGE_TIMEOUT range 10-3600 s (A19); out of range changes nothing.
TEST(ExternalControl, TimeoutRange) {
  ExternalControl x;
  x.boot(ExternalSettings{}, 0);
  EXPECT_EQ(x.set_timeout_s(9, 0), ExtResult::OutOfRange);
  EXPECT_EQ(x.set_timeout_s(3601, 0), ExtResult::OutOfRange);
  EXPECT_EQ(x.settings().timeout_s, 120u);
  EXPECT_EQ(x.set_timeout_s(10, 0), ExtResult::Ok);
  x.set_activation(true, 0);
  x.set_current_limit(16000, 0);
  EXPECT_EQ(x.step(9999), 16000);
  EXPECT_EQ(x.step(10000), 0);  // fallback 0 A: every station paused (EXT-08)
  EXPECT_EQ(x.set_current_limit(-1, 0), ExtResult::OutOfRange);
  EXPECT_EQ(x.settings().current_limit_ma, 16000);
}

// EXT-07: activation and limits persist; after boot the fallback applies until the first keep-alive.
TEST(ExternalControl, Ext07BootAppliesFallbackUntilKeepAlive) {
  ExternalControl x;
  ExternalSettings s;
  s.activation = true;
  s.current_limit_ma = 20000;
  s.fallback_limit_ma = 6000;
  x.boot(s, 0);
  EXPECT_EQ(x.step(0), 6000);
  EXPECT_EQ(x.step(50000), 6000);
  x.keepalive(60000);
  EXPECT_EQ(x.step(60000), 20000);
}

// Corrupt persisted settings (flash) are brought into range, never trusted.
TEST(ExternalControl, BootSanitisesPersistedValues) {
  ExternalControl x;
  ExternalSettings s;
  s.activation = true;
  s.current_limit_ma = -5;
  s.fallback_limit_ma = 2000000000;
  s.timeout_s = 0;
  x.boot(s, 0);
  EXPECT_EQ(x.settings().timeout_s, 120u);
  EXPECT_EQ(x.step(0), 0);
}

}  // namespace
