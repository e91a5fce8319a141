// RNG: a random-number peripheral. Values come from the site's seeded generator
// `device.rng`, so a run repeats exactly for a seed. After DATA is read, the next value is
// ready 1 us later (READY flag, optional interrupt), like a hardware entropy source.
#pragma once
#include <cstdint>

#include "models/mcu/peripheral.h"
#include "sim/rng.h"
#include "sim/site.h"

namespace lmsim::mcu {

class RngPeriph : public Peripheral {
 public:
  static constexpr Time kGenTime = 1 * kUs;
  enum : std::uint32_t { CTRL = 0x00, STATUS = 0x04, DATA = 0x08 };
  enum : std::uint32_t { CTRL_EN = 1u << 0, CTRL_IE = 1u << 1, READY = 1u << 0 };

  SC_HAS_PROCESS(RngPeriph);
  RngPeriph(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);

  IrqLine irq;
  void reset(ResetCause cause) override;
  void power(bool on, Time t);

 private:
  void end_of_elaboration() override;
  bool ready(Time t) const { return (ctrl_->value & CTRL_EN) && t >= ready_at_; }
  void on_ready();

  Site& site_;
  Rng rng_;
  RegisterBank::Reg* ctrl_ = nullptr;

  // Model state (the generator state is in rng_).
  Time ready_at_ = 0;
  sc_core::sc_event ready_ev_;
};

}  // namespace lmsim::mcu
