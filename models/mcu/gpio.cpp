#include "models/mcu/gpio.h"

#include "models/mcu/power_reset.h"
#include "sim/units.h"

namespace lmsim::mcu {

Gpio::Gpio(sc_core::sc_module_name name, Site& site, const YNode* device_cfg) : Peripheral(name, 0x1000), site_(site) {
  auto& reg = site.registry();
  for (const auto& p : kPins) {
    if (p.output) {
      sig_[p.number] = &reg.add_bool(p.signal, false).describe(std::string("GPIO output: ") + p.meaning);
      // Blink periods for scenario assertions (LED rates, behaviours.md A01): rising edge to
      // rising edge, updated at each rising edge (a steady LED keeps the last value).
      period_[p.number] = &reg.add_number(std::string(p.signal) + ".period", "s", 0)
                               .describe(std::string("time between the last two rising edges of ") + p.signal);
    } else {
      sig_[p.number] = &reg.add_bool(p.signal, false).as_knob().describe(std::string("GPIO input: ") + p.meaning);
      sig_[p.number]->add_listener(this);
    }
  }
  in_last_ = inputs();
  using R = RegisterBank;
  regs.add({.name = "OUT",
            .offset = OUT,
            .access = R::RW,
            .read = [this](Time) { return out_; },
            .write = [this](std::uint32_t v, Time t) { set_out(v, t); }});
  regs.add(
      {.name = "OUTSET", .offset = OUTSET, .access = R::WO, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
         set_out(out_ | v, t);
       }});
  regs.add(
      {.name = "OUTCLR", .offset = OUTCLR, .access = R::WO, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
         set_out(out_ & ~v, t);
       }});
  regs.add(
      {.name = "OUTTGL", .offset = OUTTGL, .access = R::WO, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
         set_out(out_ ^ v, t);
       }});
  regs.add({.name = "IN",
            .offset = IN,
            .access = R::RO,
            .read = [this](Time) { return powered_ ? (inputs() | out_) : 0u; },
            .write = nullptr});
  regs.add({.name = "RISE", .offset = RISE, .read = nullptr, .write = nullptr, .write_mask = kInMask});
  regs.add({.name = "FALL", .offset = FALL, .read = nullptr, .write = nullptr, .write_mask = kInMask});
  regs.add({.name = "EDGE",
            .offset = EDGE,
            .access = R::RW,
            .read = [this](Time) { return edge_; },
            .write =
                [this](std::uint32_t v, Time) {
                  edge_ &= ~v;  // write 1 to clear
                  irq.set(powered_ && edge_ != 0);
                }});
  regs.add({.name = "DIR", .offset = DIR, .access = R::RO, .reset = kOutMask, .read = nullptr, .write = nullptr});
  rise_ = regs.find(RISE);
  fall_ = regs.find(FALL);
}

void Gpio::end_of_elaboration() {
  follow_power(site_, [this](bool on, Time t) { power(on, t); });
}

std::uint32_t Gpio::inputs() const {
  std::uint32_t v = 0;
  for (const auto& p : kPins)
    if (!p.output && sig_[p.number]->as_bool()) v |= 1u << p.number;
  return v;
}

void Gpio::set_out(std::uint32_t v, Time t) {
  out_ = v & kOutMask;
  for (const auto& p : kPins) {
    if (!p.output) continue;
    bool on = powered_ && (out_ >> p.number & 1u);
    if (on && !sig_[p.number]->as_bool()) {
      if (rose_[p.number]) period_[p.number]->set(time_to_seconds(t - last_rise_[p.number]), t);
      last_rise_[p.number] = t;
      rose_[p.number] = true;
    }
    sig_[p.number]->set(on ? 1 : 0, t);
  }
}

void Gpio::on_change(const Signal&, Time t) {
  std::uint32_t now = inputs();
  std::uint32_t rose = now & ~in_last_, fell = in_last_ & ~now;
  in_last_ = now;
  if (!powered_) return;
  edge_ |= (rose & rise_->value) | (fell & fall_->value);
  irq.set(edge_ != 0);
}

void Gpio::reset(ResetCause cause) {
  Peripheral::reset(cause);
  edge_ = 0;
  in_last_ = inputs();
  irq.set(false);
  set_out(0, static_cast<Time>(sc_core::sc_time_stamp().value()));
}

void Gpio::power(bool on, Time t) {
  powered_ = on;
  if (!on) {
    edge_ = 0;
    out_ = 0;  // output latches lose their state without power
    irq.set(false);
  }
  set_out(out_, t);
}

}  // namespace lmsim::mcu
