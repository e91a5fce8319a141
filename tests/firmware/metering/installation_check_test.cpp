// Installation checks INS-02, INS-03, INS-04, INS-08 with the thresholds of A33 (≥ 2 A, 30 s,
// 180° ± 30°, ±120° ± 30°, station step ≥ 4 A, open clamp: stations > measured + 3 A).
#include "app/metering/installation_check.h"

#include <gtest/gtest.h>

namespace {

using namespace lmc::metering;

Measurement phases(float i, float angle_deg, float p_w) {
  Measurement m;
  for (auto& ph : m.ph) {
    ph.v = 230;
    ph.i = i;
    ph.angle_deg = angle_deg;
    ph.p = p_w;
    ph.s = 230 * i;
  }
  return m;
}

const float kNoStations[3] = {0, 0, 0};

// Runs the check once per second for `seconds`; returns the second at which phase 0's flag rose.
template <class Flag>
int first_raise(InstallationCheck& c, const Measurement& m, const float* st, int seconds, Flag flag) {
  for (int s = 0; s < seconds; ++s) {
    c.step(static_cast<std::uint64_t>(s) * 1000, m, st, true);
    if (flag(c)) return s;
  }
  return -1;
}

// INS-02 (1): a reversed sensor without PV: the angle sits at 180° with 5 A → warning at 30 s.
TEST(InstallationCheck, Ins02ReversedByAngleAfterThirtySeconds) {
  InstallationCheck c;
  c.configure(InstallationConfig{});
  Measurement m = phases(5, 179, -1150);
  EXPECT_EQ(first_raise(c, m, kNoStations, 60, [](auto& x) { return x.reversed(0); }), 30);
}

// INS-08: with PV configured, export at 180° never raises "reversed".
TEST(InstallationCheck, Ins08PvExportIsNotReversed) {
  InstallationCheck c;
  InstallationConfig cfg;
  cfg.pv_configured = true;
  c.configure(cfg);
  Measurement m = phases(20, 180, -4600);
  EXPECT_EQ(first_raise(c, m, kNoStations, 300, [](auto& x) { return x.reversed(0) || x.mismatch(0); }), -1);
}

// INS-02 (2), PV or not: a station step of +8 A on L1 moves the measured active current by −8 A
// (reversed), twice in a row → warning. A correctly wired site moves +8 A → no warning.
TEST(InstallationCheck, Ins02ReversedByStationStep) {
  for (int reversed = 0; reversed < 2; ++reversed) {
    InstallationCheck c;
    InstallationConfig cfg;
    cfg.pv_configured = true;
    c.configure(cfg);
    float sign = reversed ? -1.0f : 1.0f;
    float st[3] = {0, 0, 0};
    std::uint64_t t = 0;
    float base_p = -2300;  // PV exporting 10 A
    for (int k = 0; k < 4; ++k) {
      float station = (k % 2) ? 0.0f : 8.0f;
      for (int s = 0; s < 5; ++s, t += 1000) {
        st[0] = station;
        Measurement m = phases(10, 180, base_p + sign * station * 230);
        c.step(t, m, st, true);
      }
    }
    EXPECT_EQ(c.reversed(0), reversed == 1) << reversed;
  }
}

// INS-03: the L1 sensor on the L2 voltage: the angle sits at 120° with 5 A → warning at 30 s.
TEST(InstallationCheck, Ins03MismatchAtOneTwentyDegrees) {
  InstallationCheck c;
  c.configure(InstallationConfig{});
  Measurement m = phases(5, -121, -575);
  EXPECT_EQ(first_raise(c, m, kNoStations, 60, [](auto& x) { return x.mismatch(0); }), 30);
  EXPECT_FALSE(c.reversed(0));
}

// Below 2 A nothing is judged (A33).
TEST(InstallationCheck, NoJudgementBelowTwoAmps) {
  InstallationCheck c;
  c.configure(InstallationConfig{});
  Measurement m = phases(1.9f, 180, -400);
  EXPECT_EQ(first_raise(c, m, kNoStations, 100, [](auto& x) { return x.reversed(0); }), -1);
}

// INS-04: the stations report 10 A on L1 but the sensor reads 0.1 A: open clamp at 30 s, and the
// phase becomes a meter fault (SAFE-01). 10 − 0.1 > 3.
TEST(InstallationCheck, Ins04OpenClamp) {
  InstallationCheck c;
  c.configure(InstallationConfig{});
  float st[3] = {10, 0, 0};
  Measurement m = phases(0.1f, 0, 23);
  EXPECT_EQ(first_raise(c, m, st, 60, [](auto& x) { return x.open_clamp(0); }), 30);
  EXPECT_EQ(c.fault_mask(), 0x1);
  // 10 A station current measured as 8 A (difference 2 A ≤ 3 A) is no fault.
  InstallationCheck ok;
  ok.configure(InstallationConfig{});
  EXPECT_EQ(first_raise(ok, phases(8, 0, 1840), st, 60, [](auto& x) { return x.open_clamp(0); }), -1);
}

}  // namespace
