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

namespace {
// IEC 61869-2 Table 202 (= IEC 60044-1 Table 11): limits of ratio error (±%) and phase
// displacement (± minutes) of measuring CTs at 5, 20, 100 and 120 % of rated current.
struct ClassRow {
  double cls;
  double ratio[4];
  double minutes[4];
};
constexpr double kAt[4] = {0.05, 0.20, 1.00, 1.20};
constexpr ClassRow kClasses[] = {
    {0.1, {0.4, 0.2, 0.1, 0.1}, {15, 8, 5, 5}},
    {0.2, {0.75, 0.35, 0.2, 0.2}, {30, 15, 10, 10}},
    {0.5, {1.5, 0.75, 0.5, 0.5}, {90, 45, 30, 30}},
    {1.0, {3.0, 1.5, 1.0, 1.0}, {180, 90, 60, 60}},
};
}  // namespace

bool CurrentSensor::class_limits(double cls, double x, double& ratio, double& phase) {
  const ClassRow* row = nullptr;
  for (const auto& r : kClasses)
    if (std::fabs(r.cls - cls) < 1e-9) row = &r;
  if (!row) return false;
  // Linear in log(current) between the table's points; held below 5 % and above 120 %
  // (the standard gives no limits there).
  double r, m;
  if (x <= kAt[0]) {
    r = row->ratio[0], m = row->minutes[0];
  } else if (x >= kAt[3]) {
    r = row->ratio[3], m = row->minutes[3];
  } else {
    int k = 1;
    while (x > kAt[k]) ++k;
    double w = std::log(x / kAt[k - 1]) / std::log(kAt[k] / kAt[k - 1]);
    r = row->ratio[k - 1] + w * (row->ratio[k] - row->ratio[k - 1]);
    m = row->minutes[k - 1] + w * (row->minutes[k] - row->minutes[k - 1]);
  }
  ratio = r / 100.0;
  phase = m / 60.0 * 3.14159265358979323846 / 180.0;
  return true;
}

Complex CurrentSensor::transfer(int order, double f, double primary_rms) const {
  Complex g;
  if (cfg_.type == SensorType::Ct) {
    g = ct_gain_;
    double lim_r, lim_p;
    if (cfg_.accuracy_class > 0 && cfg_.rated > 0 &&
        class_limits(cfg_.accuracy_class, primary_rms / cfg_.rated, lim_r, lim_p))
      g = std::polar(1.0 - cfg_.band_position * lim_r, cfg_.band_position * lim_p);
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
