// An overcurrent protective device with one element per phase (the site's main fuse, a
// circuit's fuse or MCB): a time-current characteristic with a thermal state per element
// (TripCurve), so that preload shortens the time to melt and elements cool down after an
// overload. The plant asks for the exact time to the next trip so that trips happen between
// plant steps at the right instant.
#pragma once
#include <array>
#include <string>

#include "models/plant/trip_curve.h"
#include "sim/registry.h"

namespace lmsim::plant {

class MainFuse {
 public:
  struct Config {
    double rating = 63;  // A
    TripCurve curve = TripCurve::gg_fuse(63, Band::Nominal);
    // The ends of the standard's tolerance band for this kind and rating (the selectivity
    // check's worst case); equal to `curve` for a curve given as points.
    TripCurve fastest = TripCurve::gg_fuse(63, Band::Fastest);
    TripCurve slowest = TripCurve::gg_fuse(63, Band::Slowest);
    std::string kind = "gG 63 A";      // for messages
    std::string prefix = "site.fuse";  // signal names
    std::string label = "main fuse";   // for the run log
  };

  MainFuse(Registry& reg, Config cfg);
  // Integrates [t - dt, t] at the given phase currents; returns a mask of phases that tripped now.
  unsigned integrate(double dt, const std::array<double, 3>& amps);
  // Seconds until the first element trips if the currents stay as they are (kInf: never).
  double time_to_trip(const std::array<double, 3>& amps) const;
  bool blown(int p) const { return blown_[p]; }
  // Thermal state of phase p's element, 1 = melted/tripped.
  double damage(int p) const { return theta_[p]; }
  const Config& config() const { return cfg_; }
  // Publishes phase currents and damage.
  void publish(const std::array<double, 3>& amps);

 private:
  Config cfg_;
  std::array<double, 3> theta_{};
  struct Decay {
    double amps = -1, dt = -1, g = 0, factor = 1;
  };
  std::array<Decay, 3> decay_{};
  std::array<double, 3> inst_{};  // time spent above the instantaneous release's threshold
  std::array<bool, 3> blown_{};
  std::array<Signal*, 3> current_{}, damage_sig_{}, tripped_{};
  Signal* any_tripped_ = nullptr;
  Signal* reset_ = nullptr;
};

}  // namespace lmsim::plant
