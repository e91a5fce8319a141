// FW-02 on the virtual MCU: the firmware's config store (firmware/app/store, test firmware
// firmware/tests/t_store.cpp) saves version after version while the supply knob
// (device.supply.voltage) is cut at seeded random instants; after every boot the config must be
// exactly the last saved version or the one being written when the power went (the firmware
// compares what it loaded with its own regeneration of that version, field by field).
// One device (one loaded image) takes every cut. CI runs kShortCuts; the ctest
// McuConfigStore.ThousandSupplyCuts (label `long`) runs 1,000 through LMSIM_CONFIG_CUTS.
// Host twin with 1000 cuts: tests/firmware/store/config_store_test.cpp.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "mcu_support.h"
#include "models/mcu/power_reset.h"
#include "testlib.h"

using namespace lmsim;
using namespace lmsim::mcu;
using namespace lmsim::mcu::testing;

namespace {

Time now() {
  return sc_core::sc_time_stamp().value();
}

constexpr int kShortCuts = 40;

int cut_count() {
  const char* env = std::getenv("LMSIM_CONFIG_CUTS");
  if (!env || !*env) return kShortCuts;
  char* end = nullptr;
  long n = std::strtol(env, &end, 10);
  if (*end || n < 1 || n > 100000)
    throw std::invalid_argument("LMSIM_CONFIG_CUTS: a count 1..100000, got " + std::string(env));
  return static_cast<int>(n);
}

}  // namespace

TEST(McuConfigStore, SupplyCutsDuringSavesLeaveOldOrNew) {
  const int cuts = cut_count();
  std::clock_t cpu0 = std::clock();
  auto b = make_bench("t_store", "", 3);
  Signal* supply = b.site->registry().find("device.supply.voltage");
  ASSERT_NE(supply, nullptr);
  auto r = [&](unsigned i) { return b.sym("test_result", i); };
  auto wait_boot = [&] {
    for (Time end = now() + 500 * kMs; b.sym("test_done") != kTestDone;) {
      if (now() >= end) throw std::runtime_error("t_store: no boot");
      b.run(100 * kUs);
    }
  };
  wait_boot();
  EXPECT_EQ(r(0), 1u) << "first boot: empty flash";
  EXPECT_EQ(r(2), 1u) << "defaults";
  std::mt19937_64 rng(77);
  int old_kept = 0, new_won = 0, corrupt = 0;
  std::uint32_t base = r(1);  // the version loaded at this boot (results live in RAM)
  for (int cut = 0; cut < cuts; ++cut) {
    // A save takes ~55 ms (two 25 ms erases + the payload) and starts right after the boot:
    // cut at a seeded random instant within the first two saves.
    Time off = now() + PowerReset::kBrownOutHold + 1 * kMs + rng() % (110 * kMs);
    b.run(off - PowerReset::kBrownOutHold - now());
    supply->set(0, now());
    b.run(off - kUs - now());
    std::uint32_t saved = r(4) ? r(4) : base, writing = r(3) ? r(3) : base;
    b.run(kUs + kMs);
    supply->set(PowerReset::kNominalV, now());
    double resets = b.signal("device.cpu.resets");
    for (Time end = now() + 200 * kMs; b.signal("device.cpu.resets") <= resets;) {
      ASSERT_LT(now(), end) << "no power-on reset";
      b.run(100 * kUs);
    }
    wait_boot();
    std::uint32_t got = r(1);
    bool ok = r(0) == 0 && r(2) == 1 && (got == saved || got == writing);
    EXPECT_TRUE(ok) << "cut " << cut << ": load result " << r(0) << " (0: loaded, never defaults), version " << got
                    << (r(2) == 1 ? "" : " not exactly that version") << ", saved " << saved << ", writing " << writing;
    if (!ok)
      ++corrupt;
    else
      (got == saved && writing != saved ? old_kept : new_won)++;
    base = got;
  }
  double cpu_s = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  RecordProperty("cuts", cuts);
  RecordProperty("old_kept", old_kept);
  RecordProperty("new_won", new_won);
  RecordProperty("corrupt", corrupt);
  std::fprintf(stderr, "config cuts: %d, old kept %d, new won %d, corrupt %d; %.1f simulated s, %.1f CPU s\n", cuts,
               old_kept, new_won, corrupt, static_cast<double>(now()) / kSec, cpu_s);
  EXPECT_EQ(corrupt, 0);
  EXPECT_GT(old_kept, cuts / 4) << "most cuts fall inside a save";
  EXPECT_TRUE(b.site->faults().empty());
}
