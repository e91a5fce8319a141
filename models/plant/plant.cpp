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
      zs_(cfg.grid.impedance),
      chain_(cfg.meter, site.rng("site.sensors.noise")) {
  auto& reg = site.registry();
  fuse_ = std::make_unique<MainFuse>(reg, cfg.fuse);
  rcd_ = std::make_unique<Rcd>(reg, cfg.rcd);
  rcd_->poke = [this] { request_update(); };
  grid_.poke = [this] { request_update(); };
  for (int k = 0; k < 3; ++k) sensors_.push_back(std::make_unique<CurrentSensor>(reg, k, cfg.sensors[k]));
  for (auto& cc : cfg.circuits) {
    circuits_.push_back(std::make_unique<Circuit>(reg, std::move(cc)));
    Circuit& c = *circuits_.back();
    c.poke = [this] {
      circ_dirty_ = true;
      request_update();
    };
  }
  const std::size_t slots = kSlots + 3 * circuits_.size();
  s_.assign(slots, {});
  h_.assign(slots, {});
  group_used_.assign(slots, 0);
  for (int p = 0; p < 3; ++p) {
    std::string b = "site.grid.L" + std::to_string(p + 1);
    sig_v_[p] = &reg.add_number(b + ".voltage", "V", 0).describe("RMS voltage on the building side of the main fuse");
    sig_i_[p] = &reg.add_number(b + ".current", "A", 0).describe("RMS current at the grid connection");
    sig_p_[p] = &reg.add_number(b + ".power", "W", 0).describe("active power at the grid connection (+import/-export)");
  }
  for (int c = 0; c < 3; ++c) {
    std::string b = "site.meter.L" + std::to_string(c + 1);
    sig_meter_i_[c] = &reg.add_number(b + ".current", "A", 0)
                           .describe("RMS current at the AFE channel's input (sensor errors, noise, latency)");
    sig_meter_v_[c] = &reg.add_number(b + ".voltage", "V", 0).describe("RMS voltage at the AFE channel's input");
  }
  sig_meter_f_ = &reg.add_number("site.meter.frequency", "Hz", 0)
                      .describe("frequency measured from the voltage at the AFE's inputs (1 mHz steps)");
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
  // Stations named by a circuit (module "station_<name>", models/evse/build.cpp) draw behind it.
  cons_circuit_.assign(consumers_.size(), -1);
  for (std::size_t k = 0; k < consumers_.size(); ++k) {
    const auto* obj = dynamic_cast<const sc_core::sc_object*>(consumers_[k]);
    if (!obj) continue;
    const std::string nm = obj->basename();
    for (std::size_t c = 0; c < circuits_.size(); ++c)
      for (const auto& st : circuits_[c]->config().stations)
        if (nm == "station_" + st) cons_circuit_[k] = static_cast<int>(c);
    circ_consumers_ = circ_consumers_ || cons_circuit_[k] >= 0;
  }
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
    if (w.phases[p] && side_live(w, p)) live += 1.0;
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
    theta_abs_ += kTwoPi * grid_.frequency() * dt;
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
    integrate_circuits(dt);
  }

  // 2. Topology: which phases are live on each side of the RCD.
  unsigned topo = 0;
  for (int p = 0; p < 3; ++p) {
    live_front_[p] = grid_.live(p) && !fuse_->blown(p);
    live_behind_[p] = live_front_[p] && !rcd_->tripped();
    topo |= (live_front_[p] ? 1u : 0u) << p;
    topo |= (live_behind_[p] ? 8u : 0u) << p;
  }
  bool circ_changed = false;
  unsigned circ_ver = 0;
  circ_topo_.resize(circuits_.size());
  for (std::size_t c = 0; c < circuits_.size(); ++c) {
    Circuit& cc = *circuits_[c];
    unsigned char bits = 0;
    for (int p = 0; p < 3; ++p) {
      cc.live[p] = (cc.config().behind_rcd ? live_behind_[p] : live_front_[p]) && cc.passes(p);
      bits |= static_cast<unsigned char>((cc.live[p] ? 1u : 0u) << p);
    }
    circ_changed = circ_changed || bits != circ_topo_[c];
    circ_topo_[c] = bits;
    circ_ver = circ_ver * 31u + cc.version();
  }
  if (topo != topo_ || circ_changed || circ_ver != circ_ver_ || grid_.version() != grid_ver_ ||
      rcd_->version() != rcd_ver_) {
    bool topo_changed = topo != topo_ || circ_changed || steps_ == 0;
    circ_ver_ = circ_ver;
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
          if (w.phases[p] && !side_live(w, p)) live = false;
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
  // Circuit residuals follow the sums, the topology, the voltages' angles, their knobs and the
  // stations behind them (asked every evaluation, like their currents).
  if (!circuits_.empty() && (changed_ || circ_dirty_ || circ_consumers_)) {
    circ_dirty_ = false;
    circuit_residuals();
  }
  publish();
  update_meter(t, dt);
  changed_ = false;
  ++steps_;
  in_run_ = false;
  // The next evaluation: one plant step on, earlier if an element is due or a protection trips
  // before that at the present currents (so that trip instants fall between plant steps).
  Time next = step_;
  if (!due_.empty() && due_.top().t > t) next = std::min(next, due_.top().t - t);
  if (Time md = chain_.next_due(); md != kNever && md > t) next = std::min(next, md - t);
  double horizon = std::min(fuse_->time_to_trip(irms_), rcd_->time_to_trip(residual_));
  for (const auto& c : circuits_) {
    horizon = std::min(horizon, c->device().time_to_trip(c->irms));
    if (c->rcd()) horizon = std::min(horizon, c->rcd()->time_to_trip(c->residual));
    if (c->rdc_dd()) horizon = std::min(horizon, c->rdc_dd()->time_to_trip(c->residual.dc));
  }
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
  for (auto& c : circuits_) {
    for (auto& l : c->leak) l = 0;
    c->leak_dc = 0;
  }
  auto add = [this](int g, int p, Complex s, const std::vector<CurrentHarmonic>* harm) {
    s_[g][p] += s;
    if (!harm) return;
    double mag = std::abs(s), phi = std::arg(s);
    for (const auto& h : *harm) h_[g][p][order_index(h.order)] += std::polar(h.fraction * mag, -h.order * phi);
  };
  for (const auto& e : elements_) {
    if (e->p() == 0 && e->q() == 0) continue;
    const auto& w = e->wiring();
    int g = w.circuit ? kSlots + 3 * (w.circuit - 1) + w.model
                      : (!w.behind_rcd ? kFront : (w.neutral_in_front ? kBypass : kBehind)) + kGroups * w.model;
    Complex s = Complex(e->p(), e->q()) / static_cast<double>(e->phase_count());
    for (int p = 0; p < 3; ++p)
      if (w.phases[p]) add(g, p, s, e->harmonics().empty() ? nullptr : &e->harmonics());
    if (w.circuit && e->p() > 0) {
      Circuit& c = *circuits_[static_cast<std::size_t>(w.circuit - 1)];
      for (int p = 0; p < 3; ++p)
        if (w.phases[p]) c.leak[p] += w.leakage / e->phase_count();
      c.leak_dc += w.leakage_dc;
    } else if (w.behind_rcd && e->p() > 0) {
      for (int p = 0; p < 3; ++p)
        if (w.phases[p]) leak_[p] += w.leakage / e->phase_count();
      leak_dc_ += w.leakage_dc;
    }
  }
  if (dev_knob_) {
    int g = !dev_.behind_rcd ? kFront : (dev_.neutral_in_front ? kBypass : kBehind);
    add(g, dev_.phase, Complex(dev_.power, 0), nullptr);
  }
  for (std::size_t g = 0; g < s_.size(); ++g) {
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
  for (auto& c : circuits_)
    for (int p = 0; p < 3; ++p)
      for (int k = 0; k < orders_; ++k) c->i[p][k] = 0;
  const int nslots = static_cast<int>(s_.size());
  for (int p = 0; p < 3; ++p) {
    double mag = std::abs(v_[p][0]);
    if (mag <= 0) continue;
    for (int g = 0; g < nslots; ++g) {
      if (!group_used_[static_cast<std::size_t>(g)]) continue;
      int side, model;
      Circuit* circ = nullptr;
      if (g < kSlots) {
        side = g % kGroups, model = g / kGroups;
        if (!(side == kFront ? live_front_[p] : live_behind_[p])) continue;
      } else {
        circ = circuits_[static_cast<std::size_t>((g - kSlots) / 3)].get();
        side = kBehind, model = (g - kSlots) % 3;
        if (!circ->live[p]) continue;
      }
      const auto& sg = s_[static_cast<std::size_t>(g)];
      const auto& hg = h_[static_cast<std::size_t>(g)];
      // Constant current: power ∝ V; constant impedance: power ∝ V².
      double f = model == 0 ? 1.0 : model == 1 ? mag / vn_ : (mag / vn_) * (mag / vn_);
      Complex i1 = f * std::conj(sg[p]) * vinv_[p];
      i_[p][0] += i1;
      if (circ) circ->i[p][0] += i1;
      if (side == kBypass) bypass[0] += i1;
      for (int k = 1; k < orders_; ++k) {
        if (hg[p][k] == Complex(0, 0)) continue;
        Complex ih = f * hg[p][k] / mag * rot_[p][k];
        i_[p][k] += ih;
        if (circ) circ->i[p][k] += ih;
        if (side == kBypass) bypass[k] += ih;
      }
    }
  }
  if (!consumers_.empty() && !ask_consumers) {
    for (int p = 0; p < 3; ++p) i_[p][0] += cons_i_[p];
    for (auto& cc : circuits_)
      for (int p = 0; p < 3; ++p) cc->i[p][0] += cc->cons_i[p];
  } else if (!consumers_.empty()) {
    for (auto& c : cons_i_) c = 0;
    for (auto& cc : circuits_)
      for (auto& x : cc->cons_i) x = 0;
    PhaseSet front, behind;
    for (int p = 0; p < 3; ++p) {
      front.v[p] = live_front_[p] ? std::abs(v_[p][0]) : 0;
      behind.v[p] = live_behind_[p] ? std::abs(v_[p][0]) : 0;
    }
    for (std::size_t ci = 0; ci < consumers_.size(); ++ci) {
      Consumer* c = consumers_[ci];
      const int circ_idx = ci < cons_circuit_.size() ? cons_circuit_[ci] : -1;
      Circuit* circ = circ_idx >= 0 ? circuits_[static_cast<std::size_t>(circ_idx)].get() : nullptr;
      PhaseSet cvolts;
      if (circ)
        for (int p = 0; p < 3; ++p) cvolts.v[p] = circ->live[p] ? std::abs(v_[p][0]) : 0;
      const PhaseSet& volts = circ ? cvolts : c->behind_rcd() ? behind : front;
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
        if (circ) {
          circ->i[p][0] += ic;
          circ->cons_i[p] += ic;
        }
      }
    }
  }
  for (auto& cc : circuits_)
    for (int p = 0; p < 3; ++p) {
      double i2 = 0;
      for (int k = 0; k < orders_; ++k) i2 += std::norm(cc->i[p][k]);
      cc->irms[p] = std::sqrt(i2);
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
    residual_.dc = leak_dc_ + std::max(0.0, rcd_->leakage_dc());
    for (const auto& c : circuits_)
      if (c->config().behind_rcd) {
        fund += c->residual_ac;
        residual_.dc += c->residual.dc;
      }
    double ac2 = std::norm(fund);
    for (int k = 1; k < orders_; ++k) ac2 += std::norm(bypass_[k]);
    residual_.ac = std::sqrt(ac2);
    for (std::size_t ci = 0; ci < consumers_.size(); ++ci)
      if (consumers_[ci]->behind_rcd() && (ci >= cons_circuit_.size() || cons_circuit_[ci] < 0))
        residual_.dc += std::max(0.0, consumers_[ci]->dc_residual());
  }
  rcd_->publish(residual_);
  for (auto& c : circuits_) {
    c->device().publish(c->irms);
    if (c->rcd()) c->rcd()->publish(c->residual);
    if (c->rdc_dd()) c->rdc_dd()->publish(c->residual.dc);
  }
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

void Plant::circuit_residuals() {
  // Leakage to PE of what draws behind each circuit (in phase with its phase voltage), the
  // circuit RCD's leakage knobs, the station fault knob and its stations' own DC residual.
  for (std::size_t c = 0; c < circuits_.size(); ++c) {
    Circuit& cc = *circuits_[c];
    cc.residual = Residual{};
    cc.residual_ac = 0;
    int ref = cc.live[0] ? 0 : cc.live[1] ? 1 : cc.live[2] ? 2 : -1;
    if (ref < 0) continue;
    Complex fund = 0;
    for (int p = 0; p < 3; ++p)
      if (cc.live[p] && cc.leak[p] > 0) fund += cc.leak[p] * std::polar(1.0, std::arg(v_[p][0]));
    double dc = cc.leak_dc + cc.dc_fault();
    if (cc.rcd()) {
      fund += std::max(0.0, cc.rcd()->leakage()) * std::polar(1.0, std::arg(v_[ref][0]));
      dc += std::max(0.0, cc.rcd()->leakage_dc());
    }
    for (std::size_t ci = 0; ci < consumers_.size() && ci < cons_circuit_.size(); ++ci)
      if (cons_circuit_[ci] == static_cast<int>(c)) dc += std::max(0.0, consumers_[ci]->dc_residual());
    cc.residual_ac = fund;
    cc.residual.ac = std::abs(fund);
    cc.residual.dc = dc;
  }
}

void Plant::integrate_circuits(double dt) {
  for (auto& cp : circuits_) {
    Circuit& c = *cp;
    if (unsigned blew = c.device().integrate(dt, c.irms)) {
      for (int p = 0; p < 3; ++p)
        if (blew & (1u << p))
          site_.log(LogLevel::Warn, "site.circuits." + c.name(),
                    "circuit " + c.name() + " L" + std::to_string(p + 1) +
                        fmt(" protection tripped at %.1f A (rating %.0f A)", c.irms[p], c.device().config().rating));
    }
    if (c.rcd() && c.rcd()->integrate(dt, c.residual)) {
      std::string msg =
          "circuit " + c.name() + fmt(" RCD tripped at a residual current of %.1f mA", c.residual.ac * 1e3);
      if (c.residual.dc > 0) msg += fmt(", %.1f mA DC", c.residual.dc * 1e3);
      site_.log(LogLevel::Warn, "site.circuits." + c.name(), msg);
    }
    if (c.rdc_dd() && c.rdc_dd()->integrate(dt, c.residual.dc))
      site_.log(LogLevel::Warn, "site.circuits." + c.name(),
                "circuit " + c.name() + fmt(" RDC-DD opened at %.1f mA DC", c.residual.dc * 1e3));
  }
}

void Plant::update_meter(Time t, double dt) {
  // The interval just passed, [t - dt, t], ran at the previous frame's phasors: the listeners
  // (the AFE's energy and RMS integration) book it before the frame takes the new state, so a
  // change is not booked one plant step early.
  frame_.time = t;
  frame_.theta = theta_;
  for (auto* l : listeners_) l->on_plant_step(t, dt);
  unsigned sv = 0;
  for (const auto& sn : sensors_) sv = sv * 31 + sn->version();
  if (changed_ || sv != sensor_ver_ || chain_.per_step()) {
    sensor_ver_ = sv;
    truth_.time = t;
    build_frame(truth_);
    chain_.distort(truth_);
    if (chain_.config().latency > 0) {
      chain_.push(truth_);
    } else {
      std::copy(std::begin(truth_.ch), std::end(truth_.ch), std::begin(frame_.ch));
      frame_.orders = truth_.orders;
      std::copy(std::begin(truth_.order), std::end(truth_.order), std::begin(frame_.order));
      ++frame_.version;
    }
  }
  MeterFrame late;
  if (chain_.config().latency > 0 && chain_.deliver(t, late)) {
    std::copy(std::begin(late.ch), std::end(late.ch), std::begin(frame_.ch));
    frame_.orders = late.orders;
    std::copy(std::begin(late.order), std::end(late.order), std::begin(frame_.order));
    ++frame_.version;
  }
  // Frequency measured from the voltage the AFE sees: the phase advance of the first present
  // channel's fundamental (the grid's phase plus the voltage's own angle: a phase jump shows).
  // The voltage's angle only changes with a new frame.
  bool same_angle = frame_.version == varg_version_;
  bool present = varg_present_;
  if (!same_angle) {
    varg_version_ = frame_.version;
    int c = std::abs(frame_.ch[0].v[0]) > 0 ? 0 : std::abs(frame_.ch[1].v[0]) > 0 ? 1 : 2;
    present = std::abs(frame_.ch[c].v[0]) > 0;
    if (present) {
      double a = std::arg(frame_.ch[c].v[0]);
      if (!varg_valid_) {
        varg_ = a;
      } else {
        double d = a - varg_raw_;
        d -= kTwoPi * std::round(d / kTwoPi);
        same_angle = d == 0;
        varg_ += d;
      }
      varg_raw_ = a;
    }
    same_angle = same_angle && present == varg_present_;
    varg_present_ = present;
  }
  varg_valid_ = present;
  // Steady (same frequency, same angle) for a whole window: the measurement is the grid's
  // frequency; the chain keeps only what a later change needs.
  const double fg = grid_.frequency();
  if (!same_angle || fg != fmeas_grid_) {
    fmeas_grid_ = fg;
    fmeas_break_ = t;
  }
  if (present && t - fmeas_break_ > MeterChain::kFreqWindow)
    frame_.frequency = chain_.steady(t, theta_abs_ + varg_, fg);
  else
    frame_.frequency = chain_.measure_frequency(t, theta_abs_ + varg_, present, fg);
  if (sig_meter_f_->value() != frame_.frequency) sig_meter_f_->set(frame_.frequency);
  if (frame_.version != meter_published_) {
    meter_published_ = frame_.version;
    for (int ch = 0; ch < 3; ++ch) {
      double i2 = 0, v2 = 0;
      for (int k = 0; k < frame_.orders; ++k) {
        i2 += std::norm(frame_.ch[ch].i[k]);
        v2 += std::norm(frame_.ch[ch].v[k]);
      }
      sig_meter_i_[ch]->set(std::sqrt(i2));
      sig_meter_v_[ch]->set(std::sqrt(v2));
    }
  }
}

void Plant::build_frame(MeterFrame& out) {
  out.frequency = grid_.frequency();
  out.orders = orders_;
  for (int k = 0; k < orders_; ++k) out.order[k] = order_[k];
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
    auto& ch = out.ch[c];
    for (int k = 0; k < orders_; ++k) {
      ch.i[k] = s.transfer(order_[k], out.frequency, rms) * cur[k];
      ch.v[k] = vlive ? v_[q][k] : Complex(0, 0);
    }
  }
}

}  // namespace lmsim::plant
