// Builds the plant from the scenario's `site:` section (documented in docs/plant.md).
// Provides services "plant" (PlantApi, for stations), "plant.meter" (MeterSource, for the AFE)
// and "plant.model" (Plant, for tests and tools).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "models/models.h"
#include "models/plant/appliance.h"
#include "models/plant/load.h"
#include "models/plant/plant.h"
#include "models/plant/pv_inverter.h"
#include "models/plant/ripple_receiver.h"
#include "models/plant/selectivity.h"

namespace lmsim::plant {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

std::string fmt_amps(double a) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g A", a);
  return buf;
}

int parse_phase(const YNode& n, bool allow_n = false) {
  const auto& s = n.scalar();
  if (s == "L1") return 0;
  if (s == "L2") return 1;
  if (s == "L3") return 2;
  if (allow_n && s == "N") return 3;
  n.fail(std::string("expected L1, L2, L3") + (allow_n ? " or N" : "") + ", got '" + s + "'");
}

std::array<bool, 3> parse_phases(const YNode* n) {
  std::array<bool, 3> out{true, true, true};
  if (!n) return out;
  out = {false, false, false};
  if (n->is_scalar()) {
    out[parse_phase(*n)] = true;
    return out;
  }
  if (!n->is_seq() || n->size() == 0) n->fail("expected a phase or a list of phases, e.g. [L1, L2, L3]");
  for (const auto& it : n->items()) {
    int p = parse_phase(it);
    if (out[p]) it.fail("phase listed twice");
    out[p] = true;
  }
  return out;
}

// "4%" or a plain number meaning percent.
double percent(const YNode& n) {
  auto q = parse_quantity(n.scalar());
  if (q && q->unit.empty()) return q->value;
  return n.quantity("%").value;
}

bool parse_side(const YNode* n, bool def) {
  if (!n) return def;
  const auto& s = n->scalar();
  if (s == "behind_rcd") return true;
  if (s == "in_front" || s == "in_front_of_rcd") return false;
  n->fail("expected behind_rcd or in_front, got '" + s + "'");
}

std::vector<CurrentHarmonic> parse_current_harmonics(const YNode* n) {
  std::vector<CurrentHarmonic> out;
  if (!n) return out;
  for (const auto& h : n->items()) {
    CurrentHarmonic c;
    c.order = static_cast<int>(h["order"].integer());
    if (c.order < 2 || c.order > 50) h["order"].fail("harmonic order must be 2..50");
    c.fraction = percent(h["percent"]) / 100.0;
    h.finish();
    out.push_back(c);
  }
  return out;
}

std::unique_ptr<Profile> parse_csv_profile(Site& site, const YNode& pn, Time def_res) {
  std::string path = site.resolve_path(pn["csv"].str());
  double scale = pn.num_or("scale", 1.0);
  Time res = pn.dur_or("resolution", def_res);
  if (res == 0) pn["resolution"].fail("resolution must be > 0");
  pn.finish();
  site.add_input_file("profile", path);
  return std::make_unique<CsvProfile>(site, pn, path, res, scale);
}

using Circuits = std::vector<Circuit::Config>;

Element::Wiring parse_wiring(const YNode& n, bool default_neutral_in_front, const Circuits& circuits) {
  Element::Wiring w;
  w.phases = parse_phases(n.get("phases"));
  w.behind_rcd = parse_side(n.get("side"), true);
  if (const YNode* nn = n.get("neutral"))
    w.neutral_in_front = !parse_side(nn, true);
  else
    w.neutral_in_front = default_neutral_in_front;
  if (!w.behind_rcd) w.neutral_in_front = false;
  if (const YNode* cn = n.get("circuit")) {
    // Behind a sub-distribution circuit: its side of the site RCD, its neutral.
    const std::string& nm = cn->scalar();
    for (std::size_t k = 0; k < circuits.size(); ++k)
      if (circuits[k].name == nm) w.circuit = static_cast<int>(k) + 1;
    if (!w.circuit) cn->fail("no circuit '" + nm + "' in site.circuits");
    if (n.has("side")) n["side"].fail("a load in a circuit hangs on the circuit's side (give `side` to the circuit)");
    if (n.has("neutral")) n["neutral"].fail("a miswired neutral is not modelled inside a circuit");
    w.behind_rcd = circuits[static_cast<std::size_t>(w.circuit - 1)].behind_rcd;
    w.neutral_in_front = false;
  }
  w.leakage = n.qty_or("leakage", "A", 0);
  w.leakage_dc = n.qty_or("leakage_dc", "A", 0);
  if (const YNode* m = n.get("model")) {
    const std::string& v = m->scalar();
    if (v == "constant_power" || v == "P")
      w.model = 0;
    else if (v == "constant_current" || v == "I")
      w.model = 1;
    else if (v == "constant_impedance" || v == "Z")
      w.model = 2;
    else
      m->fail("expected constant_power, constant_current or constant_impedance (P, I, Z), got '" + v + "'");
  }
  if (w.leakage < 0) n["leakage"].fail("leakage must be >= 0");
  if (w.leakage_dc < 0) n["leakage_dc"].fail("leakage_dc must be >= 0");
  return w;
}

