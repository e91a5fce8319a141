// Simulated-time event queue for the network models: one SystemC method runs every action
// due at its time, in the order they were scheduled (stable, so runs are deterministic).
// Models call at() with times that may lie ahead of SystemC time (the CPU runs ahead of it
// inside its quantum); earlier times are clamped to now.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include <systemc>

#include "sim/units.h"

namespace lmsim::net {

class Scheduler : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Scheduler);
  explicit Scheduler(sc_core::sc_module_name n) : sc_module(n) {
    SC_METHOD(run);
    sensitive << wake_;
    dont_initialize();
  }

  static Time now() { return static_cast<Time>(sc_core::sc_time_stamp().value()); }

  void at(Time t, std::function<void()> f) {
    Time n = now();
    if (t < n) t = n;
    q_.emplace(std::make_pair(t, seq_++), std::move(f));
    arm();
  }
  void after(Time t0, Time d, std::function<void()> f) { at(t0 + d, std::move(f)); }
  std::size_t pending() const { return q_.size(); }

 private:
  // Events may not be notified during elaboration: arm once the simulation starts.
  void start_of_simulation() override {
    started_ = true;
    arm();
  }
  void arm() {
    if (q_.empty() || !started_) return;
    Time t = q_.begin()->first.first;
    if (armed_ && armed_at_ <= t) return;
    armed_ = true;
    armed_at_ = t;
    wake_.cancel();
    wake_.notify(sc_core::sc_time::from_value(t - now()));
  }
  void run() {
    armed_ = false;
    Time n = now();
    while (!q_.empty() && q_.begin()->first.first <= n) {
      auto f = std::move(q_.begin()->second);
      q_.erase(q_.begin());
      f();
    }
    arm();
  }

  std::map<std::pair<Time, std::uint64_t>, std::function<void()>> q_;
  std::uint64_t seq_ = 0;
  sc_core::sc_event wake_;
  bool armed_ = false;
  bool started_ = false;
  Time armed_at_ = 0;
};

}  // namespace lmsim::net
