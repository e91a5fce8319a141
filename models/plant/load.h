// A building load: constant power, a CSV profile or a stochastic profile, with a power factor,
// optional current harmonics, scheduled switching events and knobs for on/off and power override.
#pragma once
#include <cmath>
#include <memory>
#include <vector>

#include "models/plant/element.h"
#include "models/plant/load_profile.h"

namespace lmsim::plant {

class Load : public Element {
 public:
  struct Event {
    Time at = 0;
    int on = -1;                  // -1 unchanged, 0 off, 1 on
    double power = std::nan("");  // W; NaN unchanged
  };
  struct Config {
    double power = 0;    // W, constant loads (and the start value of scheduled ones)
    double pf = 1.0;     // displacement power factor; negative = capacitive
    bool has_q = false;  // fixed reactive power instead of pf
    double q = 0;        // var
    std::unique_ptr<Profile> profile;
    std::vector<Event> schedule;  // sorted by time
    bool on = true;
  };
  Load(Registry& reg, std::string name, Wiring w, Config cfg);
  Time update(Time t) override;
  void publish(double fraction_live) override { power_sig_->set(p_ * fraction_live); }

 private:
  Config cfg_;
  std::size_t next_event_ = 0;
  double base_ = 0;  // W before knobs
  Signal* on_ = nullptr;
  Signal* override_ = nullptr;
  Signal* power_sig_ = nullptr;
};

}  // namespace lmsim::plant
