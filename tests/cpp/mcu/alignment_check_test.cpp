// The alignment pre-check's decoder (models/mcu/alignment_check.h). Encodings were produced
// by arm-none-eabi-as -mcpu=cortex-m4 from the assembly in each comment; the expected values
// are worked by hand from the instruction's semantics (ARMv7-M ARM A7): which instructions
// need word alignment (A3.2.1) and each register's value mod 4 after the instructions.
#include "models/mcu/alignment_check.h"

#include <gtest/gtest.h>

using namespace lmsim::mcu::alignment_check;

namespace {
bool is_reg(const Sym& s, int reg, int add) {
  return s.kind == Sym::Reg && s.reg == reg && s.add == add;
}
void step16(Tracker& t, std::uint16_t h, std::uint32_t pc, bool cond = false) {
  t.step(h, 0, false, pc, cond);
}
void step32(Tracker& t, std::uint16_t h1, std::uint16_t h2, std::uint32_t pc) {
  t.step(h1, h2, true, pc, false);
}
}  // namespace

TEST(AlignmentCheck, InstructionsThatNeedWordAlignment) {
  EXPECT_EQ(word_aligned_base(0xE9D2, 0x0101, true), 2);   // ldrd r0, r1, [r2, #4]
  EXPECT_EQ(word_aligned_base(0xC90C, 0, false), 1);       // ldmia r1!, {r2, r3}
  EXPECT_EQ(word_aligned_base(0xE925, 0x0003, true), 5);   // stmdb r5!, {r0, r1}
  EXPECT_EQ(word_aligned_base(0xED91, 0x0A00, true), 1);   // vldr s0, [r1]
  EXPECT_EQ(word_aligned_base(0xB5F0, 0, false), -1);      // push {r4-r7, lr}: SP, B1.4.1
  EXPECT_EQ(word_aligned_base(0xE9DD, 0x0100, true), -1);  // ldrd r0, r1, [sp]
  EXPECT_EQ(word_aligned_base(0xED9F, 0x0A02, true), -1);  // vldr s0, [pc, #8]: literal
  EXPECT_EQ(word_aligned_base(0xF8D1, 0x0004, true), -1);  // ldr.w r0, [r1, #4]: may be unaligned
  EXPECT_EQ(word_aligned_base(0x6801, 0, false), -1);      // ldr r1, [r0]
}

TEST(AlignmentCheck, FollowsRegistersModFour) {
  Tracker t;
  step16(t, 0x3102, 0x00);          // adds r1, #2        r1 = R1 + 2
  step16(t, 0x4603, 0x02);          // mov r3, r0         r3 = R0
  step32(t, 0xF104, 0x0206, 0x06);  // add.w r2, r4, #6   r2 = R4 + 2
  step32(t, 0xF241, 0x2535, 0x0A);  // movw r5, #0x1235   r5 = 1 (mod 4)
  step32(t, 0xF1A7, 0x0701, 0x0E);  // sub.w r7, r7, #1   r7 = R7 + 3
  EXPECT_TRUE(is_reg(t[1], 1, 2));
  EXPECT_TRUE(is_reg(t[3], 0, 0));
  EXPECT_TRUE(is_reg(t[2], 4, 2));
  EXPECT_EQ(t[5].kind, Sym::Const);
  EXPECT_EQ(t[5].add, 1);
  EXPECT_TRUE(is_reg(t[7], 7, 3));
  EXPECT_TRUE(is_reg(t[0], 0, 0)) << "not written";
  // ldr.w r6, [r2], #4: r6 loaded (unknown), r2 post-indexed by 4 (unchanged mod 4).
  step32(t, 0xF852, 0x6B04, 0x12);
  EXPECT_EQ(t[6].kind, Sym::Unknown);
  EXPECT_TRUE(is_reg(t[2], 4, 2));
  // ldr r1, [r0]: unknown.
  step16(t, 0x6801, 0x16);
  EXPECT_EQ(t[1].kind, Sym::Unknown);
  // subw r4, pc, #2 (adr r4, . at 0x36): Align(0x3A, 4) - 2 = 0x36, 2 mod 4.
  step32(t, 0xF2AF, 0x0402, 0x36);
  EXPECT_EQ(t[4].kind, Sym::Const);
  EXPECT_EQ(t[4].add, 2);
  // lsls r2, r0, #2: a multiple of 4.
  step16(t, 0x0082, 0x3A);
  EXPECT_EQ(t[2].kind, Sym::Const);
  EXPECT_EQ(t[2].add, 0);
  // push {r4-r7, lr}: SP - 20, unchanged mod 4.
  step16(t, 0xB5F0, 0x3C);
  EXPECT_TRUE(is_reg(t[13], 13, 0));
}

TEST(AlignmentCheck, ConditionalWritesMakeTheValueUnknown) {
  Tracker t;
  step16(t, 0xBF08, 0x12);        // it eq
  step16(t, 0x3101, 0x14, true);  // addeq r1, #1: may or may not have executed
  EXPECT_EQ(t[1].kind, Sym::Unknown);
  Tracker u;
  step16(u, 0x3100, 0x14, true);  // addeq r1, #0: the same value either way
  EXPECT_TRUE(is_reg(u[1], 1, 0));
}
