// GPIO driver (pin map: docs/mcu-peripherals.md). Plain C++, host-testable.
#pragma once
#include <cstdint>

namespace drivers {

class Gpio {
 public:
  static constexpr std::uintptr_t kBase = 0x40002000;
  static constexpr std::uint32_t OUT = 0x00, OUTSET = 0x04, OUTCLR = 0x08, OUTTGL = 0x0C, IN = 0x10, RISE = 0x14,
                                 FALL = 0x18, EDGE = 0x1C;
  // Pin numbers.
  enum Pin : unsigned { LED_POWER = 0, LED_STATUS = 1, RELAY = 2, BUTTON_RESET = 8, RIPPLE_IN1 = 9, RIPPLE_IN2 = 10 };

  explicit Gpio(std::uintptr_t base = kBase) : base_(base) {}
  void set(Pin p, bool on) { r(on ? OUTSET : OUTCLR) = 1u << p; }
  void toggle(Pin p) { r(OUTTGL) = 1u << p; }
  bool read(Pin p) const { return (r(IN) >> p) & 1u; }
  // Edge interrupts on an input pin; pending edges are read and cleared with take_edges().
  void irq_on_edges(Pin p, bool rising, bool falling);
  std::uint32_t take_edges();

 private:
  volatile std::uint32_t& r(std::uint32_t off) const { return *reinterpret_cast<volatile std::uint32_t*>(base_ + off); }
  std::uintptr_t base_;
};

}  // namespace drivers
