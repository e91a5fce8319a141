// The AFE against the plant: registers cross-checked with numeric integration of the captured
// samples (harmonics and CT errors present), and the wiring faults an installer sees.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "models/mcu/afe.h"
#include "plant_test_util.h"

using lmsim::mcu::Afe;
using namespace plant_test;

namespace {

struct Bench {
  std::unique_ptr<lmsim::Site> site;
  Afe* afe = nullptr;
  RegPort* port = nullptr;
  explicit Bench(const std::string& yaml, std::uint64_t seed = 1) {
    site = elaborate_plant(yaml, seed);
    afe = &site->make<Afe>("afe", *site, nullptr);
    port = &site->make<RegPort>("port");
    port->sock.bind(afe->socket);
  }
  std::uint32_t ch(int c, std::uint32_t off) { return port->read(Afe::CH_BASE + Afe::CH_STRIDE * c + off); }
  std::int32_t chs(int c, std::uint32_t off) { return static_cast<std::int32_t>(ch(c, off)); }
  double p(int c) { return chs(c, Afe::P_MW) / 1e3; }
  double irms(int c) { return ch(c, Afe::IRMS_MA) / 1e3; }
  double vrms(int c) { return ch(c, Afe::VRMS_MV) / 1e3; }
  double angle(int c) { return chs(c, Afe::ANGLE_CDEG) / 100.0; }
};

// Samples interleaved V1 I1 V2 I2 V3 I3 per point, mV and mA.
struct Capture {
  std::vector<std::int32_t> w;
  std::size_t n = 0;
  double v(std::size_t s, int c) const { return w[6 * s + 2 * c] / 1e3; }
  double i(std::size_t s, int c) const { return w[6 * s + 2 * c + 1] / 1e3; }
};

Capture capture(Bench& b, std::uint32_t points, std::uint32_t rate) {
  b.port->write(Afe::CAP_LEN, points);
  b.port->write(Afe::CAP_RATE_HZ, rate);
  b.port->write(Afe::CAP_CTRL, 1);
  EXPECT_TRUE(b.port->read(Afe::STATUS) & Afe::ST_CAP_BUSY);
  run_for(static_cast<double>(points) / rate + 0.01);
  std::uint32_t st = b.port->read(Afe::STATUS);
  EXPECT_TRUE(st & Afe::ST_CAP_DONE);
  EXPECT_FALSE(st & Afe::ST_CAP_BUSY);
  Capture c;
  c.n = points;
  b.port->write(Afe::CAP_INDEX, 0);
  for (std::uint32_t k = 0; k < points * 6; ++k) c.w.push_back(static_cast<std::int32_t>(b.port->read(Afe::CAP_DATA)));
  return c;
}

const char* kHarmonicSite = R"(
site:
  grid: {voltage: 230V, frequency: 50Hz, harmonics: [{order: 5, percent: 4}, {order: 7, percent: 2, angle: 30deg}]}
  sensors: {type: ct, ratio: 2000, phase_error: 0.5deg, amplitude_error: 0.3%}
  loads:
    - {name: drive, phases: [L1, L2, L3], power: 9kW, pf: 0.85,
       harmonics: [{order: 3, percent: 15}, {order: 5, percent: 25}, {order: 7, percent: 12}]}
    - {name: kettle, phases: L1, power: 2kW}
)";

struct GuestRam : lmsim::mcu::GuestMemory {
  std::uint32_t base = 0x20000000;
  std::vector<std::uint8_t> mem = std::vector<std::uint8_t>(64 * 1024);
  bool read(std::uint32_t a, void* d, std::size_t n) override {
    if (a < base || a - base + n > mem.size()) return false;
    std::memcpy(d, &mem[a - base], n);
    return true;
  }
  bool write(std::uint32_t a, const void* s, std::size_t n) override {
    if (a < base || a - base + n > mem.size()) return false;
    std::memcpy(&mem[a - base], s, n);
    return true;
  }
};

}  // namespace

