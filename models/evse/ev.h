// An electric vehicle as seen from the charging cable: battery and state of charge, on-board
// charger (1, 2 or 3 phases, which station phase; it follows the station's 1p/3p switching),
// maximum current, a draw below the offer with per-phase imbalance, taper near full, reaction
// delay to a new offered current, resume delay after a pause, arrival and departure, its own
// charge timer, top-up after finishing, failing to wake after a long pause, a non-compliant
// mode that ignores the offered current, and pilot faults (diode missing, CP shorted = E).
// The command set follows the EVerest car simulator's (plugin, draw_power, pause, unplug,
// diode_fail, error_e, ...). Advanced by its station.
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
  double draw = 1.0;                         // fraction of the allowed current actually drawn
  std::array<double, 3> imbalance{1, 1, 1};  // per-phase factor of the drawn current
  Time timer = 0;                            // the EV's own charge timer: no request before (0 = none)
  Time top_up_after = 0;                     // after finishing, asks again this much later (0 = never)
  double top_up_drop = 0;                    // % of SoC lost by then (standby, climate)
  Time sleep_after = 0;                      // a pause longer than this: the EV sleeps, no wake (0 = never)
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
  bool requesting() const { return connected() && !asleep_ && !waiting_ && fault() == 0 && soc_ < cfg_.target_soc; }
  // Pilot fault the EV side shows: 0 none, 1 diode missing, 2 CP shorted to PE (state E).
  int fault() const { return static_cast<int>(fault_->value()); }
  bool asleep() const { return asleep_; }
  double soc() const { return soc_; }
  // Current per station phase (A) the EV draws right now.
  const std::array<double, 3>& amps() const { return amps_; }
  double current() const { return current_; }

  // Station-side inputs at time t: the offered current (0 = no PWM) and whether the contactor
  // is closed. Returns true if the EV's draw changed.
  bool update(Time t, double offered, bool contactor);
  // Time-driven EV state (own timer, top-up, falling asleep) at t, before the station decides
  // on its offer and contactor.
  void advance(Time t);
  // Energy delivered over dt at the given AC power (W): integrates the state of charge.
  void deliver(double watts, double seconds);
  // Next time this EV needs an update (reaction timer, ramp, taper), or ~0 for none.
  Time next_event(Time t, Time tick) const;
  void set_power(double w) { power_->set(w); }
  // Phases the station supplies now (1p/3p switching): the EV draws on at most these.
  void set_supply_phases(int n) { supply_phases_ = n; }
  // Connection changes (arrival/departure/knob).
  void plug(bool on);
  Signal& connected_signal() { return *connected_; }
  Signal& fault_signal() { return *fault_; }

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
  Signal* fault_;
  bool asleep_ = false, waiting_ = false, full_ = false;
  Time paused_since_ = ~Time{0};
  Time finished_at_ = 0;
  double last_offered_ = 0;
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
  int supply_phases_ = 3;
};

}  // namespace lmsim::evse
