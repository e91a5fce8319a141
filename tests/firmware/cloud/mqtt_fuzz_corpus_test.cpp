// Replays the MQTT fuzz target's seed corpus and regressions (tests/firmware/fuzz/corpus/mqtt,
// regressions/mqtt) through its harness in the normal GCC build, so a crash once found stays
// fixed without clang; the count guards against an empty or misplaced corpus.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz/mqtt_harness.h"

TEST(MqttFuzzCorpus, EverySeedAndRegressionRunsClean) {
  namespace fs = std::filesystem;
  int n = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    fs::path dir = fs::path(LMC_TEST_DATA_DIR) / "fuzz" / kind / "mqtt";
    if (!fs::exists(dir)) continue;
    for (auto& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().filename().string()[0] == '.') continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_EQ(lmc::fuzz::mqtt_stream(b.data(), b.size()), 0) << e.path();
      ++n;
    }
  }
  EXPECT_GE(n, 5);
}
