// Sub-distribution circuits (site.circuits): own fuse/MCB and RCD, station RDC-DD
// (IEC 62955), selectivity against the main fuse.
#include <cmath>
#include <string>

#include "models/plant/plant.h"
#include "models/plant/rdc_dd.h"
#include "models/plant/selectivity.h"
#include "plant_test_util.h"

using namespace plant_test;
using lmsim::plant::Band;
using lmsim::plant::TripCurve;

namespace {
bool flag(lmsim::Site& s, const std::string& n) {
  return s.registry().at(n).as_bool();
}

// A station stub: an SystemC module named like the stations of models/evse ("station_<name>"),
// drawing 16 A per phase at cos phi 1 while it has voltage.
struct StationStub : sc_core::sc_module, lmsim::plant::Consumer {
  explicit StationStub(sc_core::sc_module_name n) : sc_module(n) {}
  void draw(lmsim::Time, const lmsim::plant::PhaseSet& v, lmsim::plant::PhaseSet& a, lmsim::plant::PhaseSet&) override {
    for (int p = 0; p < 3; ++p) a.v[p] = v.v[p] > 0 ? 16 : 0;
  }
};
}  // namespace

TEST(Circuits, AnMcbTripOpensOnlyItsCircuit) {
  // IEC 60898-1 Table 7, type B 16 A: 2.55 In (40.8 A) trips after more than 1 s and within
  // 60 s; 5 In and above trips within 0.1 s. The oven's circuit opens, the rest keeps running
  // and the 63 A main fuse holds.
  auto site = elaborate_plant(R"(
site:
  main_fuse: {rating: 63A}
  circuits:
    - {name: kitchen, protection: {rating: 16A, curve: B}}
  loads:
    - {name: base, phases: L1, power: 2300W}
    - {name: oven, phases: L1, circuit: kitchen, power: 2300W, schedule: [{at: 10s, power: 9384W}, {at: 200s, power: 0W}]}
    - {name: hob, phases: L2, circuit: kitchen, power: 1150W}
)");  // 9384 W / 230 V = 40.8 A
  run_for(5);
  EXPECT_NEAR(val(*site, "site.circuits.kitchen.L1.current"), 10.0, 1e-6);
  EXPECT_NEAR(val(*site, "site.circuits.kitchen.L2.current"), 5.0, 1e-6);
  EXPECT_NEAR(val(*site, "site.grid.L1.current"), 20.0, 1e-6);
  double t = run_until_true(*site, "site.circuits.kitchen.tripped", 100, 0.05) - 10;
  ASSERT_GT(t, 1.0);
  EXPECT_LT(t, 60.0);
  run_for(0.1);
  EXPECT_TRUE(flag(*site, "site.circuits.kitchen.L1.tripped"));
  EXPECT_EQ(val(*site, "site.circuits.kitchen.L1.current"), 0.0);
  EXPECT_NEAR(val(*site, "site.grid.L1.current"), 10.0, 1e-6);             // the base load runs on
  EXPECT_NEAR(val(*site, "site.circuits.kitchen.L2.current"), 5.0, 1e-6);  // one pole per phase
  EXPECT_EQ(val(*site, "site.load.oven.power"), 0.0);
  EXPECT_FALSE(flag(*site, "site.fuse.tripped"));
}

TEST(Circuits, ShortCircuitTripsTheMcbNotTheMainFuse) {
  // 1000 A on a B 16 A circuit (62 In): the magnetic release opens within 0.1 s (IEC 60898-1
  // Table 7); the 63 A gG main fuse melts at 1000 A only after ~0.02 s or more (its
  // Imin(0.1 s) = 450 A gate gives I²t >= 450² * 0.1 = 20250 A²s, 20 ms at 1000 A), so it holds.
  auto site = elaborate_plant(R"(
site:
  main_fuse: {rating: 63A, band: fastest}
  circuits: [{name: garage, protection: {rating: 16A, curve: B, band: slowest}}]
  loads:
    - {name: base, phases: L2, power: 2300W}
    - {name: fault, phases: L1, circuit: garage, power: 0W, schedule: [{at: 1s, power: 230kW}]}
)");
  double t = run_until_true(*site, "site.circuits.garage.tripped", 2, 0.001) - 1;
  ASSERT_GT(t, 0);
  EXPECT_LE(t, 0.1);
  run_for(0.5);
  EXPECT_FALSE(flag(*site, "site.fuse.tripped"));
  EXPECT_LT(val(*site, "site.fuse.L1.damage"), 100.0);
  EXPECT_NEAR(val(*site, "site.grid.L2.current"), 10.0, 1e-6);
}

