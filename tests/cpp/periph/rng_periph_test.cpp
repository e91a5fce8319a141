#include "models/mcu/rng_periph.h"

#include <gtest/gtest.h>

#include <set>

#include "periph_harness.h"

using namespace periph_test;
using lmsim::kUs;

namespace {
std::vector<std::uint32_t> draw(Initiator& bus, int n) {
  std::vector<std::uint32_t> v;
  for (int i = 0; i < n; ++i) {
    while (!(bus.rd(RngPeriph::STATUS) & RngPeriph::READY)) run_until(now() + 1 * kUs);
    v.push_back(bus.rd(RngPeriph::DATA));
  }
  return v;
}
}  // namespace

TEST(RngPeriph, RepeatsForSeedDiffersForAnother) {
  auto s1 = make_site("device: {}", 7), s2 = make_site("device: {}", 7), s3 = make_site("device: {}", 8);
  RngPeriph r1("rng1", *s1, nullptr), r2("rng2", *s2, nullptr), r3("rng3", *s3, nullptr);
  Initiator b1("b1", r1), b2("b2", r2), b3("b3", r3);
  auto v1 = draw(b1, 64), v2 = draw(b2, 64), v3 = draw(b3, 64);
  EXPECT_EQ(v1, v2);
  EXPECT_NE(v1, v3);
  EXPECT_GT(std::set<std::uint32_t>(v1.begin(), v1.end()).size(), 60u);
}

TEST(RngPeriph, ReadyFlagTimingAndIrq) {
  auto site = make_site();
  RngPeriph rng("rng", *site, nullptr);
  Initiator bus("bus", rng);
  IrqProbe irq;
  irq.attach(rng.irq);
  EXPECT_EQ(bus.rd(RngPeriph::CTRL), RngPeriph::CTRL_EN);
  run_until(10 * kUs);
  EXPECT_EQ(bus.rd(RngPeriph::STATUS), RngPeriph::READY);
  bus.wr(RngPeriph::CTRL, RngPeriph::CTRL_EN | RngPeriph::CTRL_IE);
  EXPECT_TRUE(irq.level);
  bus.rd(RngPeriph::DATA);
  EXPECT_FALSE(irq.level);
  EXPECT_EQ(bus.rd(RngPeriph::STATUS), 0u);
  EXPECT_EQ(bus.rd(RngPeriph::DATA), 0u);  // not ready: reads 0
  EXPECT_EQ(bus.rd(RngPeriph::STATUS, 1 * kUs - 1), 0u);
  EXPECT_EQ(bus.rd(RngPeriph::STATUS, 1 * kUs), RngPeriph::READY);
  run_until(now() + 1 * kUs);
  EXPECT_TRUE(irq.level);
  bus.wr(RngPeriph::DATA, 1);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bus.wr(RngPeriph::CTRL, 0);  // disabled: never ready
  EXPECT_FALSE(irq.level);
  run_until(now() + 5 * kUs);
  EXPECT_EQ(bus.rd(RngPeriph::STATUS), 0u);
}
