// The residual-current device (RCD, "FI"): compares outgoing and returning current of what is
// behind it. Residual current comes from leakage (knob and per-load) and from miswiring (a
// neutral that returns in front of the RCD). Trip characteristic per IEC 61008: never below
// 0.5 IΔn, always at IΔn; break time given as data (multiples of IΔn -> seconds), default well
// inside the limits (<= 300 ms at IΔn, <= 150 ms at 2 IΔn, <= 40 ms at 5 IΔn).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "sim/registry.h"

namespace lmsim::plant {

enum class RcdType { AC, A, F, B };

// Residual current through the RCD's summation transformer: the RMS of the AC phasor sum (all
// harmonics) and a smooth DC part (e.g. from a charging station's rectifier fault).
struct Residual {
  double ac = 0;  // A RMS
  double dc = 0;  // A
};

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
    RcdType type = RcdType::A;
    std::string prefix = "site.rcd";  // signal names (a circuit's RCD: site.circuits.NAME.rcd)
  };
  // Smooth DC the type tolerates without losing its AC sensitivity (IEC 61008-1 type A: 6 mA;
  // IEC 62423 type F: 10 mA); type AC is not specified for DC at all, type B detects it.
  static double dc_withstand(RcdType t);
  // Residual current the release acts on (A, AC-equivalent): 0 when blinded by DC; type B also
  // trips on smooth DC, at twice the AC threshold (IEC 62423: 0.5..2 IΔn).
  double sensed(const Residual& r) const;
  bool blinded(const Residual& r) const { return cfg_.type != RcdType::B && r.dc > dc_withstand(cfg_.type); }
  Rcd(Registry& reg, Config cfg);
  // Break time at a constant residual current (s); infinity at or below the threshold.
  double break_time(double residual) const;
  // Integrates [t - dt, t] at the residual current; true if it tripped now.
  bool integrate(double dt, const Residual& r);
  // Seconds until it trips if the residual current stays as it is (infinity: never).
  double time_to_trip(const Residual& r) const;
  bool tripped() const { return tripped_->as_bool(); }
  double leakage() const { return leakage_->value(); }
  double leakage_dc() const { return leakage_dc_->value(); }
  void publish(const Residual& r);
  const Config& config() const { return cfg_; }
  // Bumped on manual trip/reset (the plant re-evaluates the topology).
  unsigned version() const { return version_; }
  // Set by the plant: a knob changed (re-evaluate now, not at the next plant step).
  std::function<void()> poke;

 private:
  Config cfg_;
  double progress_ = 0;
  unsigned version_ = 0;
  Signal* residual_ = nullptr;
  Signal* tripped_ = nullptr;
  Signal* leakage_ = nullptr;
  Signal* leakage_dc_ = nullptr;
  Signal* residual_dc_ = nullptr;
  Signal* blinded_ = nullptr;
  Signal* reset_ = nullptr;
  Signal* test_ = nullptr;
};

}  // namespace lmsim::plant
