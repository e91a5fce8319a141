// What the firmware writes into System::set_reset_note before it resets itself (or lets the
// watchdog do it), so that the next boot's banner can name the cause (PWR-05). The note lives
// in RAM that survives a warm reset only: after a power loss it reads 0.
#pragma once
#include <cstdint>

namespace lmc::reset_note {

constexpr std::uint32_t kMagic = 0x4C4D0000;  // "LM" in the high half
enum Reason : std::uint32_t { kNone = 0, kButton = 1, kWatchdog = 2, kCommand = 3 };

constexpr std::uint32_t make(Reason r, std::uint32_t detail = 0) {
  return kMagic | (static_cast<std::uint32_t>(r) << 8) | (detail & 0xFF);
}
constexpr bool valid(std::uint32_t note) {
  return (note & 0xFFFF0000u) == kMagic;
}
constexpr Reason reason(std::uint32_t note) {
  return valid(note) ? static_cast<Reason>((note >> 8) & 0xFF) : kNone;
}
constexpr std::uint32_t detail(std::uint32_t note) {
  return note & 0xFF;
}

}  // namespace lmc::reset_note
