#include "models/plant/rcd.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lmsim::plant {

Rcd::Rcd(Registry& reg, Config cfg) : cfg_(std::move(cfg)) {
  residual_ = &reg.add_number(cfg_.prefix + ".residual", "A", 0).describe("residual (differential) current");
  tripped_ = &reg.add_bool(cfg_.prefix + ".tripped").describe("RCD open: everything behind it is disconnected");
  leakage_ = &reg.add_number(cfg_.prefix + ".leakage", "A", 0)
                  .as_knob()
                  .describe("extra leakage current to PE behind the RCD");
  leakage_->on_write = [this](Signal&) {
    if (poke) poke();
  };
  leakage_dc_ = &reg.add_number(cfg_.prefix + ".leakage_dc", "A", 0)
                     .as_knob()
                     .describe("extra smooth DC residual current behind the RCD");
  leakage_dc_->on_write = leakage_->on_write;
  residual_dc_ =
      &reg.add_number(cfg_.prefix + ".residual_dc", "A", 0).describe("smooth DC part of the residual current");
  blinded_ =
      &reg.add_bool(cfg_.prefix + ".blinded").describe("DC residual beyond what the RCD type withstands: no AC trip");
  reset_ = &reg.add_bool(cfg_.prefix + ".reset").as_knob().describe("write true: switch the RCD back on");
  reset_->on_write = [this](Signal& s) {
    if (!s.as_bool()) return;
    tripped_->set(0);
    progress_ = 0;
    ++version_;
    s.set(0);
    if (poke) poke();
  };
  test_ = &reg.add_bool(cfg_.prefix + ".trip").as_knob().describe("write true: press the test button (trips)");
  test_->on_write = [this](Signal& s) {
    if (!s.as_bool()) return;
    tripped_->set(1);
    ++version_;
    s.set(0);
    if (poke) poke();
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

double Rcd::dc_withstand(RcdType t) {
  switch (t) {
    case RcdType::AC: return 0.0;
    case RcdType::A: return 0.006;
    case RcdType::F: return 0.010;
    case RcdType::B: break;
  }
  return std::numeric_limits<double>::infinity();
}

double Rcd::sensed(const Residual& r) const {
  if (blinded(r)) return 0.0;
  if (cfg_.type == RcdType::B) return std::max(r.ac, r.dc / 2.0);
  return r.ac;
}

void Rcd::publish(const Residual& r) {
  // Compared first: Signal::set asks the kernel for the time even when nothing changes.
  if (residual_->value() != r.ac) residual_->set(r.ac);
  if (residual_dc_->value() != r.dc) residual_dc_->set(r.dc);
  double b = blinded(r) ? 1 : 0;
  if (blinded_->value() != b) blinded_->set(b);
}

double Rcd::time_to_trip(const Residual& r) const {
  if (tripped()) return std::numeric_limits<double>::infinity();
  double bt = break_time(sensed(r));
  return std::isfinite(bt) ? std::max(0.0, 1.0 - progress_) * bt : bt;
}

bool Rcd::integrate(double dt, const Residual& r) {
  if (tripped()) return false;
  double bt = break_time(sensed(r));
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
