// Meter realism: CT error vs current per accuracy class (IEC 61869-2), seeded noise,
// quantisation, update latency and the frequency measured from the voltage
// (models/plant/current_sensor.*, meter_chain.*).
#include <cmath>
#include <complex>
#include <vector>

#include "models/plant/meter_tap.h"
#include "models/plant/plant.h"
#include "plant_test_util.h"

using namespace plant_test;
using lmsim::plant::Complex;
using lmsim::plant::MeterFrame;
using lmsim::plant::MeterSource;

namespace {
constexpr double kPi = 3.14159265358979323846;

// The plant builds meter frames only for listeners (the AFE); tests listen themselves.
struct Listener : lmsim::plant::StepListener {
  void on_plant_step(lmsim::Time, double) override {}
};

struct Meter {
  Listener l;
  const MeterSource* src;
  explicit Meter(lmsim::Site& s) {
    auto* m = s.service<MeterSource>("plant.meter");
    m->add_step_listener(&l);
    src = m;
  }
  const MeterFrame& f() const { return src->meter_frame(); }
};

const lmsim::plant::Plant& plant_of(lmsim::Site& s) {
  return *s.service<lmsim::plant::Plant>("plant.model");
}
}  // namespace

TEST(MeterRealism, CtErrorStaysWithinTheIec61869ClassLimitsOverTheCurrent) {
  // IEC 61869-2 Table 202, typed in from the standard: ratio error limits (+-%) and phase
  // displacement limits (+- minutes) at 5 / 20 / 100 / 120 % of the rated current.
  struct Limits {
    double cls, ratio[4], minutes[4];
  };
  const Limits k05{0.5, {1.5, 0.75, 0.5, 0.5}, {90, 45, 30, 30}};
  const Limits k1{1.0, {3.0, 1.5, 1.0, 1.0}, {180, 90, 60, 60}};
  // Channel L1 class 0.5, channel L2 class 1, both 100 A CTs; the loads step through 5, 20,
  // 100 and 120 A (1150 W ... 27600 W at 230 V) on L1 and L2.
  auto site = elaborate_plant(R"(
site:
  main_fuse: {rating: 160A}
  sensors: {type: ct, rated: 100A, L1: {class: 0.5}, L2: {class: 1}}
  loads:
    - {name: a, phases: L1, power: 1150W, schedule: [{at: 10s, power: 4600W}, {at: 20s, power: 23000W}, {at: 30s, power: 27600W}]}
    - {name: b, phases: L2, power: 1150W, schedule: [{at: 10s, power: 4600W}, {at: 20s, power: 23000W}, {at: 30s, power: 27600W}]}
)");
  Meter m(*site);
  const auto& pl = plant_of(*site);
  double first_err[2] = {0, 0}, rated_err[2] = {0, 0};
  for (int step = 0; step < 4; ++step) {
    run_for(step == 0 ? 5.0 : 10.0);
    for (int c = 0; c < 2; ++c) {
      const Limits& lim = c == 0 ? k05 : k1;
      Complex truth = pl.phase_current(c), meas = m.f().ch[c].i[0];
      double ratio = std::abs(meas) / std::abs(truth) - 1;
      double phase_min = std::arg(meas / truth) * 180 / kPi * 60;
      EXPECT_LE(std::fabs(ratio) * 100, lim.ratio[step] + 1e-9) << "class " << lim.cls << " point " << step;
      EXPECT_LE(std::fabs(phase_min), lim.minutes[step] + 1e-6) << "class " << lim.cls << " point " << step;
      EXPECT_LT(ratio, 0.0);  // reads low: the magnetising current
      EXPECT_GT(phase_min, 0.0);
      if (step == 0) first_err[c] = ratio;
      if (step == 2) rated_err[c] = ratio;
    }
  }
  // The error grows towards low currents like the limits (5 % vs 100 %: 3 times).
  for (int c = 0; c < 2; ++c) EXPECT_NEAR(first_err[c] / rated_err[c], 3.0, 1e-6);
}

