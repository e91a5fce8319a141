// Loads, profiles, PV, grid knobs, consumers and scenario errors.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "models/plant/load_profile.h"
#include "models/plant/plant.h"
#include "models/plant/pv_inverter.h"
#include "plant_test_util.h"

using namespace plant_test;
using lmsim::plant::StochasticKind;
using lmsim::plant::StochasticProfile;

namespace {

// A day of a stochastic profile sampled every minute, for one scenario seed.
std::vector<double> day_of(StochasticKind kind, std::uint64_t seed) {
  lmsim::Site site(lmsim::YNode::load_string("start: \"2026-11-25T00:00\"\n"), "x.yaml", seed);
  StochasticProfile prof(site, kind, 8000, site.rng("site.load.flat"), lmsim::kSec);
  std::vector<double> out;
  for (int m = 0; m < 24 * 60; ++m) out.push_back(prof.at(static_cast<lmsim::Time>(m) * 60 * lmsim::kSec).watts);
  return out;
}

}  // namespace

TEST(Loads, StochasticProfilesRepeatForASeedAndChangeWithIt) {
  for (auto kind : {StochasticKind::Residential, StochasticKind::Office, StochasticKind::HeatPump}) {
    auto a = day_of(kind, 7), b = day_of(kind, 7), c = day_of(kind, 8);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    double lo = *std::min_element(a.begin(), a.end()), hi = *std::max_element(a.begin(), a.end());
    EXPECT_GE(lo, 0.0);
    EXPECT_LE(hi, 8000.0);
    EXPECT_GT(hi - lo, 1000.0);  // it does vary
  }
  // Residential: the evening is busier than the small hours.
  auto r = day_of(StochasticKind::Residential, 3);
  double night = 0, evening = 0;
  for (int m = 2 * 60; m < 4 * 60; ++m) night += r[m];
  for (int m = 18 * 60; m < 20 * 60; ++m) evening += r[m];
  EXPECT_GT(evening, 2 * night);
}

TEST(Loads, ConstantLoadsGivePhaseCurrentsAndPowerFactor) {
  auto site = elaborate_plant(R"(
site:
  loads:
    - {name: motor, phases: [L1, L2, L3], power: 6900W, pf: 0.8}
    - {name: oven, phases: L3, power: 2300W}
)");
  run_for(0.05);
  EXPECT_NEAR(val(*site, "site.grid.L1.current"), 2300.0 / 230 / 0.8, 1e-9);
  // L3: 12.5 A at 36.9 deg lag plus 10 A in phase.
  double re = 10 + 12.5 * 0.8, im = 12.5 * 0.6;
  EXPECT_NEAR(val(*site, "site.grid.L3.current"), std::hypot(re, im), 1e-9);
  EXPECT_NEAR(val(*site, "site.power"), 9200.0, 1e-6);
  EXPECT_NEAR(val(*site, "site.load.motor.power"), 6900.0, 1e-9);
  // Knobs: off, then an override.
  site->registry().write("site.load.oven.on", "false");
  run_for(0.05);
  EXPECT_NEAR(val(*site, "site.power"), 6900.0, 1e-6);
  EXPECT_EQ(val(*site, "site.load.oven.power"), 0.0);
  site->registry().write("site.load.motor.override", "3kW");
  run_for(0.05);
  EXPECT_NEAR(val(*site, "site.power"), 3000.0, 1e-6);
}

TEST(Loads, CsvProfileIsInterpolated) {
  auto dir = std::filesystem::temp_directory_path() / ("lmsim_plant_csv_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "office.csv");
    f << "time,power_kw\n0,1\n10,3\n20,3\n30,0\n";
  }
  std::string yaml = "site:\n  loads: [{name: office, phases: L1, profile: {csv: " + (dir / "office.csv").string() +
                     ", resolution: 10ms}}]\n";
  auto site = elaborate_plant(yaml);
  run_for(5.005);
  EXPECT_NEAR(val(*site, "site.load.office.power"), 2000.0, 1e-6);
  run_for(10.0);  // 15 s: flat
  EXPECT_NEAR(val(*site, "site.load.office.power"), 3000.0, 1e-6);
  run_for(10.0);  // 25 s: falling
  EXPECT_NEAR(val(*site, "site.load.office.power"), 1500.0, 1e-6);
  run_for(10.0);  // after the last row: holds it
  EXPECT_NEAR(val(*site, "site.load.office.power"), 0.0, 1e-6);
  std::filesystem::remove_all(dir);
}

