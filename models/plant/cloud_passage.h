// Cloud passages over a PV array: a seeded sequence of cloud shadows, each darkening the array
// by 60..80 % (clear-sky index 0.2..0.4 under a cumulus cloud) within a few seconds (the
// shadow's edge crossing a residential array), staying dark for a while and clearing again.
// Figures and sources: docs/plant.md ("PV"). Multiplies the PV profile; no spatial smoothing.
#pragma once
#include "models/plant/element.h"
#include "sim/rng.h"

namespace lmsim::plant {

class CloudPassage {
 public:
  struct Config {
    double per_hour = 0;                      // mean passages per hour (Poisson), 0 = clear
    double depth_min = 0.6, depth_max = 0.8;  // irradiance drop, share of the clear value
    double ramp_min = 2, ramp_max = 6;        // s, edge transit (drop and recovery)
    double mean_length = 60;                  // s, mean time fully in the shadow (exponential)
  };
  CloudPassage(Config cfg, Rng rng);
  // Irradiance factor at t (1 = clear); t must not decrease between calls.
  double factor(Time t);
  // Next time the factor needs re-evaluating (ramps: every `kRampStep`), kNever when clear
  // for good.
  Time next(Time t) const;
  static constexpr Time kRampStep = kSec;

 private:
  void draw_from(Time after);
  Config cfg_;
  Rng rng_;
  // The current or next passage: ramp down [start, start+ramp), dark until end, ramp up after.
  Time start_ = kNever, ramp_ = 0, dark_end_ = 0;
  double depth_ = 0;
};

}  // namespace lmsim::plant
