#include "models/evse/station_core.h"

#include <algorithm>
#include <cmath>

namespace lmsim::evse {

using sc_core::SC_PS;
using sc_core::sc_time;

namespace {
const std::vector<std::string> kStatusNames = {"offline", "booting",  "idle",     "auth_wait", "ready",
                                               "paused",  "charging", "finished", "error"};
const std::vector<std::string> kPilotNames = {"A", "B", "C", "D", "E", "F"};
const std::vector<std::string> kDlmNames = {"disabled", "master-internal-slave", "master-standalone", "slave",
                                            "slave-fixed-ip"};
constexpr Time kNever = ~Time{0};
Time sc_now_ps() {
  return sc_core::sc_time_stamp().value();
}
}  // namespace

const char* to_string(Status s) {
  return kStatusNames[static_cast<std::size_t>(s)].c_str();
}

StationCore::StationCore(const sc_core::sc_module_name& nm, Site& site, StationConfig cfg, StationTotals* totals)
    : sc_core::sc_module(nm),
      site_(site),
      cfg_(std::move(cfg)),
      totals_(totals),
      rng_(site.rng("station." + cfg_.name)),
      max_current_(cfg_.max_current),
      rfid_auth_(cfg_.rfid_auth),
      setpoint_(cfg_.setpoint),
      setpoint_nv_(cfg_.max_current),
      failsafe_current_(cfg_.failsafe_current),
      comm_timeout_(cfg_.comm_timeout),
      applied_setpoint_(cfg_.setpoint),
      active_phases_(cfg_.nphases) {
  Registry& r = site.registry();
  const std::string p = "station." + cfg_.name + ".";
  state_ = &r.add_enum(p + "state", kPilotNames, 4).describe("IEC 61851 control pilot state");
  status_sig_ = &r.add_enum(p + "status", kStatusNames, 0).describe("station status");
  offered_ = &r.add_number(p + "offered_current", "A").describe("current offered to the EV by PWM (0 = pause)");
  current_ = &r.add_number(p + "current", "A").describe("highest phase current drawn");
  static const char* ln[] = {"L1", "L2", "L3"};
  for (int i = 0; i < 3; ++i)
    phase_current_[static_cast<std::size_t>(i)] =
        &r.add_number(p + ln[i] + ".current", "A").describe(std::string("current on grid phase ") + ln[i]);
  power_ = &r.add_number(p + "power", "W").describe("active power");
  energy_ = &r.add_number(p + "energy", "Wh").describe("energy meter total");
  session_energy_ = &r.add_number(p + "session_energy", "Wh").describe("energy this session");
  contactor_sig_ = &r.add_bool(p + "contactor").describe("main contactor closed");
  failsafe_ = &r.add_bool(p + "failsafe").describe("communication watchdog lapsed");
  setpoint_sig_ = &r.add_number(p + "setpoint", "A", setpoint_).describe("current limit set over Modbus");
  errors_sig_ = &r.add_number(p + "errors", "").describe("core error flags: 1 comm lost, 2 contactor weld");
  online_ = &r.add_bool(p + "online", cfg_.online).as_knob().describe("station powered and on the network");
  reboot_ = &r.add_bool(p + "reboot").as_knob().describe("write true to restart the station");
  silent_ = &r.add_bool(p + "modbus_silent").as_knob().describe("Modbus server does not answer");
  modbus_exception_ = &r.add_number(p + "modbus_exception", "")
                           .as_knob()
                           .describe("answer every request with this exception (0 = off)");
  stuck_ = &r.add_bool(p + "stuck_contactor").as_knob().describe("contactor welded: does not open");
  ip_ = &r.add_string(p + "ip", cfg_.ip)
             .as_knob()
             .describe("IP address (changes after a power cycle with dhcp: dynamic)");
  authorize_ = &r.add_bool(p + "authorize").as_knob().describe("present an RFID card (authorises the session)");
  max_current_sig_ =
      &r.add_number(p + "max_current", "A", cfg_.max_current).as_knob().describe("installation current limit setting");
  rfid_sig_ = &r.add_bool(p + "rfid_auth", cfg_.rfid_auth).as_knob().describe("RFID authorisation required (DIP 10)");
  // A station shows only its own signals: the DLM role knob only where the vendor has DLM
  // roles, the pending-settings flag only where settings can wait for a restart.
  const Behaviour& bh = vendor().behaviour;
  bool restart_regs = bh.settings_need_restart;
  for (const auto& rd : vendor().regs) restart_regs |= rd.apply_on_restart;
  if (restart_regs)
    pending_sig_ = &r.add_bool(p + "settings_pending").describe("settings written but applied only after a restart");
  if (bh.dlm_roles)
    dlm_sig_ = &r.add_enum(p + "dlm_mode", kDlmNames, cfg_.dlm_mode).as_knob().describe("DLM role setting");

  for (Signal* k : {online_, reboot_, silent_, modbus_exception_, stuck_, authorize_})
    k->on_write = [this](Signal&) { knob_changed(); };
  auto setting = [this](Signal&) {
    if (vendor().behaviour.settings_need_restart) {
      pending_settings_ = true;
      if (pending_sig_) pending_sig_->set(1);
    } else {
      max_current_ = max_current_sig_->value();
      rfid_auth_ = rfid_sig_->as_bool();
      if (dlm_sig_) cfg_.dlm_mode = static_cast<int>(dlm_sig_->value());
    }
    knob_changed();
  };
  max_current_sig_->on_write = setting;
  rfid_sig_->on_write = setting;
  if (dlm_sig_) dlm_sig_->on_write = setting;

  plant_ = site.service<plant::PlantApi>("plant");
  if (plant_) plant_->attach(this);

  SC_METHOD(step);
  sensitive << wake_;
  // First evaluation at t=0 (power on: the station boots at the start of the run).
}

void StationCore::add_ev(Ev* ev) {
  evs_.push_back(ev);
  arrived_.push_back(ev->connected());
  departed_.push_back(0);
  ev->connected_signal().on_write = [this](Signal&) { knob_changed(); };
  ev->fault_signal().on_write = [this](Signal&) { knob_changed(); };
}

void StationCore::knob_changed() {
  if (in_update_) return;
  sync(site_.registry().now());
}

void StationCore::step() {
  sync(sc_now_ps());
}

void StationCore::sync(Time t) {
  if (in_update_) return;
  in_update_ = true;
  if (t < last_t_) t = last_t_;
  integrate(t);
  evaluate(t);
  schedule(t);
  in_update_ = false;
}

double StationCore::phase_voltage(int sp) const {
  int g = cfg_.grid_phase[static_cast<std::size_t>(sp)];
  if (plant_) return have_volts_ ? volts_[static_cast<std::size_t>(g)] : plant_->phase_voltage(g, true);
  return cfg_.nominal_voltage;
}

void StationCore::integrate(Time t) {
  if (t <= last_t_) {
    last_t_ = t;
    return;
  }
  const double dt = time_to_seconds(t - last_t_);
  last_t_ = t;
  if (power_w_ <= 0) return;
  const double wh = power_w_ * dt / 3600.0;
  energy_wh_ += wh;
  session_wh_ += wh;
  energy_->set(energy_wh_, t);
  session_energy_->set(session_wh_, t);
  if (active_) active_->deliver(power_w_, dt);
}

void StationCore::power_on(Time t) {
  powered_ = true;
  booted_ = false;
  const bool full_restart = !ever_powered_ || t - off_since_ >= cfg_.min_off_time;
  ever_powered_ = true;
  boot_end_ = t + cfg_.boot_time;
  half_started_ = !full_restart;
  if (half_started_)
    site_.log(LogLevel::Warn, "station." + cfg_.name,
              "power was off for less than " + format_time(cfg_.min_off_time) + ": incomplete restart, Modbus down");
  if (full_restart && pending_settings_) {
    max_current_ = max_current_sig_->value();
    rfid_auth_ = rfid_sig_->as_bool();
    if (dlm_sig_) cfg_.dlm_mode = static_cast<int>(dlm_sig_->value());
    for (auto& [b, v] : pending_writes_) write(b, v, false);
    pending_writes_.clear();
    pending_settings_ = false;
    if (pending_sig_) pending_sig_->set(0, t);
  }
  // Volatile state after a restart.
  setpoint_ = applied_setpoint_ = cfg_.setpoint;  // the scenario's `setpoint:` (default: the vendor's)
  actuate_at_ = kNever;
  active_phases_ = cfg_.nphases;
  session_cmd_ = 0;
  setpoint_sig_->set(setpoint_, t);
  wd_armed_ = false;
  lapsed_ = false;
  lifebit_ = 0;
  lcm_ms_ = 0;
  errors_ = 0;
  failsafe_->set(0, t);
  session_stopped_ = false;
  if (cfg_.dhcp == Dhcp::Dynamic && off_since_ > 0 && !soft_reboot_ && dhcp_lease) {
    std::string nip = dhcp_lease(t);
    if (!nip.empty() && nip != ip_->text()) ip_->set_text(nip, t);
  } else if (cfg_.dhcp == Dhcp::Dynamic && off_since_ > 0 && !soft_reboot_) {
    // No router model: another address in the same /24, a different host part.
    std::string cur = ip_->text();
    auto dot = cur.rfind('.');
    if (dot != std::string::npos) {
      int host = std::atoi(cur.c_str() + dot + 1);
      int nh = host;
      while (nh == host) nh = 100 + static_cast<int>(rng_.below(150));
      std::string nip = cur.substr(0, dot + 1) + std::to_string(nh);
      ip_->set_text(nip, t);
      site_.log(LogLevel::Info, "station." + cfg_.name, "DHCP: new IP " + nip + " (was " + cur + ")");
    }
  }
}

void StationCore::power_off(Time t) {
  powered_ = false;
  booted_ = false;
  off_since_ = t;
  conns_.clear();
}

void StationCore::lapse(Time t) {
  lapsed_ = true;
  errors_ |= kCommLost;
  comm_lost_seen_ = false;
  failsafe_->set(1, t);
  site_.log(LogLevel::Info, "station." + cfg_.name, "communication watchdog lapsed");
  const Behaviour& bh = vendor().behaviour;
  if (bh.lapse_drops_connections) {
    // Dropping the sockets is a disconnect: a lock-out "after disconnect" starts here too.
    if (!conns_.empty() && bh.lockout_after == LockoutAfter::Disconnect) lockout_until_ = t + lockout_time();
    conns_.clear();
  }
  if (bh.lockout_after == LockoutAfter::Lapse) lockout_until_ = t + lockout_time();
}

Time StationCore::lockout_time() const {
  const Behaviour& bh = vendor().behaviour;
  return bh.lockout_time ? *bh.lockout_time : seconds_to_time(comm_timeout_);
}

void StationCore::arm(Time t) {
  // Monitoring starts now as if fed: the master has until the timeout to feed it. The
  // station checks (and clears) the life bit every timeout/2, at least 3 s, from here.
  if (wd_armed_) return;
  wd_armed_ = true;
  wd_last_feed_ = t;
  lifebit_check_ = t + seconds_to_time(std::max(3.0, comm_timeout_ / 2));
}

void StationCore::feed(Time t) {
  arm(t);
  wd_last_feed_ = t;
  if (lapsed_) {
    lapsed_ = false;
    if (vendor().comm_lost_clear == FlagClear::Feed || comm_lost_seen_)
      errors_ &= ~static_cast<std::uint32_t>(kCommLost);
    failsafe_->set(0, t);
  }
}

Time StationCore::wd_deadline() const {
  if (!wd_armed_ || lapsed_ || !booted_) return kNever;
  switch (vendor().watchdog) {
    case Watchdog::None: return kNever;
    case Watchdog::Countdown: return lcm_at_ + seconds_to_time(lcm_ms_ / 1000.0);
    default: return wd_last_feed_ + seconds_to_time(std::max(1.0, comm_timeout_));
  }
}

bool StationCore::error_stop() const {
  if (errors_ & (kContactorWeld | kEvOvercurrent | kCpError)) return true;
  if (lapsed_ && vendor().behaviour.unset_fallback_is_error && failsafe_current_ > std::max(80.0, max_current_))
    return true;
  return false;
}

double StationCore::effective_limit() const {
  double lim = applied_setpoint_;
  if (vendor().behaviour.dlm_roles) {
    // Assumption (docs/stations.md): without the internal DLM slave the HEMS limit does not
    // reach the connector; as a DLM slave the station follows an absent master = safe current.
    if (cfg_.dlm_mode == 0 || cfg_.dlm_mode == 2)
      lim = max_current_;
    else if (cfg_.dlm_mode >= 3)
      lim = failsafe_current_;
  }
  for (const auto& r : cfg_.vendor->regs)
    if (r.bind == Bind::SetpointPersistent) {
      lim = std::min(lim, setpoint_nv_);
      break;
    }
  if (lapsed_ && vendor().behaviour.on_lapse == LapseAction::FailsafeCurrent) lim = failsafe_current_;
  if (external_limit_) lim = std::min(lim, external_limit_());
  return lim;
}

void StationCore::evaluate(Time t) {
  if (reboot_->as_bool()) {
    reboot_->set(0, t);
    if (powered_) {
      power_off(t);
      off_since_ = t > cfg_.min_off_time ? t - cfg_.min_off_time : 0;  // a soft restart is a full one
      soft_reboot_ = true;
      power_on(t);
      soft_reboot_ = false;
    }
  }
  bool voltage_ok = true;
  if (plant_) {
    voltage_ok = false;
    for (int i = 0; i < cfg_.nphases; ++i)
      if (phase_voltage(i) > 150) voltage_ok = true;
  }
  const bool want_power = online_->as_bool() && voltage_ok;
  if (want_power && !powered_)
    power_on(t);
  else if (!want_power && powered_)
    power_off(t);
  if (powered_ && !booted_ && t >= boot_end_) {
    booted_ = true;
  }

  // EV arrivals and departures (one EV on the cable at a time).
  for (std::size_t i = 0; i < evs_.size(); ++i) {
    Ev* ev = evs_[i];
    if (!departed_[i] && t >= ev->config().depart) {
      departed_[i] = 1;
      arrived_[i] = 1;
      if (ev->connected()) ev->plug(false);
    }
    if (!arrived_[i] && t >= ev->config().arrive) {
      arrived_[i] = 1;
      bool busy = false;
      for (Ev* o : evs_)
        if (o != ev && o->connected()) busy = true;
      if (!busy) ev->plug(true);
    }
  }
  Ev* now_ev = nullptr;
  for (Ev* ev : evs_)
    if (ev->connected()) {
      now_ev = ev;
      break;
    }
  if (now_ev != active_) {
    if (active_) last_session_wh_ = session_wh_;
    // A new EV starts a new session; an EV leaving ends it (the value stays readable until
    // the next EV where the vendor says so: `session_energy_reset: next-plug`).
    if (now_ev || vendor().behaviour.session_reset == SessionReset::Unplug) {
      session_wh_ = 0;
      session_energy_->set(0, t);
    }
    active_ = now_ev;
    session_start_ = t;
    errors_ &= ~static_cast<std::uint32_t>(kEvOvercurrent);  // a new plug-in clears the over-current trip
    oc_since_ = kNever;
    session_stopped_ = false;
    authorized_ = false;
    locked_ = false;
  }
  if (authorize_->as_bool() && active_) {
    authorized_ = true;
    authorize_->set(0, t);
  }

  // Watchdog.
  if (booted_ && t >= wd_deadline()) lapse(t);
  if (booted_ && wd_armed_ && vendor().watchdog == Watchdog::Lifebit && t >= lifebit_check_) {
    lifebit_ = 0;  // the station clears the life bit; the master must write 1 again
    lifebit_check_ = t + seconds_to_time(std::max(3.0, comm_timeout_ / 2));
  }

  // Actuation: a written limit reaches the PWM after the vendor's delay.
  if (t >= actuate_at_) {
    applied_setpoint_ = pending_setpoint_;
    actuate_at_ = kNever;
  }
  // Connections the station closes itself: idle too long, or connected too long.
  {
    const Behaviour& bh = vendor().behaviour;
    for (auto it = conns_.begin(); it != conns_.end();) {
      const bool idle = bh.idle_timeout > 0 && t >= it->second.last + bh.idle_timeout;
      const bool old = bh.max_connection_time > 0 && t >= it->second.opened + bh.max_connection_time;
      if (idle || old) {
        it = conns_.erase(it);
        if (bh.lockout_after == LockoutAfter::Disconnect) lockout_until_ = t + lockout_time();
      } else {
        ++it;
      }
    }
  }

  // Pilot faults seen on the EV side (IEC 61851-1: diode check on the negative PWM level, CP
  // shorted to PE = state E): no offer, contactor open at once.
  if (active_ && active_->fault())
    errors_ |= kCpError;
  else
    errors_ &= ~static_cast<std::uint32_t>(kCpError);

  // Offer.
  const bool auth_ok = !rfid_auth_ || authorized_;
  const bool can_offer = powered_ && booted_ && active_ && auth_ok && !session_stopped_ && !error_stop() && available_;
  double offered = can_offer ? std::min(effective_limit(), max_current_) : 0;
  if (offered < cfg_.min_current) offered = 0;
  offered_a_ = offered;

  for (Ev* ev : evs_) ev->advance(t);
  // Contactor: closes when the EV asks and PWM is on; after PWM off it waits for the EV to
  // stop (at most contactor_open_delay); errors, unplug and power loss open it at once.
  const bool want_close = offered > 0 && active_ && active_->requesting();
  if (want_close) {
    contactor_ = true;
    open_deadline_ = kNever;
  } else if (contactor_) {
    const bool immediate = !powered_ || !active_ || error_stop();
    if (open_deadline_ == kNever) open_deadline_ = t + cfg_.contactor_open_delay;
    if (immediate || !active_ || active_->current() == 0 || t >= open_deadline_) {
      if (stuck_->as_bool() && powered_) {
        errors_ |= kContactorWeld;  // commanded open but still closed
      } else {
        contactor_ = false;
        open_deadline_ = kNever;
      }
    }
  }
  if (!powered_) contactor_ = false;  // no coil supply

  // EVs.
  for (Ev* ev : evs_) {
    ev->set_supply_phases(active_phases_);
    ev->update(t, ev == active_ ? offered : 0, ev == active_ && contactor_);
  }
  std::array<double, 3> sa{};
  if (active_ && contactor_) sa = active_->amps();
  // Over-current by the EV (drawing above the offer): after `overcurrent_time` above offer +
  // margin the station opens the contactor with an error until the EV is unplugged.
  {
    const Behaviour& bh = vendor().behaviour;
    const double drawn = std::max({sa[0], sa[1], sa[2]});
    if (contactor_ && bh.overcurrent_time > 0 && drawn > offered + bh.overcurrent_margin) {
      if (oc_since_ == kNever) oc_since_ = t;
      if (t >= oc_since_ + bh.overcurrent_time) {
        errors_ |= kEvOvercurrent;
        site_.log(LogLevel::Warn, "station." + cfg_.name,
                  "EV over-current: " + std::to_string(drawn) + " A against an offer of " + std::to_string(offered) +
                      " A: contactor opened");
        contactor_ = false;
        open_deadline_ = kNever;
        sa = {};
        for (Ev* ev : evs_) ev->update(t, 0, false);
      }
    } else {
      oc_since_ = kNever;
    }
  }
  for (int i = cfg_.nphases; i < 3; ++i) sa[static_cast<std::size_t>(i)] = 0;
  std::array<double, 3> ga{};
  double p = 0;
  for (int i = 0; i < 3; ++i) {
    ga[static_cast<std::size_t>(cfg_.grid_phase[static_cast<std::size_t>(i)])] += sa[static_cast<std::size_t>(i)];
    p += sa[static_cast<std::size_t>(i)] * phase_voltage(i);
  }
  const bool changed = ga != grid_amps_;
  if (totals_) {
    totals_->p += p - power_w_;
    totals_->power->set(std::max(0.0, totals_->p), t);
    for (std::size_t g = 0; g < 3; ++g) {
      totals_->i[g] += ga[g] - grid_amps_[g];
      totals_->current[g]->set(std::max(0.0, totals_->i[g]), t);
    }
  }
  station_amps_ = sa;
  grid_amps_ = ga;
  power_w_ = p;
  if (active_) active_->set_power(p);

  // Status and pilot.
  Status st;
  if (!powered_)
    st = Status::Offline;
  else if (!booted_)
    st = Status::Booting;
  else if (error_stop())
    st = Status::Error;
  else if (!active_)
    st = Status::Idle;
  else if (!auth_ok)
    st = Status::AuthWait;
  else if (contactor_)
    st = Status::Charging;
  else if (active_->requesting())
    st = Status::Paused;
  else if (session_wh_ > 0)
    st = Status::Finished;
  else
    st = Status::Ready;
  status_ = st;
  int pilot;
  switch (st) {
    case Status::Offline:
    case Status::Booting: pilot = 4; break;                                         // E: no pilot voltage
    case Status::Error: pilot = (active_ && active_->fault() == 2) ? 4 : 5; break;  // F (E: CP shorted)
    case Status::Idle: pilot = 0; break;
    case Status::Charging: pilot = 2; break;
    default: pilot = 1;
  }
  state_->set(pilot, t);
  status_sig_->set(static_cast<int>(st), t);
  offered_->set(offered, t);
  contactor_sig_->set(contactor_ ? 1 : 0, t);
  errors_sig_->set(errors_, t);
  power_->set(p, t);
  current_->set(std::max({sa[0], sa[1], sa[2]}), t);
  for (std::size_t g = 0; g < 3; ++g) phase_current_[g]->set(ga[g], t);
  if (changed && plant_) plant_->request_update();
}

void StationCore::schedule(Time t) {
  // Only future deadlines: whatever is due now was handled by evaluate() (a stuck contactor
  // keeps its open deadline in the past, which must not spin at one timestamp).
  Time next = kNever;
  auto consider = [&](Time x) {
    if (x > t && x < next) next = x;
  };
  if (powered_ && !booted_) consider(boot_end_);
  for (std::size_t i = 0; i < evs_.size(); ++i) {
    if (!arrived_[i]) consider(std::max(t + 1, evs_[i]->config().arrive));
    if (!departed_[i] && evs_[i]->config().depart != kNever) consider(std::max(t + 1, evs_[i]->config().depart));
  }
  consider(wd_deadline());
  if (booted_ && vendor().watchdog == Watchdog::Lifebit && wd_armed_) consider(lifebit_check_);
  if (contactor_ && open_deadline_ != kNever) consider(open_deadline_);
  consider(actuate_at_);
  if (oc_since_ != kNever) consider(oc_since_ + vendor().behaviour.overcurrent_time);
  {
    const Behaviour& bh = vendor().behaviour;
    for (const auto& [id, ci] : conns_) {
      if (bh.idle_timeout > 0) consider(ci.last + bh.idle_timeout);
      if (bh.max_connection_time > 0) consider(ci.opened + bh.max_connection_time);
    }
  }
  if (active_) consider(active_->next_event(t, cfg_.tick));
  wake_.cancel();
  if (next == kNever) return;
  const Time now = sc_now_ps();
  wake_.notify(sc_time::from_value(next > now ? next - now : 0));
}

bool StationCore::modbus_answers() const {
  return powered_ && booted_ && !half_started_ && !silent_->as_bool();
}

bool StationCore::unit_ok(int unit) const {
  if (cfg_.any_unit) return true;
  return std::find(cfg_.unit_ids.begin(), cfg_.unit_ids.end(), unit) != cfg_.unit_ids.end();
}

double StationCore::read(Bind b, bool& absent) const {
  absent = false;
  auto meter = [&](double v) {
    if (!cfg_.meter) absent = true;
    return v;
  };
  switch (b) {
    case Bind::Status: return static_cast<double>(status_);
    case Bind::Pilot: return state_->value();
    case Bind::Cable: return active_ ? (contactor_ || locked_ ? 3 : 2) : 0;
    case Bind::Offered: return offered_a_;
    case Bind::Current1: return meter(station_amps_[0]);
    case Bind::Current2: return meter(station_amps_[1]);
    case Bind::Current3: return meter(station_amps_[2]);
    case Bind::Voltage1: return meter(phase_voltage(0));
    case Bind::Voltage2: return meter(cfg_.nphases > 1 ? phase_voltage(1) : 0);
    case Bind::Voltage3: return meter(cfg_.nphases > 2 ? phase_voltage(2) : 0);
    case Bind::Power: return meter(power_w_);
    case Bind::Power1: return meter(station_amps_[0] * phase_voltage(0));
    case Bind::Power2: return meter(station_amps_[1] * phase_voltage(1));
    case Bind::Power3: return meter(station_amps_[2] * phase_voltage(2));
    case Bind::Energy: return meter(energy_wh_);
    case Bind::SessionEnergy: return session_wh_;
    case Bind::SessionDuration: return active_ ? time_to_seconds(last_t_ - session_start_) : 0;
    case Bind::MaxCurrent: return max_current_;
    case Bind::MinCurrent: return cfg_.min_current;
    case Bind::Charging: return contactor_ && power_w_ > 0 ? 1 : 0;
    case Bind::Errors: {
      std::uint32_t bits = 0;
      static const std::pair<const char*, std::uint32_t> names[] = {
          {"comm_lost", kCommLost}, {"contactor_weld", kContactorWeld}, {"power_loss", kPowerLoss},
          {"ev_error", kEvError},   {"ev_overcurrent", kEvOvercurrent}, {"cp_error", kCpError}};
      for (const auto& [n, f] : names)
        if (errors_ & f) {
          auto it = vendor().error_bits.find(n);
          if (it != vendor().error_bits.end()) bits |= it->second;
        }
      return bits;
    }
    case Bind::Setpoint:
      if (vendor().behaviour.zero_setpoint_reads_as && setpoint_ == 0)
        return *vendor().behaviour.zero_setpoint_reads_as;
      return setpoint_;
    case Bind::SetpointPersistent: return setpoint_nv_;
    case Bind::FailsafeCurrent: return failsafe_current_;
    case Bind::CommTimeout: return comm_timeout_;
    case Bind::Lifebit: return lifebit_;
    case Bind::LcmTimeout: {
      double left = lcm_ms_ - time_to_seconds(last_t_ - lcm_at_) * 1000.0;
      return std::max(0.0, std::floor(left));
    }
    case Bind::StartStop: return session_stopped_ ? 1 : 0;
    case Bind::Lock: return locked_ ? 1 : 0;
    case Bind::Availability: return available_ ? 1 : 0;
    case Bind::DlmMode: return cfg_.dlm_mode;
    case Bind::Phases: return cfg_.nphases == 3 ? 1 : 0;
    case Bind::PhaseSwitch: return active_phases_ == 3 ? 1 : 0;
    case Bind::LastSessionEnergy: return active_ ? 0 : last_session_wh_;
    case Bind::SessionCommand: return session_cmd_;
    case Bind::PowerSetpoint: return power_setpoint_w_;
    case Bind::ErrorCode: {
      static const std::pair<const char*, std::uint32_t> order[] = {
          {"contactor_weld", kContactorWeld}, {"cp_error", kCpError},
          {"ev_overcurrent", kEvOvercurrent}, {"ev_error", kEvError},
          {"power_loss", kPowerLoss},         {"comm_lost", kCommLost}};
      for (const auto& [n, f] : order)
        if (errors_ & f) {
          auto it = vendor().behaviour.error_codes.find(n);
          if (it != vendor().behaviour.error_codes.end()) return it->second;
        }
      return 0;
    }
    case Bind::Const:
    case Bind::Store: break;
  }
  return 0;
}

int StationCore::write(Bind b, double v, bool pending_restart) {
  if (pending_restart) {
    pending_writes_.emplace_back(b, v);
    pending_settings_ = true;
    if (pending_sig_) pending_sig_->set(1, last_t_);
    return 0;
  }
  switch (b) {
    case Bind::Setpoint:
      if (v < 0) return 3;
      if (vendor().behaviour.zero_setpoint_without_ev && v == 0 && !active_)
        v = *vendor().behaviour.zero_setpoint_without_ev;
      set_limit(v);
      break;
    case Bind::PowerSetpoint: {
      // Assumption (docs/stations.md): the power limit becomes a current limit over the
      // phases in use at the nominal voltage; the last of 5000/5004 written wins.
      if (v < 0) return 3;
      power_setpoint_w_ = v;
      int n = active_phases_;
      if (active_) n = std::min(n, active_->config().phases);
      set_limit(std::floor(v / (cfg_.nominal_voltage * std::max(1, n))));
      break;
    }
    case Bind::SessionCommand: {
      if (v != 0 && v != 1 && v != 2) return 3;
      const int nv = static_cast<int>(v);
      if (session_cmd_ == 0 && nv == 1) session_stopped_ = false;  // start: edge 0 -> 1
      if (session_cmd_ == 0 && nv == 2) session_stopped_ = true;   // cancel: edge 0 -> 2
      session_cmd_ = nv;
      break;
    }
    case Bind::PhaseSwitch:
      if (v != 0 && v != 1) return 3;
      active_phases_ = v == 1 ? cfg_.nphases : 1;
      break;
    case Bind::SetpointPersistent:
      if (v < 0) return 3;
      setpoint_nv_ = v;
      break;
    case Bind::FailsafeCurrent:
      if (v < 0) return 3;
      failsafe_current_ = v;
      break;
    case Bind::CommTimeout:
      if (v < 0) return 3;
      comm_timeout_ = v;
      // The life-bit check runs every timeout/2: a new timeout restarts that period.
      if (wd_armed_) lifebit_check_ = last_t_ + seconds_to_time(std::max(3.0, comm_timeout_ / 2));
      break;
    case Bind::Lifebit:
      if (v != 0 && v != 1) return 3;
      lifebit_ = static_cast<int>(v);
      if (v == 1) feed(last_t_);
      break;
    case Bind::LcmTimeout:
      lcm_ms_ = v;
      lcm_at_ = last_t_;
      if (v > 0) feed(last_t_);
      break;
    case Bind::StartStop:
      if (v != 0 && v != 1) return 3;
      session_stopped_ = v == 1;
      break;
    case Bind::Lock:
      if (v != 0 && v != 1) return 3;
      locked_ = v == 1;
      break;
    case Bind::Availability: available_ = v != 0; break;
    default: return 2;  // not writable in the core
  }
  sync(last_t_);
  return 0;
}

void StationCore::served(bool is_read) {
  const Watchdog w = vendor().watchdog;
  if (w != Watchdog::None) {
    const WatchdogArm a = vendor().arm_rule();
    if (a == WatchdogArm::AnyRequest || (a == WatchdogArm::FirstWrite && !is_read)) arm(last_t_);
  }
  if ((w == Watchdog::AnyRead && is_read) || w == Watchdog::AnyRequest) feed(last_t_);
  sync(last_t_);
}

void StationCore::errors_read() {
  if (!(errors_ & kCommLost)) return;
  comm_lost_seen_ = true;
  if (!lapsed_) {
    errors_ &= ~static_cast<std::uint32_t>(kCommLost);
    errors_sig_->set(errors_, last_t_);
  }
}

int StationCore::open_connection(Time t) {
  sync(t);
  if (!vendor().modbus) return -1;
  if (!powered_ || !booted_ || half_started_) return -1;
  if (t < lockout_until_) return -1;
  if (vendor().max_clients > 0 && static_cast<int>(conns_.size()) >= vendor().max_clients) return -1;
  int id = next_conn_++;
  conns_[id] = {t, t};
  schedule(last_t_);
  return id;
}

void StationCore::close_connection(int id) {
  if (!conns_.erase(id)) return;
  // The client went away: a vendor lock-out "after disconnect" starts now (chargers.md §3.2).
  if (vendor().behaviour.lockout_after == LockoutAfter::Disconnect)
    lockout_until_ = std::max(last_t_, sc_now_ps()) + lockout_time();
}

void StationCore::touch(int id, Time t) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  it->second.last = std::max(it->second.last, t);
  schedule(last_t_);
}

