#include "models/plant/rdc_dd.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lmsim::plant {
namespace {
// IEC 62955:2018 maximum break times of an RDC-DD for smooth DC residual current
// (IΔdc = 6 mA: 10 s, 60 mA: 0.3 s, 200 mA: 0.1 s); log-log interpolated between the rows,
// 0.1 s above the last. The device trips at the rated 6 mA ("equal to or above 6 mA", the
// standard's scope) and never below it. Here the device takes the full time the table allows
// (the slowest compliant device: the upstream RCD stays blinded the longest).
struct Row {
  double amps, seconds;
};
constexpr Row kBreakTimes[] = {{0.006, 10.0}, {0.060, 0.3}, {0.200, 0.1}};
}  // namespace

RdcDd::RdcDd(Registry& reg, const std::string& prefix) {
  tripped_ = &reg.add_bool(prefix + ".tripped").describe("RDC-DD opened the station's supply (6 mA DC, IEC 62955)");
  residual_ = &reg.add_number(prefix + ".residual_dc", "A", 0).describe("smooth DC residual current the RDC-DD sees");
  reset_ = &reg.add_bool(prefix + ".reset").as_knob().describe("write true: close the station's supply again");
  reset_->on_write = [this](Signal& s) {
    if (!s.as_bool()) return;
    tripped_->set(0);
    progress_ = 0;
    ++version_;
    s.set(0);
    if (poke) poke();
  };
}

double RdcDd::break_time(double dc) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (dc < kBreakTimes[0].amps * (1 - 1e-9)) return kInf;
  constexpr int n = sizeof kBreakTimes / sizeof kBreakTimes[0];
  if (dc >= kBreakTimes[n - 1].amps) return kBreakTimes[n - 1].seconds;
  int i = 1;
  while (dc > kBreakTimes[i].amps) ++i;
  double x0 = std::log(kBreakTimes[i - 1].amps), x1 = std::log(kBreakTimes[i].amps);
  double y0 = std::log(kBreakTimes[i - 1].seconds), y1 = std::log(kBreakTimes[i].seconds);
  return std::exp(y0 + (y1 - y0) * (std::log(std::max(dc, kBreakTimes[0].amps)) - x0) / (x1 - x0));
}

double RdcDd::time_to_trip(double dc) const {
  if (tripped()) return std::numeric_limits<double>::infinity();
  double bt = break_time(dc);
  return std::isfinite(bt) ? std::max(0.0, 1.0 - progress_) * bt : bt;
}

bool RdcDd::integrate(double dt, double dc) {
  if (tripped()) return false;
  double bt = break_time(dc);
  if (!std::isfinite(bt)) {
    progress_ = 0;
    return false;
  }
  progress_ += dt / bt;
  if (progress_ < 1.0 - 1e-9) return false;
  tripped_->set(1);
  progress_ = 0;
  ++version_;
  return true;
}

}  // namespace lmsim::plant
