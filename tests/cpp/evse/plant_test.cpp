// Stations on the real plant: a station draws its EV's current on the grid phases it is wired
// to (rotation), and a grid outage is a power cut for it (reboot when power returns).
#include <gtest/gtest.h>
#include <systemc>

#include "models/evse/station_directory.h"
#include "models/models.h"
#include "sim/site.h"

using namespace lmsim;

TEST(EvsePlant, StationLoadsItsGridPhasesAndRebootsAfterOutage) {
  YNode root = YNode::load_string(R"(
site:
  grid: {voltage: 230V}
  main_fuse: {rating: 63A}
stations:
  - {name: abb, model: abb-terra-ac, phases: [L2, L3, L1], boot_time: 10s}
evs:
  - {name: car, station: abb, phases: 1, max_current: 16A, reaction: 1s}
)",
                                  "plant.yaml");
  Site site(root, "plant.yaml", 1);
  plant::build(site, root);
  evse::build(site, root);
  site.run_start_hooks();
  Registry& r = site.registry();
  sc_core::sc_start(sc_core::sc_time(20, sc_core::SC_SEC));
  EXPECT_NEAR(r.at("station.abb.L2.current").value(), 16, 1e-9);
  EXPECT_NEAR(r.at("site.fuse.L2.current").value(), 16, 0.5);  // station phase 1 is on grid L2
  EXPECT_LT(r.at("site.fuse.L1.current").value(), 0.5);
  EXPECT_NEAR(r.at("station.abb.power").value(), 16 * 230, 16 * 230 * 0.03);
  r.write("site.grid.outage", "true");
  sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_SEC));
  EXPECT_EQ(r.at("station.abb.status").render(), "offline");
  EXPECT_EQ(r.at("station.abb.current").value(), 0);
  r.write("site.grid.outage", "false");
  sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_SEC));
  EXPECT_EQ(r.at("station.abb.status").render(), "booting");
  sc_core::sc_start(sc_core::sc_time(45, sc_core::SC_SEC));  // boot 10 s + the EV's resume delay (10-30 s)
  EXPECT_EQ(r.at("station.abb.status").render(), "charging");
  EXPECT_NEAR(r.at("site.fuse.L2.current").value(), 16, 0.5);
}
