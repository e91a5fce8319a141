#include "models/plant/appliance.h"

#include <algorithm>
#include <cmath>

#include "sim/site.h"

namespace lmsim::plant {

const std::vector<Appliance::Spec>& Appliance::library() {
  // Ratings are typical nameplate values of appliances sold in the EU (single-phase 230 V
  // unless noted); uses per day and durations give the annual energies of the EU energy labels
  // and consumer guides: kettle ~ 0.3 kWh/day, hob ~ 0.6, oven ~ 0.4 (label: ~ 0.9 kWh per
  // standard use, ~ 0.5 uses/day), washing machine ~ 0.5 (label: ~ 0.9 kWh/cycle, 220
  // cycles/year), dishwasher ~ 0.7 (label: ~ 0.95 kWh/cycle, 280 cycles/year), tumble dryer
  // ~ 0.5 (heat-pump dryers ~ 1.5 kWh/cycle, 0.3 cycles/day).
  static const std::vector<Spec> lib = [] {
    std::array<double, 24> morning_evening = {0,   0,   0,   0,   0,   0.2, 1.5, 2.0, 1.0, 0.5, 0.5, 0.8,
                                              1.0, 0.6, 0.4, 0.5, 0.8, 1.2, 1.5, 1.2, 0.8, 0.6, 0.3, 0.1};
    std::array<double, 24> meals = {0,   0,   0,   0,   0,   0,   0.3, 0.6, 0.3, 0.1, 0.3, 1.5,
                                    2.0, 0.5, 0.1, 0.1, 0.3, 1.2, 2.5, 1.5, 0.4, 0.1, 0,   0};
    std::array<double, 24> day = {0,   0,   0,   0,   0,   0,   0.2, 0.6, 1.0, 1.2, 1.2, 1.0,
                                  0.8, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.5, 0.2, 0};
    std::vector<Spec> v;
    v.push_back({"kettle", 2200, 1.0, 3.0, 3, 1.0, 60, 0, morning_evening, false});
    v.push_back({"hob", 1800, 1.0, 1.5, 20, 0.7, 40, 0, meals, false});
    v.push_back({"oven", 3000, 1.0, 0.4, 45, 0.45, 120, 0, meals, false});
    v.push_back({"washer", 2000, 1.0, 0.6, 90, 0.17, 5400, 150, day, false});
    v.push_back({"dishwasher", 2000, 1.0, 0.75, 120, 0.2, 1800, 60, day, false});
    v.push_back({"dryer", 2400, 0.95, 0.3, 70, 0.55, 300, 200, day, false});
    return v;
  }();
  return lib;
}

double Appliance::daily_wh(const Spec& s) {
  return s.uses_per_day * s.minutes / 60.0 * (s.duty * s.power + (1 - s.duty) * s.idle_w);
}

Appliance::Appliance(const Site& site, Registry& reg, std::string name, Wiring w, Spec spec, Rng rng)
    : Element(std::move(name), w), site_(site), spec_(std::move(spec)), rng_(rng) {
  double sum = 0, mx = 0;
  for (double h : spec_.hours) {
    sum += h;
    mx = std::max(mx, h);
  }
  // Uses per second in the busiest hour (the thinning bound for the time-varying rate).
  max_rate_ = sum > 0 ? spec_.uses_per_day * mx / sum / 3600.0 : 0;
  power_sig_ = &reg.add_number("site.load." + name_ + ".power", "W", 0).describe("active power drawn by the appliance");
  next_use_ = next_start(0);
}

Time Appliance::next_start(Time from) {
  if (max_rate_ <= 0) return kNever;
  // Thinning (Lewis-Shedler): candidates at the peak rate, kept with rate(h) / peak rate.
  double mx = *std::max_element(spec_.hours.begin(), spec_.hours.end());
  Time t = from;
  for (int k = 0; k < 100000; ++k) {
    t += seconds_to_time(rng_.exponential(1.0 / max_rate_));
    int h = static_cast<int>(site_.time_of_day(t) / 3600.0) % 24;
    if (rng_.uniform() * mx < spec_.hours[static_cast<std::size_t>(h)]) return t;
  }
  return kNever;
}

Time Appliance::update(Time t) {
  if (use_end_ != 0 && t >= use_end_) {
    use_end_ = 0;
    heating_ = false;
  }
  if (use_end_ == 0 && t >= next_use_) {
    double minutes = std::max(1.0, rng_.normal(spec_.minutes, spec_.minutes * 0.25));
    use_end_ = t + seconds_to_time(minutes * 60);
    heating_ = true;
    next_toggle_ = t + seconds_to_time(spec_.duty >= 1 ? minutes * 60 : spec_.duty * spec_.cycle_s);
    next_use_ = next_start(use_end_);
  }
  if (use_end_ != 0 && spec_.duty < 1 && t >= next_toggle_) {
    heating_ = !heating_;
    next_toggle_ = t + seconds_to_time((heating_ ? spec_.duty : 1 - spec_.duty) * spec_.cycle_s);
  }
  double w = use_end_ == 0 ? 0 : heating_ ? spec_.power : spec_.idle_w;
  p_ = w;
  double pf = std::clamp(spec_.pf, 1e-3, 1.0);
  q_ = w * std::sqrt(1 - pf * pf) / pf;
  Time next = use_end_ != 0 ? std::min(use_end_, spec_.duty < 1 ? next_toggle_ : use_end_) : next_use_;
  return next;
}

}  // namespace lmsim::plant
