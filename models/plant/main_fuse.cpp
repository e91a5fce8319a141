#include "models/plant/main_fuse.h"

#include <algorithm>
#include <cmath>

namespace lmsim::plant {

MainFuse::MainFuse(Registry& reg, Config cfg) : cfg_(std::move(cfg)) {
  const std::string& pre = cfg_.prefix;
  for (int p = 0; p < 3; ++p) {
    std::string b = pre + ".L" + std::to_string(p + 1);
    current_[p] = &reg.add_number(b + ".current", "A", 0).describe("RMS current through the " + cfg_.label);
    damage_sig_[p] = &reg.add_number(b + ".damage", "%", 0)
                          .describe("thermal state of the element (preload); 100 % = melted/tripped");
    tripped_[p] = &reg.add_bool(b + ".tripped").describe(cfg_.label + " element tripped");
  }
  any_tripped_ = &reg.add_bool(pre + ".tripped").describe("any " + cfg_.label + " element tripped");
  reset_ = &reg.add_bool(pre + ".reset").as_knob().describe("write true: replace/switch on (thermal state cleared)");
  reset_->on_write = [this](Signal& s) {
    if (!s.as_bool()) return;
    for (int p = 0; p < 3; ++p) {
      blown_[p] = false;
      theta_[p] = 0;
      inst_[p] = 0;
      tripped_[p]->set(0);
      damage_sig_[p]->set(0);
    }
    any_tripped_->set(0);
    s.set(0);
  };
}

unsigned MainFuse::integrate(double dt, const std::array<double, 3>& amps) {
  unsigned blew = 0;
  const TripCurve& c = cfg_.curve;
  for (int p = 0; p < 3; ++p) {
    if (blown_[p]) continue;
    bool trip = false;
    if (amps[p] > c.inst_current()) {
      inst_[p] += dt;
      trip = inst_[p] >= c.inst_seconds() - 1e-12;
    } else {
      inst_[p] = 0;
    }
    // The decay factor exp(-dt / tau(I)) is reused while the current and the step stay the same
    // (the usual case: a log and an exp per element and step saved).
    Decay& k = decay_[p];
    if (amps[p] != k.amps || dt != k.dt) k = {amps[p], dt, c.target(amps[p]), c.decay(amps[p], dt)};
    theta_[p] = k.g + (theta_[p] - k.g) * k.factor;
    if (theta_[p] < 1e-9) theta_[p] = 0;
    trip = trip || theta_[p] >= 1.0 - 1e-9;
    if (trip) {
      theta_[p] = std::max(theta_[p], 1.0);
      blown_[p] = true;
      blew |= 1u << p;
      tripped_[p]->set(1);
      any_tripped_->set(1);
    }
  }
  return blew;
}

double MainFuse::time_to_trip(const std::array<double, 3>& amps) const {
  const TripCurve& c = cfg_.curve;
  double t = TripCurve::kInf;
  for (int p = 0; p < 3; ++p) {
    if (blown_[p]) continue;
    t = std::min(t, c.thermal_time_to_trip(theta_[p], amps[p]));
    if (amps[p] > c.inst_current()) t = std::min(t, std::max(0.0, c.inst_seconds() - inst_[p]));
  }
  return t;
}

void MainFuse::publish(const std::array<double, 3>& amps) {
  for (int p = 0; p < 3; ++p) {
    // Compared first: Signal::set asks the kernel for the time even when nothing changes.
    if (current_[p]->value() != amps[p]) current_[p]->set(amps[p]);
    // Rounded to 0.01 % so that slow cooling does not publish a change every step.
    double d = static_cast<double>(static_cast<long long>(std::min(theta_[p], 1.0) * 1e4 + 0.5)) / 100.0;
    if (damage_sig_[p]->value() != d) damage_sig_[p]->set(d);
  }
}

}  // namespace lmsim::plant
