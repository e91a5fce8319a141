// 32-bit values in two registers. Expected words are hand-computed from IEEE 754 binary32:
//   230.0 = 1.796875 x 2^7: sign 0, exponent 127 + 7 = 134 = 1000 0110b, fraction .110011b
//         -> 0 10000110 1100110 0000... = 0x4366 0000
//   -0.5  = -1.0 x 2^-1: sign 1, exponent 126 = 0111 1110b -> 0xBF00 0000
//   16 A in mA (ABB Terra AC 0x4100, chargers.md §1.2) = 16000 = 0x0000 3E80
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "app/modbus/words.h"

namespace lmc::modbus {
namespace {

TEST(ModbusWords, Float32InBothWordOrders) {
  std::uint16_t r[2];
  put_f32(r, 230.0F, WordOrder::kABCD);
  EXPECT_EQ(r[0], 0x4366);
  EXPECT_EQ(r[1], 0x0000);
  put_f32(r, 230.0F, WordOrder::kCDAB);
  EXPECT_EQ(r[0], 0x0000);
  EXPECT_EQ(r[1], 0x4366);
  const std::uint16_t abcd[] = {0xBF00, 0x0000};
  EXPECT_EQ(get_f32(abcd, WordOrder::kABCD), -0.5F);
  const std::uint16_t cdab[] = {0x0000, 0xBF00};
  EXPECT_EQ(get_f32(cdab, WordOrder::kCDAB), -0.5F);
  const std::uint16_t nan[] = {0x7FC0, 0x0000};  // quiet NaN
  EXPECT_TRUE(std::isnan(get_f32(nan, WordOrder::kABCD)));
}

TEST(ModbusWords, Unsigned32AbbMilliamps) {
  std::uint16_t r[2];
  put_u32(r, 16000, WordOrder::kABCD);
  EXPECT_EQ(r[0], 0x0000);
  EXPECT_EQ(r[1], 0x3E80);
  const std::uint16_t w[] = {0x0001, 0x86A0};  // 100000 = 0x000186A0
  EXPECT_EQ(get_u32(w, WordOrder::kABCD), 100000U);
  const std::uint16_t lsw[] = {0x86A0, 0x0001};  // Weidmueller: low word first
  EXPECT_EQ(get_u32(lsw, WordOrder::kCDAB), 100000U);
}

TEST(ModbusWords, Signed32) {
  std::uint16_t r[2];
  put_i32(r, -2, WordOrder::kABCD);  // two's complement 0xFFFFFFFE
  EXPECT_EQ(r[0], 0xFFFF);
  EXPECT_EQ(r[1], 0xFFFE);
  put_i32(r, -2, WordOrder::kCDAB);
  EXPECT_EQ(r[0], 0xFFFE);
  EXPECT_EQ(get_i32(r, WordOrder::kCDAB), -2);
  const std::uint16_t min[] = {0x8000, 0x0000};
  EXPECT_EQ(get_i32(min, WordOrder::kABCD), INT32_MIN);
}

}  // namespace
}  // namespace lmc::modbus