std::unique_ptr<Load> parse_load(Site& site, const YNode& n, bool neutral_in_front, const Circuits& circuits) {
  std::string name = n["name"].str();
  Element::Wiring w = parse_wiring(n, neutral_in_front, circuits);
  Load::Config c;
  c.on = n.bool_or("on", true);
  Time res = n.dur_or("update", 1 * kSec);
  if (res == 0) n["update"].fail("update must be > 0");
  if (const YNode* pf = n.get("pf")) {
    c.pf = pf->number();
    if (c.pf == 0 || std::fabs(c.pf) > 1) pf->fail("pf must be in [-1, 0) or (0, 1]");
  }
  if (const YNode* q = n.get("q")) {
    c.has_q = true;
    c.q = q->quantity("var").value;
  }
  c.power = n.qty_or("power", "W", 0);
  if (const YNode* pn = n.get("profile")) {
    if (pn->is_map()) {
      c.profile = parse_csv_profile(site, *pn, res);
    } else {
      StochasticKind kind;
      if (!parse_stochastic_kind(pn->str(), kind))
        pn->fail("unknown profile '" + pn->str() + "' (household, residential, office, heat-pump or {csv: file})");
      double peak = n["peak"].quantity("W").value;
      if (peak <= 0) n["peak"].fail("peak must be > 0");
      auto sp = std::make_unique<StochasticProfile>(site, kind, peak, site.rng("site.load." + name), res);
      if (kind == StochasticKind::HeatPump) {
        double f = n.num_or("start_current", 3.0);
        if (f < 1 || f > 10) n["start_current"].fail("start_current is a multiple of the running current, 1..10");
        Time st = n.dur_or("start_time", 200 * kMs);
        sp->set_start(f, st);
      }
      c.profile = std::move(sp);
    }
  } else if (!n.has("power") && !n.has("schedule")) {
    n.fail("a load needs 'power', 'profile' or 'schedule'");
  }
  if (const YNode* sch = n.get("schedule")) {
    for (const auto& e : sch->items()) {
      Load::Event ev;
      ev.at = e["at"].duration();
      if (const YNode* on = e.get("on")) ev.on = on->boolean() ? 1 : 0;
      if (const YNode* pw = e.get("power")) ev.power = pw->quantity("W").value;
      e.finish();
      c.schedule.push_back(ev);
    }
    std::stable_sort(c.schedule.begin(), c.schedule.end(),
                     [](const Load::Event& a, const Load::Event& b) { return a.at < b.at; });
  }
  auto harm = parse_current_harmonics(n.get("harmonics"));
  n.finish();
  auto load = std::make_unique<Load>(site.registry(), name, w, std::move(c));
  load->set_harmonics(std::move(harm));
  return load;
}

