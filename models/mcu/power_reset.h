// PWR: the power and reset controller. Watches the supply (knob `device.supply.voltage`),
// powers the device off after a brown-out (below 180 V for 10 ms) and back on with a
// power-on reset after a start-up delay once the supply is back above 190 V. Holds the
// sticky reset-cause register, the device serial number (scenario `device.serial`), the
// measured supply, a key-protected software reset and a 64-bit microsecond uptime counter.
//
// The other peripherals of this folder find the controller through the site service
// "device.pwr" at end of elaboration and subscribe to power changes themselves; the device
// only wires `on_power` (CPU halt/restart) and `request_reset` (system reset of everything).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/mcu/peripheral.h"
#include "sim/site.h"

namespace lmsim::mcu {

class PowerReset : public Peripheral, private ChangeListener {
 public:
  static constexpr const char* kService = "device.pwr";
  // Supply thresholds and timing (docs/mcu-peripherals.md).
  static constexpr double kBrownOutV = 180, kPowerGoodV = 190, kPowerLossV = 100, kNominalV = 230;
  static constexpr Time kBrownOutHold = 10 * kMs, kStartupDelay = 50 * kMs;
  static constexpr std::uint32_t kSwResetKey = 0x5AFE0001;
  enum : std::uint32_t {
    RESET_CAUSE = 0x00,
    SWRESET = 0x04,
    SUPPLY_MV = 0x08,
    UPTIME_LO = 0x0C,
    UPTIME_HI = 0x10,
    BOR_MV = 0x14,
    IE = 0x18,
    STATUS = 0x1C,
    SERIAL0 = 0x20,  // ..SERIAL3 = 0x2C
  };
  enum : std::uint32_t { SUPPLY_LOW = 1u << 0 };

  SC_HAS_PROCESS(PowerReset);
  PowerReset(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);

  IrqLine irq;
  // System reset requested by this controller (power-on, brown-out, software). Set by the device.
  std::function<void(ResetCause)> request_reset;
  // Power state for the CPU (false: halt, true: restart). Set by the device.
  std::function<void(bool)> on_power;
  // Peripherals subscribe here (called before on_power, with the time of the change).
  void add_power_listener(std::function<void(bool on, Time t)> f) { listeners_.push_back(std::move(f)); }

  bool powered() const { return powered_; }
  const std::string& serial() const { return serial_; }
  std::uint32_t reset_cause() const { return cause_bits_; }
  // Records the cause (sticky; a power-on clears the others) and resets the registers.
  void reset(ResetCause cause) override;

 private:
  void start_of_simulation() override;
  void on_change(const Signal& s, Time t) override;
  void on_supply_event();
  void set_powered(bool on, Time t);
  void update_irq();

  Site& site_;
  Signal* supply_sig_;
  Signal* powered_sig_;
  Signal* cause_sig_;
  std::string serial_;
  std::vector<std::function<void(bool, Time)>> listeners_;

  // Model state.
  bool powered_ = true;
  std::uint32_t cause_bits_ = static_cast<std::uint32_t>(ResetCause::PowerOn);
  std::uint32_t status_ = 0;
  Time power_on_time_ = 0;
  std::uint32_t uptime_hi_latch_ = 0;
  double min_supply_off_ = kNominalV;  // lowest supply while off: decides PowerOn vs BrownOut
  enum class Pending { None, BrownOut, PowerUp } pending_ = Pending::None;
  Time pending_at_ = 0;  // when the pending power change takes effect

  sc_core::sc_event supply_ev_;
};

// Calls `f(on, t)` on every supply change of the device, if it has a power/reset controller.
// Peripherals call it from end_of_elaboration, when the controller exists.
inline void follow_power(Site& site, std::function<void(bool on, Time t)> f) {
  if (auto* pwr = site.service<PowerReset>(PowerReset::kService)) pwr->add_power_listener(std::move(f));
}

}  // namespace lmsim::mcu