double StationCore::shape_limit(double v) const {
  const double step = vendor().behaviour.current_step;
  if (step > 0 && v > 0) v = std::round(v / step) * step;
  return v;
}

void StationCore::set_limit(double v) {
  setpoint_ = v;
  setpoint_sig_->set(v, last_t_);
  pending_setpoint_ = shape_limit(v);
  if (cfg_.actuation_delay == 0 && cfg_.actuation_jitter == 0) {
    applied_setpoint_ = pending_setpoint_;
    actuate_at_ = kNever;
    return;
  }
  // Later writes before the station takes the value replace it but keep the timer.
  if (actuate_at_ == kNever) {
    const double j = time_to_seconds(cfg_.actuation_jitter);
    actuate_at_ = last_t_ + cfg_.actuation_delay + (j > 0 ? seconds_to_time(rng_.uniform(0, j)) : 0);
  }
}

void StationCore::draw(Time t, const plant::PhaseSet& volts, plant::PhaseSet& amps, plant::PhaseSet& cos_phi) {
  bool was_ok = false, ok = false;
  for (int i = 0; i < cfg_.nphases; ++i) {
    const auto g = static_cast<std::size_t>(cfg_.grid_phase[static_cast<std::size_t>(i)]);
    if (volts_[g] > 150) was_ok = true;
    if (volts.v[g] > 150) ok = true;
  }
  volts_ = volts.v;
  const bool first = !have_volts_;
  have_volts_ = true;
  for (std::size_t g = 0; g < 3; ++g) {
    amps.v[g] = grid_amps_[g];
    cos_phi.v[g] = 1.0;
  }
  if (ok != was_ok || first) wake_.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace lmsim::evse
