#include "models/plant/plant.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lmsim::plant {
namespace {
constexpr double kTwoPi = 6.283185307179586;

std::string fmt(const char* f, double a, double b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, f, a, b);
  return buf;
}
}  // namespace

Plant::Plant(sc_core::sc_module_name name, Site& site, Config cfg)
    : sc_module(name),
      site_(site),
      step_(cfg.step),
      grid_(site.registry(), cfg.grid),
      dev_(cfg.device),
      vn_(cfg.grid.voltage > 0 ? cfg.grid.voltage : 230),
      zs_(cfg.grid.impedance) {
  auto& reg = site.registry();
  fuse_ = std::make_unique<MainFuse>(reg, cfg.fuse);
  rcd_ = std::make_unique<Rcd>(reg, cfg.rcd);
  rcd_->poke = [this] { request_update(); };
  grid_.poke = [this] { request_update(); };
  for (int k = 0; k < 3; ++k) sensors_.push_back(std::make_unique<CurrentSensor>(reg, k, cfg.sensors[k]));
  for (int p = 0; p < 3; ++p) {
    std::string b = "site.grid.L" + std::to_string(p + 1);
    sig_v_[p] = &reg.add_number(b + ".voltage", "V", 0).describe("RMS voltage on the building side of the main fuse");
    sig_i_[p] = &reg.add_number(b + ".current", "A", 0).describe("RMS current at the grid connection");
    sig_p_[p] = &reg.add_number(b + ".power", "W", 0).describe("active power at the grid connection (+import/-export)");
  }
  sig_power_ = &reg.add_number("site.power", "W", 0).describe("total active power at the grid connection");
  sig_import_ = &reg.add_number("site.energy.import", "Wh", 0).describe("energy imported from the grid (1 Wh steps)");
  sig_export_ = &reg.add_number("site.energy.export", "Wh", 0).describe("energy exported to the grid (1 Wh steps)");
  sig_supply_ = &reg.add_number("site.device_supply.voltage", "V", 0).describe("voltage at the device's supply input");
  sig_psu_ok_ = &reg.add_bool("site.device_supply.regulated", true)
                     .describe("the device's power supply output is in regulation (input above min_input or held up)");
  for (const auto& h : grid_.harmonics()) {
    int k = order_index(h.order);
    vharm_[k] += std::polar(h.fraction, h.angle);
  }
  step_ = step_ ? step_ : 10 * kMs;
  SC_METHOD(run);
}

Plant::~Plant() = default;

int Plant::order_index(int order) {
  for (int k = 0; k < orders_; ++k)
    if (order_[k] == order) return k;
  if (orders_ == kMaxOrders)
    throw InputError("site: more than " + std::to_string(kMaxOrders) + " distinct harmonic orders (grid and loads)");
  order_[orders_] = order;
  return orders_++;
}

void Plant::add_element(std::unique_ptr<Element> e) {
  auto idx = static_cast<std::uint32_t>(elements_.size());
  for (const auto& h : e->harmonics()) order_index(h.order);
  e->poke = [this, idx] {
    schedule(idx, static_cast<Time>(sc_core::sc_time_stamp().value()));
    if (!in_run_) wake_.notify(sc_core::SC_ZERO_TIME);
  };
  elements_.push_back(std::move(e));
  gen_.push_back(0);
  schedule(idx, 0);
}

void Plant::schedule(std::uint32_t idx, Time t) {
  due_.push({t, idx, ++gen_[idx]});
}

void Plant::start_of_simulation() {
  // The device is built after the plant: find its supply knob now.
  dev_knob_ = site_.registry().find("device.supply.voltage");
  for (int p = 0; p < 3; ++p)
    for (int k = 0; k < orders_; ++k) rot_[p][k] = std::polar(1.0, order_[k] * Grid::offset(p));
}

double Plant::phase_voltage(int phase, bool behind_rcd) const {
  if (phase < 0 || phase > 2) return 0;
  bool live = behind_rcd ? live_behind_[phase] : live_front_[phase];
  return live ? std::abs(v_[phase][0]) : 0;
}

