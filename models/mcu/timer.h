// TIMER0: a general-purpose 32-bit up-counter clocked by the core clock through a 16-bit
// prescaler. It counts from 0 to LOAD-1; reaching LOAD sets MATCH (interrupt if enabled) and
// either restarts from 0 (periodic) or stops (one-shot). Match times are computed from the
// start time in exact tick arithmetic, so a periodic timer does not drift. The counter is
// not simulated tick by tick: COUNT is derived from the access time, one event per match.
#pragma once
#include <cstdint>

#include "models/mcu/peripheral.h"
#include "sim/site.h"

namespace lmsim::mcu {

class Timer : public Peripheral {
 public:
  enum : std::uint32_t { CTRL = 0x00, PRESC = 0x04, LOAD = 0x08, COUNT = 0x0C, STATUS = 0x10 };
  enum : std::uint32_t { CTRL_EN = 1u << 0, CTRL_ONESHOT = 1u << 1, CTRL_IE = 1u << 2, MATCH = 1u << 0 };
  static constexpr double kDefaultClock = 120e6;

  SC_HAS_PROCESS(Timer);
  Timer(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);

  IrqLine irq;
  void reset(ResetCause cause) override;
  void power(bool on, Time t);
  double clock_hz() const { return clock_hz_; }
  // Simulated time of tick n counted from the start (exact, rounded down to 1 ps).
  Time tick_time(std::uint64_t n) const;

 private:
  void end_of_elaboration() override;
  void start(Time t);
  void stop();
  std::uint64_t period() const;  // ticks per match
  void on_match();
  // Applies the matches up to time `t` (an access from the core ahead of SystemC, or the event).
  void catch_up(Time t);
  void update_irq();

  Site& site_;
  double clock_hz_;
  std::uint64_t clock_int_;  // core clock in Hz as an integer for exact arithmetic
  RegisterBank::Reg* ctrl_ = nullptr;
  RegisterBank::Reg* presc_ = nullptr;
  RegisterBank::Reg* load_ = nullptr;

  // Model state.
  bool running_ = false;
  Time start_ = 0;             // time of tick 0 of the current run
  std::uint64_t matches_ = 0;  // matches since start
  std::uint32_t status_ = 0;
  sc_core::sc_event match_ev_;
};

// The core clock of the device from the scenario (`device.clock`, e.g. 120MHz or 120e6).
double core_clock_hz(const YNode* device_cfg);

}  // namespace lmsim::mcu
