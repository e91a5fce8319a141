#include "models/evse/ev.h"

#include <algorithm>
#include <cmath>

namespace lmsim::evse {

Ev::Ev(Registry& reg, EvConfig cfg, Rng rng) : cfg_(std::move(cfg)), rng_(rng), soc_(cfg_.soc) {
  const std::string p = "ev." + cfg_.name + ".";
  soc_sig_ = &reg.add_number(p + "soc", "%", soc_).describe("state of charge");
  current_sig_ = &reg.add_number(p + "current", "A").describe("current per used phase");
  power_ = &reg.add_number(p + "power", "W").describe("AC charging power");
  connected_ = &reg.add_bool(p + "connected", cfg_.connected_at_start).as_knob().describe("cable plugged in");
  requesting_ = &reg.add_bool(p + "requesting", false).describe("EV asks for energy (state C)");
  static const std::vector<std::string> kFaults = {"none", "diode", "cp_short"};
  fault_ = &reg.add_enum(p + "fault", kFaults, 0)
                .as_knob()
                .describe("pilot fault: diode missing (station F) or CP shorted to PE (state E)");
  waiting_ = cfg_.timer > 0;
}

double Ev::limit_now() const {
  double lim = cfg_.max_current;
  if (soc_ > cfg_.taper_soc && cfg_.taper_soc < 100) lim *= std::max(0.05, (100.0 - soc_) / (100.0 - cfg_.taper_soc));
  return lim;
}

double Ev::draw_delay(bool resume) {
  return resume ? rng_.uniform(cfg_.resume_min, cfg_.resume_max) : rng_.uniform(cfg_.reaction_min, cfg_.reaction_max);
}

void Ev::plug(bool on) {
  connected_->set(on ? 1.0 : 0.0);
}

bool Ev::update(Time t, double offered, bool contactor) {
  const Time from = std::max(last_t_, start_at_);
  const double dt = t > from ? time_to_seconds(t - from) : 0.0;
  last_t_ = t;
  const double before = current_;
  if (!connected()) {
    adopted_ = 0;
    pending_ = -1;
    was_contactor_ = false;
    session_started_ = false;
    current_ = 0;
    asleep_ = false;  // unplugging wakes it
    full_ = false;
    paused_since_ = ~Time{0};
  } else {
    last_offered_ = offered;
    advance(t);
    const bool paused = requesting() && (offered <= 0 || !contactor);
    if (!paused)
      paused_since_ = ~Time{0};
    else if (paused_since_ == ~Time{0})
      paused_since_ = t;
    if (contactor && !was_contactor_) {
      // PWM seen at contactor close: the EV starts drawing after its start or resume delay.
      start_at_ = t + seconds_to_time(draw_delay(session_started_));
      session_started_ = true;
      adopted_ = offered;
      pending_ = -1;
    }
    was_contactor_ = contactor;
    if (offered != adopted_ && offered != pending_) {
      if (pending_ < 0) pending_at_ = t + seconds_to_time(draw_delay(false));
      pending_ = offered;
    } else if (offered == adopted_) {
      pending_ = -1;
    }
    if (pending_ >= 0 && t >= pending_at_) {
      adopted_ = pending_;
      pending_ = -1;
    }
    double target = 0;
    if (contactor && requesting() && t >= start_at_) {
      target = cfg_.compliant ? std::min(adopted_, limit_now()) : limit_now();
      if (target < cfg_.min_current) target = 0;
      target *= cfg_.draw;  // on-board chargers draw a little below what they may
    }
    if (!contactor)
      current_ = 0;  // no contactor, no current, whatever the EV wants
    else if (target > current_)
      current_ = std::min(target, current_ + cfg_.ramp * dt);
    else if (target < current_)
      current_ = std::max(target, current_ - cfg_.ramp * dt);
  }
  amps_ = {0, 0, 0};
  const int n = std::min(cfg_.phases, supply_phases_);
  if (n == 1)
    amps_[static_cast<std::size_t>(cfg_.first_phase)] = current_ * cfg_.imbalance[0];
  else
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) amps_[i] = current_ * cfg_.imbalance[i];
  current_sig_->set(current_, t);
  requesting_->set(requesting() ? 1.0 : 0.0, t);
  return current_ != before;
}

void Ev::advance(Time t) {
  if (!connected()) return;
  waiting_ = cfg_.timer > 0 && t < cfg_.timer;
  // Finished: after `top_up_after` the SoC has dropped and the EV asks again.
  if (soc_ >= cfg_.target_soc && !full_) {
    full_ = true;
    finished_at_ = t;
  }
  if (full_ && cfg_.top_up_after > 0 && t >= finished_at_ + cfg_.top_up_after) {
    soc_ = std::max(0.0, soc_ - cfg_.top_up_drop);
    soc_sig_->set(soc_, t);
    full_ = false;
  }
  // A long pause while asking for energy: the EV goes to sleep and does not wake on a new offer.
  if (cfg_.sleep_after > 0 && paused_since_ != ~Time{0} && t >= paused_since_ + cfg_.sleep_after) asleep_ = true;
}

void Ev::deliver(double watts, double seconds) {
  if (watts <= 0 || seconds <= 0) return;
  soc_ = std::min(100.0, soc_ + watts * cfg_.efficiency * seconds / 3600.0 / cfg_.capacity_wh * 100.0);
  soc_sig_->set(soc_);
}

Time Ev::next_event(Time t, Time tick) const {
  Time next = ~Time{0};
  if (!connected()) return next;
  if (pending_ >= 0) next = std::min(next, std::max(pending_at_, t));
  if (was_contactor_ && start_at_ > t) next = std::min(next, start_at_);
  if (current_ > 0 || (was_contactor_ && t >= start_at_ && requesting())) next = std::min(next, t + tick);
  auto later = [&](Time x) {
    if (x > t && x < next) next = x;
  };
  if (waiting_) later(cfg_.timer);
  if (full_ && cfg_.top_up_after > 0) later(finished_at_ + cfg_.top_up_after);
  if (cfg_.sleep_after > 0 && paused_since_ != ~Time{0} && !asleep_) later(paused_since_ + cfg_.sleep_after);
  return next;
}

}  // namespace lmsim::evse
