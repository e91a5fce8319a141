#include "sim/kpis.h"

#include <algorithm>
#include <cmath>

#include "sim/ynode.h"

namespace lmsim {

// ---- LoadKpis: the fuse -------------------------------------------------------------------

LoadKpis::LoadKpis(const std::vector<Signal*>& phases, double rating, Time now) : phases_(phases), rating_(rating) {
  for (auto* s : phases_) {
    peak_ = std::max(peak_, s->value());
    s->add_listener(this);
  }
  is_above_ = above();
  above_since_ = now;
}

bool LoadKpis::above() const {
  return std::any_of(phases_.begin(), phases_.end(), [&](const Signal* s) { return s->value() > rating_; });
}

void LoadKpis::on_change(const Signal& s, Time t) {
  peak_ = std::max(peak_, s.value());
  bool a = above();
  if (a == is_above_) return;
  if (is_above_) above_ps_ += t - above_since_;
  above_since_ = t;
  is_above_ = a;
}

void LoadKpis::attach_lm(Registry& reg, const YNode& root, Time now) {
  lm_ = LmKpis::from_scenario(reg, root, rating_, now);
}

nlohmann::json LoadKpis::figures(Time now) const {
  Time total = above_ps_ + (is_above_ ? now - above_since_ : 0);
  nlohmann::json j = {{"fuse_rating_a", rating_},
                      {"peak_phase_current_a", peak_},
                      {"peak_phase_current_over_rating", peak_ / rating_},
                      {"seconds_above_rating", time_to_seconds(total)}};
  if (lm_) {
    const nlohmann::json lm = lm_->figures(now);
    j["peak_phase_current_over_limit"] = peak_ / lm["limit_a"].get<double>();
    for (auto it = lm.begin(); it != lm.end(); ++it) j[it.key()] = it.value();
  }
  return j;
}

// ---- LmKpis: load management --------------------------------------------------------------

double LmKpis::phase_limit(double fuse_a) {
  return fuse_a - std::max(0.05 * fuse_a, 1.0);
}

std::unique_ptr<LmKpis> LmKpis::from_scenario(Registry& reg, const YNode& root, double rating, Time now) {
  std::vector<Ev> evs;
  std::map<std::string, std::string> prio;
  if (const YNode* st = root.get("stations"))
    for (const auto& s : st->items())
      if (const YNode* n = s.get("name")) prio[n->scalar()] = s.get("priority") ? s["priority"].scalar() : "normal";
  if (const YNode* e = root.get("evs"))
    for (const auto& x : e->items()) {
      Ev ev;
      if (const YNode* n = x.get("name")) ev.name = n->scalar();
      if (const YNode* s = x.get("station")) ev.station = s->scalar();
      if (prio.count(ev.station)) ev.priority = prio[ev.station];
      if (!ev.name.empty()) evs.push_back(ev);
    }
  double fuse = rating;
  bool lm_config = false;
  if (const YNode* d = root.get("device"))
    if (const YNode* c = d->get("config"))
      if (c->get("lm.fuse")) {
        fuse = (*c)["lm.fuse"].quantity_value("A");
        lm_config = true;
      }
  if (evs.empty() && !lm_config) return nullptr;
  return std::make_unique<LmKpis>(reg, phase_limit(fuse), std::move(evs), now);
}

LmKpis::LmKpis(Registry& reg, double limit_a, std::vector<Ev> evs, Time now) : limit_(limit_a), evs_(std::move(evs)) {
  auto watch = [&](const std::string& name, Kind k, int i) {
    Signal* s = reg.find(name);
    if (!s) return false;
    watch_[s] = Watch{k, i, s->value()};
    signals_.push_back(s);
    s->add_listener(this);
    return true;
  };
  static const char* kPh[3] = {"L1", "L2", "L3"};
  for (int p = 0; p < 3; ++p) {
    have_phase_[p] = watch(std::string("site.fuse.") + kPh[p] + ".current", Kind::Fuse, p);
    watch(std::string("stations.total_current.") + kPh[p], Kind::Stations, p);
    if (Signal* s = reg.find(std::string("site.fuse.") + kPh[p] + ".current")) fuse_[p] = s->value();
    if (Signal* s = reg.find(std::string("stations.total_current.") + kPh[p])) st_[p] = s->value();
  }
  const std::size_t n = evs_.size();
  power_.assign(n, 0);
  connected_.assign(n, 0);
  power_t_.assign(n, now);
  connected_t_.assign(n, now);
  energy_ws_.assign(n, 0);
  connected_s_.assign(n, 0);
  switchings_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const int k = static_cast<int>(i);
    const std::string e = "ev." + evs_[i].name + ".";
    if (watch(e + "power", Kind::Power, k)) power_[i] = reg.find(e + "power")->value();
    if (watch(e + "connected", Kind::Connected, k)) connected_[i] = reg.find(e + "connected")->value();
    if (watch(e + "requesting", Kind::Requesting, k) && reg.find(e + "requesting")->as_bool()) ++requesting_;
    if (!evs_[i].station.empty()) watch("station." + evs_[i].station + ".contactor", Kind::Contactor, k);
  }
  for (const char* c : {"device.ripple.in1", "device.ripple.in2", "net.cloud.ripple"}) watch(c, Kind::Command, 0);
  joint_t_ = now;
  double unused = 0;
  (void)headroom_rate(unused);
  for (int p = 0; p < 3; ++p) over_ = over_ || (have_phase_[p] && fuse_[p] > limit_);
  over_since_ = now;
}

LmKpis::~LmKpis() {
  for (Signal* s : signals_) s->remove_listener(this);
}