void Plant::request_update() {
  if (!in_run_) wake_.notify(sc_core::SC_ZERO_TIME);
}

double Plant::live_fraction(const Element& e) const {
  const auto& w = e.wiring();
  double live = 0;
  for (int p = 0; p < 3; ++p)
    if (w.phases[p] && (w.behind_rcd ? live_behind_[p] : live_front_[p])) live += 1.0;
  return e.phase_count() ? live / e.phase_count() : 0.0;
}

void Plant::run() {
  const Time t = static_cast<Time>(sc_core::sc_time_stamp().value());
  in_run_ = true;
  const double dt = steps_ ? time_to_seconds(t - last_) : 0.0;
  last_ = t;

  // 1. The interval just passed, at the currents of the previous evaluation.
  if (dt > 0) {
    double p_total = sig_power_->value();
    (p_total >= 0 ? e_import_ : e_export_) += std::fabs(p_total) * dt / 3600.0;
    sig_import_->set(std::floor(e_import_));
    sig_export_->set(std::floor(e_export_));
    theta_ = std::fmod(theta_ + kTwoPi * grid_.frequency() * dt, kTwoPi);
    if (unsigned blew = fuse_->integrate(dt, irms_)) {
      for (int p = 0; p < 3; ++p) {
        if (!(blew & (1u << p))) continue;
        std::string msg = "main fuse L" + std::to_string(p + 1) +
                          fmt(" blown at %.1f A (rating %.0f A)", irms_[p], fuse_->config().rating);
        // An unexpected trip fails the run through the session's implicit assertion on
        // site.fuse.tripped (scenario `expect: {fuse_trip: true}` allows it).
        site_.log(LogLevel::Warn, "site.fuse", msg);
      }
    }
    if (rcd_->integrate(dt, residual_)) {
      std::string msg = fmt("RCD tripped at a residual current of %.1f mA (rated %.0f mA)", residual_.ac * 1e3,
                            rcd_->config().rated * 1e3);
      if (residual_.dc > 0) msg += fmt(", %.1f mA DC", residual_.dc * 1e3);
      site_.log(LogLevel::Warn, "site.rcd", msg);
    }
  }

  // 2. Topology: which phases are live on each side of the RCD.
  unsigned topo = 0;
  for (int p = 0; p < 3; ++p) {
    live_front_[p] = grid_.live(p) && !fuse_->blown(p);
    live_behind_[p] = live_front_[p] && !rcd_->tripped();
    topo |= (live_front_[p] ? 1u : 0u) << p;
    topo |= (live_behind_[p] ? 8u : 0u) << p;
  }
  if (topo != topo_ || grid_.version() != grid_ver_ || rcd_->version() != rcd_ver_) {
    bool topo_changed = topo != topo_;
    if (grid_.frequency() != freq_seen_) {
      freq_seen_ = grid_.frequency();
      for (auto& e : elements_)
        if (e->follows_frequency() && e->poke) e->poke();
    }
    topo_ = topo;
    grid_ver_ = grid_.version();
    rcd_ver_ = rcd_->version();
    for (int p = 0; p < 3; ++p) {
      double mag = live_front_[p] ? grid_.magnitude(p) : 0.0;
      for (int k = 0; k < orders_; ++k) v_[p][k] = mag * (k == 0 ? Complex(1, 0) : vharm_[k]) * rot_[p][k];
      vinv_[p] = mag > 0 ? v_[p][0] / (mag * mag) : Complex(0, 0);
      vsrc_[p] = v_[p][0];
    }
    if (topo_changed) {
      for (auto& e : elements_) {
        const auto& w = e->wiring();
        bool live = true;
        for (int p = 0; p < 3; ++p)
          if (w.phases[p] && !(w.behind_rcd ? live_behind_[p] : live_front_[p])) live = false;
        e->on_grid(t, live);
        e->publish(live_fraction(*e));
      }
    }
    dirty_ = true;
    changed_ = true;
  }

  // 3. Elements whose update time has come (profiles, schedules, knob writes).
  while (!due_.empty() && due_.top().t <= t) {
    Due d = due_.top();
    due_.pop();
    if (d.gen != gen_[d.idx]) continue;  // superseded by a later schedule()
    Element& e = *elements_[d.idx];
    Time next = e.update(t);
    dirty_ = true;
    e.publish(live_fraction(e));
    if (next != kNever) schedule(d.idx, next > t ? next : t + step_);
  }

  // 4. Sums and currents: only when something changed (stations draw anew every step).
  if (dirty_) sum_elements();
  if (changed_ || !consumers_.empty()) compute_currents(t);
  publish();
  if (!listeners_.empty()) {
    // The interval just passed, [t - dt, t], ran at the previous frame's phasors: the listeners
    // (the AFE's energy and RMS integration) book it before the frame takes the new state, so a
    // change is not booked one plant step early.
    frame_.time = t;
    frame_.theta = theta_;
    for (auto* l : listeners_) l->on_plant_step(t, dt);
    unsigned sv = 0;
    for (const auto& sn : sensors_) sv = sv * 31 + sn->version();
    if (changed_ || sv != sensor_ver_) {
      sensor_ver_ = sv;
      build_frame(t);
      ++frame_.version;
    }
    frame_.frequency = grid_.frequency();
  }
  changed_ = false;
  ++steps_;
  in_run_ = false;
  // The next evaluation: one plant step on, earlier if an element is due or a protection trips
  // before that at the present currents (so that trip instants fall between plant steps).
  Time next = step_;
  if (!due_.empty() && due_.top().t > t) next = std::min(next, due_.top().t - t);
  double horizon = std::min(fuse_->time_to_trip(irms_), rcd_->time_to_trip(residual_));
  if (psu_low_since_ != kNever && t - psu_low_since_ < dev_.hold_up)
    horizon = std::min(horizon, time_to_seconds(psu_low_since_ + dev_.hold_up - t));
  if (horizon < time_to_seconds(next)) {
    // Rounded up to the next picosecond: the trip is then due at that evaluation.
    next = std::max<Time>(1, static_cast<Time>(std::ceil(horizon * 1e12)));
  }
  next_trigger(sc_core::sc_time::from_value(next), wake_);
}