// `profile: household`: a base load (fridge, standby, lighting; daily shape) plus single-phase
// appliances switched at seeded random times (Appliance::library()). Annual energy by household
// size: typical German single-family houses without electric water heating (Stromspiegel für
// Deutschland, middle band), overridable with `annual`.
void parse_household(Site& site, const YNode& n, bool neutral_in_front, const Circuits& circuits,
                     std::vector<std::unique_ptr<Element>>& out, std::vector<std::string>& names) {
  static constexpr double kAnnualKwh[] = {2300, 3000, 3600, 4000, 4700, 5200};
  std::string name = n["name"].str();
  Element::Wiring w = parse_wiring(n, neutral_in_front, circuits);
  n["profile"].str();
  auto persons = n.has("persons") ? n["persons"].integer() : 3;
  if (persons < 1 || persons > 6) n["persons"].fail("persons must be 1..6");
  double annual = n.qty_or("annual", "Wh", kAnnualKwh[persons - 1] * 1000);
  if (annual <= 0) n["annual"].fail("annual energy must be > 0");
  Time res = n.dur_or("update", 60 * kSec);
  if (res == 0) n["update"].fail("update must be > 0");
  Rng rng = site.rng("site.load." + name);
  std::vector<int> phases;
  for (int p = 0; p < 3; ++p)
    if (w.phases[p]) phases.push_back(p);
  // Library figures are for a 3-person household; uses scale with the number of persons.
  double scale = std::max(0.4, static_cast<double>(persons) / 3.0);
  double appliance_wh = 0;
  for (auto spec : Appliance::library()) {
    spec.uses_per_day *= scale;
    appliance_wh += Appliance::daily_wh(spec);
    Element::Wiring aw = w;
    aw.model = 2;  // heating elements: constant impedance
    aw.phases = {false, false, false};
    aw.phases[static_cast<std::size_t>(phases[rng.below(phases.size())])] = true;
    std::string an = name + "-" + spec.name;
    if (std::find(names.begin(), names.end(), an) != names.end()) n["name"].fail("duplicate name '" + an + "'");
    names.push_back(an);
    out.push_back(std::make_unique<Appliance>(site, site.registry(), an, aw, spec, site.rng("site.load." + an)));
  }
  double base_w = (annual / 365.0 - appliance_wh) / 24.0;
  if (base_w <= 0) n["annual"].fail("annual energy is below what the appliances alone use");
  n.finish();
  Load::Config c;
  c.profile = std::make_unique<StochasticProfile>(
      site, StochasticKind::Base, base_w / StochasticProfile::residential_mean(), site.rng("site.load." + name), res);
  out.push_back(std::make_unique<Load>(site.registry(), name, w, std::move(c)));
}

// `clouds: {per_hour: 6, depth: [60%, 80%], ramp: [2s, 6s], length: 60s}` (defaults as shown,
// per_hour 4): seeded cloud passages over one PV array.
CloudPassage::Config parse_clouds(const YNode& n) {
  CloudPassage::Config c;
  if (!n.is_map()) n.fail("expected a map, e.g. {per_hour: 6, depth: [60%, 80%], ramp: [2s, 6s], length: 60s}");
  c.per_hour = n.num_or("per_hour", 4);
  if (c.per_hour <= 0 || c.per_hour > 3600) n["per_hour"].fail("per_hour must be > 0 and <= 3600");
  auto range = [&](const char* key, auto get, double& lo, double& hi) {
    const YNode* r = n.get(key);
    if (!r) return;
    if (!r->is_seq() || r->size() != 2) r->fail(std::string(key) + " is a range [min, max]");
    lo = get(r->items()[0]);
    hi = get(r->items()[1]);
    if (!(lo <= hi)) r->fail(std::string(key) + ": min must not exceed max");
  };
  range(
      "depth", [](const YNode& x) { return percent(x) / 100.0; }, c.depth_min, c.depth_max);
  if (c.depth_min < 0 || c.depth_max > 1) n["depth"].fail("depth must lie within 0..100 %");
  range(
      "ramp", [](const YNode& x) { return time_to_seconds(x.duration()); }, c.ramp_min, c.ramp_max);
  if (c.ramp_min <= 0) n["ramp"].fail("ramp times must be > 0");
  c.mean_length = time_to_seconds(n.dur_or("length", seconds_to_time(c.mean_length)));
  if (c.mean_length <= 0) n["length"].fail("length must be > 0");
  n.finish();
  return c;
}

std::unique_ptr<PvInverter> parse_pv(Site& site, const YNode& n, const Circuits& circuits) {
  std::string name = n["name"].str();
  Element::Wiring w = parse_wiring(n, false, circuits);
  PvInverter::Config c;
  c.peak = n["peak"].quantity("W").value;
  if (c.peak <= 0) n["peak"].fail("peak must be > 0");
  c.latitude = n.qty_or("latitude", "deg", c.latitude);
  c.longitude = n.qty_or("longitude", "deg", c.longitude);
  c.resolution = n.dur_or("update", c.resolution);
  c.reconnect = n.dur_or("reconnect", c.reconnect);
  if (c.resolution == 0) n["update"].fail("update must be > 0");
  if (const YNode* pn = n.get("profile")) {
    if (pn->is_map())
      c.profile = parse_csv_profile(site, *pn, c.resolution);
    else if (pn->str() != "clear-sky")
      pn->fail("unknown PV profile '" + pn->str() + "' (clear-sky or {csv: file})");
  }
  if (const YNode* cn = n.get("clouds")) c.clouds = parse_clouds(*cn);
  n.finish();
  return std::make_unique<PvInverter>(site, site.registry(), name, w, std::move(c));
}

