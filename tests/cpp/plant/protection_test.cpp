// Main fuse (gG curve as data, thermal damage) and RCD (IEC 61008 limits, miswired neutral).
#include <cmath>
#include <cstdio>

#include "models/plant/plant.h"
#include "plant_test_util.h"

using namespace plant_test;

namespace {

// A single-phase load on L1 that draws `amps` at 230 V from t = 0.
std::string fuse_site(double amps) {
  return R"(
site:
  main_fuse: {rating: 63A, curve: gG}
  loads: [{name: weld, phases: L1, power: )" +
         std::to_string(amps * 230.0) + "W}]\n";
}

void expect_trip_time(double amps, double curve_s) {
  auto site = elaborate_plant(fuse_site(amps));
  double t = run_until_true(*site, "site.fuse.L1.tripped", curve_s * 1.5, curve_s / 50);
  ASSERT_GT(t, 0) << "no trip at " << amps << " A";
  EXPECT_NEAR(t, curve_s, 0.10 * curve_s) << amps << " A";
  std::printf("fuse %.0f A: blown after %.3f s (curve %.0f s)\n", amps, t, curve_s);
  EXPECT_FALSE(site->registry().at("site.fuse.L2.tripped").as_bool());
  // The blown phase is dead; the others still carry voltage.
  run_for(0.05);
  EXPECT_EQ(val(*site, "site.grid.L1.voltage"), 0.0);
  EXPECT_EQ(val(*site, "site.fuse.L1.current"), 0.0);
  EXPECT_NEAR(val(*site, "site.grid.L2.voltage"), 230.0, 1e-9);
}

}  // namespace

TEST(MainFuse, TripsAt200AIn100s) {
  expect_trip_time(200, 100);
}
TEST(MainFuse, TripsAt300AIn10s) {
  expect_trip_time(300, 10);
}
TEST(MainFuse, TripsAt400AIn2s) {
  expect_trip_time(400, 2);
}

TEST(MainFuse, IntermittentOverloadAccumulates) {
  // 300 A bursts of 7 s (70 % of the 10 s melting time) every 60 s: no single burst blows the
  // fuse, but the damage left from the first has not cooled off when the second comes.
  auto site = elaborate_plant(R"(
site:
  main_fuse: {rating: 63A, cooling: 20min}
  loads:
    - name: press
      phases: L1
      power: 0W
      schedule: [{at: 1s, power: 69kW}, {at: 8s, power: 0W}, {at: 61s, power: 69kW}, {at: 68s, power: 0W}]
)");
  run_for(60.0);
  EXPECT_FALSE(site->registry().at("site.fuse.L1.tripped").as_bool());
  double dmg = val(*site, "site.fuse.L1.damage");
  EXPECT_GT(dmg, 60.0);  // % after one burst and 52 s of cooling
  EXPECT_LT(dmg, 70.0);
  double t = run_until_true(*site, "site.fuse.L1.tripped", 70.0);
  ASSERT_GT(t, 0) << "second burst did not blow the fuse";
  EXPECT_GT(t, 61.0);
  EXPECT_LT(t, 65.0);
}

TEST(MainFuse, TripIsLoggedWithPhaseAndCurrent) {
  auto site = elaborate_plant(R"(
site:
  main_fuse: {rating: 40A}
  loads: [{name: big, phases: L2, power: 100kW}]
)");
  double t = run_until_true(*site, "site.fuse.tripped", 5.0);
  ASSERT_GT(t, 0);
  EXPECT_LT(t, 0.2);  // 435 A on a 40 A gG fuse: beyond the last curve point, I^2 t slope
  EXPECT_TRUE(site->registry().at("site.fuse.L2.tripped").as_bool());
  EXPECT_FALSE(site->registry().at("site.fuse.L1.tripped").as_bool());
  bool logged = false;
  for (const auto& l : site->log_lines())
    logged = logged || (l.find("site.fuse") != std::string::npos && l.find("L2 blown at 434.8 A") != std::string::npos);
  EXPECT_TRUE(logged);
}

namespace {
const char* kRcdSite = R"(
site:
  rcd: {rated: 30mA}
  loads:
    - {name: inside, phases: [L1, L2, L3], power: 3kW}
    - {name: outside, phases: [L1], power: 1kW, side: in_front}
)";

// Leakage set at 1 s; returns the trip delay or a negative value.
double rcd_delay(lmsim::Site& site, const std::string& leak) {
  run_for(1.0);
  site.registry().write("site.rcd.leakage", leak);
  double t = run_until_true(site, "site.rcd.tripped", 3.0, 0.005);
  std::printf("rcd leakage %s: trip at %.3f s\n", leak.c_str(), t);
  return t < 0 ? t : t - 1.0;
}
}  // namespace

