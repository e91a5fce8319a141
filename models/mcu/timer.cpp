#include "models/mcu/timer.h"

#include <cmath>

#include "models/mcu/power_reset.h"

namespace lmsim::mcu {

double core_clock_hz(const YNode* cfg) {
  const YNode* n = cfg ? cfg->get("clock") : nullptr;
  if (!n) return Timer::kDefaultClock;
  auto q = parse_quantity(n->str());
  if (!q || (q->unit != "Hz" && !q->unit.empty()))
    n->fail("expected a frequency such as 120MHz, got '" + n->str() + "'");
  if (!(q->value >= 1e6 && q->value <= 1e9) || q->value != std::floor(q->value))
    n->fail("core clock must be a whole number of Hz between 1 MHz and 1 GHz");
  return q->value;
}

Timer::Timer(sc_core::sc_module_name name, Site& site, const YNode* device_cfg)
    : Peripheral(name, 0x1000), site_(site), clock_hz_(core_clock_hz(device_cfg)) {
  clock_int_ = static_cast<std::uint64_t>(clock_hz_);
  using R = RegisterBank;
  regs.add({.name = "CTRL", .offset = CTRL, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
              bool was = ctrl_->value & CTRL_EN;
              ctrl_->value = v & (CTRL_EN | CTRL_ONESHOT | CTRL_IE);
              if ((v & CTRL_EN) && !was) start(t);
              if (!(v & CTRL_EN)) stop();
              update_irq();
            }});
  regs.add({.name = "PRESC", .offset = PRESC, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
              presc_->value = v & 0xFFFF;
              if (running_) start(t);  // a new rate restarts the count
            }});
  regs.add(
      {.name = "LOAD", .offset = LOAD, .reset = 0xFFFFFFFF, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
         load_->value = v;
         if (running_) start(t);
       }});
  regs.add({.name = "COUNT",
            .offset = COUNT,
            .access = R::RO,
            .read = [this](Time t) -> std::uint32_t {
              catch_up(t);
              if (!running_ || t <= start_) return 0;
              // ticks elapsed = floor((t - start) * clock / ((presc+1) * 1e12))
              unsigned __int128 num = static_cast<unsigned __int128>(t - start_) * clock_int_;
              auto ticks = static_cast<std::uint64_t>(num / (static_cast<unsigned __int128>(presc_->value + 1) * kSec));
              return static_cast<std::uint32_t>(ticks % period());
            },
            .write = nullptr});
  // STATUS is brought up to the access time first: the core runs up to one quantum ahead of
  // the match event, and MATCH must be set in the tick COUNT wraps.
  regs.add({.name = "STATUS",
            .offset = STATUS,
            .read =
                [this](Time t) {
                  catch_up(t);
                  return status_;
                },
            .write =
                [this](std::uint32_t v, Time t) {
                  catch_up(t);
                  status_ &= ~(v & MATCH);
                  update_irq();
                }});
  ctrl_ = regs.find(CTRL);
  presc_ = regs.find(PRESC);
  load_ = regs.find(LOAD);

  SC_METHOD(on_match);
  sensitive << match_ev_;
  dont_initialize();
}

void Timer::end_of_elaboration() {
  follow_power(site_, [this](bool on, Time t) { power(on, t); });
}

std::uint64_t Timer::period() const {
  return load_->value ? load_->value : (1ull << 32);
}

Time Timer::tick_time(std::uint64_t n) const {
  unsigned __int128 ps = static_cast<unsigned __int128>(n) * (presc_->value + 1) * kSec / clock_int_;
  return start_ + static_cast<Time>(ps);
}

void Timer::start(Time t) {
  running_ = true;
  start_ = t;
  matches_ = 0;
  notify_at(match_ev_, tick_time(period()));
}

void Timer::stop() {
  running_ = false;
  match_ev_.cancel();
}

void Timer::catch_up(Time t) {
  bool matched = false;
  if (running_ && !(ctrl_->value & CTRL_ONESHOT) && t > start_) {
    // Skip whole periods arithmetically (a short period under a long quantum); the loop
    // below settles the last one with the same rounding as the events.
    unsigned __int128 num = static_cast<unsigned __int128>(t - start_) * clock_int_;
    auto ticks = static_cast<std::uint64_t>(num / (static_cast<unsigned __int128>(presc_->value + 1) * kSec));
    std::uint64_t m = ticks / period();
    if (m > matches_ + 1) {
      matches_ = m - 1;
      matched = true;
    }
  }
  while (running_ && t >= tick_time((matches_ + 1) * period())) {
    matched = true;
    ++matches_;
    if (ctrl_->value & CTRL_ONESHOT) {
      ctrl_->value &= ~CTRL_EN;
      running_ = false;
    }
  }
  if (!matched) return;
  status_ |= MATCH;
  if (running_)
    notify_at(match_ev_, tick_time((matches_ + 1) * period()));
  else
    match_ev_.cancel();
  update_irq();
}

void Timer::on_match() {
  catch_up(sc_core::sc_time_stamp().value());
}

void Timer::update_irq() {
  irq.set((status_ & MATCH) && (ctrl_->value & CTRL_IE));
}

void Timer::reset(ResetCause cause) {
  Peripheral::reset(cause);
  stop();
  status_ = 0;
  irq.set(false);
}

void Timer::power(bool on, Time) {
  if (!on) reset(ResetCause::PowerOn);
}

}  // namespace lmsim::mcu
