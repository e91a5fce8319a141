// WDT: an independent watchdog clocked by a 32.768 kHz low-frequency clock. Once enabled it
// cannot be stopped (only a reset does); the firmware must write the key to KICK within
// LOAD ticks, or the device is reset with cause Watchdog. EWARN ticks before the timeout an
// early-warning flag (and interrupt) gives the firmware a last chance to log or save.
#pragma once
#include <cstdint>
#include <functional>

#include "models/mcu/peripheral.h"
#include "sim/site.h"

namespace lmsim::mcu {

class Watchdog : public Peripheral {
 public:
  static constexpr std::uint64_t kLfclkHz = 32768;
  static constexpr std::uint32_t kKickKey = 0x4B49434B;  // "KICK"
  enum : std::uint32_t { CTRL = 0x00, LOAD = 0x04, EWARN = 0x08, KICK = 0x0C, COUNT = 0x10, STATUS = 0x14 };
  enum : std::uint32_t { CTRL_EN = 1u << 0, CTRL_EWIE = 1u << 1, EWF = 1u << 0, BADKEY = 1u << 1 };

  SC_HAS_PROCESS(Watchdog);
  Watchdog(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);

  IrqLine irq;
  // Timeout: the device resets everything with this cause. Set by the device.
  std::function<void(ResetCause)> request_reset;
  void reset(ResetCause cause) override;
  void power(bool on, Time t);
  // LFCLK ticks -> simulated time (exact, rounded down to 1 ps).
  static Time ticks_to_time(std::uint64_t n) {
    return static_cast<Time>(static_cast<unsigned __int128>(n) * kSec / kLfclkHz);
  }

 private:
  void end_of_elaboration() override;
  void kick(Time t);
  void on_event();
  void schedule();
  void update_irq();

  Site& site_;
  Signal* resets_sig_;
  RegisterBank::Reg* ctrl_ = nullptr;
  RegisterBank::Reg* load_ = nullptr;
  RegisterBank::Reg* ewarn_ = nullptr;

  // Model state.
  bool running_ = false;
  Time deadline_ = 0;  // timeout time of the current period
  Time warn_at_ = 0;   // early-warning time of the current period
  bool warned_ = false;
  std::uint32_t status_ = 0;
  std::uint64_t resets_ = 0;
  sc_core::sc_event ev_;
};

}  // namespace lmsim::mcu
