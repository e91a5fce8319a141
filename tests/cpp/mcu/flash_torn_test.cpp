// Firmware-level torn flash (firmware/tests/t_torn.cpp): the supply is cut while the firmware
// rewrites its committed record (during the erase, mid-payload, just before and during the
// commit marker); after the power-on reset the firmware must classify the page as torn. The
// torn contents come from the seeded generator: the same seed repeats them, another differs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "mcu_support.h"
#include "models/mcu/flash_ctrl.h"
#include "models/mcu/power_reset.h"
#include "testlib.h"

using namespace lmsim;
using namespace lmsim::mcu;
using namespace lmsim::mcu::testing;

namespace {

enum class Cut { None, Erase, Payload, BeforeMarker, InMarker };
enum Verdict : std::uint32_t { kAbsent = 0, kIntact = 1, kTorn = 2 };

struct TornRun {
  std::uint32_t boot1 = 99, boot2 = 99, boot2_gen = 0;  // verdicts of the first two boots
  std::uint32_t phase_at_cut = 0;                       // t_torn phase just before the cut
  std::uint32_t verdict = 99, gen = 0, digest = 0;      // what the boot after the cut found
};

Time now() {
  return sc_core::sc_time_stamp().value();
}

TornRun torn_run(Cut cut, std::uint64_t seed) {
  auto b = make_bench("t_torn", "", seed);
  Signal* supply = b.site->registry().find("device.supply.voltage");
  if (!supply) throw std::runtime_error("no device.supply.voltage");
  auto phase = [&] { return b.sym("test_result", 4); };
  auto run_until = [&](auto done, Time step, Time limit) {
    for (Time end = now() + limit; !done();) {
      if (now() >= end) throw std::runtime_error("t_torn: timed out");
      b.run(step);
    }
  };
  std::uint32_t phase_before_off = 0;
  auto power_cycle_at = [&](Time off) {  // the supply drops `hold` before the power goes off
    b.run(off - PowerReset::kBrownOutHold - now());
    supply->set(0, now());
    b.run(off - kUs - now());
    phase_before_off = phase();
    b.run(kUs + kMs);
    supply->set(PowerReset::kNominalV, now());
  };
  TornRun r;
  // Boot 1 (erased page): measure the write's timeline, erase start to marker start.
  run_until([&] { return phase() >= 1; }, kUs, 10 * kMs);
  Time erase1 = now();
  r.boot1 = b.sym("test_result", 0);
  run_until([&] { return b.sym("test_result", 3) >= 500; }, 100 * kUs, 100 * kMs);
  run_until([&] { return phase() >= 3; }, kUs, 10 * kMs);
  Time marker_after_erase = now() - erase1;
  run_until([&] { return phase() >= 4; }, 10 * kUs, 10 * kMs);
  // A clean power cycle; boot 2 finds generation 1 and writes generation 2.
  power_cycle_at(now() + PowerReset::kBrownOutHold + kMs);
  double resets = b.signal("device.cpu.resets");
  run_until([&] { return b.signal("device.cpu.resets") > resets; }, 100 * kUs, 100 * kMs);
  run_until([&] { return phase() >= 1; }, kUs, 10 * kMs);
  Time erase2 = now();
  r.boot2 = b.sym("test_result", 0);
  r.boot2_gen = b.sym("test_result", 1);
  Time at = 0;
  switch (cut) {
    case Cut::None: at = erase2 + marker_after_erase + 10 * kMs; break;
    case Cut::Erase: at = erase2 + FlashCtrl::kEraseTime / 2; break;
    case Cut::Payload: at = erase2 + FlashCtrl::kEraseTime + (marker_after_erase - FlashCtrl::kEraseTime) / 2; break;
    case Cut::BeforeMarker: at = erase2 + marker_after_erase - FlashCtrl::kProgramTime / 2; break;
    case Cut::InMarker: at = erase2 + marker_after_erase + FlashCtrl::kProgramTime / 2; break;
  }
  power_cycle_at(at);
  r.phase_at_cut = phase_before_off;
  resets = b.signal("device.cpu.resets");
  run_until([&] { return b.signal("device.cpu.resets") > resets; }, 100 * kUs, 100 * kMs);
  run_until([&] { return phase() >= 1; }, 10 * kUs, 10 * kMs);
  r.verdict = b.sym("test_result", 0);
  r.gen = b.sym("test_result", 1);
  r.digest = b.sym("test_result", 2);
  EXPECT_TRUE(b.site->faults().empty());
  return r;
}

// SystemC elaborates once per process: seeded repeats run in children.
TornRun torn_run_in_child(Cut cut, std::uint64_t seed) {
  int fd[2];
  if (pipe(fd) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    TornRun r = torn_run(cut, seed);
    if (write(fd[1], &r, sizeof r) < 0) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  TornRun r;
  if (read(fd[0], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) r = TornRun{};
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return r;
}

void expect_boots_before_the_cut(const TornRun& r) {
  EXPECT_EQ(r.boot1, kAbsent) << "first boot: erased page";
  EXPECT_EQ(r.boot2, kIntact) << "second boot: generation 1 committed";
  EXPECT_EQ(r.boot2_gen, 1u);
}

}  // namespace

TEST(McuTornFlash, UncutRewriteIsIntact) {
  TornRun r = torn_run(Cut::None, 1);
  expect_boots_before_the_cut(r);
  EXPECT_EQ(r.phase_at_cut, 4u) << "the write had completed";
  EXPECT_EQ(r.verdict, kIntact);
  EXPECT_EQ(r.gen, 2u);
}

TEST(McuTornFlash, CutDuringPayloadIsDetected) {
  TornRun r = torn_run(Cut::Payload, 1);
  expect_boots_before_the_cut(r);
  EXPECT_EQ(r.phase_at_cut, 2u) << "cut while programming the payload";
  EXPECT_EQ(r.verdict, kTorn);
}

TEST(McuTornFlash, CutJustBeforeTheMarkerIsDetected) {
  TornRun r = torn_run(Cut::BeforeMarker, 1);
  expect_boots_before_the_cut(r);
  EXPECT_EQ(r.phase_at_cut, 2u) << "payload and check word written, marker not yet";
  EXPECT_EQ(r.verdict, kTorn);
}

TEST(McuTornFlash, CutDuringTheMarkerIsDetected) {
  TornRun r = torn_run(Cut::InMarker, 1);
  expect_boots_before_the_cut(r);
  EXPECT_EQ(r.phase_at_cut, 3u) << "cut while programming the commit marker";
  EXPECT_EQ(r.verdict, kTorn);
}

TEST(McuTornFlash, CutDuringEraseIsDetectedAndSeeded) {
  TornRun a = torn_run_in_child(Cut::Erase, 1), a2 = torn_run_in_child(Cut::Erase, 1),
          c = torn_run_in_child(Cut::Erase, 2);
  expect_boots_before_the_cut(a);
  EXPECT_EQ(a.phase_at_cut, 1u) << "cut while erasing";
  EXPECT_EQ(a.verdict, kTorn);
  EXPECT_EQ(c.verdict, kTorn);
  EXPECT_EQ(a.digest, a2.digest) << "same seed: same torn page";
  EXPECT_NE(a.digest, c.digest) << "another seed: other cells switched";
}
