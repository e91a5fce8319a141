// Provisioning (models/mcu/provisioning.*): `device.config:` becomes the page a flashing tool
// would write; the firmware (firmware/tests/t_store.cpp built as t_provision, using the
// application's store) imports it at boot and logs every line it refuses.
#include "models/mcu/provisioning.h"

#include <gtest/gtest.h>

#include "mcu_support.h"
#include "testlib.h"

using namespace lmsim;
using namespace lmsim::mcu;
using namespace lmsim::mcu::testing;

namespace {

std::string page_of(const std::string& yaml) {
  YNode root = YNode::load_string(yaml, "scn.yaml");
  return provisioning_page(root["device"]["config"], root.get("stations"));
}

std::string error_of(const std::string& yaml) {
  try {
    page_of(yaml);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// The page for the scenario stations of scenarios/demo.yaml, written out by hand from
// docs/stations.md (phases = grid phase of station phase 1, 2, 3) and the format of
// docs/firmware.md; the crc is the CRC-32 of everything before its line (checked with
// python3 -c "import zlib; print(hex(zlib.crc32(open('p','rb').read())))").
TEST(McuProvisioning, FromScenarioWritesWhatAnInstallerWouldType) {
  std::string p = page_of(
      "device:\n"
      "  config:\n"
      "    lm.fuse: 40 A\n"
      "    stations: from_scenario\n"
      "    station.2.max_current: 20 A\n"
      "stations:\n"
      "  - {name: abb1, model: abb-terra-ac, phases: [L1, L2, L3], ip: 192.168.1.60}\n"
      "  - {name: amtron1, model: mennekes-amtron-ecu, phases: [L2, L3, L1], ip: 192.168.1.61}\n"
      "  - {name: one, model: webasto-live-tq, phases: [L3], port: 503, unit_id: 7}\n");
  std::string body =
      "lmc-provision 1\n"
      "lm.fuse=40 A\n"
      "station.1.driver=abb_terra_ac\n"
      "station.1.name=abb1\n"
      "station.1.ip=192.168.1.60\n"
      "station.1.rotation=L1-L2-L3\n"
      "station.1.phases=3\n"
      "station.2.driver=mennekes_amtron\n"
      "station.2.name=amtron1\n"
      "station.2.ip=192.168.1.61\n"
      "station.2.rotation=L2-L3-L1\n"
      "station.2.phases=3\n"
      "station.3.driver=webasto_tq\n"
      "station.3.name=one\n"
      "station.3.port=503\n"
      "station.3.ip=192.168.1.52\n"
      "station.3.unit_id=7\n"
      "station.3.rotation=L3-L1-L2\n"
      "station.3.phases=1\n"
      "station.2.max_current=20 A\n";
  ASSERT_EQ(p.substr(0, body.size()), body);
  EXPECT_EQ(p.substr(body.size()), "crc=0BD39321\n");
}

TEST(McuProvisioning, UnknownKeysAreInputErrorsNamingTheLine) {
  std::string e = error_of("device:\n  config:\n    lm.fuse: 40\n    lm.fuze: 40\n");
  EXPECT_NE(e.find("scn.yaml:4"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown setting 'lm.fuze'"), std::string::npos) << e;
  e = error_of("device:\n  config:\n    station.51.driver: generic\n");
  EXPECT_NE(e.find("scn.yaml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("1..50"), std::string::npos) << e;
  e = error_of("device:\n  config:\n    station.1.colour: red\n");
  EXPECT_NE(e.find("unknown station field 'colour'"), std::string::npos) << e;
  e = error_of("device:\n  config:\n    sys.provision_crc: 5\n");
  EXPECT_NE(e.find("cannot be provisioned"), std::string::npos) << e;
  e = error_of("device:\n  config:\n    stations: from_scenario\n");
  EXPECT_NE(e.find("needs a top-level stations"), std::string::npos) << e;
  e = error_of(
      "device:\n  config:\n    stations: from_scenario\nstations:\n"
      "  - {name: n1, model: acme-x1}\n");  // a model the controller has no driver for
  EXPECT_NE(e.find("scn.yaml:5"), std::string::npos) << e;
  EXPECT_NE(e.find("no controller driver"), std::string::npos) << e;
  e = error_of("device:\n  config:\n    lm.fuse: [40]\n");
  EXPECT_NE(e.find("scn.yaml:3"), std::string::npos) << e;
}

// End to end: the firmware imports the page at boot, logs the refused lines with their numbers
// (line 1 is the header) and saves the rest; the next boot finds the same page and keeps it.
TEST(McuProvisioning, FirmwareImportsThePageAndLogsRejectedLines) {
  auto b = make_bench("t_provision", "  config:\n    lm.fuse: 40 A\n    ext.timeout: 5 s\n    ripple.mapping: no\n");
  for (int i = 0; i < 2000 && b.sym("test_done") != kTestDone; ++i) b.run(100 * kUs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  b.run(20 * kMs);  // UART drain
  EXPECT_EQ(b.sym("test_result", 6), 2u) << "imported";
  EXPECT_EQ(b.sym("test_result", 7), 2u) << "accepted";
  EXPECT_EQ(b.sym("test_result", 8), 1u) << "rejected";
  EXPECT_EQ(b.sym("test_result", 9), 40u) << "lm.fuse";
  std::string u = b.uart();
  EXPECT_NE(u.find("lmc: config reject line=3 key=ext.timeout reason=out_of_range"), std::string::npos) << u;
  EXPECT_NE(u.find("lmc: config provisioned crc="), std::string::npos) << u;
}
