// The utility grid at the site's connection point: a 3-phase source described by per-phase
// fundamental phasors plus optional voltage harmonics. Knobs change the source; the plant
// reads it once per step.
#pragma once
#include <array>
#include <functional>
#include <vector>

#include "models/plant/meter_tap.h"
#include "sim/registry.h"

namespace lmsim::plant {

struct VoltageHarmonic {
  int order = 5;
  double fraction = 0;  // of the fundamental's magnitude
  double angle = 0;     // rad, relative to order * theta
};

class Grid {
 public:
  struct Config {
    double voltage = 230;  // V phase-to-neutral RMS
    double frequency = 50;
    std::vector<VoltageHarmonic> harmonics;
    Complex impedance{0, 0};  // Ω per phase conductor, source to the building (0 = stiff)
  };
  Grid(Registry& reg, const Config& cfg);

  // Phase p (0..2) present at the source (no outage, no phase loss).
  bool live(int p) const { return !outage_->as_bool() && !loss_[p]->as_bool() && magnitude(p) > 0; }
  // Source RMS magnitude of phase p's fundamental (sag/swell applied; 0 when not live is the caller's).
  double magnitude(int p) const { return nominal_[p]->value() * (1.0 - sag_->value() / 100.0); }
  double frequency() const { return freq_->value(); }
  const std::vector<VoltageHarmonic>& harmonics() const { return harmonics_; }
  // Fundamental phase offset of phase p: L1 0, L2 -120 deg, L3 +120 deg.
  static double offset(int p) { return kOffsets[p]; }

  // Bumped by every knob write that changes the source (the plant re-evaluates).
  unsigned version() const { return version_; }
  // Set by the plant: a knob changed (re-evaluate now, not at the next plant step).
  std::function<void()> poke;

 private:
  static constexpr double kOffsets[3] = {0.0, -2.0943951023931953, 2.0943951023931953};
  std::array<Signal*, 3> nominal_{};
  std::array<Signal*, 3> loss_{};
  Signal* all_ = nullptr;
  Signal* freq_ = nullptr;
  Signal* sag_ = nullptr;
  Signal* outage_ = nullptr;
  std::vector<VoltageHarmonic> harmonics_;
  unsigned version_ = 0;
};

}  // namespace lmsim::plant