TEST(MeterRealism, NoiseIsSeededGaussianAroundTheTrueReading) {
  // 10 A resistive (2300 W at 230 V), 1 % relative noise per reading: over 3000 plant steps the
  // mean is 10 A within 4 sigma/sqrt(n) = 0.0073 A and the standard deviation 0.1 A (+-10 %).
  auto site = elaborate_plant(R"(
site:
  sensors: {noise: 1%}
  loads: [{name: a, phases: L1, power: 2300W}]
)");
  Meter m(*site);
  run_for(0.05);
  std::vector<double> x;
  for (int k = 0; k < 3000; ++k) {
    run_for(0.01);
    x.push_back(std::abs(m.f().ch[0].i[0]));
  }
  double mean = 0, var = 0;
  for (double v : x) mean += v / x.size();
  for (double v : x) var += (v - mean) * (v - mean) / (x.size() - 1);
  EXPECT_NEAR(mean, 10.0, 0.0073);
  EXPECT_NEAR(std::sqrt(var), 0.1, 0.01);
  EXPECT_NEAR(std::abs(plant_of(*site).phase_current(0)), 10.0, 1e-9);  // the plant is not noisy
}

TEST(MeterRealism, QuantisationAndLatency) {
  // 10.04 A (2309.2 W) read in 0.1 A steps is 10.0 A; 230 V in 1 V steps is 230 V. With a
  // 300 ms latency a step at 10 s reaches the meter at 10.3 s, not before.
  auto site = elaborate_plant(R"(
site:
  sensors: {quantisation: 0.1A, voltage_quantisation: 1V, latency: 300ms}
  loads: [{name: a, phases: L1, power: 2309.2W, schedule: [{at: 10s, power: 4600W}]}]
)");
  Meter m(*site);
  run_for(9.0);
  EXPECT_NEAR(std::abs(m.f().ch[0].i[0]), 10.0, 1e-9);
  EXPECT_NEAR(std::abs(m.f().ch[0].v[0]), 230.0, 1e-9);
  run_for(1.29);  // 10.29 s
  EXPECT_NEAR(std::abs(m.f().ch[0].i[0]), 10.0, 1e-9);
  run_for(0.0101);  // 10.3001 s
  EXPECT_NEAR(std::abs(m.f().ch[0].i[0]), 20.0, 1e-9);
}

TEST(MeterRealism, FrequencyIsMeasuredFromTheVoltage) {
  // Grid impedance 0.1 ohm reactive; 100 A resistive on L1 at 10 s turns the building voltage
  // by atan(-10 / 230) = -0.04345 rad (hand calculation: drop jX*I = j10 V). A meter measuring
  // the voltage's phase advance over 200 ms reads 50 - 0.04345 / (2 pi 0.2 s) = 49.965 Hz for
  // that window, then 50 Hz again; the grid's frequency never changed.
  auto site = elaborate_plant(R"(
site:
  main_fuse: {rating: 160A}
  grid: {frequency: 50Hz, impedance: {r: 0Ohm, x: 0.1Ohm}}
  loads: [{name: a, phases: L1, power: 0W, schedule: [{at: 10s, power: 23000W}]}]
)");
  Meter m(*site);
  run_for(5);
  EXPECT_EQ(m.f().frequency, 50.0);
  run_for(5.1);  // 10.1 s
  EXPECT_NEAR(m.f().frequency, 49.965, 0.002);
  run_for(0.15);  // 10.25 s
  EXPECT_EQ(m.f().frequency, 50.0);
  // A frequency change is seen over the measuring window: half way, the mean of both.
  site->registry().write("site.grid.frequency", "49.5Hz");
  run_for(0.1);
  EXPECT_NEAR(m.f().frequency, 49.75, 0.002);
  run_for(0.2);
  EXPECT_NEAR(m.f().frequency, 49.5, 0.0005);
  site->registry().write("site.grid.outage", "true");
  run_for(0.05);
  EXPECT_EQ(m.f().frequency, 0.0);  // no voltage, nothing to measure
}
