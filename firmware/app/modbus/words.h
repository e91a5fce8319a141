// 32-bit values in two Modbus registers. Modbus defines only 16-bit registers; devices choose
// the order of the two words: "ABCD" = high word first (big-endian, Clemap :5020, ABB Terra AC,
// MENNEKES), "CDAB" = low word first (Weidmueller AC SMART). Bytes within a word are always
// big-endian on the wire, so only the word order varies.
#pragma once
#include <bit>
#include <cstdint>

namespace lmc::modbus {

enum class WordOrder : std::uint8_t { kABCD, kCDAB };

inline std::uint32_t get_u32(const std::uint16_t* regs, WordOrder order) {
  const std::uint32_t hi = order == WordOrder::kABCD ? regs[0] : regs[1];
  const std::uint32_t lo = order == WordOrder::kABCD ? regs[1] : regs[0];
  return (hi << 16) | lo;
}
inline std::int32_t get_i32(const std::uint16_t* regs, WordOrder order) {
  return static_cast<std::int32_t>(get_u32(regs, order));
}
inline float get_f32(const std::uint16_t* regs, WordOrder order) {
  return std::bit_cast<float>(get_u32(regs, order));
}

inline void put_u32(std::uint16_t* regs, std::uint32_t v, WordOrder order) {
  const auto hi = static_cast<std::uint16_t>(v >> 16);
  const auto lo = static_cast<std::uint16_t>(v & 0xFFFF);
  regs[0] = order == WordOrder::kABCD ? hi : lo;
  regs[1] = order == WordOrder::kABCD ? lo : hi;
}
inline void put_i32(std::uint16_t* regs, std::int32_t v, WordOrder order) {
  put_u32(regs, static_cast<std::uint32_t>(v), order);
}
inline void put_f32(std::uint16_t* regs, float v, WordOrder order) {
  put_u32(regs, std::bit_cast<std::uint32_t>(v), order);
}

}  // namespace lmc::modbus
