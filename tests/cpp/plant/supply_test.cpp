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
  EXPECT_NEAR(knob.value(), 207.0, 1e-9);
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
  EXPECT_LE(off_at, 1.03);  // next plant step + 10 ms brown-out hold
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
