#include "models/plant/main_fuse.h"

#include <cmath>
#include <limits>
#include <string>

namespace lmsim::plant {

std::vector<MainFuse::Point> MainFuse::gg_curve(double rating) {
  const double k = rating / 63.0;
  return {{1.6 * rating, 3600}, {200 * k, 100}, {300 * k, 10}, {400 * k, 2}};
}

MainFuse::MainFuse(Registry& reg, Config cfg) : cfg_(std::move(cfg)) {
  if (cfg_.curve.empty()) cfg_.curve = gg_curve(cfg_.rating);
  for (int p = 0; p < 3; ++p) {
    std::string b = "site.fuse.L" + std::to_string(p + 1);
    current_[p] = &reg.add_number(b + ".current", "A", 0).describe("RMS current through the main fuse");
    damage_sig_[p] = &reg.add_number(b + ".damage", "%", 0).describe("thermal damage; 100 % = blown");
    tripped_[p] = &reg.add_bool(b + ".tripped").describe("fuse element blown");
  }
  any_tripped_ = &reg.add_bool("site.fuse.tripped").describe("any main fuse element blown");
  reset_ = &reg.add_bool("site.fuse.reset").as_knob().describe("write true: replace blown fuses (damage cleared)");
  reset_->on_write = [this](Signal& s) {
    if (!s.as_bool()) return;
    for (int p = 0; p < 3; ++p) {
      blown_[p] = false;
      damage_[p] = 0;
      tripped_[p]->set(0);
      damage_sig_[p]->set(0);
    }
    any_tripped_->set(0);
    s.set(0);
  };
}

double MainFuse::melt_time(double amps) const {
  const auto& c = cfg_.curve;
  if (amps <= cfg_.non_fusing * cfg_.rating || amps <= 0) return std::numeric_limits<double>::infinity();
  // Log-log interpolation; outside the points the nearest segment's slope continues.
  std::size_t i = 1;
  while (i + 1 < c.size() && amps > c[i].current) ++i;
  if (c.size() == 1) return c[0].seconds * (c[0].current / amps) * (c[0].current / amps);  // I^2 t = const
  double x0 = std::log(c[i - 1].current), x1 = std::log(c[i].current);
  double y0 = std::log(c[i - 1].seconds), y1 = std::log(c[i].seconds);
  double y = y0 + (y1 - y0) * (std::log(amps) - x0) / (x1 - x0);
  return std::exp(y);
}

unsigned MainFuse::integrate(double dt, const std::array<double, 3>& amps) {
  unsigned blew = 0;
  for (int p = 0; p < 3; ++p) {
    if (blown_[p]) continue;
    double tm = melt_time(amps[p]);
    if (std::isfinite(tm)) {
      damage_[p] += dt / tm;
      if (damage_[p] >= 1.0 - 1e-9) {
        damage_[p] = 1.0;
        blown_[p] = true;
        blew |= 1u << p;
        tripped_[p]->set(1);
        any_tripped_->set(1);
      }
    } else if (damage_[p] > 0) {
      damage_[p] *= std::exp(-dt / cfg_.cooling);
      if (damage_[p] < 1e-6) damage_[p] = 0;
    }
  }
  return blew;
}

void MainFuse::publish(const std::array<double, 3>& amps) {
  for (int p = 0; p < 3; ++p) {
    current_[p]->set(amps[p]);
    // Rounded to 0.01 % so that slow cooling does not publish a change every step.
    damage_sig_[p]->set(std::round(damage_[p] * 1e4) / 100.0);
  }
}

}  // namespace lmsim::plant