void Plant::sum_elements() {
  dirty_ = false;
  changed_ = true;
  for (auto& g : s_)
    for (auto& x : g) x = 0;
  for (auto& g : h_)
    for (auto& p : g)
      for (auto& x : p) x = 0;
  for (auto& l : leak_) l = 0;
  leak_dc_ = 0;
  auto add = [this](int g, int p, Complex s, const std::vector<CurrentHarmonic>* harm) {
    s_[g][p] += s;
    if (!harm) return;
    double mag = std::abs(s), phi = std::arg(s);
    for (const auto& h : *harm) h_[g][p][order_index(h.order)] += std::polar(h.fraction * mag, -h.order * phi);
  };
  for (const auto& e : elements_) {
    if (e->p() == 0 && e->q() == 0) continue;
    const auto& w = e->wiring();
    int g = (!w.behind_rcd ? kFront : (w.neutral_in_front ? kBypass : kBehind)) + kGroups * w.model;
    Complex s = Complex(e->p(), e->q()) / static_cast<double>(e->phase_count());
    for (int p = 0; p < 3; ++p)
      if (w.phases[p]) add(g, p, s, e->harmonics().empty() ? nullptr : &e->harmonics());
    if (w.behind_rcd && e->p() > 0) {
      for (int p = 0; p < 3; ++p)
        if (w.phases[p]) leak_[p] += w.leakage / e->phase_count();
      leak_dc_ += w.leakage_dc;
    }
  }
  if (dev_knob_) {
    int g = !dev_.behind_rcd ? kFront : (dev_.neutral_in_front ? kBypass : kBehind);
    add(g, dev_.phase, Complex(dev_.power, 0), nullptr);
  }
  for (int g = 0; g < kSlots; ++g) {
    group_used_[g] = false;
    for (int p = 0; p < 3; ++p) group_used_[g] = group_used_[g] || s_[g][p] != Complex(0, 0);
  }
}

