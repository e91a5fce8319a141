// The device supply: the plant drives the power controller's `device.supply.voltage`.
#include <vector>

#include "models/mcu/afe.h"
#include "models/mcu/power_reset.h"
#include "plant_test_util.h"

using namespace plant_test;

TEST(DeviceSupply, FollowsGridOutageAndRcdSide) {
  auto site = elaborate_plant(R"(
site:
  device_supply: {side: behind_rcd, phase: L2}
)");
  // Stand-in for the MCU's power controller knob when no device is built.
  auto& knob = site->registry().add_number("device.supply.voltage", "V", 230).as_knob();
  int writes = 0;
  knob.on_write = [&](lmsim::Signal&) { ++writes; };
  run_for(0.1);
  EXPECT_NEAR(knob.value(), 230.0, 1e-9);
  site->registry().write("site.grid.outage", "true");
  run_for(0.1);
  EXPECT_EQ(knob.value(), 0.0);
  EXPECT_GE(writes, 1);
  site->registry().write("site.grid.outage", "false");
  site->registry().write("site.grid.sag", "10%");
  run_for(0.1);
  EXPECT_NEAR(val(*site, "site.device_supply.voltage"), 207.0, 1e-9);
  EXPECT_NEAR(knob.value(), 230.0, 1e-9);  // the wide-range supply still regulates
  site->registry().write("site.grid.sag", "0%");
  site->registry().write("site.rcd.trip", "true");
  run_for(0.1);
  EXPECT_EQ(knob.value(), 0.0);
  EXPECT_TRUE(site->registry().at("site.rcd.tripped").as_bool());
  site->registry().write("site.rcd.reset", "true");
  site->registry().write("site.grid.L2.loss", "true");
  run_for(0.1);
  EXPECT_EQ(knob.value(), 0.0);
  EXPECT_NEAR(val(*site, "site.grid.L1.voltage"), 230.0, 1e-9);
  site->registry().write("site.grid.L2.loss", "false");
  run_for(0.1);
  EXPECT_NEAR(knob.value(), 230.0, 1e-9);
}

TEST(DeviceSupply, OutageBrownsOutThePowerControllerAndPowersOnAfter) {
  // The MCU's power controller and the AFE without a CPU: the device's own wiring (reset of
  // every peripheral on request) is stood in for by the test.
  auto site = elaborate_plant(R"(
site:
  device_supply: {side: behind_rcd}
  loads: [{name: b, phases: [L1, L2, L3], power: 6900W}]
)");
  auto& pwr = site->make<lmsim::mcu::PowerReset>("pwr", *site, nullptr);
  auto& afe = site->make<lmsim::mcu::Afe>("afe", *site, nullptr);
  auto& p1 = site->make<RegPort>("p1");
  auto& p2 = site->make<RegPort>("p2");
  p1.sock.bind(pwr.socket);
  p2.sock.bind(afe.socket);
  std::vector<std::pair<double, lmsim::mcu::ResetCause>> resets;
  pwr.request_reset = [&](lmsim::mcu::ResetCause c) {
    resets.emplace_back(now_s(), c);
    pwr.reset(c);
    afe.reset(c);
  };
  run_for(1.0);
  EXPECT_TRUE(pwr.powered());
  EXPECT_GT(p2.read(lmsim::mcu::Afe::CH_BASE + lmsim::mcu::Afe::IMP_MWH_LO), 0u);
  site->registry().write("site.grid.outage", "true");
  run_for(0.1);
  EXPECT_FALSE(pwr.powered());
  EXPECT_FALSE(site->registry().at("device.powered").as_bool());
  double off_at = lmsim::time_to_seconds(site->registry().at("device.powered").last_change());
  EXPECT_GE(off_at, 1.0);
  EXPECT_LE(off_at, 1.04);  // next plant step + 20 ms supply hold-up + 10 ms brown-out hold
  site->registry().write("site.grid.outage", "false");
  run_for(0.2);
  EXPECT_TRUE(pwr.powered());
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].second, lmsim::mcu::ResetCause::PowerOn);
  EXPECT_GE(resets[0].first, 1.1 + 0.05);  // start-up delay after the supply returned
  EXPECT_EQ(p1.read(lmsim::mcu::PowerReset::RESET_CAUSE), 1u);
  // The AFE starts over: energy counted again from zero after the reset.
  EXPECT_LT(p2.read(lmsim::mcu::Afe::CH_BASE + lmsim::mcu::Afe::IMP_MWH_LO), 2300 * 0.2 / 3.6 * 1.05);
}

namespace {
const char* kDipSite = R"(
site:
  device_supply: {side: behind_rcd, min_input: 85V, hold_up: 20ms}
  loads: [{name: b, phases: [L1, L2, L3], power: 6900W}]
)";
struct Pwr {
  lmsim::mcu::PowerReset* pwr;
  std::vector<double> resets;
  explicit Pwr(lmsim::Site& site) {
    pwr = &site.make<lmsim::mcu::PowerReset>("pwr", site, nullptr);
    auto& port = site.make<RegPort>("p1");
    port.sock.bind(pwr->socket);
    pwr->request_reset = [this](lmsim::mcu::ResetCause c) {
      resets.push_back(now_s());
      pwr->reset(c);
    };
  }
};
}  // namespace

TEST(DeviceSupply, WideRangeSupplyRidesThroughA25PercentDip) {
  // IEC 61000-4-11 style dip: 25 % for 100 ms (172.5 V). The old model browned the device out
  // (180 V threshold); a wide-range supply regulates down to 85 V, so nothing happens.
  auto site = elaborate_plant(kDipSite);
  Pwr p(*site);
  run_for(1.0);
  ASSERT_TRUE(p.pwr->powered());
  site->registry().write("site.grid.sag", "25%");
  run_for(0.1);
  site->registry().write("site.grid.sag", "0%");
  run_for(0.5);
  EXPECT_TRUE(p.pwr->powered());
  EXPECT_TRUE(p.resets.empty());
  EXPECT_EQ(site->registry().at("device.powered").change_count(), 0u);
}

TEST(DeviceSupply, HoldUpBridgesAShortInterruptionButNotALongOne) {
  // Hand calculation: an interruption shorter than the 20 ms hold-up is bridged; a longer one
  // powers the device off 20 ms (hold-up) + 10 ms (the controller's brown-out hold) after it.
  auto site = elaborate_plant(kDipSite);
  Pwr p(*site);
  run_for(1.0);
  site->registry().write("site.grid.outage", "true");
  run_for(0.015);
  site->registry().write("site.grid.outage", "false");
  run_for(0.5);
  EXPECT_TRUE(p.pwr->powered());
  EXPECT_FALSE(site->registry().at("site.device_supply.regulated").change_count() > 2);
  double t0 = now_s();
  site->registry().write("site.grid.outage", "true");
  run_for(0.2);
  EXPECT_FALSE(p.pwr->powered());
  double off_at = lmsim::time_to_seconds(site->registry().at("device.powered").last_change());
  EXPECT_NEAR(off_at - t0, 0.030, 1e-6);
}
