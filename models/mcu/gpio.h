// GPIO: the front panel and the digital I/O of the device. Each pin is bound to one registry
// signal by the pin map below: outputs drive bool signals (LEDs, relay), inputs follow bool
// knobs (RESET button, 24 V ripple-control inputs) with per-pin rising/falling edge
// interrupts. Without power every output reads false. Debouncing is the firmware's job.
#pragma once
#include <cstdint>

#include "models/mcu/peripheral.h"
#include "sim/site.h"

namespace lmsim::mcu {

// The pin map: pin number -> registry signal, direction.
struct GpioPin {
  unsigned number;
  const char* signal;
  bool output;
  const char* meaning;
};
inline constexpr GpioPin kGpioPins[] = {
    {0, "device.led.power", true, "POWER LED (1 = lit)"},
    {1, "device.led.status", true, "STATUS LED (1 = lit)"},
    {2, "device.relay", true, "relay output (1 = energised)"},
    {8, "device.button.reset", false, "RESET button (1 = pressed)"},
    {9, "device.ripple.in1", false, "24 V digital input 1, ripple control (1 = 24 V present)"},
    {10, "device.ripple.in2", false, "24 V digital input 2, ripple control (1 = 24 V present)"},
};
constexpr std::uint32_t gpio_mask(bool outputs) {
  std::uint32_t m = 0;
  for (const auto& p : kGpioPins)
    if (p.output == outputs) m |= 1u << p.number;
  return m;
}

class Gpio : public Peripheral, private ChangeListener {
 public:
  static constexpr const auto& kPins = kGpioPins;
  static constexpr std::uint32_t kOutMask = gpio_mask(true), kInMask = gpio_mask(false);
  enum : std::uint32_t {
    OUT = 0x00,
    OUTSET = 0x04,
    OUTCLR = 0x08,
    OUTTGL = 0x0C,
    IN = 0x10,
    RISE = 0x14,
    FALL = 0x18,
    EDGE = 0x1C,
    DIR = 0x20,
  };

  Gpio(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);

  IrqLine irq;
  void reset(ResetCause cause) override;
  void power(bool on, Time t);

 private:
  void end_of_elaboration() override;
  void on_change(const Signal& s, Time t) override;
  void set_out(std::uint32_t v, Time t);
  std::uint32_t inputs() const;

  Site& site_;
  Signal* sig_[32] = {};
  Signal* period_[32] = {};  // outputs: <signal>.period, s
  Time last_rise_[32] = {};
  bool rose_[32] = {};
  RegisterBank::Reg* rise_ = nullptr;
  RegisterBank::Reg* fall_ = nullptr;

  // Model state.
  bool powered_ = true;
  std::uint32_t out_ = 0;
  std::uint32_t edge_ = 0;
  std::uint32_t in_last_ = 0;  // input levels last seen, for edge detection
};

}  // namespace lmsim::mcu
