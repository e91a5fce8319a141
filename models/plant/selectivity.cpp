#include "models/plant/selectivity.h"

#include <algorithm>
#include <cmath>

namespace lmsim::plant {
namespace {
// The downstream device operates strictly first (and it operates at all).
bool selective_at(const TripCurve& down, const TripCurve& up, double amps) {
  double td = down.cold_time(amps), tu = up.cold_time(amps);
  if (!std::isfinite(tu)) return true;
  return td < tu;
}
}  // namespace

Selectivity check_selectivity(const TripCurve& down, const TripCurve& up, double i_max) {
  Selectivity r;
  // Log-spaced scan from where either device first operates, then bisection at the first
  // current where the upstream device would operate first.
  double lo = std::min(down.i_min(), up.i_min()) * 1.0001;
  const int n = 4000;
  const double step = std::log(i_max / lo) / n;
  double prev = 0;
  bool found = false;
  for (int k = 0; k <= n; ++k) {
    double amps = lo * std::exp(step * k);
    if (!selective_at(down, up, amps)) {
      double a = prev, b = amps;
      for (int it = 0; it < 60 && a > 0; ++it) {
        double m = 0.5 * (a + b);
        (selective_at(down, up, m) ? a : b) = m;
      }
      r.limit = a;
      found = true;
      break;
    }
    prev = amps;
  }
  if (!found) {
    r.limit = i_max;
    r.total = true;
  }
  // IEC 60364-4-41: final circuits up to 32 A disconnect within 0.4 s (TN, 230 V). The current
  // at which the slowest downstream device does so; bisection on its falling curve.
  double a = down.i_min(), b = i_max;
  if (down.cold_time(b) > 0.4) {
    r.clear_04s = i_max;
  } else {
    for (int it = 0; it < 100; ++it) {
      double m = std::sqrt(a * b);
      (down.cold_time(m) > 0.4 ? a : b) = m;
    }
    r.clear_04s = b;
  }
  r.warn = !r.total && r.limit < r.clear_04s;
  return r;
}

}  // namespace lmsim::plant
