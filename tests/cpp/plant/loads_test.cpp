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
