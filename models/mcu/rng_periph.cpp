#include "models/mcu/rng_periph.h"

#include "models/mcu/power_reset.h"

namespace lmsim::mcu {

RngPeriph::RngPeriph(sc_core::sc_module_name name, Site& site, const YNode* device_cfg)
    : Peripheral(name, 0x1000), site_(site), rng_(site.rng("device.rng")) {
  using R = RegisterBank;
  regs.add(
      {.name = "CTRL", .offset = CTRL, .reset = CTRL_EN, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
         bool was = ctrl_->value & CTRL_EN;
         ctrl_->value = v & (CTRL_EN | CTRL_IE);
         if (!was && (v & CTRL_EN)) ready_at_ = t + kGenTime;  // restarts the source
         on_ready();
       }});
  regs.add({.name = "STATUS",
            .offset = STATUS,
            .access = R::RO,
            .read = [this](Time t) { return ready(t) ? READY : 0u; },
            .write = nullptr});
  regs.add({.name = "DATA",
            .offset = DATA,
            .access = R::RO,
            .read = [this](Time t) -> std::uint32_t {
              if (!ready(t)) return 0;  // documented: poll READY first
              auto v = static_cast<std::uint32_t>(rng_.next() >> 32);
              ready_at_ = t + kGenTime;
              irq.set(false);
              if (ctrl_->value & CTRL_IE) {
                ready_ev_.cancel();
                ready_ev_.notify(sc_core::sc_time::from_value(ready_at_ - sc_core::sc_time_stamp().value()));
              }
              return v;
            },
            .write = nullptr});
  ctrl_ = regs.find(CTRL);

  SC_METHOD(on_ready);
  sensitive << ready_ev_;
  dont_initialize();
}

void RngPeriph::end_of_elaboration() {
  follow_power(site_, [this](bool on, Time t) { power(on, t); });
}

void RngPeriph::on_ready() {
  Time now = sc_core::sc_time_stamp().value();
  bool ie = ctrl_->value & CTRL_IE;
  irq.set(ie && ready(now));
  if (ie && (ctrl_->value & CTRL_EN) && now < ready_at_) {
    ready_ev_.cancel();
    ready_ev_.notify(sc_core::sc_time::from_value(ready_at_ - now));
  }
}

void RngPeriph::reset(ResetCause cause) {
  Peripheral::reset(cause);
  ready_at_ = 0;
  ready_ev_.cancel();
  irq.set(false);
}

void RngPeriph::power(bool on, Time) {
  if (!on) reset(ResetCause::PowerOn);
}

}  // namespace lmsim::mcu