TEST(Circuits, CircuitRcdTripsOnlyItsCircuit) {
  // IEC 61008-1: a 30 mA RCD trips at IΔn within 300 ms. A 40 mA leakage in the bathroom
  // circuit opens its RCD; the 300 mA site RCD sees the same 40 mA and holds (below 0.5 IΔn).
  auto site = elaborate_plant(R"(
site:
  rcd: {rated: 300mA}
  circuits: [{name: bath, protection: {rating: 16A, curve: B}, rcd: {rated: 30mA, type: A}}]
  loads:
    - {name: base, phases: L3, power: 2300W}
    - {name: heater, phases: L1, circuit: bath, power: 2000W, schedule: [{at: 2s, power: 2000W}]}
)");
  run_for(1);
  site->registry().write("site.circuits.bath.rcd.leakage", "40mA");
  double t0 = now_s();
  double t = run_until_true(*site, "site.circuits.bath.rcd.tripped", 3, 0.005) - t0;
  ASSERT_GE(t, 0);
  EXPECT_LE(t, 0.3);
  run_for(0.1);
  EXPECT_FALSE(flag(*site, "site.rcd.tripped"));
  EXPECT_EQ(val(*site, "site.load.heater.power"), 0.0);
  EXPECT_NEAR(val(*site, "site.grid.L3.current"), 10.0, 1e-6);
  // Leakages as phasors inside the circuit too: 10 mA on each phase cancel.
  site->registry().write("site.circuits.bath.rcd.leakage", "0mA");
  site->registry().write("site.circuits.bath.rcd.reset", "true");
  run_for(0.1);
  EXPECT_FALSE(flag(*site, "site.circuits.bath.rcd.tripped"));
  EXPECT_NEAR(val(*site, "site.load.heater.power"), 2000.0, 1e-6);
}

namespace {
// IEC 62955 maximum break times of an RDC-DD (6 mA: 10 s, 60 mA: 0.3 s, 200 mA: 0.1 s),
// log-log between the rows. Hand calculation for 10 mA: slope ln(0.3/10)/ln(60/6) = -1.52288,
// t = 10 s * (10/6)^-1.52288 = 4.593 s.
constexpr double kRdc10mA = 4.593;

const char* kStationSite = R"(
stations: [{name: wb}]
site:
  rcd: {rated: 30mA, type: A}
  circuits: [{name: wallbox, protection: {rating: 20A, curve: B}, rdc_dd: %s, stations: [wb]}]
  loads: [{name: base, phases: L1, power: 2300W}]
)";
std::unique_ptr<lmsim::Site> station_site(bool rdc, StationStub*& st) {
  char buf[512];
  std::snprintf(buf, sizeof buf, kStationSite, rdc ? "true" : "false");
  auto site = elaborate_plant(buf);
  st = new StationStub("station_wb");  // owned by the SystemC kernel's hierarchy for the test
  site->service<lmsim::plant::PlantApi>("plant")->attach(st);
  return site;
}
}  // namespace

TEST(Circuits, RdcDdBreakTimesFollowIec62955) {
  using lmsim::plant::RdcDd;
  EXPECT_FALSE(std::isfinite(RdcDd::break_time(0.0059)));
  EXPECT_NEAR(RdcDd::break_time(0.006), 10.0, 1e-9);
  EXPECT_NEAR(RdcDd::break_time(0.060), 0.3, 1e-9);
  EXPECT_NEAR(RdcDd::break_time(0.200), 0.1, 1e-9);
  EXPECT_NEAR(RdcDd::break_time(0.010), kRdc10mA, 0.002);
  EXPECT_NEAR(RdcDd::break_time(1.0), 0.1, 1e-9);
}

TEST(Circuits, StationRdcDdOpensSoTheTypeARcdSeesAgain) {
  StationStub* st = nullptr;
  auto site = station_site(true, st);
  run_for(1);
  EXPECT_NEAR(val(*site, "site.circuits.wallbox.L2.current"), 16.0, 1e-6);
  site->registry().write("site.circuits.wallbox.dc_fault", "10mA");
  run_for(0.1);
  EXPECT_TRUE(flag(*site, "site.rcd.blinded"));  // type A withstands only 6 mA DC (IEC 61008-1)
  double t = run_until_true(*site, "site.circuits.wallbox.rdc_dd.tripped", 20, 0.01) - 1;
  EXPECT_NEAR(t, kRdc10mA, 0.02);
  run_for(0.1);
  EXPECT_FALSE(flag(*site, "site.rcd.blinded"));
  EXPECT_EQ(val(*site, "site.rcd.residual_dc"), 0.0);
  EXPECT_EQ(val(*site, "site.circuits.wallbox.L2.current"), 0.0);  // contactor open
  EXPECT_FALSE(flag(*site, "site.circuits.wallbox.tripped"));      // the MCB did not act
  EXPECT_NEAR(val(*site, "site.grid.L1.current"), 10.0, 1e-6);
  // The RCD protects again: 30 mA (IΔn) trips within 300 ms (IEC 61008-1).
  site->registry().write("site.rcd.leakage", "30mA");
  double t0 = now_s();
  double tr = run_until_true(*site, "site.rcd.tripped", t0 + 1, 0.005) - t0;
  ASSERT_GE(tr, 0);
  EXPECT_LE(tr, 0.3);
}

