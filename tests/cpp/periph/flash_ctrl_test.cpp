#include "models/mcu/flash_ctrl.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "periph_harness.h"

using namespace periph_test;
using lmsim::kMs;
using lmsim::kUs;

namespace {
constexpr std::uint32_t kSize = 64 * 1024;

std::uint32_t word(const std::vector<std::uint8_t>& m, std::uint32_t a) {
  std::uint32_t w;
  std::memcpy(&w, m.data() + a, 4);
  return w;
}

// Waits like firmware: poll STATUS until BUSY clears.
void wait_idle(Initiator& bus) {
  while (bus.rd(FlashCtrl::STATUS) & FlashCtrl::BUSY) run_until(now() + 10 * kUs);
}

struct Rig {
  std::unique_ptr<lmsim::Site> site;
  FlashCtrl* fc;
  Initiator* bus;
  std::vector<std::uint8_t> mem = std::vector<std::uint8_t>(kSize, 0x00);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> invalidated;
  Rig(const char* name, std::uint64_t seed) : site(make_site("device: {}", seed)) {
    fc = &site->make<FlashCtrl>((std::string(name) + "_fc").c_str(), *site, device_cfg(*site));
    bus = &site->make<Initiator>((std::string(name) + "_bus").c_str(), *fc);
    fc->attach_flash(mem.data(), 0, kSize);
    fc->invalidate = [this](std::uint32_t a, std::uint32_t n) { invalidated.emplace_back(a, n); };
  }
  // Starts an erase of `page` and cuts the power at `frac` of its duration.
  void erase_cut(std::uint32_t page, double frac) {
    bus->wr(FlashCtrl::ADDR, page);
    bus->wr(FlashCtrl::CMD, FlashCtrl::kCmdErase);
    Time t0 = now();
    run_until(t0 + static_cast<Time>(frac * static_cast<double>(FlashCtrl::kEraseTime)));
    fc->power_cut(now());
    fc->reset(ResetCause::PowerOn);
  }
  void program_cut(std::uint32_t addr, std::uint32_t data, double frac) {
    bus->wr(FlashCtrl::ADDR, addr);
    bus->wr(FlashCtrl::DATA, data);
    bus->wr(FlashCtrl::CMD, FlashCtrl::kCmdProgram);
    Time t0 = now();
    run_until(t0 + static_cast<Time>(frac * static_cast<double>(FlashCtrl::kProgramTime)));
    fc->power_cut(now());
    fc->reset(ResetCause::PowerOn);
  }
  int ones(std::uint32_t page) const {
    int n = 0;
    for (std::uint32_t a = page; a < page + FlashCtrl::kPageSize; a += 4) n += std::popcount(word(mem, a));
    return n;
  }
};
}  // namespace

