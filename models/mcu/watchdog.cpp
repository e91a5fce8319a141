#include "models/mcu/watchdog.h"

#include <algorithm>

#include "models/mcu/power_reset.h"

namespace lmsim::mcu {

Watchdog::Watchdog(sc_core::sc_module_name name, Site& site, const YNode* device_cfg)
    : Peripheral(name, 0x1000),
      site_(site),
      resets_sig_(&site.registry().add_number("device.wdt.resets", "", 0).describe("resets caused by the watchdog")) {
  using R = RegisterBank;
  regs.add({.name = "CTRL", .offset = CTRL, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
              // EN is set-only: a running watchdog cannot be switched off by software.
              bool was = ctrl_->value & CTRL_EN;
              ctrl_->value = (v & (CTRL_EN | CTRL_EWIE)) | (ctrl_->value & CTRL_EN);
              if (!was && (ctrl_->value & CTRL_EN)) kick(t);
              update_irq();
            }});
  regs.add(
      {.name = "LOAD", .offset = LOAD, .reset = 4 * kLfclkHz, .read = nullptr, .write = [this](std::uint32_t v, Time) {
         load_->value = std::max<std::uint32_t>(v, 1);  // takes effect at the next kick
       }});
  regs.add({.name = "EWARN", .offset = EWARN, .reset = kLfclkHz / 8, .read = nullptr, .write = nullptr});
  regs.add({.name = "KICK", .offset = KICK, .access = R::WO, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
              if (v == kKickKey) {
                if (running_) kick(t);
              } else {
                status_ |= BADKEY;
              }
            }});
  regs.add({.name = "COUNT",
            .offset = COUNT,
            .access = R::RO,
            .read = [this](Time t) -> std::uint32_t {
              if (!running_ || t >= deadline_) return 0;
              return static_cast<std::uint32_t>(static_cast<unsigned __int128>(deadline_ - t) * kLfclkHz / kSec);
            },
            .write = nullptr});
  regs.add_w1c_status("STATUS", STATUS, status_, EWF | BADKEY, [this] { update_irq(); });
  ctrl_ = regs.find(CTRL);
  load_ = regs.find(LOAD);
  ewarn_ = regs.find(EWARN);

  SC_METHOD(on_event);
  sensitive << ev_;
  dont_initialize();
}

void Watchdog::end_of_elaboration() {
  follow_power(site_, [this](bool on, Time t) { power(on, t); });
}

void Watchdog::kick(Time t) {
  running_ = true;
  deadline_ = t + ticks_to_time(load_->value);
  std::uint64_t ew = std::min<std::uint64_t>(ewarn_->value, load_->value);
  warn_at_ = deadline_ - ticks_to_time(ew);
  warned_ = ew == 0;
  schedule();
}

void Watchdog::schedule() {
  notify_at(ev_, warned_ ? deadline_ : warn_at_);
}

void Watchdog::on_event() {
  if (!running_) return;
  Time now = sc_core::sc_time_stamp().value();
  if (now >= deadline_) {
    running_ = false;
    resets_sig_->set(static_cast<double>(++resets_));
    site_.log(LogLevel::Warn, "device.wdt", "watchdog timeout: system reset");
    if (request_reset)
      request_reset(ResetCause::Watchdog);
    else
      reset(ResetCause::Watchdog);
    return;
  }
  if (!warned_ && now >= warn_at_) {
    warned_ = true;
    status_ |= EWF;
    update_irq();
  }
  schedule();
}

void Watchdog::update_irq() {
  irq.set((status_ & EWF) && (ctrl_->value & CTRL_EWIE));
}

void Watchdog::reset(ResetCause cause) {
  Peripheral::reset(cause);
  running_ = false;
  warned_ = false;
  status_ = 0;
  ev_.cancel();
  irq.set(false);
}

void Watchdog::power(bool on, Time) {
  if (!on) reset(ResetCause::PowerOn);
}

}  // namespace lmsim::mcu
