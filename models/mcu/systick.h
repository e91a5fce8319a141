// SysTick (ARMv7-M B3.3): a 24-bit down counter computed from simulated time instead of
// ticking, so that an idle CPU costs nothing. The counter runs on the core clock
// (CLKSOURCE=1) or the 1 MHz reference clock (CLKSOURCE=0).
#pragma once
#include <cstdint>
#include <functional>

#include "sim/units.h"

namespace lmsim::mcu {

class SysTick {
 public:
  static constexpr std::uint32_t kEnable = 1, kTickInt = 2, kClkSource = 4, kCountFlag = 1u << 16;
  static constexpr double kRefClockHz = 1e6;
  static constexpr Time kNever = ~Time{0};

  void set_core_clock(double hz) { core_hz_ = static_cast<std::uint64_t>(hz); }
  void reset() {
    csr_ = kClkSource;
    rvr_ = 0;
    value_ = 0;
    reload_ = 0;
    origin_ = 0;
    next_ = kNever;
  }

  std::uint32_t csr(Time now) {
    catch_up(now);
    std::uint32_t v = csr_;
    csr_ &= ~kCountFlag;  // COUNTFLAG clears on read
    return v;
  }
  std::uint32_t csr_peek() const { return csr_; }
  void write_csr(std::uint32_t v, Time now) {
    catch_up(now);
    std::uint32_t cvr = current(now);
    csr_ = (csr_ & kCountFlag) | (v & (kEnable | kTickInt | kClkSource));
    restart(cvr, now);
  }
  std::uint32_t rvr() const { return rvr_; }
  void write_rvr(std::uint32_t v) { rvr_ = v & 0xFFFFFFu; }
  std::uint32_t cvr(Time now) {
    catch_up(now);
    return current(now);
  }
  // Any write clears the counter and COUNTFLAG; it reloads on the next tick.
  void write_cvr(Time now) {
    catch_up(now);
    csr_ &= ~kCountFlag;
    restart(0, now);
  }

  // Called when a wrap pends the exception (TICKINT), also from a register access that
  // catches up: such a wrap must not be lost.
  std::function<void()> pend;

  // Time of the next 1 -> 0 transition that raises the exception, or kNever.
  Time next_interrupt() const { return (csr_ & kTickInt) ? next_ : kNever; }
  // Advances to `now`; returns true if the SysTick exception became pending.
  bool catch_up(Time now) {
    if (next_ == kNever || now < next_) return false;
    csr_ |= kCountFlag;
    bool fire = (csr_ & kTickInt) != 0;
    if (rvr_ == 0) {
      // Reloading 0 stops the counter at 0 after this wrap (B3.3.3: a zero SYST_RVR disables
      // the counter on the next wrap, whatever ENABLE says).
      origin_ = next_;
      value_ = 0;
      next_ = kNever;
      if (fire && pend) pend();
      return fire;
    }
    std::uint64_t period_counts = std::uint64_t{rvr_} + 1;
    std::uint64_t wraps = (ticks_between(next_, now) / period_counts) + 1;
    // Re-anchor at the last wrap (value 0 at that instant).
    origin_ = next_ + time_of_ticks((wraps - 1) * period_counts);
    value_ = 0;
    reload_ = rvr_;
    next_ = origin_ + time_of_ticks(period_counts);
    if (fire && pend) pend();
    return fire;
  }

 private:
  std::uint64_t hz() const { return (csr_ & kClkSource) ? core_hz_ : static_cast<std::uint64_t>(kRefClockHz); }
  Time time_of_ticks(std::uint64_t n) const {
    return static_cast<Time>((static_cast<unsigned __int128>(n) * 1000000000000ull) / hz());
  }
  std::uint64_t ticks_between(Time a, Time b) const {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(b - a) * hz()) / 1000000000000ull);
  }
  std::uint32_t current(Time now) const {
    if (!(csr_ & kEnable) || next_ == kNever) return value_;
    std::uint64_t t = ticks_between(origin_, now);
    if (t <= value_) return static_cast<std::uint32_t>(value_ - t);
    // After reaching 0 the counter reloads the SYST_RVR value of that instant; a later RVR
    // write changes only the reload after the next wrap (B3.3.1).
    if (reload_ == 0) return 0;
    std::uint64_t after = (t - value_ - 1) % (std::uint64_t{reload_} + 1);
    return static_cast<std::uint32_t>(reload_ - after);
  }
  void restart(std::uint32_t value, Time now) {
    value_ = value;
    origin_ = now;
    reload_ = rvr_;
    if (!(csr_ & kEnable) || (value == 0 && rvr_ == 0)) {
      next_ = kNever;
      return;
    }
    std::uint64_t first = value ? value : std::uint64_t{rvr_} + 1;
    next_ = now + time_of_ticks(first);
  }

  std::uint64_t core_hz_ = 120000000;
  std::uint32_t csr_ = kClkSource, rvr_ = 0, value_ = 0;
  std::uint32_t reload_ = 0;  // the RVR value the counter reloaded at origin_
  Time origin_ = 0, next_ = kNever;
};

}  // namespace lmsim::mcu
