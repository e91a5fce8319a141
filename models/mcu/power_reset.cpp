#include "models/mcu/power_reset.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lmsim::mcu {

namespace {
// Serial number: 1..16 printable ASCII characters (the SERIAL registers hold 16 bytes).
std::string read_serial(const YNode* cfg) {
  const YNode* n = cfg ? cfg->get("serial") : nullptr;
  if (!n) return "SE00000000";
  std::string s = n->str();
  if (s.empty() || s.size() > 16) n->fail("serial number must have 1 to 16 characters, got '" + s + "'");
  for (char c : s)
    if (c < 0x21 || c > 0x7E) n->fail("serial number must be printable ASCII without spaces, got '" + s + "'");
  return s;
}
}  // namespace

PowerReset::PowerReset(sc_core::sc_module_name name, Site& site, const YNode* device_cfg)
    : Peripheral(name, 0x1000),
      site_(site),
      supply_sig_(&site.registry()
                       .add_number("device.supply.voltage", "V", kNominalV)
                       .as_knob()
                       .describe("mains supply of the device; below 180 V for 10 ms = brown-out")),
      powered_sig_(&site.registry().add_bool("device.powered", true).describe("the device has power (CPU running)")),
      cause_sig_(&site.registry()
                      .add_enum("device.reset_cause",
                                {"none", "power_on", "brown_out", "watchdog", "software", "pin", "lockup"}, 1)
                      .describe("cause of the last reset")),
      serial_(read_serial(device_cfg)) {
  site.registry().add_string("device.serial", serial_).describe("serial number in the PWR SERIAL registers");
  using R = RegisterBank;
  regs.add({.name = "RESET_CAUSE",
            .offset = RESET_CAUSE,
            .access = R::RW,
            .reset = static_cast<std::uint32_t>(ResetCause::PowerOn),
            .read = [this](Time) { return cause_bits_; },
            .write = [this](std::uint32_t v, Time) { cause_bits_ &= ~v; }});
  regs.add(
      {.name = "SWRESET", .offset = SWRESET, .access = R::WO, .read = nullptr, .write = [this](std::uint32_t v, Time) {
         if (v != kSwResetKey) {
           site_.log(LogLevel::Warn, "device.pwr", "SWRESET written without the key: ignored");
           return;
         }
         if (request_reset)
           request_reset(ResetCause::Software);
         else
           reset(ResetCause::Software);
       }});
  regs.add(
      {.name = "SUPPLY_MV",
       .offset = SUPPLY_MV,
       .access = R::RO,
       .read =
           [this](Time) { return static_cast<std::uint32_t>(std::lround(std::max(0.0, supply_sig_->value()) * 1000)); },
       .write = nullptr});
  regs.add({.name = "UPTIME_LO",
            .offset = UPTIME_LO,
            .access = R::RO,
            .read =
                [this](Time t) {
                  std::uint64_t us = t > power_on_time_ ? (t - power_on_time_) / kUs : 0;
                  uptime_hi_latch_ = static_cast<std::uint32_t>(us >> 32);
                  return static_cast<std::uint32_t>(us);
                },
            .write = nullptr});
  regs.add({.name = "UPTIME_HI",
            .offset = UPTIME_HI,
            .access = R::RO,
            .read = [this](Time) { return uptime_hi_latch_; },
            .write = nullptr});
  regs.add({.name = "BOR_MV",
            .offset = BOR_MV,
            .access = R::RO,
            .reset = std::uint32_t(kBrownOutV * 1000),
            .read = nullptr,
            .write = nullptr});
  regs.add({.name = "IE", .offset = IE, .read = nullptr, .write = [this](std::uint32_t v, Time) {
              regs.find(IE)->value = v & SUPPLY_LOW;
              update_irq();
            }});
  regs.add_w1c_status("STATUS", STATUS, status_, SUPPLY_LOW, [this] { update_irq(); });
  static const char* names[] = {"SERIAL0", "SERIAL1", "SERIAL2", "SERIAL3"};
  for (std::uint32_t i = 0; i < 4; ++i) {
    std::uint32_t w = 0;  // little-endian: the first character is the lowest byte of SERIAL0
    for (std::uint32_t b = 0; b < 4; ++b)
      if (4 * i + b < serial_.size())
        w |= static_cast<std::uint32_t>(static_cast<unsigned char>(serial_[4 * i + b])) << (8 * b);
    regs.add(
        {.name = names[i], .offset = SERIAL0 + 4 * i, .access = R::RO, .reset = w, .read = nullptr, .write = nullptr});
  }
  supply_sig_->add_listener(this);
  site.provide<PowerReset>(kService, this);

  SC_METHOD(on_supply_event);
  sensitive << supply_ev_;
  dont_initialize();
}

