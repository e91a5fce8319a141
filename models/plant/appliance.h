// A household appliance on one phase (or three): switched on at seeded random times whose rate
// follows a time-of-day profile (uses per day), runs for a random duration, and within a use
// either draws its rated power throughout or cycles its heating element (thermostat duty).
// A household (`profile: household`) is a set of these plus a base load; the figures are in
// Appliance::library() with their sources (docs/plant.md).
#pragma once
#include <array>
#include <string>
#include <vector>

#include "models/plant/element.h"
#include "sim/rng.h"

namespace lmsim {
class Site;
}

namespace lmsim::plant {

class Appliance : public Element {
 public:
  struct Spec {
    std::string name;                // kettle, hob, oven ...
    double power = 2000;             // W while heating/running
    double pf = 1.0;                 // displacement power factor
    double uses_per_day = 1;         // mean
    double minutes = 10;             // mean duration of one use
    double duty = 1.0;               // share of a use the element is on (thermostat cycling)
    double cycle_s = 60;             // on+off period while cycling
    double idle_w = 0;               // W between heating periods within a use (motor, pump)
    std::array<double, 24> hours{};  // relative rate per hour of day
    bool three_phase = false;
  };
  // The library: kettle, hob, oven, washing machine, dishwasher, tumble dryer.
  static const std::vector<Spec>& library();

  Appliance(const Site& site, Registry& reg, std::string name, Wiring w, Spec spec, Rng rng);
  Time update(Time t) override;
  void publish(double fraction_live) override { power_sig_->set(p_ * fraction_live); }
  // Mean energy per day (Wh) from the spec: uses x duration x (duty power + idle power).
  static double daily_wh(const Spec& s);

 private:
  Time next_start(Time from);
  const Site& site_;
  Spec spec_;
  Rng rng_;
  double max_rate_ = 0;  // uses per second at the busiest hour
  Time use_end_ = 0;     // end of the current use (0 = idle)
  Time next_use_ = 0;
  Time next_toggle_ = 0;
  bool heating_ = false;
  Signal* power_sig_ = nullptr;
};

}  // namespace lmsim::plant