void parse_sensor_fields(Site& site, const YNode& n, CurrentSensor::Config& c, const std::string& rng_name) {
  if (const YNode* t = n.get("type")) {
    if (t->str() == "ct")
      c.type = SensorType::Ct;
    else if (t->str() == "rogowski")
      c.type = SensorType::Rogowski;
    else
      t->fail("expected ct or rogowski, got '" + t->str() + "'");
  }
  c.ratio = n.num_or("ratio", c.ratio);
  if (c.ratio <= 0) n["ratio"].fail("ratio must be > 0");
  if (const YNode* r = n.get("rated")) {
    c.rated = r->quantity("A").value;
    if (c.rated <= 0) r->fail("rated must be > 0 A");
  }
  if (const YNode* cl = n.get("class")) {
    double k = cl->number();
    Rng rng = site.rng(rng_name);
    double lr, lp;
    if (c.rated > 0) {
      // With the CT's rated current: the class's error curve over the current (IEC 61869-2),
      // this unit's place within the limits drawn once from the seed.
      if (!CurrentSensor::class_limits(k, 1.0, lr, lp)) cl->fail("IEC 61869-2 classes with limits: 0.1, 0.2, 0.5, 1");
      c.accuracy_class = k;
      c.band_position = rng.uniform(0.2, 0.9);
      c.amplitude_error = c.phase_error = 0;
    } else {
      // Accuracy class c without a rated current: a constant ratio error within +-c %, phase
      // displacement within +-c deg (IEC 61869-2 at rated current: class 0.5 = 30', class 1 =
      // 60'); drawn once per sensor from the seed.
      c.amplitude_error = rng.uniform(-k, k) / 100.0;
      c.phase_error = rng.uniform(-k, k) * kDeg;
    }
  }
  if (const YNode* a = n.get("amplitude_error")) c.amplitude_error = percent(*a) / 100.0;
  if (const YNode* p = n.get("phase_error")) c.phase_error = p->quantity("deg").value * kDeg;
  c.saturation = n.qty_or("saturation", "A", c.saturation);
  c.integrator_corner = n.qty_or("integrator_corner", "Hz", c.integrator_corner);
  if (c.integrator_corner <= 0) n["integrator_corner"].fail("must be > 0 Hz");
  if (const YNode* p = n.get("position_error")) c.position_error = percent(*p) / 100.0;
  if (const YNode* p = n.get("open_coupling")) c.open_coupling = percent(*p) / 100.0;
}

// A fuse or MCB: `rating`, `curve` (gG, B, C, D or a list of {current, time}), `band`
// (fastest, nominal, slowest: where in the standard's tolerance band this device sits).
// A list is a cold melting curve; `non_fusing` (multiple of the rating) and `cooling` then
// give the never-trip current and the thermal time constant.
MainFuse::Config parse_overcurrent(const YNode& f, const std::string& prefix, const std::string& label) {
  MainFuse::Config c;
  c.prefix = prefix;
  c.label = label;
  c.rating = f.qty_or("rating", "A", 63);
  if (c.rating <= 0) f["rating"].fail("rating must be > 0");
  Band band = Band::Nominal;
  if (const YNode* b = f.get("band"))
    if (!parse_band(b->str(), band)) b->fail("expected fastest, nominal or slowest, got '" + b->str() + "'");
  std::string kind = "gG";
  const YNode* cn = f.get("curve");
  if (cn && cn->is_scalar()) kind = cn->str();
  if (cn && !cn->is_scalar()) {
    std::vector<TripCurve::Point> pts;
    for (const auto& pt : cn->items()) {
      TripCurve::Point p{pt["current"].quantity("A").value, time_to_seconds(pt["time"].duration())};
      pt.finish();
      if (!pts.empty() && (p.current <= pts.back().current || p.seconds >= pts.back().seconds))
        pt.fail("curve points must have rising currents and falling times");
      if (p.seconds <= 0) pt["time"].fail("time must be > 0");
      pts.push_back(p);
    }
    if (pts.empty()) cn->fail("curve needs at least one point");
    double nf = f.num_or("non_fusing", 1.25);
    if (nf <= 0) f["non_fusing"].fail("non_fusing must be > 0");
    if (nf * c.rating >= pts.front().current)
      f["non_fusing"].fail("non_fusing current must lie below the first curve point");
    double cooling = time_to_seconds(f.dur_or("cooling", 20 * 60 * kSec));
    if (cooling <= 0) f["cooling"].fail("cooling must be > 0");
    c.curve = TripCurve(nf * c.rating, cooling, std::move(pts));
    c.fastest = c.slowest = c.curve;
    c.kind = "points " + fmt_amps(c.rating);
  } else if (kind == "gG") {
    if (f.has("non_fusing")) f["non_fusing"].fail("non_fusing applies to a curve given as points");
    if (f.has("cooling")) f["cooling"].fail("cooling applies to a curve given as points");
    try {
      c.curve = TripCurve::gg_fuse(c.rating, band);
      c.fastest = TripCurve::gg_fuse(c.rating, Band::Fastest);
      c.slowest = TripCurve::gg_fuse(c.rating, Band::Slowest);
      c.kind = "gG " + fmt_amps(c.rating);
    } catch (const std::invalid_argument&) {
      std::string list;
      for (double r : TripCurve::gg_ratings()) list += (list.empty() ? "" : ", ") + std::to_string(static_cast<int>(r));
      (f.has("rating") ? f["rating"] : f)
          .fail("no IEC 60269 gG data for " + std::to_string(c.rating) + " A (ratings " + list +
                " A; or give the curve as points)");
    }
  } else if (kind == "B" || kind == "C" || kind == "D") {
    if (c.rating < 0.5 || c.rating > 125) f["rating"].fail("IEC 60898-1 MCBs are rated 0.5..125 A");
    c.curve = TripCurve::mcb(kind[0], c.rating, band);
    c.fastest = TripCurve::mcb(kind[0], c.rating, Band::Fastest);
    c.slowest = TripCurve::mcb(kind[0], c.rating, Band::Slowest);
    c.kind = kind + " " + fmt_amps(c.rating);
  } else {
    cn->fail("unknown curve '" + kind + "' (gG, B, C, D or a list of {current, time})");
  }
  f.finish();
  return c;
}

