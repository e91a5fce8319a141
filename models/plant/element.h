// What loads and PV inverters have in common: wiring (phases, side of the RCD, neutral) and a
// power demand that changes only at the element's own update times. The plant keeps no SystemC
// process per element: it calls update() when the element's next update time is due.
#pragma once
#include <array>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "sim/registry.h"

namespace lmsim::plant {

constexpr Time kNever = std::numeric_limits<Time>::max();

struct CurrentHarmonic {
  int order = 3;
  double fraction = 0;  // of the element's fundamental current
};

class Element {
 public:
  struct Wiring {
    std::array<bool, 3> phases{true, true, true};
    bool behind_rcd = true;
    bool neutral_in_front = false;  // miswired: its N returns in front of the RCD
    double leakage = 0;             // A to PE while drawing (split over its phases, in phase with each)
    double leakage_dc = 0;          // A smooth DC to PE while drawing (e.g. a rectifier fault)
    int model = 0;                  // 0 constant power, 1 constant current, 2 constant impedance
    int circuit = 0;                // 0: the site's distribution; k: behind circuit k - 1
  };
  Element(std::string name, Wiring w) : name_(std::move(name)), wiring_(w) {
    for (bool b : wiring_.phases) nphases_ += b ? 1 : 0;
  }
  virtual ~Element() = default;

  // Recomputes the demand for time t; returns the next time an update is needed (kNever: none).
  virtual Time update(Time t) = 0;

  const std::string& name() const { return name_; }
  const Wiring& wiring() const { return wiring_; }
  int phase_count() const { return nphases_; }
  // Total demand over its phases, split equally: W (> 0 draws, < 0 feeds in) and var.
  double p() const { return p_; }
  double q() const { return q_; }
  const std::vector<CurrentHarmonic>& harmonics() const { return harmonics_; }
  void set_harmonics(std::vector<CurrentHarmonic> h) { harmonics_ = std::move(h); }
  // Publishes the power actually flowing (fraction_live: share of its phases that are live).
  virtual void publish(double fraction_live) = 0;
  // The plant tells every element when the supply on its side comes or goes (t = now).
  virtual void on_grid(Time t, bool live) {}
  // The grid's frequency changed (PV: P(f)); the plant then updates the element at once.
  virtual bool follows_frequency() const { return false; }
  // Set by the plant: a knob changed, update this element at the current time.
  std::function<void()> poke;

 protected:
  std::string name_;
  Wiring wiring_;
  int nphases_ = 0;
  double p_ = 0, q_ = 0;
  std::vector<CurrentHarmonic> harmonics_;
};

}  // namespace lmsim::plant
