// An electric vehicle as seen from the charging cable: battery and state of charge, on-board
// charger (1 or 3 phases, which station phase), maximum current, taper near full, reaction
// delay to a new offered current, resume delay after a pause, arrival and departure, and an
// optional non-compliant mode that ignores the offered current. Advanced by its station.
#pragma once
#include <array>
#include <string>

#include "sim/registry.h"
#include "sim/rng.h"
#include "sim/units.h"

namespace lmsim::evse {

struct EvConfig {
  std::string name;
  double capacity_wh = 60000;
  double soc = 20;          // %
  double target_soc = 100;  // %: stops requesting above
  int phases = 1;
  int first_phase = 0;                        // station phase used by a 1-phase charger (0..2)
  double max_current = 16;                    // A per phase
  double min_current = 0;                     // A: below this the charger cannot run (it stops requesting)
  double taper_soc = 80;                      // % where the current starts to fall
  double reaction_min = 1, reaction_max = 5;  // s, uniform per change (IEC 61851: <= 5 s)
  double resume_min = 10, resume_max = 30;    // s, after a pause
  double ramp = 10;                           // A/s
  double efficiency = 0.92;
  bool compliant = true;
  Time arrive = 0;
  Time depart = ~Time{0};  // never
  bool connected_at_start = false;
};

class Ev {
 public:
  Ev(Registry& reg, EvConfig cfg, Rng rng);

  const EvConfig& config() const { return cfg_; }
  const std::string& name() const { return cfg_.name; }
  bool connected() const { return connected_->as_bool(); }
  bool requesting() const { return connected() && soc_ < cfg_.target_soc; }
  double soc() const { return soc_; }
  // Current per station phase (A) the EV draws right now.
  const std::array<double, 3>& amps() const { return amps_; }
  double current() const { return current_; }

  // Station-side inputs at time t: the offered current (0 = no PWM) and whether the contactor
  // is closed. Returns true if the EV's draw changed.
  bool update(Time t, double offered, bool contactor);
  // Energy delivered over dt at the given AC power (W): integrates the state of charge.
  void deliver(double watts, double seconds);
  // Next time this EV needs an update (reaction timer, ramp, taper), or ~0 for none.
  Time next_event(Time t, Time tick) const;
  void set_power(double w) { power_->set(w); }
  // Connection changes (arrival/departure/knob).
  void plug(bool on);
  Signal& connected_signal() { return *connected_; }

 private:
  double limit_now() const;  // own limit from max current and taper
  double draw_delay(bool resume);

  EvConfig cfg_;
  Rng rng_;
  Signal* soc_sig_;
  Signal* current_sig_;
  Signal* power_;
  Signal* connected_;
  Signal* requesting_;
  double soc_;
  double adopted_ = 0;   // the offer the EV currently obeys
  double pending_ = -1;  // an offer seen but not yet adopted
  Time pending_at_ = 0;
  bool was_contactor_ = false;
  bool session_started_ = false;  // later contactor closes are resumes
  Time start_at_ = 0;             // the EV begins drawing at this time after the contactor closed
  double current_ = 0;            // per active phase
  std::array<double, 3> amps_{};
  Time last_t_ = 0;
};

}  // namespace lmsim::evse
