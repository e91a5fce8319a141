// The measuring chain between the plant's true state and the metering front end (AFE):
// seeded noise and quantisation of the sensed current and voltage, an update latency (the
// AFE sees the state of `latency` ago), and the frequency measured from the voltage (phase
// advance of the paired fundamental over kFreqWindow, in the FREQ register's 1 mHz steps)
// instead of the grid's nominal value. Ideal (no noise, no quantisation, no latency) unless
// `sensors:` asks; the measured frequency is always on (in steady state it equals the grid's).
#pragma once
#include <deque>

#include "models/plant/element.h"
#include "models/plant/meter_tap.h"
#include "sim/rng.h"

namespace lmsim::plant {

class MeterChain {
 public:
  struct Config {
    double noise = 0;                 // relative standard deviation of each current reading (0.002 = 0.2 %)
    double noise_floor = 0;           // A, absolute standard deviation (input-referred ADC noise)
    double quant_i = 0;               // A, current reading step (0: none)
    double quant_v = 0;               // V, voltage reading step
    Time latency = 0;                 // the AFE sees the plant state this long after it happened
    double freq_steps_per_hz = 1000;  // the FREQ register's resolution (1 mHz)
  };
  static constexpr Time kFreqWindow = 200 * kMs;  // 10 cycles at 50 Hz

  MeterChain(Config cfg, Rng rng) : cfg_(cfg), rng_(rng) {}
  const Config& config() const { return cfg_; }
  // Noise and quantisation change the reading every evaluation.
  bool per_step() const { return cfg_.noise > 0 || cfg_.noise_floor > 0; }
  // Applies noise and quantisation to a freshly built true frame (in place).
  void distort(MeterFrame& f);
  // Measured frequency at time t from the unwrapped phase (rad) of the paired fundamental
  // voltage; `present` false: no voltage (0 Hz).
  double measure_frequency(Time t, double phase, bool present, double nominal);
  // The same while the phase has advanced at `f` for longer than the window: keeps two
  // samples (t - window and t) and returns f in the register's steps.
  double steady(Time t, double phase, double f);
  // Latency: queue a frame built at `t`; `deliver` gives the newest frame that is at least
  // `latency` old (false: none yet) and `next_due` when the next one becomes visible.
  void push(const MeterFrame& f);
  bool deliver(Time t, MeterFrame& out);
  Time next_due() const;

 private:
  Config cfg_;
  Rng rng_;
  struct Phase {
    Time t;
    double phase;
  };
  std::deque<Phase> phases_;
  double last_f_ = 0;
  double steady_f_ = -1, steady_q_ = 0;
  std::deque<MeterFrame> queue_;
};

}  // namespace lmsim::plant
