#include "models/plant/rcd.h"

#include <cmath>
#include <limits>

namespace lmsim::plant {

Rcd::Rcd(Registry& reg, Config cfg) : cfg_(std::move(cfg)) {
  residual_ = &reg.add_number("site.rcd.residual", "A", 0).describe("residual (differential) current");
  tripped_ = &reg.add_bool("site.rcd.tripped").describe("RCD open: everything behind it is disconnected");
  leakage_ =
      &reg.add_number("site.rcd.leakage", "A", 0).as_knob().describe("extra leakage current to PE behind the RCD");
  reset_ = &reg.add_bool("site.rcd.reset").as_knob().describe("write true: switch the RCD back on");
  reset_->on_write = [this](Signal& s) {
    if (!s.as_bool()) return;
    tripped_->set(0);
    progress_ = 0;
    ++version_;
    s.set(0);
  };
  test_ = &reg.add_bool("site.rcd.trip").as_knob().describe("write true: press the test button (trips)");
  test_->on_write = [this](Signal& s) {
    if (!s.as_bool()) return;
    tripped_->set(1);
    ++version_;
    s.set(0);
  };
}

double Rcd::break_time(double residual) const {
  double m = residual / cfg_.rated;
  if (m <= cfg_.threshold) return std::numeric_limits<double>::infinity();
  const auto& c = cfg_.curve;
  if (m <= c.front().multiple) return c.front().seconds;
  if (m >= c.back().multiple) return c.back().seconds;
  std::size_t i = 1;
  while (m > c[i].multiple) ++i;
  double x0 = std::log(c[i - 1].multiple), x1 = std::log(c[i].multiple);
  double y0 = std::log(c[i - 1].seconds), y1 = std::log(c[i].seconds);
  return std::exp(y0 + (y1 - y0) * (std::log(m) - x0) / (x1 - x0));
}

bool Rcd::integrate(double dt, double residual) {
  if (tripped()) return false;
  double bt = break_time(residual);
  if (!std::isfinite(bt)) {
    progress_ = 0;  // the release mechanism resets as soon as the residual current drops
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