TEST(Circuits, WithoutRdcDdTheTypeARcdStaysBlinded) {
  StationStub* st = nullptr;
  auto site = station_site(false, st);
  run_for(1);
  site->registry().write("site.circuits.wallbox.dc_fault", "10mA");
  run_for(30);
  EXPECT_TRUE(flag(*site, "site.rcd.blinded"));
  EXPECT_NEAR(val(*site, "site.circuits.wallbox.L1.current"), 16.0, 1e-6);
  site->registry().write("site.rcd.leakage", "30mA");
  run_for(2);
  EXPECT_FALSE(flag(*site, "site.rcd.tripped"));  // blinded: the 30 mA fault goes unnoticed
}

TEST(Selectivity, GgPairsFollowTheIec60269RatioAndMcbsTheFuseI2t) {
  using lmsim::plant::check_selectivity;
  // IEC 60269-1: gG fuse links are selective when the rated currents are in the ratio 1.6:1
  // or more. 63/32 = 1.97: selective up to the 6 kA checked; 63/40 = 1.575: not throughout.
  auto s32 = check_selectivity(TripCurve::gg_fuse(32, Band::Slowest), TripCurve::gg_fuse(63, Band::Fastest), 6000);
  EXPECT_TRUE(s32.total);
  auto s40 = check_selectivity(TripCurve::gg_fuse(40, Band::Slowest), TripCurve::gg_fuse(63, Band::Fastest), 6000);
  EXPECT_FALSE(s40.total);
  // B 16 A under gG 63 A: the MCB clears within 10 ms above 5 In; the fastest 63 A link melts
  // in 10 ms at (hand calculation from its Imin(0.1 s) = 450 A gate and the one-body model
  // with Imin = 1.25 In = 78.75 A: tau = 0.1 / ln(g/(g-1)), g = (450/78.75)^2 = 32.65, tau =
  // 3.215 s; 10 ms needs g/(g-1) = e^(0.01/3.215), g = 322.0, I = 78.75 * sqrt(322) = 1413 A).
  auto b16 = check_selectivity(TripCurve::mcb('B', 16, Band::Slowest), TripCurve::gg_fuse(63, Band::Fastest), 6000);
  EXPECT_FALSE(b16.total);
  EXPECT_NEAR(b16.limit, 1413, 10);
  EXPECT_FALSE(b16.warn);
  EXPECT_NEAR(b16.clear_04s, 0.99 * 5 * 16, 0.5);
}

TEST(Selectivity, NonSelectivePairIsWarnedInTheRunLog) {
  // A 63 A MCB behind a 50 A main fuse: the main fuse melts first on any overload.
  auto site = elaborate_plant(R"(
site:
  main_fuse: {rating: 50A}
  circuits: [{name: shop, protection: {rating: 63A, curve: C}}, {name: wb, protection: {rating: 20A, curve: B}}]
)");
  EXPECT_LT(val(*site, "site.circuits.shop.selective_up_to"), 63.0);
  EXPECT_GT(val(*site, "site.circuits.wb.selective_up_to"), 200.0);
  int warned = 0;
  for (const auto& l : site->log_lines())
    if (l.find("warn site.selectivity") != std::string::npos && l.find("circuit shop") != std::string::npos &&
        l.find("NOT selective") != std::string::npos)
      ++warned;
  EXPECT_EQ(warned, 1);
}

TEST(Circuits, BadCircuitsNameTheirLine) {
  auto expect_error = [](const char* yaml, const char* text) {
    try {
      elaborate_plant(yaml);
      ADD_FAILURE() << "no error for: " << yaml;
    } catch (const lmsim::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("<test>:"), std::string::npos) << e.what();  // file:line
    }
  };
  expect_error(
      "site:\n  circuits: [{name: a, protection: {rating: 16A, curve: B}}]\n  loads: [{name: x, power: 1W, circuit: "
      "b}]\n",
      "no circuit 'b'");
  expect_error("site:\n  circuits: [{name: a}]\n", "protection");
  expect_error("site:\n  circuits: [{name: a, protection: {rating: 16A, curve: B}, stations: [wb]}]\n",
               "no station 'wb'");
  expect_error(
      "site:\n  circuits: [{name: a, protection: {rating: 16A, curve: B}}]\n  loads: [{name: x, power: 1W, circuit: a, "
      "side: in_front}]\n",
      "circuit's side");
}