TEST(Afe, RegistersMatchIntegratedSamplesWithHarmonicsAndCtError) {
  Bench b(kHarmonicSite);
  GuestRam ram;
  b.afe->set_guest_memory(&ram);
  run_for(1.0);
  EXPECT_EQ(b.port->read(Afe::ID), Afe::kId);
  b.port->write(Afe::CAP_DMA, ram.base + 0x100);
  // 10 whole cycles at 50 Hz: 1280 points at 6400 Hz.
  Capture c = capture(b, 1280, 6400);
  ASSERT_EQ(c.w.size(), 1280u * 6);
  for (int ch = 0; ch < 3; ++ch) {
    double p = 0, i2 = 0, v2 = 0;
    for (std::size_t s = 0; s < c.n; ++s) {
      p += c.v(s, ch) * c.i(s, ch);
      i2 += c.i(s, ch) * c.i(s, ch);
      v2 += c.v(s, ch) * c.v(s, ch);
    }
    p /= c.n;
    double irms = std::sqrt(i2 / c.n), vrms = std::sqrt(v2 / c.n);
    SCOPED_TRACE("channel " + std::to_string(ch + 1));
    std::printf("ch%d: P reg %.3f W samples %.3f W; Irms reg %.4f A samples %.4f A; Vrms %.3f/%.3f V\n", ch + 1,
                b.p(ch), p, b.irms(ch), irms, b.vrms(ch), vrms);
    EXPECT_NEAR(b.p(ch), p, 0.005 * std::fabs(p));
    EXPECT_NEAR(b.irms(ch), irms, 0.005 * irms);
    EXPECT_NEAR(b.vrms(ch), vrms, 0.005 * vrms);
    EXPECT_GT(vrms, 230.0);  // harmonics add to the RMS
  }
  // Neutral current: the AFE's register against the sample sum i1 + i2 + i3.
  double in2 = 0;
  for (std::size_t s = 0; s < c.n; ++s) {
    double in = c.i(s, 0) + c.i(s, 1) + c.i(s, 2);
    in2 += in * in;
  }
  double in = std::sqrt(in2 / c.n);
  EXPECT_GT(in, 5.0);  // kettle on L1 plus triplen harmonics
  EXPECT_NEAR(b.port->read(Afe::IN_MA) / 1e3, in, 0.005 * in);
  // The sensor's errors show: the AFE's P differs from the true power at the connection.
  double truth = val(*b.site, "site.grid.L1.power");
  EXPECT_GT(std::fabs(b.p(0) - truth) / truth, 0.002);
  EXPECT_LT(std::fabs(b.p(0) - truth) / truth, 0.03);
  // DMA copy equals the register window.
  ASSERT_FALSE(b.port->read(Afe::STATUS) & Afe::ST_CAP_ERR);
  EXPECT_EQ(0, std::memcmp(&ram.mem[0x100], c.w.data(), c.w.size() * 4));
  EXPECT_EQ(b.port->read(Afe::FREQ_MHZ), 50000u);
  EXPECT_EQ((b.port->read(Afe::STATUS) >> Afe::ST_SEQ_SHIFT) & 3u, 1u);
  EXPECT_EQ((b.port->read(Afe::STATUS) >> Afe::ST_VPRESENT_SHIFT) & 7u, 7u);
}

