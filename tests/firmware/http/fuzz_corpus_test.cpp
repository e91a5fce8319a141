// Replays every seed input (tests/firmware/fuzz/corpus/<target>/) and every input a fuzzer
// found a problem with (tests/firmware/fuzz/regressions/<target>/) through the fuzz harnesses
// in the normal GCC build, so a fixed crash stays fixed without clang. A harness aborts on a
// violated invariant; the count check guards against an empty or misplaced corpus.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/harness.h"

namespace lmc::fuzz {
namespace {

using Harness = int (*)(const std::uint8_t*, std::size_t);

std::size_t replay(const std::string& target, Harness h) {
  std::size_t n = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    const std::filesystem::path dir = std::filesystem::path(LMC_TEST_DATA_DIR) / "fuzz" / kind / target;
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().filename().string()[0] == '.') continue;
      std::ifstream in(e.path(), std::ios::binary);
      const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      SCOPED_TRACE(e.path().string());
      std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
      EXPECT_EQ(h(data.data(), data.size()), 0);
      ++n;
    }
  }
  return n;
}

TEST(FuzzCorpus, ModbusServer) {
  EXPECT_GE(replay("modbus_server", modbus_server), 10U);
}
TEST(FuzzCorpus, ModbusClient) {
  EXPECT_GE(replay("modbus_client", modbus_client), 5U);
}
TEST(FuzzCorpus, HttpRequest) {
  EXPECT_GE(replay("http_request", http_request), 10U);
}
TEST(FuzzCorpus, HttpResponse) {
  EXPECT_GE(replay("http_response", http_response), 6U);
}
TEST(FuzzCorpus, JsonParse) {
  EXPECT_GE(replay("json_parse", json_parse), 10U);
}

}  // namespace
}  // namespace lmc::fuzz
