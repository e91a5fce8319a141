// The load-management KPIs (sim/kpis.h) on a tiny synthetic trace, against a hand calculation.
#include "sim/kpis.h"

#include <gtest/gtest.h>

using namespace lmsim;

namespace {

Time s(double x) {
  return seconds_to_time(x);
}

TEST(LmKpis, HandCalculatedTrace) {
  Registry reg;
  Time clock = 0;
  reg.set_clock([&] { return clock; });
  Signal* fuse[3];
  Signal* st[3];
  const char* ph[3] = {"L1", "L2", "L3"};
  for (int p = 0; p < 3; ++p) {
    fuse[p] = &reg.add_number(std::string("site.fuse.") + ph[p] + ".current", "A", 20);
    st[p] = &reg.add_number(std::string("stations.total_current.") + ph[p], "A", 10);
  }
  reg.add_number("ev.a.power", "W", 2300);
  Signal& pb = reg.add_number("ev.b.power", "W", 0);
  reg.add_bool("ev.a.connected", true);
  reg.add_bool("ev.b.connected", true);
  reg.add_bool("ev.a.requesting", true);
  reg.add_bool("ev.b.requesting", true);
  Signal& ca = reg.add_bool("station.sa.contactor", false);
  Signal& cb = reg.add_bool("station.sb.contactor", false);
  Signal& di = reg.add_bool("device.ripple.in1", false);
  // Limit 38 A: a 40 A fuse less max(5 %, 1 A) = 2 A (CFG-02).
  EXPECT_DOUBLE_EQ(LmKpis::phase_limit(40), 38);
  EXPECT_DOUBLE_EQ(LmKpis::phase_limit(16), 15);  // 5 % = 0.8 A < 1 A
  LmKpis k(reg, 38, {{"a", "sa", "normal"}, {"b", "sb", "normal"}}, 0);

  auto all = [&](Signal** sig, double v, double t) {
    for (int p = 0; p < 3; ++p) sig[p]->set(v, s(t));
  };
  ca.set(1, s(0));
  cb.set(1, s(20));
  pb.set(4600, s(20));
  all(st, 30, 50);  // the EVs take more: grid 40 A > 38 A for 3 s
  all(fuse, 40, 50);
  all(st, 28, 53);
  all(fuse, 38, 53);  // 38 A is not above the limit
  di.set(1, s(60));   // a ripple command; the stations stop 4 s later
  pb.set(0, s(60));
  ca.set(0, s(62));
  cb.set(0, s(62));
  all(st, 0.3, 64);
  all(fuse, 10.3, 64);
  cb.set(1, s(90));
  const auto j = k.figures(s(100));

  EXPECT_DOUBLE_EQ(j["limit_a"].get<double>(), 38);
  // Overload: one episode, 50 s → 53 s.
  EXPECT_EQ(j["overloads"].get<int>(), 1);
  EXPECT_NEAR(j["overload_reaction_s"].get<double>(), 3, 1e-9);
  EXPECT_NEAR(j["seconds_above_limit"].get<double>(), 3, 1e-9);
  // Block: command at 60 s, stations <= 0.5 A at 64 s.
  EXPECT_EQ(j["blocks"].get<int>(), 1);
  EXPECT_NEAR(j["block_reaction_s"].get<double>(), 4, 1e-9);
  // Headroom per phase = 38 − building (10 A) = 28 A all along: 3 × 28 × 100 = 8400 A·s.
  // Unused = 38 − grid: 18 A for 0-50 s, 0 for 50-64 s (grid 40 then 38), 27.7 A for 64-100 s:
  // 3 × (18 × 50 + 27.7 × 36) = 5691.6 A·s → 67.757 %.
  EXPECT_NEAR(j["unused_headroom_pct"].get<double>(), 100.0 * 5691.6 / 8400.0, 1e-9);
  // Energy: a 2300 W × 100 s = 63.889 Wh; b 4600 W × 40 s = 51.111 Wh.
  EXPECT_NEAR(j["evs"]["a"]["energy_kwh"].get<double>(), 2300.0 * 100 / 3.6e6, 1e-12);
  EXPECT_NEAR(j["evs"]["b"]["energy_kwh"].get<double>(), 4600.0 * 40 / 3.6e6, 1e-12);
  // Contactor switchings: sa closes and opens (2); sb closes, opens, closes (3).
  EXPECT_EQ(j["evs"]["a"]["contactor_switchings"].get<int>(), 2);
  EXPECT_EQ(j["evs"]["b"]["contactor_switchings"].get<int>(), 3);
  // Jain over the mean power while plugged in (2300 W and 1840 W):
  // 4140² / (2 × (2300² + 1840²)) = 17139600 / 17351200 = 0.98780488.
  EXPECT_NEAR(j["fairness_jain"]["normal"].get<double>(), 17139600.0 / 17351200.0, 1e-12);
}

TEST(LmKpis, PerfectlyEqualAndOneTakesAll) {
  // Jain's index bounds: equal shares → 1; one of n EVs gets everything → 1/n.
  Registry reg;
  Time clock = 0;
  reg.set_clock([&] { return clock; });
  for (const char* e : {"a", "b", "c"}) {
    reg.add_number(std::string("ev.") + e + ".power", "W", std::string(e) == "a" ? 1000 : 0);
    reg.add_bool(std::string("ev.") + e + ".connected", true);
  }
  LmKpis k(reg, 38, {{"a", "", "normal"}, {"b", "", "normal"}, {"c", "", "normal"}}, 0);
  EXPECT_NEAR(k.figures(s(10))["fairness_jain"]["normal"].get<double>(), 1.0 / 3.0, 1e-12);
  reg.find("ev.b.power")->set(1000, s(10));
  reg.find("ev.c.power")->set(1000, s(10));
  // 0-10 s: a alone; 10-1010 s: all three. Means: a 1000, b and c 990 W.
  const double a = 1000, b = 1000.0 * 1000 / 1010;
  const double jain = (a + 2 * b) * (a + 2 * b) / (3 * (a * a + 2 * b * b));
  EXPECT_NEAR(k.figures(s(1010))["fairness_jain"]["normal"].get<double>(), jain, 1e-12);
  // No headroom figures without requesting EVs or fuse signals.
  EXPECT_TRUE(k.figures(s(1010))["unused_headroom_pct"].is_null());
}

}  // namespace
