// The residual-current device (RCD, "FI"): compares outgoing and returning current of what is
// behind it. Residual current comes from leakage (knob and per-load) and from miswiring (a
// neutral that returns in front of the RCD). Trip characteristic per IEC 61008: never below
// 0.5 IΔn, always at IΔn; break time given as data (multiples of IΔn -> seconds), default well
// inside the limits (<= 300 ms at IΔn, <= 150 ms at 2 IΔn, <= 40 ms at 5 IΔn).
#pragma once
#include <vector>

#include "sim/registry.h"

namespace lmsim::plant {

class Rcd {
 public:
  struct Point {
    double multiple;  // of IΔn
    double seconds;
  };
  struct Config {
    double rated = 0.030;    // IΔn, A
    double threshold = 0.7;  // trips above this multiple of IΔn (IEC: between 0.5 and 1.0)
    std::vector<Point> curve{{1, 0.100}, {2, 0.050}, {5, 0.020}};
  };
  Rcd(Registry& reg, Config cfg);
  // Break time at a constant residual current (s); infinity at or below the threshold.
  double break_time(double residual) const;
  // Integrates [t - dt, t] at `residual` (A, leakage knob added here); true if it tripped now.
  bool integrate(double dt, double residual);
  bool tripped() const { return tripped_->as_bool(); }
  double leakage() const { return leakage_->value(); }
  void publish(double residual) { residual_->set(residual); }
  const Config& config() const { return cfg_; }
  // Bumped on manual trip/reset (the plant re-evaluates the topology).
  unsigned version() const { return version_; }

 private:
  Config cfg_;
  double progress_ = 0;
  unsigned version_ = 0;
  Signal* residual_ = nullptr;
  Signal* tripped_ = nullptr;
  Signal* leakage_ = nullptr;
  Signal* reset_ = nullptr;
  Signal* test_ = nullptr;
};

}  // namespace lmsim::plant
