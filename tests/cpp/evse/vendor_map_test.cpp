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
  EXPECT_TRUE(abb.has(Quirk::AbbErrorWithoutFallback));
  const VendorMap& ebee = lib.get("webasto-live-ebee");
  EXPECT_NE(ebee.find(Table::Holding, 1000), nullptr);  // inherited from the ECU map
  EXPECT_FALSE(ebee.has(Quirk::EcuDlmMode));
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
  auto q = lmsim::YNode::load_string("vendor: y\nquirks: [teleport]\n", "y.yaml");
  EXPECT_THROW(lib.define(q, "y"), lmsim::InputError);
  auto cyc = lmsim::YNode::load_string("vendor: z\nextends: z\n", "z.yaml");
  EXPECT_THROW(lib.define(cyc, "z"), lmsim::InputError);
}