// An RCD's `rated`, `threshold`, `curve`, `type` (and the site RCD's `neutral`, read by the caller).
void parse_rcd(const YNode& r, Rcd::Config& c) {
  c.rated = r.qty_or("rated", "A", 0.030);
  if (c.rated <= 0) r["rated"].fail("rated must be > 0");
  if (const YNode* th = r.get("threshold")) {
    c.threshold = percent(*th) / 100.0;
    if (c.threshold < 0.5 || c.threshold > 1.0) th->fail("threshold must be 50..100 % of IΔn (IEC 61008)");
  }
  if (const YNode* cv = r.get("curve")) {
    c.curve.clear();
    for (const auto& pt : cv->items()) {
      Rcd::Point p{pt["multiple"].number(), time_to_seconds(pt["time"].duration())};
      pt.finish();
      if (!c.curve.empty() && p.multiple <= c.curve.back().multiple) pt.fail("multiples must rise");
      if (p.seconds <= 0) pt["time"].fail("time must be > 0");
      c.curve.push_back(p);
    }
    if (c.curve.empty()) cv->fail("curve needs at least one point");
  }
  if (const YNode* ty = r.get("type")) {
    const std::string& t = ty->scalar();
    if (t == "AC")
      c.type = RcdType::AC;
    else if (t == "A")
      c.type = RcdType::A;
    else if (t == "F")
      c.type = RcdType::F;
    else if (t == "B")
      c.type = RcdType::B;
    else
      ty->fail("expected AC, A, F or B, got '" + t + "'");
  }
  r.finish();
}