TEST(Afe, WithoutSensorsSectionEachChannelReadsItsOwnPhase) {
  // No `sensors:` section: channel k must clamp phase k and pair with V_k. Hand calculation at
  // 230 V, resistive: 2300/1150/460 W give 10/5/2 A. Neutral = |10 + 5∠-120° + 2∠+120°|
  // = |(10 - 2.5 - 1) + j(-4.330 + 1.732)| = |6.5 - j2.598| = sqrt(42.25 + 6.75) = 7.0 A.
  Bench b(R"(
site:
  loads:
    - {name: a, phases: L1, power: 2300W}
    - {name: b, phases: L2, power: 1150W}
    - {name: c, phases: L3, power: 460W}
)");
  run_for(0.5);
  EXPECT_NEAR(b.irms(0), 10.0, 0.01);
  EXPECT_NEAR(b.irms(1), 5.0, 0.01);
  EXPECT_NEAR(b.irms(2), 2.0, 0.01);
  EXPECT_NEAR(b.p(0), 2300.0, 2.0);
  EXPECT_NEAR(b.p(1), 1150.0, 2.0);
  EXPECT_NEAR(b.p(2), 460.0, 2.0);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(b.angle(c), 0.0, 0.1) << "channel " << c;
  EXPECT_NEAR(b.port->read(Afe::IN_MA) / 1e3, 7.0, 0.02);
}

TEST(Afe, EnergyIsBookedForTheIntervalTheLoadRan) {
  // 2300 W on L1 from 0 to exactly 1.0 s, then off. Hand calculation: 2300 W x 1 s / 3600 =
  // 638.9 mWh. Booking each step at the state after it (the old plant) lost the last 10 ms
  // step: 2300 x 0.99 / 3600 = 632.5 mWh.
  Bench b(R"(
site:
  loads: [{name: a, phases: L1, power: 2300W, schedule: [{at: 1s, on: false}]}]
)");
  run_for(2.0);
  EXPECT_NEAR(b.ch(0, Afe::IMP_MWH_LO), 638.9, 1.0);
}

TEST(Afe, ReversedSensorGivesNegativePower) {
  Bench b(R"(
site:
  sensors: {L1: {reversed: true}}
  loads: [{name: b, phases: [L1, L2, L3], power: 6900W, pf: 0.9}]
)");
  run_for(0.5);
  EXPECT_NEAR(b.p(0), -2300.0, 5.0);
  EXPECT_NEAR(b.p(1), 2300.0, 5.0);
  EXPECT_LT(b.chs(0, Afe::PF_E4), -8900);
  EXPECT_NEAR(std::fabs(b.angle(0)), 180.0 - std::acos(0.9) * 180 / M_PI, 0.1);
  // Fix the wiring through the knob: positive again after the next window.
  b.site->registry().write("site.sensor.L1.reversed", "false");
  run_for(0.5);
  EXPECT_NEAR(b.p(0), 2300.0, 5.0);
}

TEST(Afe, SensorOnWrongPhaseShowsPlusMinus120Degrees) {
  Bench b(R"(
site:
  sensors: {L1: {pairs_with: L2}, L2: {pairs_with: L1}}
  loads: [{name: b, phases: [L1, L2, L3], power: 6900W}]
)");
  run_for(0.5);
  EXPECT_NEAR(b.angle(0), -120.0, 0.5);
  EXPECT_NEAR(b.angle(1), 120.0, 0.5);
  EXPECT_NEAR(b.angle(2), 0.0, 0.5);
  EXPECT_NEAR(b.p(0), -0.5 * 2300, 10.0);  // cos(120 deg): a nonsensical power factor
  EXPECT_NEAR(b.chs(0, Afe::PF_E4), -5000, 20);
  // Voltage inputs swapped: the phase sequence reads reversed.
  EXPECT_EQ((b.port->read(Afe::STATUS) >> Afe::ST_SEQ_SHIFT) & 3u, 2u);
}

TEST(Afe, OpenClampReadsNearZero) {
  Bench b(R"(
site:
  sensors: {type: rogowski, L2: {open: true}}
  loads: [{name: b, phases: [L1, L2, L3], power: 20700W}]
)");
  run_for(0.5);
  EXPECT_NEAR(b.irms(0), 30.0, 0.1);
  EXPECT_LT(b.irms(1), 0.02 * 30.0);
  EXPECT_LT(std::fabs(b.p(1)), 0.02 * 6900);
  // Rogowski integrator: a small phase lead at 50 Hz (0.5 Hz corner -> 0.57 deg).
  EXPECT_NEAR(b.angle(0), -0.573, 0.05);
  b.site->registry().write("site.sensor.L2.open", "false");
  run_for(0.5);
  EXPECT_NEAR(b.irms(1), 30.0, 0.1);
}

