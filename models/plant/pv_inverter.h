// A PV inverter: peak power, clear-sky sun (from the scenario calendar and the site's latitude
// and longitude) or a CSV profile, 1 or 3 phases. Feeds in (negative demand); disconnects when
// the grid on its side is dead and reconnects after a grid-code delay (anti-islanding).
#pragma once
#include <memory>

#include <optional>

#include "models/plant/cloud_passage.h"
#include "models/plant/element.h"
#include "models/plant/load_profile.h"

namespace lmsim {
class Site;
}

namespace lmsim::plant {

// Fraction of the peak power a clear sky gives at Unix time `epoch_s` (0 at night, ~0.95 on a
// summer noon at 47 deg N).
double clear_sky_fraction(double epoch_s, double latitude_deg, double longitude_deg);

class PvInverter : public Element {
 public:
  struct Config {
    double peak = 0;                   // W
    std::unique_ptr<Profile> profile;  // null: clear sky
    double latitude = 47.4, longitude = 8.5;
    Time resolution = 10 * kSec;
    Time reconnect = 60 * kSec;
    // VDE-AR-N 4105: after (re)connecting, the output rises by at most 10 % of the peak per
    // minute; above 50.2 Hz it falls by 40 % of its power per Hz (P(f)); above 51.5 Hz it trips.
    double ramp_per_min = 0.10;  // share of the peak per minute, 0 = no ramp
    bool p_of_f = true;
    CloudPassage::Config clouds;  // per_hour 0: no seeded cloud passages
  };
  PvInverter(const Site& site, Registry& reg, std::string name, Wiring w, Config cfg);
  Time update(Time t) override;
  void publish(double fraction_live) override { power_sig_->set(-p_ * fraction_live); }
  void on_grid(Time t, bool live) override;
  bool follows_frequency() const override { return cfg_.p_of_f; }

 private:
  const Site& site_;
  Config cfg_;
  bool live_ = true;
  Time connect_at_ = 0;
  Signal* irradiance_ = nullptr;
  Signal* curtail_ = nullptr;
  Signal* power_sig_ = nullptr;
  Registry& reg_;
  Signal* freq_ = nullptr;  // site.grid.frequency (the grid is built after the elements)
  std::optional<CloudPassage> clouds_;
  Signal* cloud_sig_ = nullptr;
};

}  // namespace lmsim::plant
