// Selectivity of an upstream/downstream pair of overcurrent devices from their time-current
// data: up to which current the downstream device clears a fault before the upstream one
// melts, over the whole tolerance band (downstream: the slowest device of its band,
// upstream: the fastest). Pre-arcing = operating time and no I²t let-through limitation (the
// trip-curve model's limits), so above the instantaneous range this is conservative.
#pragma once
#include <string>

#include "models/plant/trip_curve.h"

namespace lmsim::plant {

struct Selectivity {
  double limit = 0;      // A: selective for every current up to this (0: not at all)
  bool total = false;    // selective up to the largest current checked
  double clear_04s = 0;  // A: current the downstream device clears within 0.4 s (slowest)
  bool warn = false;     // not selective at clear_04s (a fault in the circuit also trips upstream)
};

// `i_max`: the largest prospective current to check (A).
Selectivity check_selectivity(const TripCurve& down_slowest, const TripCurve& up_fastest, double i_max);

}  // namespace lmsim::plant
