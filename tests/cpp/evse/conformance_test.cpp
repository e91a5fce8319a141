// Register-level conformance per built-in vendor, generated from the vendor YAML (the maps are
// transcribed from shared/reference/chargers.md): every listed register answers with its size
// at the vendor's unit id and table, its unlisted neighbours answer exception 02, read-only
// registers refuse writes with the vendor's exception, writes outside min/max answer 03,
// writable limits read back word for word (byte and word order), ASCII constants decode to
// their text in the vendor's packing, and unlisted function codes answer 01. One test per
// vendor (each its own process under ctest); the behaviour cases are hand-written elsewhere.
#include "evse_test_util.h"
#include "models/evse/vendor_map.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

namespace {

// Every embedded vendor file by name (no YAML parsing here: this runs during static
// initialisation, before other translation units' statics may exist).
std::vector<std::string> vendor_names() {
  std::vector<std::string> out;
  for (const auto& [name, text] : embedded_vendor_files()) out.push_back(name);
  return out;
}

class EvseConformance : public ::testing::TestWithParam<std::string> {};

std::vector<std::uint16_t> encode_words(const RegDef& r, std::uint32_t code) {
  if (r.words == 1) return {static_cast<std::uint16_t>(code)};
  const auto hi = static_cast<std::uint16_t>(code >> 16), lo = static_cast<std::uint16_t>(code);
  return r.lsw_first ? std::vector<std::uint16_t>{lo, hi} : std::vector<std::uint16_t>{hi, lo};
}

}  // namespace

TEST_P(EvseConformance, RegisterMapAsDocumented) {
  const std::string model = GetParam();
  Bench b("stations:\n  - {name: st, model: " + model + "}\nevs:\n  - {name: car, station: st, phases: 3}\n");
  const VendorMap& vm = b.dir->station("st")->vendor();
  if (!vm.modbus) GTEST_SKIP() << model << " has no local Modbus (cloud-controlled)";
  auto& c = *b.client;
  b.run(lmsim::time_to_seconds(vm.boot_time) + 1);
  const int unit = vm.any_unit ? 1 : vm.unit_ids.front();
  auto read = [&](Table t, int addr, int n) {
    return t == Table::Holding ? c.read_holding("st", addr, n, unit) : c.read_input("st", addr, n, unit);
  };
  int checked = 0;
  for (const RegDef& r : vm.regs) {
    SCOPED_TRACE(model + " " + r.name + " @" + std::to_string(r.addr) + " (" + r.origin + ")");
    if (r.readable && !r.drop_on_read) {
      auto res = read(r.table, r.addr, r.words);
      ASSERT_TRUE(res.ok) << "exception " << res.exception << " no_reply " << res.no_reply << " refused "
                          << res.refused;
      EXPECT_EQ(res.values.size(), r.words);
      if (r.enc == Encoding::Ascii && !r.words_const.empty()) {
        EXPECT_EQ(res.values, r.words_const);
      }
      ++checked;
    }
    // Unlisted neighbours: exception 02 (illegal data address).
    for (int a : {static_cast<int>(r.addr) - 1, static_cast<int>(r.addr) + r.words}) {
      if (a < 0 || a > 0xFFFF || vm.find(r.table, static_cast<std::uint16_t>(a))) continue;
      if (!vm.fc_allowed[r.table == Table::Holding ? 3 : 4]) continue;
      EXPECT_EQ(read(r.table, a, 1).exception, 2) << "unlisted address " << a;
    }
    if (r.table != Table::Holding) continue;
    const int wfc = vm.fc_allowed[16] ? 16 : 6;
    if (r.words > 1 && wfc == 6) continue;  // no FC16: multi-word registers cannot be written
    auto write = [&](const std::vector<std::uint16_t>& w) {
      return wfc == 16 ? c.write_registers("st", r.addr, w, unit) : c.write_register("st", r.addr, w[0], unit);
    };
    if (!r.writable) {
      if (r.enc == Encoding::Raw || r.enc == Encoding::Ascii) continue;
      EXPECT_EQ(write(encode_words(r, 0)).exception, vm.readonly_write_exception);
      continue;
    }
    if (!r.write_fcs.empty() && std::find(r.write_fcs.begin(), r.write_fcs.end(), wfc) == r.write_fcs.end()) continue;
    if (r.max && *r.max < (r.words == 1 ? 65535.0 : 4294967295.0) && r.enc != Encoding::Raw) {
      EXPECT_EQ(write(encode_words(r, static_cast<std::uint32_t>(*r.max) + 1)).exception, 3);
    }
    // Limits read back word for word (10 A in the register's scale).
    if (r.readable && !r.apply_on_restart &&
        (r.bind == Bind::Setpoint || r.bind == Bind::FailsafeCurrent || r.bind == Bind::CommTimeout)) {
      const auto code = static_cast<std::uint32_t>(10 * r.scale);
      if ((r.min && code < *r.min) || (r.max && code > *r.max)) continue;
      auto w = encode_words(r, code);
      ASSERT_TRUE(write(w).ok);
      EXPECT_EQ(read(Table::Holding, r.addr, r.words).values, w);
    }
  }
  EXPECT_GT(checked, 3);
  // Function codes the vendor does not list: exception 01.
  for (int fc : {3, 4, 6, 16}) {
    if (vm.fc_allowed[static_cast<std::size_t>(fc)]) continue;
    std::vector<std::uint8_t> adu = {0, 1, 0, 0, 0, 6, static_cast<std::uint8_t>(unit), static_cast<std::uint8_t>(fc),
                                     0, 0, 0, 1};
    if (fc == 16) adu = {0, 1, 0, 0, 0, 9, static_cast<std::uint8_t>(unit), 16, 0, 0, 0, 1, 2, 0, 0};
    auto rep = c.raw("st", adu);
    ASSERT_EQ(rep.size(), 9u) << "fc " << fc;
    EXPECT_EQ(rep[7], 0x80 | fc);
    EXPECT_EQ(rep[8], 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Vendors, EvseConformance, ::testing::ValuesIn(vendor_names()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });
