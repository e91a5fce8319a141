// Power/reset controller driver: reset cause, serial number, supply, uptime, software reset.
// Plain C++, host-testable.
#pragma once
#include <cstdint>

namespace drivers {

class Power {
 public:
  static constexpr std::uintptr_t kBase = 0x40000000;
  static constexpr std::uint32_t kSwResetKey = 0x5AFE0001;
  static constexpr std::uint32_t RESET_CAUSE = 0x00, SWRESET = 0x04, SUPPLY_MV = 0x08, UPTIME_LO = 0x0C,
                                 UPTIME_HI = 0x10, BOR_MV = 0x14, IE = 0x18, STATUS = 0x1C, SERIAL0 = 0x20;
  // Reset-cause bits.
  static constexpr std::uint32_t POWER_ON = 1, BROWN_OUT = 2, WATCHDOG = 4, SOFTWARE = 8, PIN = 16, LOCKUP = 32;
  static constexpr std::uint32_t SUPPLY_LOW = 1u << 0;

  explicit Power(std::uintptr_t base = kBase) : base_(base) {}
  std::uint32_t reset_cause() const { return r(RESET_CAUSE); }
  // Reads the causes and clears them, so the next boot sees only its own.
  std::uint32_t take_reset_cause();
  static const char* cause_name(std::uint32_t causes);  // the most specific cause
  // Copies the serial number (up to 16 characters) into out[17], NUL-terminated.
  void serial(char* out) const;
  std::uint32_t supply_mv() const { return r(SUPPLY_MV); }
  std::uint64_t uptime_us() const;
  void enable_supply_low_irq(bool on) { r(IE) = on ? SUPPLY_LOW : 0u; }
  void clear_supply_low() { r(STATUS) = SUPPLY_LOW; }
  void software_reset() { r(SWRESET) = kSwResetKey; }

 private:
  volatile std::uint32_t& r(std::uint32_t off) const { return *reinterpret_cast<volatile std::uint32_t*>(base_ + off); }
  std::uintptr_t base_;
};

}  // namespace drivers