void Plant::compute_currents(Time t) {
  if (zs_ == Complex(0, 0)) {
    solve_currents(t, true);
    return;
  }
  // Source impedance: the building's voltage is the source's minus the drop of its own phase
  // current (fundamental; the neutral's drop is not modelled). Fixed-point iteration: the drop
  // is a few % of the voltage, so it contracts fast. Stations are asked once per evaluation.
  for (int it = 0; it < 30; ++it) {
    solve_currents(t, it == 0);
    double change = 0;
    for (int p = 0; p < 3; ++p) {
      if (!live_front_[p]) continue;
      Complex v = vsrc_[p] - zs_ * i_[p][0];
      change = std::max(change, std::abs(v - v_[p][0]));
      v_[p][0] = v;
      vinv_[p] = v / std::norm(v);
    }
    if (change < 1e-9) break;
  }
  solve_currents(t, false);
}

void Plant::solve_currents(Time t, bool ask_consumers) {
  changed_ = true;  // the meter frame follows
  Complex* bypass = bypass_;
  for (int k = 0; k < kMaxOrders; ++k) bypass[k] = 0;
  for (int p = 0; p < 3; ++p)
    for (int k = 0; k < orders_; ++k) i_[p][k] = 0;
  for (int p = 0; p < 3; ++p) {
    double mag = std::abs(v_[p][0]);
    if (mag <= 0) continue;
    for (int g = 0; g < kSlots; ++g) {
      int side = g % kGroups, model = g / kGroups;
      if (!group_used_[g] || !(side == kFront ? live_front_[p] : live_behind_[p])) continue;
      // Constant current: power ∝ V; constant impedance: power ∝ V².
      double f = model == 0 ? 1.0 : model == 1 ? mag / vn_ : (mag / vn_) * (mag / vn_);
      Complex i1 = f * std::conj(s_[g][p]) * vinv_[p];
      i_[p][0] += i1;
      if (side == kBypass) bypass[0] += i1;
      for (int k = 1; k < orders_; ++k) {
        if (h_[g][p][k] == Complex(0, 0)) continue;
        Complex ih = f * h_[g][p][k] / mag * rot_[p][k];
        i_[p][k] += ih;
        if (side == kBypass) bypass[k] += ih;
      }
    }
  }
  if (!consumers_.empty() && !ask_consumers) {
    for (int p = 0; p < 3; ++p) i_[p][0] += cons_i_[p];
  } else if (!consumers_.empty()) {
    for (auto& c : cons_i_) c = 0;
    PhaseSet front, behind;
    for (int p = 0; p < 3; ++p) {
      front.v[p] = live_front_[p] ? std::abs(v_[p][0]) : 0;
      behind.v[p] = live_behind_[p] ? std::abs(v_[p][0]) : 0;
    }
    for (auto* c : consumers_) {
      bool b = c->behind_rcd();
      const PhaseSet& volts = b ? behind : front;
      PhaseSet amps, cosphi;
      for (auto& x : cosphi.v) x = 1;
      c->draw(t, volts, amps, cosphi);
      for (int p = 0; p < 3; ++p) {
        if (volts.v[p] <= 0 || amps.v[p] == 0) continue;
        double cp = std::clamp(cosphi.v[p], -1.0, 1.0);
        // Lagging current at angle acos(cos phi) behind the phase voltage.
        Complex ic = amps.v[p] * std::polar(1.0, std::arg(v_[p][0]) - std::acos(cp));
        i_[p][0] += ic;
        cons_i_[p] += ic;
      }
    }
  }
  double total = 0;
  for (int p = 0; p < 3; ++p) {
    double i2 = 0, v2 = 0, pw = 0;
    for (int k = 0; k < orders_; ++k) {
      i2 += std::norm(i_[p][k]);
      v2 += std::norm(v_[p][k]);
      pw += (v_[p][k] * std::conj(i_[p][k])).real();
    }
    irms_[p] = std::sqrt(i2);
    sig_v_[p]->set(std::sqrt(v2));
    sig_i_[p]->set(irms_[p]);
    sig_p_[p]->set(pw);
    total += pw;
  }
  sig_power_->set(total);
}