TEST(FlashCtrl, EraseAndProgramTimingBusyAndDoneIrq) {
  Rig r("a", 1);
  Initiator& bus = *r.bus;
  IrqProbe irq;
  irq.attach(r.fc->irq);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), 0u);
  EXPECT_EQ(bus.rd(FlashCtrl::PAGE_SIZE), 4096u);
  EXPECT_EQ(bus.rd(FlashCtrl::SIZE), kSize);
  EXPECT_EQ(bus.rd(FlashCtrl::DATA), 0xFFFFFFFFu);
  bus.wr(FlashCtrl::IE, FlashCtrl::DONE);
  run_until(1 * kMs);
  bus.wr(FlashCtrl::ADDR, 0x1234);  // any address inside the page
  bus.wr(FlashCtrl::CMD, FlashCtrl::kCmdErase);
  Time t0 = now();
  auto& busy = r.site->registry().at("device.flash.busy");
  EXPECT_TRUE(busy.as_bool());
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), FlashCtrl::BUSY);
  run_until(t0 + FlashCtrl::kEraseTime - 1);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), FlashCtrl::BUSY);
  EXPECT_EQ(word(r.mem, 0x1000), 0u);  // not yet erased
  run_until(t0 + FlashCtrl::kEraseTime);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), FlashCtrl::DONE);
  EXPECT_FALSE(busy.as_bool());
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(irq.edges.back().first, t0 + FlashCtrl::kEraseTime);
  for (std::uint32_t a = 0x1000; a < 0x2000; a += 4) ASSERT_EQ(word(r.mem, a), 0xFFFFFFFFu);
  EXPECT_EQ(word(r.mem, 0x0FFC), 0u);
  EXPECT_EQ(word(r.mem, 0x2000), 0u);
  ASSERT_EQ(r.invalidated.size(), 1u);
  EXPECT_EQ(r.invalidated[0], std::make_pair(0x1000u, 4096u));
  bus.wr(FlashCtrl::STATUS, FlashCtrl::DONE);
  EXPECT_FALSE(irq.level);
  // Program one word: 50 us. A CPU running ahead sees the result at its own access time.
  bus.wr(FlashCtrl::ADDR, 0x1004);
  bus.wr(FlashCtrl::DATA, 0x12345678);
  bus.wr(FlashCtrl::CMD, FlashCtrl::kCmdProgram);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS, FlashCtrl::kProgramTime - 1), FlashCtrl::BUSY);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS, FlashCtrl::kProgramTime), FlashCtrl::DONE);
  EXPECT_EQ(word(r.mem, 0x1004), 0x12345678u);
  EXPECT_EQ(r.site->registry().at("device.flash.programs").value(), 1.0);
  EXPECT_EQ(r.site->registry().at("device.flash.erases").value(), 1.0);
}

TEST(FlashCtrl, NorSemanticsAndErrors) {
  Rig r("a", 1);
  Initiator& bus = *r.bus;
  std::memset(r.mem.data(), 0xFF, kSize);
  auto program = [&](std::uint32_t a, std::uint32_t d) {
    bus.wr(FlashCtrl::ADDR, a);
    bus.wr(FlashCtrl::DATA, d);
    bus.wr(FlashCtrl::CMD, FlashCtrl::kCmdProgram);
    wait_idle(bus);
  };
  program(0x100, 0xFF00FF00);
  program(0x100, 0x0F0F0F0F);  // programming only clears bits
  EXPECT_EQ(word(r.mem, 0x100), 0x0F000F00u);
  // Commands while busy are refused with ERR_BUSY; the running erase is unaffected.
  bus.wr(FlashCtrl::STATUS, 0xFF);
  bus.wr(FlashCtrl::ADDR, 0x3000);
  bus.wr(FlashCtrl::CMD, FlashCtrl::kCmdErase);
  bus.wr(FlashCtrl::ADDR, 0x100);
  bus.wr(FlashCtrl::DATA, 0);
  bus.wr(FlashCtrl::CMD, FlashCtrl::kCmdProgram);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), FlashCtrl::BUSY | FlashCtrl::ERR_BUSY);
  IrqProbe irq;
  irq.attach(r.fc->irq);
  bus.wr(FlashCtrl::IE, FlashCtrl::ERR_BUSY);
  EXPECT_TRUE(irq.level);
  bus.wr(FlashCtrl::IE, 0);
  wait_idle(bus);
  EXPECT_EQ(word(r.mem, 0x100), 0x0F000F00u);
  EXPECT_EQ(bus.rd(FlashCtrl::ADDR), 0x3000u);  // the refused write did not land
  bus.wr(FlashCtrl::STATUS, 0xFF);
  // Wrong key, misaligned and out-of-range addresses.
  bus.wr(FlashCtrl::CMD, 0x00000001);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), FlashCtrl::ERR_KEY);
  bus.wr(FlashCtrl::STATUS, 0xFF);
  bus.wr(FlashCtrl::ADDR, 0x102);
  bus.wr(FlashCtrl::CMD, FlashCtrl::kCmdProgram);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), FlashCtrl::ERR_ADDR);
  bus.wr(FlashCtrl::STATUS, 0xFF);
  bus.wr(FlashCtrl::ADDR, kSize);
  bus.wr(FlashCtrl::CMD, FlashCtrl::kCmdErase);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), FlashCtrl::ERR_ADDR);
  bus.wr(FlashCtrl::CMD + 0x100, 0);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bus.rd(FlashCtrl::CMD);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

