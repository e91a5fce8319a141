// FW-02 on the virtual MCU: the firmware's config store (firmware/app/store, test firmware
// firmware/tests/t_store.cpp) saves version after version while the supply knob
// (device.supply.voltage) is cut at seeded random instants; after every boot the config must be
// exactly the last saved version or the one being written when the power went (the firmware
// compares what it loaded with its own regeneration of that version, field by field).
// Host twin with 1000 cuts: tests/firmware/store/config_store_test.cpp.
#include <gtest/gtest.h>

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

constexpr int kCuts = 60;

}  // namespace

TEST(McuConfigStore, SupplyCutsDuringSavesLeaveOldOrNew) {
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
  int old_kept = 0, new_won = 0;
  std::uint32_t base = r(1);  // the version loaded at this boot (results live in RAM)
  for (int cut = 0; cut < kCuts; ++cut) {
    // Let a few saves happen (each ~65 ms: two 25 ms erases + the payload), then cut.
    Time off = now() + PowerReset::kBrownOutHold + 1 * kMs + rng() % (150 * kMs);
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
    ASSERT_EQ(r(0), 0u) << "cut " << cut << ": a config must load (never defaults)";
    ASSERT_EQ(r(2), 1u) << "cut " << cut << ": the loaded config is not exactly version " << r(1);
    std::uint32_t got = r(1);
    ASSERT_TRUE(got == saved || got == writing)
        << "cut " << cut << ": loaded version " << got << ", saved " << saved << ", writing " << writing;
    (got == saved && writing != saved ? old_kept : new_won)++;
    base = got;
  }
  RecordProperty("old_kept", old_kept);
  RecordProperty("new_won", new_won);
  EXPECT_GT(old_kept, kCuts / 4) << "most cuts fall inside a save";
  EXPECT_TRUE(b.site->faults().empty());
}
