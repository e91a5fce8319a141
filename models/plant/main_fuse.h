// The site's main fuse, one element per phase: a gG time-current curve given as data points,
// interpolated log-log, integrated as thermal damage (Miner's rule: damage += dt / t_melt(I)).
// Damage stays while overloaded and recovers slowly (exponential cooling) below the
// non-fusing current, so intermittent overloads can blow the fuse although no single burst would.
#pragma once
#include <array>
#include <vector>

#include "sim/registry.h"

namespace lmsim::plant {

class MainFuse {
 public:
  struct Point {
    double current;  // A
    double seconds;  // pre-arcing time at that current
  };
  struct Config {
    double rating = 63;        // A
    std::vector<Point> curve;  // ascending current, descending time; empty = gG scaled to the rating
    double non_fusing = 1.25;  // multiple of the rating below which nothing accumulates
    double cooling = 1200;     // s, time constant of damage recovery
  };
  // NH 63 A gG points from the data sheet class (200 A/100 s, 300 A/10 s, 400 A/2 s), plus the
  // conventional fusing current 1.6 In within 1 h, as multiples of the rating.
  static std::vector<Point> gg_curve(double rating);

  MainFuse(Registry& reg, Config cfg);
  // Melting time at a constant current (s); infinity below the non-fusing current.
  double melt_time(double amps) const;
  // Integrates [t - dt, t] at the given phase currents; returns a mask of phases that blew now.
  unsigned integrate(double dt, const std::array<double, 3>& amps);
  bool blown(int p) const { return blown_[p]; }
  double damage(int p) const { return damage_[p]; }
  const Config& config() const { return cfg_; }
  // Publishes phase currents and damage.
  void publish(const std::array<double, 3>& amps);

 private:
  Config cfg_;
  std::array<double, 3> damage_{};
  std::array<bool, 3> blown_{};
  std::array<Signal*, 3> current_{}, damage_sig_{}, tripped_{};
  Signal* any_tripped_ = nullptr;
  Signal* reset_ = nullptr;
};

}  // namespace lmsim::plant
