// Builds the plant from the scenario's `site:` section (documented in docs/plant.md).
// Provides services "plant" (PlantApi, for stations), "plant.meter" (MeterSource, for the AFE)
// and "plant.model" (Plant, for tests and tools).
#include <algorithm>
#include <cmath>

#include "models/models.h"
#include "models/plant/load.h"
#include "models/plant/plant.h"
#include "models/plant/pv_inverter.h"

namespace lmsim::plant {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

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

Element::Wiring parse_wiring(const YNode& n, bool default_neutral_in_front) {
  Element::Wiring w;
  w.phases = parse_phases(n.get("phases"));
  w.behind_rcd = parse_side(n.get("side"), true);
  if (const YNode* nn = n.get("neutral"))
    w.neutral_in_front = !parse_side(nn, true);
  else
    w.neutral_in_front = default_neutral_in_front;
  if (!w.behind_rcd) w.neutral_in_front = false;
  w.leakage = n.qty_or("leakage", "A", 0);
  return w;
}

std::unique_ptr<Load> parse_load(Site& site, const YNode& n, bool neutral_in_front) {
  std::string name = n["name"].str();
  Element::Wiring w = parse_wiring(n, neutral_in_front);
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
        pn->fail("unknown profile '" + pn->str() + "' (residential, office, heat-pump or {csv: file})");
      double peak = n["peak"].quantity("W").value;
      if (peak <= 0) n["peak"].fail("peak must be > 0");
      c.profile = std::make_unique<StochasticProfile>(site, kind, peak, site.rng("site.load." + name), res);
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

std::unique_ptr<PvInverter> parse_pv(Site& site, const YNode& n) {
  std::string name = n["name"].str();
  Element::Wiring w = parse_wiring(n, false);
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
  if (const YNode* cl = n.get("class")) {
    // Accuracy class c: ratio error within +-c %, phase displacement within +-c deg
    // (IEC 61869-2: class 0.5 = 30', class 1 = 60'); drawn once per sensor from the seed.
    double k = cl->number();
    Rng rng = site.rng(rng_name);
    c.amplitude_error = rng.uniform(-k, k) / 100.0;
    c.phase_error = rng.uniform(-k, k) * kDeg;
  }
  if (const YNode* a = n.get("amplitude_error")) c.amplitude_error = percent(*a) / 100.0;
  if (const YNode* p = n.get("phase_error")) c.phase_error = p->quantity("deg").value * kDeg;
  c.saturation = n.qty_or("saturation", "A", c.saturation);
  c.integrator_corner = n.qty_or("integrator_corner", "Hz", c.integrator_corner);
  if (c.integrator_corner <= 0) n["integrator_corner"].fail("must be > 0 Hz");
  if (const YNode* p = n.get("position_error")) c.position_error = percent(*p) / 100.0;
  if (const YNode* p = n.get("open_coupling")) c.open_coupling = percent(*p) / 100.0;
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

  if (const YNode* f = s.get("main_fuse")) {
    cfg.fuse.rating = f->qty_or("rating", "A", 63);
    if (cfg.fuse.rating <= 0) (*f)["rating"].fail("rating must be > 0");
    if (const YNode* c = f->get("curve")) {
      if (c->is_scalar()) {
        if (c->str() != "gG") c->fail("unknown curve '" + c->str() + "' (gG or a list of {current, time})");
      } else {
        for (const auto& pt : c->items()) {
          MainFuse::Point p{pt["current"].quantity("A").value, time_to_seconds(pt["time"].duration())};
          pt.finish();
          if (!cfg.fuse.curve.empty() &&
              (p.current <= cfg.fuse.curve.back().current || p.seconds >= cfg.fuse.curve.back().seconds))
            pt.fail("curve points must have rising currents and falling times");
          if (p.seconds <= 0) pt["time"].fail("time must be > 0");
          cfg.fuse.curve.push_back(p);
        }
        if (cfg.fuse.curve.empty()) c->fail("curve needs at least one point");
      }
    }
    cfg.fuse.non_fusing = f->num_or("non_fusing", cfg.fuse.non_fusing);
    cfg.fuse.cooling = time_to_seconds(f->dur_or("cooling", seconds_to_time(cfg.fuse.cooling)));
    if (cfg.fuse.cooling <= 0) (*f)["cooling"].fail("cooling must be > 0");
    f->finish();
  }

  bool neutral_in_front = false;
  if (const YNode* r = s.get("rcd")) {
    cfg.rcd.rated = r->qty_or("rated", "A", 0.030);
    if (cfg.rcd.rated <= 0) (*r)["rated"].fail("rated must be > 0");
    if (const YNode* th = r->get("threshold")) {
      cfg.rcd.threshold = percent(*th) / 100.0;
      if (cfg.rcd.threshold < 0.5 || cfg.rcd.threshold > 1.0)
        th->fail("threshold must be 50..100 % of IΔn (IEC 61008)");
    }
    if (const YNode* c = r->get("curve")) {
      cfg.rcd.curve.clear();
      for (const auto& pt : c->items()) {
        Rcd::Point p{pt["multiple"].number(), time_to_seconds(pt["time"].duration())};
        pt.finish();
        if (!cfg.rcd.curve.empty() && p.multiple <= cfg.rcd.curve.back().multiple) pt.fail("multiples must rise");
        if (p.seconds <= 0) pt["time"].fail("time must be > 0");
        cfg.rcd.curve.push_back(p);
      }
      if (cfg.rcd.curve.empty()) c->fail("curve needs at least one point");
    }
    if (const YNode* nn = r->get("neutral")) neutral_in_front = !parse_side(nn, true);
    r->finish();
  }

  if (const YNode* sens = s.get("sensors")) {
    CurrentSensor::Config common;
    parse_sensor_fields(site, *sens, common, "site.sensors");
    for (int k = 0; k < 3; ++k) {
      auto& c = cfg.sensors[k];
      c = common;
      c.clamps = k;
      c.pairs_with = k;
      std::string ch = "L" + std::to_string(k + 1);
      if (const YNode* cl = sens->get("class"); cl && !sens->has("amplitude_error") && !sens->has("phase_error")) {
        // A class given for all sensors: each sensor draws its own errors.
        Rng rng = site.rng("site.sensor." + ch);
        double kc = cl->number();
        c.amplitude_error = rng.uniform(-kc, kc) / 100.0;
        c.phase_error = rng.uniform(-kc, kc) * kDeg;
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
    d->finish();
  } else {
    cfg.device.neutral_in_front = neutral_in_front;
  }
  if (!cfg.device.behind_rcd) cfg.device.neutral_in_front = false;

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
      elements.push_back(parse_load(site, ln, neutral_in_front));
    }
  }
  if (const YNode* ps = s.get("pv")) {
    for (const auto& pn : ps->items()) {
      unique_name(pn);
      elements.push_back(parse_pv(site, pn));
    }
  }
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
  site.provide<PlantApi>("plant", &plant);
  site.provide<MeterSource>("plant.meter", &plant);
  site.provide<Plant>("plant.model", &plant);
}

}  // namespace lmsim::plant
