// Vendor maps as data: every built-in map loads, `extends` works, errors name the field.
#include <gtest/gtest.h>

#include "models/evse/vendor_map.h"

using namespace lmsim::evse;

TEST(EvseVendorMap, AllBuiltinMapsLoad) {
  VendorLibrary lib;
  auto names = lib.builtin_names();
  EXPECT_GE(names.size(), 7u);
  for (const auto& n : names) {
    const VendorMap& m = lib.get(n);
    EXPECT_EQ(m.regs.empty(), !m.modbus) << n;  // only cloud stations have no registers
  }
  const VendorMap& abb = lib.get("abb-terra-ac");
  ASSERT_NE(abb.find(Table::Holding, 0x4101), nullptr);
  EXPECT_EQ(abb.find(Table::Holding, 0x4101)->addr, 0x4100);
  EXPECT_EQ(abb.find(Table::Holding, 0x4026), nullptr);
  EXPECT_TRUE(abb.behaviour.unset_fallback_is_error);
  const VendorMap& ebee = lib.get("webasto-live-ebee");
  EXPECT_NE(ebee.find(Table::Holding, 1000), nullptr);  // inherited from the ECU map
  EXPECT_FALSE(ebee.behaviour.dlm_roles);
  EXPECT_TRUE(lib.get("mennekes-amtron-ecu").behaviour.dlm_roles);
  EXPECT_TRUE(lib.get("weidmueller-ac-smart").find(Table::Holding, 406)->lsw_first);
}

TEST(EvseVendorMap, ErrorsNameTheField) {
  VendorLibrary lib;
  auto n = lmsim::YNode::load_string("vendor: x\nregisters:\n  - {addr: 0x10000}\n", "x.yaml");
  try {
    lib.define(n, "x");
    FAIL();
  } catch (const lmsim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("x.yaml:3"), std::string::npos) << e.what();
  }
  // Vendor-named hooks are gone: the old key names its replacement parameters.
  auto q = lmsim::YNode::load_string("vendor: y\nquirks: [unite-zero-reads-six]\n", "y.yaml");
  try {
    lib.define(q, "y");
    FAIL();
  } catch (const lmsim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("y.yaml:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("zero_setpoint"), std::string::npos) << e.what();
  }
  auto bad = lmsim::YNode::load_string("vendor: w\non_lapse: explode\n", "w.yaml");
  EXPECT_THROW(lib.define(bad, "w"), lmsim::InputError);
  auto bad2 = lmsim::YNode::load_string("vendor: v\nconnection: {idle: 5s}\n", "v.yaml");
  EXPECT_THROW(lib.define(bad2, "v"), lmsim::InputError);
  auto cyc = lmsim::YNode::load_string("vendor: z\nextends: z\n", "z.yaml");
  EXPECT_THROW(lib.define(cyc, "z"), lmsim::InputError);
}