void Plant::publish() {
  fuse_->publish(irms_);
  bool any_behind = live_behind_[0] || live_behind_[1] || live_behind_[2];
  residual_ = Residual{};
  if (any_behind) {
    // Phasor sum: leakage to PE is in phase with its phase voltage (the knob's with L1), so
    // equal leakages on the three phases cancel as they do in the summation transformer.
    Complex fund = bypass_[0];
    for (int p = 0; p < 3; ++p)
      if (live_behind_[p] && leak_[p] > 0) fund += leak_[p] * vinv_[p] * std::abs(v_[p][0]);
    int ref = live_behind_[0] ? 0 : live_behind_[1] ? 1 : 2;
    fund += std::max(0.0, rcd_->leakage()) * std::polar(1.0, std::arg(v_[ref][0]));
    double ac2 = std::norm(fund);
    for (int k = 1; k < orders_; ++k) ac2 += std::norm(bypass_[k]);
    residual_.ac = std::sqrt(ac2);
    residual_.dc = leak_dc_ + std::max(0.0, rcd_->leakage_dc());
    for (auto* c : consumers_)
      if (c->behind_rcd()) residual_.dc += std::max(0.0, c->dc_residual());
  }
  rcd_->publish(residual_);
  bool dev_live = dev_.behind_rcd ? live_behind_[dev_.phase] : live_front_[dev_.phase];
  double vdev = dev_live ? std::abs(v_[dev_.phase][0]) : 0.0;
  sig_supply_->set(vdev);
  // The device's wide-range power supply: regulated while its input stays above min_input, then
  // its bulk capacitor holds the output for hold_up. The power controller's knob gets the
  // mains-equivalent of what the electronics see: nominal while regulated, the mains after.
  const Time t = static_cast<Time>(sc_core::sc_time_stamp().value());
  if (vdev >= dev_.min_input) {
    psu_low_since_ = kNever;
  } else if (psu_low_since_ == kNever) {
    psu_low_since_ = t;
  }
  bool regulated = psu_low_since_ == kNever || t - psu_low_since_ < dev_.hold_up;
  double vout = regulated ? std::max(vdev, dev_.nominal) : vdev;
  sig_psu_ok_->set(regulated ? 1 : 0);
  if (dev_knob_ && dev_knob_->value() != vout) {
    dev_knob_->set(vout);
    if (dev_knob_->on_write) dev_knob_->on_write(*dev_knob_);
  }
}

void Plant::build_frame(Time t) {
  frame_.frequency = grid_.frequency();
  frame_.orders = orders_;
  for (int k = 0; k < orders_; ++k) frame_.order[k] = order_[k];
  for (int c = 0; c < 3; ++c) {
    const CurrentSensor& s = *sensors_[c];
    int cond = s.clamps();
    Complex cur[kMaxOrders];
    double rms2 = 0;
    for (int k = 0; k < orders_; ++k) {
      cur[k] = cond < 3 ? i_[cond][k] : -(i_[0][k] + i_[1][k] + i_[2][k]);  // N returns from the loads
      rms2 += std::norm(cur[k]);
    }
    double rms = std::sqrt(rms2);
    int q = s.pairs_with();
    bool vlive = dev_.behind_rcd ? live_behind_[q] : live_front_[q];
    auto& ch = frame_.ch[c];
    for (int k = 0; k < orders_; ++k) {
      ch.i[k] = s.transfer(order_[k], frame_.frequency, rms) * cur[k];
      ch.v[k] = vlive ? v_[q][k] : Complex(0, 0);
    }
  }
}

}  // namespace lmsim::plant