TEST(Afe, PvExportIsNegativeAndCountsExportEnergy) {
  Bench b(R"(
start: "2026-06-21T11:00"
site:
  pv: [{name: roof, peak: 10kW, phases: [L1, L2, L3]}]
  loads: [{name: b, phases: [L1, L2, L3], power: 1500W}]
)");
  b.port->write(Afe::WINDOW_MS, 1000);
  run_for(10.5);
  double pv = val(*b.site, "site.pv.roof.power");
  EXPECT_GT(pv, 8000.0);
  EXPECT_LT(val(*b.site, "site.power"), -6000.0);
  EXPECT_NEAR(val(*b.site, "site.power"), 1500 - pv, 1.0);
  for (int c = 0; c < 3; ++c) {
    EXPECT_LT(b.p(c), -2000.0);
    EXPECT_EQ(b.ch(c, Afe::IMP_MWH_LO), 0u);
  }
  // 10 s of export at (pv - 1500) / 3 per channel, counted in whole windows so far.
  double exp_mwh = b.ch(0, Afe::EXP_MWH_LO);
  double expect = (pv - 1500) / 3 * 10.5 / 3.6;
  EXPECT_NEAR(exp_mwh, expect, 0.03 * expect);
  EXPECT_EQ(b.port->read(Afe::EXP_MWH_HI + Afe::CH_BASE), 0u);
}

TEST(Afe, DataReadyInterruptAndWindow) {
  Bench b(R"(
site:
  loads: [{name: b, phases: [L1, L2, L3], power: 3kW}]
)");
  int rises = 0;
  b.afe->irq.sink = [&](bool l) { rises += l ? 1 : 0; };
  b.port->write(Afe::WINDOW_MS, 100);
  b.port->write(Afe::IRQ_EN, Afe::ST_DRDY);
  run_for(1.0);
  // 10 windows of 100 ms (the first evaluation at t = 0 has no length).
  EXPECT_NEAR(b.port->read(Afe::WINDOWS), 10u, 1u);
  EXPECT_EQ(rises, 1);  // level stays high until cleared
  b.port->write(Afe::STATUS, Afe::ST_DRDY);
  EXPECT_FALSE(b.afe->irq.level);
  run_for(0.15);
  EXPECT_TRUE(b.afe->irq.level);
  EXPECT_EQ(rises, 2);
  b.port->write(Afe::CTRL, 0);  // disabled: no more windows
  std::uint32_t w = b.port->read(Afe::WINDOWS);
  run_for(0.5);
  EXPECT_EQ(b.port->read(Afe::WINDOWS), w);
  std::uint32_t bad = 0;
  EXPECT_FALSE(b.port->access(0x7F0, bad, false));  // unmapped offset -> bus error
}

TEST(Afe, SaturatedCtReadsLowOnlyAboveItsKnee) {
  Bench b(R"(
site:
  sensors: {type: ct, saturation: 100A}
  loads:
    - {name: big, phases: L1, power: 46kW}
    - {name: small, phases: L2, power: 4600W}
)");
  run_for(0.5);
  EXPECT_NEAR(b.irms(1), 20.0, 0.001);  // far below the knee: linear
  EXPECT_LT(b.irms(0), 100.0);          // 200 A primary: the output flattens at the knee
  EXPECT_GT(b.irms(0), 90.0);
  EXPECT_NEAR(val(*b.site, "site.grid.L1.current"), 200.0, 1e-9);  // the conductor carries it all
}