// `circuits:` sub-distribution circuits, each with its own fuse/MCB (`protection`), optionally
// an RCD, the stations' RDC-DD (`rdc_dd: true`) and the stations wired behind it.
Circuits parse_circuits(const YNode& root, const YNode& cs) {
  Circuits out;
  std::vector<std::string> station_names, taken;
  if (const YNode* st = root.get("stations"); st && st->is_seq())
    for (const auto& sn : st->items())
      if (const YNode* nm = sn.get("name"); nm && nm->is_scalar()) station_names.push_back(nm->scalar());
  if (!cs.is_seq()) cs.fail("expected a list of circuits");
  for (const auto& cn : cs.items()) {
    Circuit::Config c;
    c.name = cn["name"].str();
    if (c.name.empty() || c.name.find_first_not_of(
                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
      cn["name"].fail("names use letters, digits, '_' and '-'");
    for (const auto& o : out)
      if (o.name == c.name) cn["name"].fail("duplicate circuit '" + c.name + "'");
    c.behind_rcd = parse_side(cn.get("side"), true);
    c.device = parse_overcurrent(cn["protection"], "site.circuits." + c.name, "circuit " + c.name + " protection");
    if (const YNode* r = cn.get("rcd")) {
      if (r->has("neutral")) (*r)["neutral"].fail("a miswired neutral is not modelled inside a circuit");
      c.rcd.emplace();
      parse_rcd(*r, *c.rcd);
    }
    c.rdc_dd = cn.bool_or("rdc_dd", false);
    if (const YNode* st = cn.get("stations")) {
      for (const auto& sn : st->items()) {
        const std::string& nm = sn.scalar();
        if (std::find(station_names.begin(), station_names.end(), nm) == station_names.end())
          sn.fail("no station '" + nm + "' in stations");
        if (std::find(taken.begin(), taken.end(), nm) != taken.end())
          sn.fail("station '" + nm + "' is already wired to a circuit");
        taken.push_back(nm);
        c.stations.push_back(nm);
      }
    }
    cn.finish();
    out.push_back(std::move(c));
  }
  if (out.size() > 32) cs.fail("at most 32 circuits");
  return out;
}

// `ripple:` the utility's receiver / control box and its wiring to the device's 24 V inputs.
RippleReceiver::Config parse_ripple(const YNode& n) {
  RippleReceiver::Config c;
  static const std::vector<std::string> kModes = {"normal", "reduced", "blocked"};
  auto mode_of = [&](const YNode& m) {
    for (std::size_t k = 0; k < kModes.size(); ++k)
      if (m.scalar() == kModes[k]) return static_cast<int>(k);
    m.fail("expected normal, reduced or blocked, got '" + m.scalar() + "'");
  };
  if (const YNode* m = n.get("mode")) c.mode = mode_of(*m);
  c.delay = n.dur_or("delay", 0);
  if (const YNode* rs = n.get("relays")) {
    std::vector<std::string> names;
    for (const auto& rn : rs->items()) {
      RippleReceiver::Relay r;
      r.name = rn["name"].str();
      if (r.name.empty() ||
          r.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
              std::string::npos)
        rn["name"].fail("names use letters, digits, '_' and '-'");
      if (std::find(names.begin(), names.end(), r.name) != names.end())
        rn["name"].fail("duplicate relay '" + r.name + "'");
      names.push_back(r.name);
      const std::string& in = rn["input"].scalar();
      if (in == "in1")
        r.input = 1;
      else if (in == "in2")
        r.input = 2;
      else
        rn["input"].fail("expected in1 or in2 (the device's 24 V inputs), got '" + in + "'");
      if (const YNode* ct = rn.get("contact")) {
        if (ct->scalar() == "NO")
          r.normally_closed = false;
        else if (ct->scalar() == "NC")
          r.normally_closed = true;
        else
          ct->fail("expected NO or NC, got '" + ct->scalar() + "'");
      }
      r.active = {false, false, false};
      const YNode& a = rn["active"];
      if (a.is_scalar())
        r.active[mode_of(a)] = true;
      else
        for (const auto& m : a.items()) r.active[mode_of(m)] = true;
      rn.finish();
      c.relays.push_back(r);
    }
    if (c.relays.empty()) rs->fail("a receiver needs at least one relay");
  } else {
    c.relays = RippleReceiver::default_relays();
  }
  if (const YNode* b = n.get("bounce")) {
    if (b->has("count")) c.bounces = static_cast<int>((*b)["count"].integer());
    if (c.bounces < 0 || c.bounces > 50) (*b)["count"].fail("count must be 0..50");
    c.bounce_time = b->dur_or("time", c.bounce_time);
    if (c.bounce_time < 2) (*b)["time"].fail("time must be > 0");
    b->finish();
  }
  if (const YNode* g = n.get("glitches")) {
    c.glitch_rate = g->num_or("per_hour", 0);
    if (c.glitch_rate < 0 || c.glitch_rate > 3600) (*g)["per_hour"].fail("per_hour must be 0..3600");
    c.glitch_length = g->dur_or("length", c.glitch_length);
    if (c.glitch_length <= 0) (*g)["length"].fail("length must be > 0");
    g->finish();
  }
  n.finish();
  return c;
}
}  // namespace

void build(Site& site, const YNode& root) {
  const YNode* sn = root.get("site");
  if (!sn || sn->is_null()) return;
  const YNode& s = *sn;
  if (!s.is_map()) s.fail("expected a map");
  Plant::Config cfg;
  cfg.step = s.dur_or("step", 10 * kMs);
  if (cfg.step < kMs || cfg.step > kSec) s["step"].fail("step must be between 1ms and 1s");

  if (const YNode* g = s.get("grid")) {
    cfg.grid.voltage = g->qty_or("voltage", "V", 230);
    cfg.grid.frequency = g->qty_or("frequency", "Hz", 50);
    if (cfg.grid.voltage < 0) (*g)["voltage"].fail("voltage must be >= 0");
    if (cfg.grid.frequency < 40 || cfg.grid.frequency > 70) (*g)["frequency"].fail("frequency must be 40..70 Hz");
    if (const YNode* z = g->get("impedance")) {
      // Source impedance per phase conductor: {r: 0.2Ohm, x: 0.1Ohm}.
      double r = z->qty_or("r", "Ohm", 0), x = z->qty_or("x", "Ohm", 0);
      if (r < 0 || r > 10) (*z)["r"].fail("r must be 0..10 ohm");
      if (x < 0 || x > 10) (*z)["x"].fail("x must be 0..10 ohm");
      z->finish();
      cfg.grid.impedance = Complex(r, x);
    }
    if (const YNode* hs = g->get("harmonics")) {
      for (const auto& h : hs->items()) {
        VoltageHarmonic vh;
        vh.order = static_cast<int>(h["order"].integer());
        if (vh.order < 2 || vh.order > 50) h["order"].fail("harmonic order must be 2..50");
        vh.fraction = percent(h["percent"]) / 100.0;
        vh.angle = h.qty_or("angle", "deg", 0) * kDeg;
        h.finish();
        cfg.grid.harmonics.push_back(vh);
      }
    }
    g->finish();
  }

  if (const YNode* f = s.get("main_fuse")) cfg.fuse = parse_overcurrent(*f, "site.fuse", "main fuse");

  bool neutral_in_front = false;
  if (const YNode* r = s.get("rcd")) {
    if (const YNode* nn = r->get("neutral")) neutral_in_front = !parse_side(nn, true);
    parse_rcd(*r, cfg.rcd);
  }
  if (const YNode* cs = s.get("circuits")) cfg.circuits = parse_circuits(root, *cs);

  if (const YNode* sens = s.get("sensors")) {
    CurrentSensor::Config common;
    parse_sensor_fields(site, *sens, common, "site.sensors");
    // The measuring chain (models/plant/meter_chain.*): ideal unless asked.
    auto& mc = cfg.meter;
    if (const YNode* x = sens->get("noise")) mc.noise = percent(*x) / 100.0;
    mc.noise_floor = sens->qty_or("noise_floor", "A", 0);
    mc.quant_i = sens->qty_or("quantisation", "A", 0);
    mc.quant_v = sens->qty_or("voltage_quantisation", "V", 0);
    mc.latency = sens->dur_or("latency", 0);
    if (mc.noise < 0 || mc.noise > 0.2) (*sens)["noise"].fail("noise must be 0..20 %");
    if (mc.noise_floor < 0) (*sens)["noise_floor"].fail("noise_floor must be >= 0");
    if (mc.quant_i < 0) (*sens)["quantisation"].fail("quantisation must be >= 0");
    if (mc.quant_v < 0) (*sens)["voltage_quantisation"].fail("voltage_quantisation must be >= 0");
    if (mc.latency > 10 * kSec) (*sens)["latency"].fail("latency must be 0..10 s");
    for (int k = 0; k < 3; ++k) {
      auto& c = cfg.sensors[k];
      c = common;
      c.clamps = k;
      c.pairs_with = k;
      // Appended, not `"L" + std::string`: GCC 12 at -O3 reports a false -Wrestrict there
      // (GCC bug 105329).
      std::string ch(1, 'L');
      ch.append(std::to_string(k + 1));
      if (const YNode* cl = sens->get("class"); cl && !sens->has("amplitude_error") && !sens->has("phase_error")) {
        // A class given for all sensors: each sensor draws its own errors.
        Rng rng = site.rng("site.sensor." + ch);
        double kc = cl->number();
        if (c.accuracy_class > 0) {
          c.band_position = rng.uniform(0.2, 0.9);
        } else {
          c.amplitude_error = rng.uniform(-kc, kc) / 100.0;
          c.phase_error = rng.uniform(-kc, kc) * kDeg;
        }
      }
      if (const YNode* cn = sens->get(ch)) {
        parse_sensor_fields(site, *cn, c, "site.sensor." + ch);
        if (const YNode* x = cn->get("clamps")) c.clamps = parse_phase(*x, true);
        if (const YNode* x = cn->get("pairs_with")) c.pairs_with = parse_phase(*x);
        c.reversed = cn->bool_or("reversed", false);
        c.open = cn->bool_or("open", false);
        cn->finish();
      }
    }
    sens->finish();
  }

  if (const YNode* d = s.get("device_supply")) {
    cfg.device.behind_rcd = parse_side(d->get("side"), true);
    if (const YNode* nn = d->get("neutral"))
      cfg.device.neutral_in_front = !parse_side(nn, true);
    else
      cfg.device.neutral_in_front = neutral_in_front;
    if (const YNode* ph = d->get("phase")) cfg.device.phase = parse_phase(*ph);
    cfg.device.power = d->qty_or("power", "W", 3);
    cfg.device.min_input = d->qty_or("min_input", "V", cfg.device.min_input);
    if (cfg.device.min_input < 0) (*d)["min_input"].fail("min_input must be >= 0");
    cfg.device.hold_up = d->dur_or("hold_up", cfg.device.hold_up);
    d->finish();
  } else {
    cfg.device.neutral_in_front = neutral_in_front;
  }
  if (!cfg.device.behind_rcd) cfg.device.neutral_in_front = false;
  cfg.device.nominal = cfg.grid.voltage;

  // Everything is read and checked before the SystemC module exists (a bad scenario leaves no
  // half-built module behind).
  std::vector<std::unique_ptr<Element>> elements;
  std::vector<std::string> names;
  auto unique_name = [&](const YNode& n) {
    std::string nm = n["name"].str();
    if (nm.empty() ||
        nm.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
      n["name"].fail("names use letters, digits, '_' and '-'");
    if (std::find(names.begin(), names.end(), nm) != names.end()) n["name"].fail("duplicate name '" + nm + "'");
    names.push_back(nm);
  };
  if (const YNode* ls = s.get("loads")) {
    for (const auto& ln : ls->items()) {
      unique_name(ln);
      const YNode* pn = ln.get("profile");
      if (pn && pn->is_scalar() && pn->scalar() == "household")
        parse_household(site, ln, neutral_in_front, cfg.circuits, elements, names);
      else
        elements.push_back(parse_load(site, ln, neutral_in_front, cfg.circuits));
    }
  }
  if (const YNode* ps = s.get("pv")) {
    for (const auto& pn : ps->items()) {
      unique_name(pn);
      elements.push_back(parse_pv(site, pn, cfg.circuits));
    }
  }
  std::optional<RippleReceiver::Config> ripple;
  if (const YNode* rn = s.get("ripple")) ripple = parse_ripple(*rn);
  s.finish();
  std::vector<int> orders;
  for (const auto& h : cfg.grid.harmonics) orders.push_back(h.order);
  for (const auto& e : elements)
    for (const auto& h : e->harmonics()) orders.push_back(h.order);
  std::sort(orders.begin(), orders.end());
  orders.erase(std::unique(orders.begin(), orders.end()), orders.end());
  if (orders.size() + 1 > static_cast<std::size_t>(kMaxOrders))
    s.fail("more than " + std::to_string(kMaxOrders - 1) + " distinct harmonic orders (grid and loads together)");

  auto& plant = site.make<Plant>("site", site, std::move(cfg));
  for (auto& e : elements) plant.add_element(std::move(e));
  // Selectivity of each circuit's device under the main fuse, over both tolerance bands, up to
  // the 6 kA short-circuit capacity of household MCBs (IEC 60898-1 Icn 6000 A).
  constexpr double kMaxFault = 6000;
  const MainFuse::Config& up = plant.fuse().config();
  for (std::size_t k = 0; k < plant.circuit_count(); ++k) {
    const Circuit& c = plant.circuit(k);
    const MainFuse::Config& down = c.device().config();
    Selectivity sel = check_selectivity(down.slowest, up.fastest, kMaxFault);
    char buf[320];
    if (sel.limit <= 0)
      std::snprintf(
          buf, sizeof buf,
          "selectivity: circuit %s (%s) under the main fuse (%s): NOT selective at any current (the main fuse "
          "operates first)",
          c.name().c_str(), down.kind.c_str(), up.kind.c_str());
    else if (sel.total)
      std::snprintf(buf, sizeof buf, "selectivity: circuit %s (%s) under the main fuse (%s): selective up to %.0f A",
                    c.name().c_str(), down.kind.c_str(), up.kind.c_str(), kMaxFault);
    else
      std::snprintf(buf, sizeof buf,
                    "selectivity: circuit %s (%s) under the main fuse (%s): selective up to %.0f A only%s (the "
                    "circuit device clears within 0.4 s from %.0f A)",
                    c.name().c_str(), down.kind.c_str(), up.kind.c_str(), sel.limit,
                    sel.warn ? ", NOT selective for a fault in the circuit" : "", sel.clear_04s);
    site.log(sel.warn ? LogLevel::Warn : LogLevel::Info, "site.selectivity", buf);
    site.registry()
        .add_number("site.circuits." + c.name() + ".selective_up_to", "A", sel.limit)
        .describe("current up to which this circuit's device trips before the main fuse (both tolerance bands)");
  }
  site.provide<PlantApi>("plant", &plant);
  site.provide<MeterSource>("plant.meter", &plant);
  site.provide<Plant>("plant.model", &plant);
  if (ripple) site.make<RippleReceiver>("site_ripple", site, std::move(*ripple));
}

}  // namespace lmsim::plant