// Headroom the stations could have had (limit − building, per phase, >= 0) and what of it was
// left unused (limit − grid, within that), in A summed over the phases; counted while an EV asks
// for energy.
double LmKpis::headroom_rate(double& unused) const {
  double avail = 0;
  unused = 0;
  if (requesting_ <= 0) return 0;
  for (int p = 0; p < 3; ++p) {
    if (!have_phase_[p]) continue;
    const double a = std::max(0.0, limit_ - (fuse_[p] - st_[p]));
    avail += a;
    unused += std::min(a, std::max(0.0, limit_ - fuse_[p]));
  }
  return avail;
}

void LmKpis::joint(Time t) {
  if (t <= joint_t_) return;
  const double dt = time_to_seconds(t - joint_t_);
  double unused = 0;
  avail_as_ += headroom_rate(unused) * dt;
  unused_as_ += unused * dt;
  if (over_) above_s_ += dt;
  joint_t_ = t;
}

void LmKpis::on_change(const Signal& s, Time t) {
  auto it = watch_.find(&s);
  if (it == watch_.end()) return;
  Watch& w = it->second;
  const double old = w.value, now_v = s.value();
  if (old == now_v && w.kind != Kind::Command) return;
  w.value = now_v;
  const auto i = static_cast<std::size_t>(w.index);
  switch (w.kind) {
    case Kind::Fuse:
    case Kind::Stations: {
      joint(t);
      (w.kind == Kind::Fuse ? fuse_ : st_)[w.index] = now_v;
      bool over = false;
      for (int p = 0; p < 3; ++p) over = over || (have_phase_[p] && fuse_[p] > limit_);
      if (over && !over_) over_since_ = t;
      if (!over && over_) overload_s_.push_back(time_to_seconds(t - over_since_));
      over_ = over;
      if (block_pending_) {
        if (time_to_seconds(t - block_since_) > kBlockWindowS) {
          block_pending_ = false;
        } else if (st_[0] <= kBlockedA && st_[1] <= kBlockedA && st_[2] <= kBlockedA) {
          block_s_.push_back(time_to_seconds(t - block_since_));
          block_pending_ = false;
        }
      }
      break;
    }
    case Kind::Power:
      energy_ws_[i] += power_[i] * time_to_seconds(t - power_t_[i]);
      power_[i] = now_v;
      power_t_[i] = t;
      break;
    case Kind::Connected:
      connected_s_[i] += connected_[i] * time_to_seconds(t - connected_t_[i]);
      connected_[i] = now_v;
      connected_t_[i] = t;
      break;
    case Kind::Requesting:
      joint(t);
      requesting_ += (now_v != 0) - (old != 0);
      break;
    case Kind::Contactor: ++switchings_[i]; break;
    case Kind::Command:
      // A command only counts as a block if the stations were drawing and then stop.
      if (!block_pending_ && (st_[0] > kBlockedA || st_[1] > kBlockedA || st_[2] > kBlockedA)) {
        block_pending_ = true;
        block_since_ = t;
      }
      break;
  }
}

nlohmann::json LmKpis::figures(Time now) const {
  using nlohmann::json;
  // Pieces still open at `now`, without changing the state.
  double unused = 0;
  const double dt = now > joint_t_ ? time_to_seconds(now - joint_t_) : 0;
  const double avail_as = avail_as_ + headroom_rate(unused) * dt;
  const double unused_as = unused_as_ + unused * dt;
  const double above_s = above_s_ + (over_ ? dt : 0);
  std::vector<double> overloads = overload_s_;
  if (over_) overloads.push_back(time_to_seconds(now - over_since_));

  json j;
  j["limit_a"] = limit_;
  j["seconds_above_limit"] = above_s;
  j["overloads"] = overloads.size();
  j["overload_reaction_s"] =
      overloads.empty() ? json(nullptr) : json(*std::max_element(overloads.begin(), overloads.end()));
  j["blocks"] = block_s_.size();
  j["block_reaction_s"] = block_s_.empty() ? json(nullptr) : json(*std::max_element(block_s_.begin(), block_s_.end()));
  j["unused_headroom_pct"] = avail_as > 0 ? json(100.0 * unused_as / avail_as) : json(nullptr);
  json evs = json::object();
  std::map<std::string, std::vector<double>> groups;  // mean power while plugged in, by priority
  for (std::size_t i = 0; i < evs_.size(); ++i) {
    const double wh = (energy_ws_[i] + power_[i] * time_to_seconds(now - power_t_[i])) / 3600.0;
    const double conn = connected_s_[i] + connected_[i] * time_to_seconds(now - connected_t_[i]);
    evs[evs_[i].name] = {{"energy_kwh", wh / 1000.0},
                         {"contactor_switchings", switchings_[i]},
                         {"station", evs_[i].station},
                         {"priority", evs_[i].priority}};
    if (conn > 0) groups[evs_[i].priority].push_back(wh * 3600.0 / conn);
  }
  j["evs"] = evs;
  // Jain's index J = (sum x)^2 / (n sum x^2): 1 = perfectly equal, 1/n = one EV got everything.
  json fair = json::object();
  for (const auto& [prio, xs] : groups) {
    if (xs.size() < 2) continue;
    double s = 0, s2 = 0;
    for (double x : xs) s += x, s2 += x * x;
    fair[prio] = s2 > 0 ? json(s * s / (static_cast<double>(xs.size()) * s2)) : json(nullptr);
  }
  j["fairness_jain"] = fair;
  return j;
}

}  // namespace lmsim