TEST(Rcd, TripsAtRatedCurrentWithin300ms) {
  auto site = elaborate_plant(kRcdSite);
  double d = rcd_delay(*site, "30mA");
  ASSERT_GT(d, 0);
  EXPECT_LE(d, 0.300);
  // What is behind it is disconnected; what is in front still draws.
  run_for(0.05);
  EXPECT_EQ(val(*site, "site.load.inside.power"), 0.0);
  EXPECT_NEAR(val(*site, "site.load.outside.power"), 1000.0, 1e-6);
  EXPECT_NEAR(val(*site, "site.power"), 1000.0, 1e-6);
  // Reset with the leakage gone: reconnects.
  site->registry().write("site.rcd.leakage", "0A");
  site->registry().write("site.rcd.reset", "true");
  run_for(0.05);
  EXPECT_FALSE(site->registry().at("site.rcd.tripped").as_bool());
  EXPECT_NEAR(val(*site, "site.power"), 4000.0, 1e-6);
}

TEST(Rcd, TripsAtFiveTimesRatedWithin40ms) {
  auto site = elaborate_plant(kRcdSite);
  double d = rcd_delay(*site, "150mA");
  ASSERT_GT(d, 0);
  EXPECT_LE(d, 0.040);
}

TEST(Rcd, NoTripAtHalfRated) {
  auto site = elaborate_plant(kRcdSite);
  double d = rcd_delay(*site, "15mA");
  EXPECT_LT(d, 0) << "tripped after " << d << " s";
  EXPECT_NEAR(val(*site, "site.rcd.residual"), 0.015, 1e-9);
}

TEST(Rcd, MiswiredNeutralTripsWhenALoadSwitchesOn) {
  // L1..L3 behind the RCD, N in front: a balanced load returns nothing through N, so the RCD
  // holds; a single-phase load's whole current bypasses it.
  auto site = elaborate_plant(R"(
site:
  rcd: {rated: 30mA, neutral: in_front}
  loads:
    - {name: heating, phases: [L1, L2, L3], power: 9kW}
    - {name: lamp, phases: L2, power: 0W, schedule: [{at: 5s, power: 60W}]}
)");
  run_for(4.9);
  EXPECT_FALSE(site->registry().at("site.rcd.tripped").as_bool());
  EXPECT_LT(val(*site, "site.rcd.residual"), 1e-6);
  double t = run_until_true(*site, "site.rcd.tripped", 6.0, 0.005);
  ASSERT_GT(t, 0);
  EXPECT_GE(t, 5.0);
  EXPECT_LE(t, 5.05);  // 0.26 A residual = 8.7 IΔn
  run_for(0.05);
  EXPECT_EQ(val(*site, "site.grid.L2.power"), 0.0);
}

TEST(Rcd, CorrectWiringDoesNotTripOnUnbalancedLoad) {
  auto site = elaborate_plant(R"(
site:
  rcd: {rated: 30mA}
  loads: [{name: lamp, phases: L2, power: 0W, schedule: [{at: 1s, power: 3kW}]}]
)");
  run_for(3.0);
  EXPECT_FALSE(site->registry().at("site.rcd.tripped").as_bool());
  EXPECT_NEAR(val(*site, "site.grid.L2.current"), 3000.0 / 230, 1e-9);
}
