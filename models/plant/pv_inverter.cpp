#include "models/plant/pv_inverter.h"

#include <algorithm>
#include <cmath>

#include "sim/site.h"

namespace lmsim::plant {

double clear_sky_fraction(double epoch_s, double latitude_deg, double longitude_deg) {
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  double day = std::floor(epoch_s / 86400.0);
  // 1970-01-01 is day 0 of its year; epoch days modulo the mean year track the season.
  double doy = std::fmod(day, 365.2425);
  double decl = 23.45 * kRad * std::sin(2 * 3.14159265358979323846 * (284 + doy + 1) / 365.0);
  double utc_h = std::fmod(epoch_s, 86400.0) / 3600.0;
  double solar_h = utc_h + longitude_deg / 15.0;
  double hour_angle = 15.0 * kRad * (solar_h - 12.0);
  double lat = latitude_deg * kRad;
  double sin_elev = std::sin(lat) * std::sin(decl) + std::cos(lat) * std::cos(decl) * std::cos(hour_angle);
  if (sin_elev <= 0) return 0;
  return std::min(1.0, 1.05 * std::pow(sin_elev, 1.15));
}

PvInverter::PvInverter(const Site& site, Registry& reg, std::string name, Wiring w, Config cfg)
    : Element(std::move(name), w), site_(site), cfg_(std::move(cfg)), reg_(reg) {
  std::string base = "site.pv." + name_;
  irradiance_ = &reg.add_number(base + ".irradiance", "%", 100)
                     .as_knob()
                     .describe("irradiance relative to the profile (clouds: < 100 %)");
  curtail_ = &reg.add_number(base + ".curtail", "%", 100).as_knob().describe("output limit, % of the peak power");
  auto pk = [this](Signal&) {
    if (poke) poke();
  };
  irradiance_->on_write = pk;
  curtail_->on_write = pk;
  power_sig_ = &reg.add_number(base + ".power", "W", 0).describe("power produced (W, >= 0)");
  if (cfg_.clouds.per_hour > 0) {
    clouds_.emplace(cfg_.clouds, site.rng(base + ".clouds"));
    cloud_sig_ = &reg.add_number(base + ".clouds", "%", 100)
                      .describe("irradiance left by the seeded cloud passages (100 % = clear)");
  }
}

void PvInverter::on_grid(Time t, bool live) {
  if (live && !live_) connect_at_ = t + cfg_.reconnect;
  live_ = live;
  if (poke) poke();
}

Time PvInverter::update(Time t) {
  double frac;
  Time next;
  if (cfg_.profile) {
    auto s = cfg_.profile->at(t);
    frac = cfg_.peak > 0 ? s.watts / cfg_.peak : 0;
    next = s.next;
  } else {
    frac = clear_sky_fraction(site_.start_epoch() + time_to_seconds(t), cfg_.latitude, cfg_.longitude);
    next = t + cfg_.resolution;
  }
  frac *= std::max(0.0, irradiance_->value()) / 100.0;
  if (clouds_) {
    double cf = clouds_->factor(t);
    cloud_sig_->set(cf * 100.0);
    frac *= cf;
    next = std::min(next, clouds_->next(t));
  }
  frac = std::clamp(frac, 0.0, std::clamp(curtail_->value(), 0.0, 100.0) / 100.0);
  if (!live_ || t < connect_at_) {
    frac = 0;
    if (live_) next = std::min(next, connect_at_);
  } else if (cfg_.ramp_per_min > 0 && connect_at_ > 0) {
    double ramp = cfg_.ramp_per_min * time_to_seconds(t - connect_at_) / 60.0;
    if (ramp < 1.0) {
      frac = std::min(frac, ramp);
      next = std::min(next, t + kSec);  // follow the ramp in 1 s steps
    }
  }
  if (cfg_.p_of_f) {
    if (!freq_) freq_ = reg_.find("site.grid.frequency");
    double f = freq_ ? freq_->value() : 50.0;
    if (f > 51.5)
      frac = 0;
    else if (f > 50.2)
      frac *= std::max(0.0, 1.0 - 0.4 * (f - 50.2));
  }
  p_ = -frac * cfg_.peak;
  q_ = 0;
  return next;
}

}  // namespace lmsim::plant
