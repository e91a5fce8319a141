#include "models/plant/load.h"

#include <algorithm>

namespace lmsim::plant {

Load::Load(Registry& reg, std::string name, Wiring w, Config cfg) : Element(std::move(name), w), cfg_(std::move(cfg)) {
  std::string base = "site.load." + name_;
  on_ = &reg.add_bool(base + ".on", cfg_.on).as_knob().describe("load switched on");
  override_ = &reg.add_number(base + ".override", "W", -1)
                   .as_knob()
                   .describe("power override (W); negative = follow the load's own profile");
  auto pk = [this](Signal&) {
    if (poke) poke();
  };
  on_->on_write = pk;
  override_->on_write = pk;
  power_sig_ = &reg.add_number(base + ".power", "W", 0).describe("active power drawn by the load");
  base_ = cfg_.power;
}

Time Load::update(Time t) {
  Time next = kNever;
  while (next_event_ < cfg_.schedule.size() && cfg_.schedule[next_event_].at <= t) {
    const auto& e = cfg_.schedule[next_event_++];
    if (e.on >= 0) on_->set(e.on);
    if (!std::isnan(e.power)) base_ = e.power;
  }
  if (next_event_ < cfg_.schedule.size()) next = cfg_.schedule[next_event_].at;
  if (cfg_.profile) {
    auto s = cfg_.profile->at(t);
    base_ = s.watts;
    next = std::min(next, s.next);
  }
  double w = override_->value() >= 0 ? override_->value() : base_;
  if (!on_->as_bool()) w = 0;
  p_ = w;
  if (cfg_.has_q) {
    // A fixed Q belongs to the configured power; other powers scale it.
    q_ = cfg_.power != 0 ? cfg_.q * std::fabs(w) / std::fabs(cfg_.power) : (w != 0 ? cfg_.q : 0);
  } else {
    double pf = std::clamp(std::fabs(cfg_.pf), 1e-3, 1.0);
    q_ = std::fabs(w) * std::sqrt(1 - pf * pf) / pf * (cfg_.pf < 0 ? -1 : 1);
  }
  return next;
}

}  // namespace lmsim::plant
