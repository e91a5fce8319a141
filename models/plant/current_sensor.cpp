#include "models/plant/current_sensor.h"

#include <cmath>

namespace lmsim::plant {

CurrentSensor::CurrentSensor(Registry& reg, int channel, Config cfg)
    : cfg_(cfg), ct_gain_(std::polar(1.0 + cfg.amplitude_error, cfg.phase_error)) {
  std::string base = "site.sensor.L" + std::to_string(channel + 1);
  open_ = &reg.add_bool(base + ".open", cfg.open).as_knob().describe("clamp open / not clicked shut");
  reversed_ = &reg.add_bool(base + ".reversed", cfg.reversed).as_knob().describe("arrow points towards the grid");
  clamps_ = &reg.add_enum(base + ".clamps", {"L1", "L2", "L3", "N"}, cfg.clamps)
                 .as_knob()
                 .describe("conductor the sensor is clamped around");
  pairs_ = &reg.add_enum(base + ".pairs_with", {"L1", "L2", "L3"}, cfg.pairs_with)
                .as_knob()
                .describe("phase wired to this channel's voltage input");
  for (Signal* s : {open_, reversed_, clamps_, pairs_}) s->on_write = [this](Signal&) { ++version_; };
}

Complex CurrentSensor::transfer(int order, double f, double primary_rms) const {
  Complex g;
  if (cfg_.type == SensorType::Ct) {
    g = ct_gain_;
    if (cfg_.saturation > 0 && primary_rms > 0) {
      // Soft limit: linear well below the knee, the output flattens at the saturation current.
      double x = primary_rms / cfg_.saturation;
      g *= 1.0 / std::pow(1.0 + std::pow(x, 8), 1.0 / 8);
    }
  } else {
    // The coil's di/dt output integrated by an integrator with a high-pass corner f_c:
    // H = j x / (1 + j x), x = f / f_c. Phase lead atan(f_c / f), falling with the order.
    double x = order * f / cfg_.integrator_corner;
    g = (1.0 + cfg_.amplitude_error) * Complex(x * x, x) / (1 + x * x);  // j x / (1 + j x)
    g *= 1.0 + cfg_.position_error;
  }
  if (open_->as_bool()) g *= cfg_.open_coupling;
  if (reversed_->as_bool()) g = -g;
  return g;
}

}  // namespace lmsim::plant
