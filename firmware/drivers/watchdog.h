// Watchdog driver: 32.768 kHz ticks; once started it cannot be stopped. Plain C++.
#pragma once
#include <cstdint>

namespace drivers {

class Watchdog {
 public:
  static constexpr std::uintptr_t kBase = 0x40004000;
  static constexpr std::uint32_t kKickKey = 0x4B49434B, kLfclkHz = 32768;
  static constexpr std::uint32_t CTRL = 0x00, LOAD = 0x04, EWARN = 0x08, KICK = 0x0C, COUNT = 0x10, STATUS = 0x14;
  static constexpr std::uint32_t CTRL_EN = 1u << 0, CTRL_EWIE = 1u << 1, EWF = 1u << 0, BADKEY = 1u << 1;

  explicit Watchdog(std::uintptr_t base = kBase) : base_(base) {}
  // Starts with a timeout in ms and an optional early warning (interrupt) warn_ms before it.
  void start(std::uint32_t timeout_ms, std::uint32_t warn_ms = 0);
  void kick() { r(KICK) = kKickKey; }
  bool running() const { return r(CTRL) & CTRL_EN; }
  // Clears the early-warning flag (call from the WDT interrupt handler).
  void clear_warning() { r(STATUS) = EWF; }
  static std::uint32_t ms_to_ticks(std::uint32_t ms) {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(ms) * kLfclkHz + 999) / 1000);
  }

 private:
  volatile std::uint32_t& r(std::uint32_t off) const { return *reinterpret_cast<volatile std::uint32_t*>(base_ + off); }
  std::uintptr_t base_;
};

}  // namespace drivers
