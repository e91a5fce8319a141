// End to end with the virtual MCU: the meter firmware reads the AFE through its driver and
// prints what an installer would see; a supply loss resets the device and it boots again.
#include <string>

#include "plant_test_util.h"

using namespace plant_test;

namespace {

std::unique_ptr<lmsim::Site> elaborate_device(const std::string& site_yaml) {
  std::string yaml = "device:\n  firmware: " LMSIM_FIRMWARE_DIR "/meter.elf\n  serial: SE12345678\n" + site_yaml;
  lmsim::YNode root = lmsim::YNode::load_string(yaml, "<test>");
  auto site = std::make_unique<lmsim::Site>(root, "test.yaml", 1);
  lmsim::plant::build(*site, root);
  lmsim::mcu::build(*site, root);
  return site;
}

// The last complete console line starting with `prefix`.
std::string last_line(const std::string& text, const std::string& prefix) {
  std::string found;
  std::size_t pos = 0;
  while ((pos = text.find(prefix, pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      auto end = text.find('\n', pos);
      if (end == std::string::npos) break;
      found = text.substr(pos, end - pos);
    }
    pos += prefix.size();
  }
  return found;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST(MeterFirmware, PrintsPerPhaseValuesAndTheWiringFaults) {
  auto site = elaborate_device(R"(
site:
  sensors: {type: ct, L2: {reversed: true}, L3: {pairs_with: L1}}
  loads: [{name: building, phases: [L1, L2, L3], power: 6900W}]
)");
  run_for(2.5);
  const std::string& tx = site->registry().at("device.uart0.tx").text();
  ASSERT_NE(tx.find("lmsim meter: serial SE12345678"), std::string::npos) << tx;
  std::string l1 = last_line(tx, "L1 "), l2 = last_line(tx, "L2 "), l3 = last_line(tx, "L3 ");
  // 2300 W of the building plus the device's own 3 W supply on L1, downstream of the sensors.
  EXPECT_NE(l1.find("V=230.0 I=10.01 P=2303 "), std::string::npos) << l1;
  EXPECT_NE(l1.find("PF=1.000 ang=0.0"), std::string::npos) << l1;
  EXPECT_NE(l2.find("P=-2300 "), std::string::npos) << l2;    // reversed sensor
  EXPECT_NE(l3.find("ang=-120.0"), std::string::npos) << l3;  // paired with the L1 voltage
  EXPECT_NE(tx.find("f=50.000Hz"), std::string::npos);
}

TEST(MeterFirmware, SupplyLossResetsTheDeviceAndItBootsAgain) {
  auto site = elaborate_device(R"(
site:
  device_supply: {side: behind_rcd}
  loads: [{name: building, phases: [L1, L2, L3], power: 6900W}]
)");
  auto& reg = site->registry();
  run_for(1.5);
  EXPECT_EQ(count(reg.at("device.uart0.tx").text(), "lmsim meter: serial"), 1u);
  reg.write("site.grid.outage", "true");
  run_for(0.5);
  EXPECT_FALSE(reg.at("device.powered").as_bool());
  reg.write("site.grid.outage", "false");
  run_for(1.5);
  EXPECT_TRUE(reg.at("device.powered").as_bool());
  EXPECT_EQ(reg.at("device.reset_cause").render(), "power_on");
  const std::string& tx = reg.at("device.uart0.tx").text();
  EXPECT_EQ(count(tx, "lmsim meter: serial"), 2u) << tx;
  // Printing again after the reboot, with the measurement restarted.
  EXPECT_NE(last_line(tx, "L1 ").find("V=230.0"), std::string::npos);
}