namespace {
// Torn states after cuts at 10 %, 50 % and 90 % of an erase and of a program.
struct Torn {
  std::vector<std::uint8_t> mem;
  int ones[3];
  std::uint32_t prog[3];
};
Torn torn_run(Rig& r) {
  Torn t;
  for (int i = 0; i < 3; ++i) {
    r.erase_cut(0x4000 + 0x1000 * i, 0.1 + 0.4 * i);
    t.ones[i] = r.ones(0x4000 + 0x1000 * i);
  }
  for (int i = 0; i < 3; ++i) {
    std::uint32_t a = 0x8000 + 4 * i;
    std::memset(r.mem.data() + a, 0xFF, 4);
    r.program_cut(a, 0x00000000, 0.1 + 0.4 * i);
    t.prog[i] = word(r.mem, a);
  }
  t.mem = r.mem;
  return t;
}
}  // namespace

TEST(FlashCtrl, PowerCutLeavesSeededTornState) {
  // Three sites in one elaboration: two with the same seed, one with another.
  Rig a("a", 1), b("b", 1), c("c", 2);
  run_until(1 * kMs);
  Torn ta = torn_run(a), tb = torn_run(b), tc = torn_run(c);
  constexpr int kBits = 4096 * 8;
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_GT(ta.ones[i], 0);      // partly erased...
    EXPECT_LT(ta.ones[i], kBits);  // ...not completely
  }
  // Programming 0xFFFFFFFF -> 0: about 10 %, 50 %, 90 % of the bits cleared.
  EXPECT_GT(std::popcount(ta.prog[0]), std::popcount(ta.prog[1]));
  EXPECT_GT(std::popcount(ta.prog[1]), std::popcount(ta.prog[2]));
  EXPECT_NE(ta.prog[1], 0xFFFFFFFFu);
  EXPECT_NE(ta.prog[1], 0u);
  // The fraction of erased cells follows the cut point (binomial, 32768 cells).
  EXPECT_NEAR(ta.ones[0] / double(kBits), 0.1, 0.02);
  EXPECT_NEAR(ta.ones[1] / double(kBits), 0.5, 0.02);
  EXPECT_NEAR(ta.ones[2] / double(kBits), 0.9, 0.02);
  // Repeatable for a seed, different for another.
  EXPECT_EQ(ta.mem, tb.mem);
  EXPECT_NE(ta.mem, tc.mem);
  // The cut operation did not complete later, and the torn range was invalidated.
  run_until(now() + 100 * kMs);
  EXPECT_EQ(a.mem, ta.mem);
  EXPECT_EQ(a.site->registry().at("device.flash.erases").value(), 0.0);
  EXPECT_FALSE(a.fc->busy());
  ASSERT_GE(a.invalidated.size(), 6u);
  EXPECT_EQ(a.invalidated[0], std::make_pair(0x4000u, 4096u));
}

TEST(FlashCtrl, SystemResetDoesNotAbortOperation) {
  Rig r("a", 1);
  Initiator& bus = *r.bus;
  bus.wr(FlashCtrl::ADDR, 0x2000);
  bus.wr(FlashCtrl::CMD, FlashCtrl::kCmdErase);
  run_until(5 * kMs);
  r.fc->reset(ResetCause::Watchdog);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), FlashCtrl::BUSY);
  run_until(30 * kMs);
  EXPECT_EQ(bus.rd(FlashCtrl::STATUS), 0u);  // no DONE for the pre-reset operation
  EXPECT_EQ(word(r.mem, 0x2000), 0xFFFFFFFFu);
}