void PowerReset::start_of_simulation() {
  // A site that starts without supply (set before time 0) starts unpowered: no 10 ms of
  // running on a supply that was never there.
  double v = supply_sig_->value();
  if (v >= kBrownOutV || !powered_) return;
  supply_ev_.cancel();
  pending_ = Pending::None;
  min_supply_off_ = v;
  set_powered(false, sc_core::sc_time_stamp().value());
  if (v >= kPowerGoodV) on_change(*supply_sig_, sc_core::sc_time_stamp().value());
}

void PowerReset::update_irq() {
  irq.set(powered_ && (status_ & regs.find(IE)->value) != 0);
}

void PowerReset::on_change(const Signal& s, Time t) {
  if (&s != supply_sig_) return;
  double v = s.value();
  if (powered_) {
    if (v < kBrownOutV) {
      status_ |= SUPPLY_LOW;  // early warning: firmware has the hold time to save state
      update_irq();
      if (pending_ != Pending::BrownOut) {
        pending_ = Pending::BrownOut;
        pending_at_ = t + kBrownOutHold;
        notify_at(supply_ev_, pending_at_);
      }
    } else if (pending_ == Pending::BrownOut) {
      pending_ = Pending::None;
      supply_ev_.cancel();
    }
  } else {
    min_supply_off_ = std::min(min_supply_off_, v);
    if (v >= kPowerGoodV) {
      if (pending_ != Pending::PowerUp) {
        pending_ = Pending::PowerUp;
        pending_at_ = t + kStartupDelay;
        notify_at(supply_ev_, pending_at_);
      }
    } else if (pending_ == Pending::PowerUp) {
      pending_ = Pending::None;
      supply_ev_.cancel();
    }
  }
}

void PowerReset::on_supply_event() {
  Time now = sc_core::sc_time_stamp().value();
  Pending p = pending_;
  pending_ = Pending::None;
  if (p == Pending::BrownOut && powered_) {
    min_supply_off_ = supply_sig_->value();
    site_.log(LogLevel::Info, "device.pwr", "brown-out: power off");
    set_powered(false, now);
  } else if (p == Pending::PowerUp && !powered_) {
    // A dip that never went near zero is reported as a brown-out, a real outage as power-on.
    ResetCause cause = min_supply_off_ < kPowerLossV ? ResetCause::PowerOn : ResetCause::BrownOut;
    site_.log(LogLevel::Info, "device.pwr", "power good: power-on reset");
    set_powered(true, now);
    if (request_reset)
      request_reset(cause);
    else
      reset(cause);
  }
}

void PowerReset::set_powered(bool on, Time t) {
  powered_ = on;
  powered_sig_->set(on ? 1 : 0, t);
  if (on) power_on_time_ = t;
  irq.set(false);
  for (auto& f : listeners_) f(on, t);
  if (on_power) on_power(on);
}

void PowerReset::reset(ResetCause cause) {
  auto bit = static_cast<std::uint32_t>(cause);
  if (cause == ResetCause::PowerOn)
    cause_bits_ = bit;
  else
    cause_bits_ |= bit;
  cause_sig_->set(std::countr_zero(bit) + 1);
  Peripheral::reset(cause);
  status_ = supply_sig_->value() < kBrownOutV ? static_cast<std::uint32_t>(SUPPLY_LOW) : 0u;
  uptime_hi_latch_ = 0;
  update_irq();
}

}  // namespace lmsim::mcu
