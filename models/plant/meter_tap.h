// The plant's view for the metering front end (the AFE in models/mcu): per AFE channel, the
// voltage and current phasor spectrum at the device's inputs, after wiring and sensor errors.
// Header-only so that the MCU library needs no link dependency on the plant.
#pragma once
#include <complex>
#include <cstdint>

#include "sim/units.h"

namespace lmsim::plant {

using Complex = std::complex<double>;

// Harmonic orders tracked by the plant (fundamental first); fixed when the site is built.
constexpr int kMaxOrders = 8;

// RMS phasors: x(t) = sum_k sqrt(2) * Re(X[k] * exp(j * order[k] * theta(t))), where theta(t) is
// the fundamental's phase, theta(time) = theta and d(theta)/dt = 2*pi*frequency.
struct ChannelSpectrum {
  Complex v[kMaxOrders]{};  // V at the voltage input the channel is paired with
  Complex i[kMaxOrders]{};  // A, primary-referred, as the sensor reports it (errors, direction)
};

struct MeterFrame {
  Time time = 0;              // plant time of this state
  std::uint64_t version = 0;  // bumped whenever the phasors change (not for time and theta)
  double theta = 0;           // fundamental phase (rad) at `time`
  double frequency = 50;      // Hz
  int orders = 1;             // number of valid entries in `order`
  int order[kMaxOrders] = {1};
  ChannelSpectrum ch[3];  // AFE channels 1..3 (named L1..L3 in the scenario)
};

// Called after every plant step, with the step's length.
class StepListener {
 public:
  virtual ~StepListener() = default;
  virtual void on_plant_step(Time t, double dt_s) = 0;
};

// Service "plant.meter".
class MeterSource {
 public:
  virtual ~MeterSource() = default;
  // The state at the latest plant step.
  virtual const MeterFrame& meter_frame() const = 0;
  virtual void add_step_listener(StepListener* l) = 0;
  virtual Time step() const = 0;
};

}  // namespace lmsim::plant
