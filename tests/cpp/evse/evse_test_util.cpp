#include "evse_test_util.h"

namespace lmsim::evse::test {

Bench::Bench(const std::string& yaml, std::uint64_t seed) {
  YNode root = YNode::load_string(yaml, "test.yaml");
  site = std::make_unique<Site>(root, "test.yaml", seed);
  evse::build(*site, root);
  dir = site->service<StationDirectory>("stations");
  client = std::make_unique<ModbusClient>(*dir);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

void Bench::run(double seconds) {
  sc_core::sc_start(sc_core::sc_time(seconds, sc_core::SC_SEC));
}

}  // namespace lmsim::evse::test

// libsystemc references sc_main; these tests have gtest's main().
int sc_main(int, char**) {
  return 0;
}