TEST(Loads, ClearSkyPvFollowsTheSunAndRidesThroughOutages) {
  EXPECT_EQ(lmsim::plant::clear_sky_fraction(1782000000.0 - std::fmod(1782000000.0, 86400.0), 47.4, 8.5), 0.0);
  auto site = elaborate_plant(R"(
start: "2026-06-21T11:00"
site:
  pv: [{name: roof, peak: 10kW, phases: [L1, L2, L3], reconnect: 60s}]
)");
  run_for(1.0);
  double pv = val(*site, "site.pv.roof.power");
  EXPECT_GT(pv, 8500.0);
  EXPECT_LT(pv, 10000.0);
  EXPECT_NEAR(val(*site, "site.power"), -pv, 1e-6);
  site->registry().write("site.pv.roof.curtail", "50%");
  run_for(0.05);
  EXPECT_NEAR(val(*site, "site.pv.roof.power"), 5000.0, 1e-6);
  site->registry().write("site.grid.outage", "true");
  run_for(1.0);
  EXPECT_EQ(val(*site, "site.pv.roof.power"), 0.0);
  EXPECT_EQ(val(*site, "site.power"), 0.0);
  site->registry().write("site.grid.outage", "false");
  run_for(30.0);
  EXPECT_EQ(val(*site, "site.pv.roof.power"), 0.0);  // still waiting (anti-islanding delay)
  run_for(31.0);
  EXPECT_LT(val(*site, "site.pv.roof.power"), 100.0);  // ramping up at 10 % of the peak per minute
  run_for(600.0);
  EXPECT_NEAR(val(*site, "site.pv.roof.power"), 5000.0, 1e-6);
}

namespace {
struct Charger : lmsim::plant::Consumer {
  double amps = 16;
  void draw(lmsim::Time, const lmsim::plant::PhaseSet& v, lmsim::plant::PhaseSet& a,
            lmsim::plant::PhaseSet& c) override {
    for (int p = 0; p < 3; ++p) a.v[p] = v.v[p] > 0 ? amps : 0;
    c.v[0] = 0.99;
  }
};
}  // namespace

TEST(Loads, ConsumersAreSummedAtTheConnection) {
  auto site = elaborate_plant(R"(
site:
  loads: [{name: b, phases: [L1, L2, L3], power: 6900W}]
)");
  auto* api = site->service<lmsim::plant::PlantApi>("plant");
  ASSERT_NE(api, nullptr);
  Charger ch;
  api->attach(&ch);
  run_for(0.05);
  EXPECT_NEAR(val(*site, "site.grid.L2.current"), 26.0, 1e-9);
  EXPECT_NEAR(val(*site, "site.grid.L1.power"), 2300 + 230 * 16 * 0.99, 1e-6);
  EXPECT_NEAR(api->phase_voltage(0, true), 230.0, 1e-9);
  site->registry().write("site.rcd.trip", "true");
  run_for(0.05);
  EXPECT_EQ(api->phase_voltage(0, true), 0.0);
  EXPECT_NEAR(api->phase_voltage(0, false), 230.0, 1e-9);
  EXPECT_EQ(val(*site, "site.power"), 0.0);
}

TEST(Loads, BadScenarioNamesFileLineAndField) {
  try {
    elaborate_plant("site:\n  loads:\n    - {name: x, phases: L4, power: 1kW}\n");
    FAIL() << "no error";
  } catch (const lmsim::InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find(":3"), std::string::npos) << m;
    EXPECT_NE(m.find("L4"), std::string::npos) << m;
  }
  // An unknown key, and a bad row in a CSV profile: both name their origin.
  try {
    elaborate_plant("site:\n  grid: {voltage: 230V, frequncy: 50Hz}\n");
    FAIL() << "no error";
  } catch (const lmsim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("frequncy"), std::string::npos) << e.what();
  }
  auto csv = std::filesystem::temp_directory_path() / ("lmsim_plant_bad_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream f(csv);
    f << "time,power\n0,100\n10,lots\n";
  }
  try {
    elaborate_plant("site:\n  loads: [{name: x, profile: {csv: " + csv.string() + "}}]\n");
    FAIL() << "no error";
  } catch (const lmsim::InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find(csv.string() + ":3"), std::string::npos) << m;
    EXPECT_NE(m.find("lots"), std::string::npos) << m;
  }
  std::filesystem::remove(csv);
}

namespace {
struct MaxWatch : lmsim::ChangeListener {
  double max = 0;
  std::vector<std::pair<double, double>> changes;
  void on_change(const lmsim::Signal& s, lmsim::Time t) override {
    max = std::max(max, s.value());
    if (changes.size() < 10000) changes.emplace_back(lmsim::time_to_seconds(t), s.value());
  }
};
}  // namespace

TEST(Loads, HouseholdHasSinglePhaseApplianceStepsAndItsAnnualEnergy) {
  // A 3-person single-family house without electric water heating uses about 3,600 kWh a year
  // (Stromspiegel für Deutschland, middle band): 3600 / 365 = 9.86 kWh a day. Over two weeks
  // the household must land within 10 %; its kettle is a 2.2 kW single-phase step; at night it
  // falls well below the 775 W floor of the old aggregate.
  auto site = elaborate_plant(R"(
start: "2026-03-02T00:00"
site:
  step: 1s
  loads: [{name: h, profile: household, persons: 3, phases: [L1, L2, L3]}]
)");
  MaxWatch kettle;
  site->registry().at("site.load.h-kettle.power").add_listener(&kettle);
  MaxWatch total;
  site->registry().at("site.power").add_listener(&total);
  run_for(14 * 86400.0);
  double kwh_per_day = val(*site, "site.energy.import") / 1000.0 / 14.0;
  std::printf("household: %.2f kWh/day\n", kwh_per_day);
  EXPECT_NEAR(kwh_per_day, 3600.0 / 365.0, 0.1 * 3600.0 / 365.0);
  EXPECT_NEAR(kettle.max, 2200.0, 1e-6);
  double night_min = 1e9;
  for (const auto& [t, w] : total.changes) {
    double hour = std::fmod(t, 86400.0) / 3600.0;
    if (hour >= 2 && hour < 5) night_min = std::min(night_min, w);
  }
  EXPECT_LT(night_min, 400.0);
  site->registry().at("site.load.h-kettle.power").remove_listener(&kettle);
  site->registry().at("site.power").remove_listener(&total);
}

TEST(Loads, HeatPumpCompressorStartDrawsAStartCurrent) {
  // start_current 5 x for 300 ms on a 3 kW heat pump: each compressor start is a 15 kW pulse
  // lasting 0.3 s before it settles at 3 kW.
  auto site = elaborate_plant(R"(
site:
  loads: [{name: hp, phases: L1, profile: heat-pump, peak: 3kW, start_current: 5, start_time: 300ms}]
)");
  MaxWatch w;
  site->registry().at("site.load.hp.power").add_listener(&w);
  run_for(4 * 3600.0);
  EXPECT_NEAR(w.max, 15000.0, 1e-6);
  int starts = 0;
  for (std::size_t k = 0; k + 1 < w.changes.size(); ++k) {
    if (w.changes[k].second != 15000.0) continue;
    ++starts;
    EXPECT_NEAR(w.changes[k + 1].first - w.changes[k].first, 0.3, 1e-9);
    EXPECT_NEAR(w.changes[k + 1].second, 3000.0, 1e-6);
  }
  EXPECT_GE(starts, 2);
  site->registry().at("site.load.hp.power").remove_listener(&w);
}

TEST(Loads, ConstantPowerCurrentAndImpedanceUnderASag) {
  // 2300 W at 230 V = 10 A each. Under a 20 % sag (184 V), hand calculation: constant power
  // draws 2300 / 184 = 12.5 A; constant current 10 A; constant impedance (a heater,
  // R = 230² / 2300 = 23 Ω) 184 / 23 = 8 A.
  auto site = elaborate_plant(R"(
site:
  loads:
    - {name: drive, phases: L1, power: 2300W}
    - {name: led, phases: L2, power: 2300W, model: constant_current}
    - {name: heater, phases: L3, power: 2300W, model: constant_impedance}
)");
  run_for(0.5);
  for (int p = 1; p <= 3; ++p) EXPECT_NEAR(val(*site, "site.grid.L" + std::to_string(p) + ".current"), 10.0, 1e-9);
  site->registry().write("site.grid.sag", "20%");
  run_for(0.5);
  EXPECT_NEAR(val(*site, "site.grid.L1.current"), 12.5, 1e-9);
  EXPECT_NEAR(val(*site, "site.grid.L2.current"), 10.0, 1e-9);
  EXPECT_NEAR(val(*site, "site.grid.L3.current"), 8.0, 1e-9);
  EXPECT_NEAR(val(*site, "site.grid.L3.power"), 184.0 * 8.0, 1e-6);
}

TEST(Loads, GridImpedanceDropsTheVoltageWithLoad) {
  // Source 230 V behind 0.5 Ω (resistive) per phase; a 23 Ω heater (2300 W at 230 V) on L1.
  // Hand calculation: I = 230 / (0.5 + 23) = 9.787 A, V = 23 x 9.787 = 225.11 V; L2 unloaded
  // keeps 230 V.
  auto site = elaborate_plant(R"(
site:
  grid: {voltage: 230V, impedance: {r: 0.5Ohm}}
  loads: [{name: heater, phases: L1, power: 2300W, model: constant_impedance}]
)");
  run_for(0.5);
  EXPECT_NEAR(val(*site, "site.grid.L1.current"), 230.0 / 23.5, 1e-6);
  EXPECT_NEAR(val(*site, "site.grid.L1.voltage"), 230.0 * 23.0 / 23.5, 1e-6);
  EXPECT_NEAR(val(*site, "site.grid.L2.voltage"), 230.0, 1e-9);
}

TEST(Loads, PvRampsAfterReconnectAndFollowsPOfF) {
  // VDE-AR-N 4105: after reconnecting, at most +10 % of Pmax per minute; above 50.2 Hz the
  // power falls by 40 % per Hz; above 51.5 Hz the inverter disconnects. Hand calculation for a
  // constant 10 kW: 30 s into the ramp 500 W, after 5 min 5 kW, after 10 min 10 kW; at 50.7 Hz
  // 10 kW x (1 - 0.4 x 0.5) = 8 kW.
  auto csv = std::filesystem::temp_directory_path() / ("lmsim_pv_flat_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream f(csv);
    f << "time,power\n0,10000\n";
  }
  auto site = elaborate_plant("site:\n  pv: [{name: roof, peak: 10kW, profile: {csv: " + csv.string() +
                              "}, reconnect: 60s, update: 1s}]\n");
  run_for(10.0);
  EXPECT_NEAR(val(*site, "site.pv.roof.power"), 10000.0, 1e-6) << "running from the start: no ramp";
  site->registry().write("site.grid.frequency", "50.7Hz");
  run_for(0.5);
  EXPECT_NEAR(val(*site, "site.pv.roof.power"), 8000.0, 1e-6);
  site->registry().write("site.grid.frequency", "51.6Hz");
  run_for(0.5);
  EXPECT_NEAR(val(*site, "site.pv.roof.power"), 0.0, 1e-6);
  site->registry().write("site.grid.frequency", "50Hz");
  site->registry().write("site.grid.outage", "true");
  run_for(1.0);
  site->registry().write("site.grid.outage", "false");
  double back = now_s();
  // The ramp is followed in 1 s steps (10 %/min of 10 kW = 16.7 W per step).
  run_for(60.0 + 30.0);
  EXPECT_NEAR(val(*site, "site.pv.roof.power"), 500.0, 17.0);
  run_for(270.0);
  EXPECT_NEAR(val(*site, "site.pv.roof.power"), 5000.0, 17.0);
  run_for(310.0);
  EXPECT_NEAR(val(*site, "site.pv.roof.power"), 10000.0, 1e-6);
  (void)back;
  std::filesystem::remove(csv);
}
