#include "models/evse/zaptec_cloud.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace lmsim::evse {

using nlohmann::json;

using net::parse_form;
using net::split_path;

ZaptecCloud::ZaptecCloud(Site& site, ZaptecConfig cfg) : site_(site), cfg_(cfg), bucket_(cfg.rate_per_s) {}

void ZaptecCloud::add_charger(StationCore* core, const std::string& installation, double installation_max) {
  Charger c;
  c.core = core;
  char id[48];
  const std::uint64_t h = stable_hash(core->station_name(), 0x5a415054ULL);
  std::snprintf(id, sizeof id, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(h >> 32),
                static_cast<unsigned>(h >> 16) & 0xFFFF, static_cast<unsigned>(h >> 4) & 0xFFF,
                static_cast<unsigned>(h) & 0xFFF, static_cast<unsigned long long>(h & 0xFFFFFFFFFFFFULL));
  c.id = id;
  c.installation = installation;
  const std::size_t idx = chargers_.size();
  chargers_.push_back(c);
  auto& inst = installs_[installation];
  inst.id = installation;
  inst.max_current = installation_max;
  core->set_external_limit([this, idx] { return share(chargers_[idx]); });
}

HttpResponse ZaptecCloud::reply(int status, const nlohmann::json& j) const {
  HttpResponse r;
  r.status = status;
  r.body = j.dump();
  r.headers["Content-Type"] = "application/json";
  return r;
}

ZaptecCloud::Charger* ZaptecCloud::charger(const std::string& id) {
  for (auto& c : chargers_)
    if (c.id == id) return &c;
  return nullptr;
}

double ZaptecCloud::share(const Charger& c) const {
  const Installation& in = installs_.at(c.installation);
  int n = 0;
  for (const auto& o : chargers_)
    if (o.installation == c.installation && o.core->ev_requesting() && !o.core->session_stopped()) ++n;
  double avail = 1e9;
  for (double a : in.available) avail = std::min(avail, a < 0 ? in.max_current : std::min(a, in.max_current));
  const double each = avail / std::max(1, n);
  // Zaptec allocates whole 0.1 A steps.
  return std::min(c.max_charge_current, std::floor(each * 10) / 10);
}

json ZaptecCloud::state_of(const Charger& c, Time t) const {
  const StationCore& s = *c.core;
  Registry& reg = site_.registry();
  const std::string p = "station." + s.station_name() + ".";
  std::time_t secs = static_cast<std::time_t>(site_.start_epoch() + time_to_seconds(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  int mode;
  switch (s.status()) {
    case Status::Idle: mode = 1; break;
    case Status::Charging: mode = 3; break;
    case Status::Paused:
    case Status::Finished: mode = 5; break;
    case Status::Offline:
    case Status::Booting:
    case Status::Error: mode = 0; break;
    default: mode = 2;
  }
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f", v);
    return std::string(b);
  };
  bool absent = false;
  std::vector<std::pair<int, std::string>> obs = {
      {-2, s.powered() ? "1" : "0"},
      {501, num(s.read(Bind::Voltage1, absent))},
      {502, num(s.read(Bind::Voltage2, absent))},
      {503, num(s.read(Bind::Voltage3, absent))},
      {507, num(s.read(Bind::Current1, absent))},
      {508, num(s.read(Bind::Current2, absent))},
      {509, num(s.read(Bind::Current3, absent))},
      {510, num(s.read(Bind::MaxCurrent, absent))},
      {511, num(s.read(Bind::MinCurrent, absent))},
      {513, num(reg.at(p + "power").value())},
      {553, num(reg.at(p + "session_energy").value() / 1000.0)},
      {708, num(reg.at(p + "offered_current").value())},
      {710, std::to_string(mode)},
      {718, s.session_stopped() ? "1" : "0"},
  };
  json arr = json::array();
  for (auto& [id, v] : obs)
    arr.push_back({{"ChargerId", c.id}, {"StateId", id}, {"Timestamp", ts}, {"ValueAsString", v}});
  return arr;
}

HttpResponse ZaptecCloud::handle(const HttpRequest& req, Time t) {
  // Account-wide rate limit (token bucket).
  if (t > bucket_t_) {
    bucket_ = std::min(cfg_.rate_per_s, bucket_ + time_to_seconds(t - bucket_t_) * cfg_.rate_per_s);
    bucket_t_ = t;
  }
  if (bucket_ < 1) {
    HttpResponse r = reply(429, {{"message", "Too many requests"}});
    r.headers["Retry-After"] = "1";
    return r;
  }
  bucket_ -= 1;
  for (auto& c : chargers_) c.core->sync(t);
  const auto parts = split_path(req.path);
  if (req.method == "POST" && parts.size() == 2 && parts[0] == "oauth" && parts[1] == "token") {
    auto f = parse_form(req.body);
    if (f["grant_type"] != "password" || f["username"] != cfg_.username || f["password"] != cfg_.password)
      return reply(400, {{"error", "invalid_grant"}});
    std::string tok = "sim-token-" + std::to_string(++token_count_);
    tokens_[tok] = t + 86400 * kSec;
    return reply(200, {{"access_token", tok}, {"token_type", "Bearer"}, {"expires_in", 86400}});
  }
  auto auth = req.headers.find("Authorization");
  if (auth == req.headers.end() || auth->second.rfind("Bearer ", 0) != 0)
    return reply(401, {{"message", "Unauthorized"}});
  auto tok = tokens_.find(auth->second.substr(7));
  if (tok == tokens_.end() || tok->second < t) return reply(401, {{"message", "Unauthorized"}});
  if (parts.size() < 2 || parts[0] != "api") return reply(404, {{"message", "Not found"}});

  json body = json::object();
  if (req.method == "POST" && !req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return reply(400, {{"message", "Invalid JSON body"}});
  }
  if (parts[1] == "chargers") {
    if (parts.size() == 2 && req.method == "GET") {
      json data = json::array();
      for (const auto& c : chargers_)
        data.push_back({{"Id", c.id},
                        {"DeviceId", "ZPR" + c.id.substr(0, 6)},
                        {"SerialNo", "ZPR" + c.id.substr(0, 6)},
                        {"Name", c.core->station_name()},
                        {"InstallationId", c.installation},
                        {"CircuitId", c.installation + "-circuit"},
                        {"OperatingMode", c.core->status() == Status::Charging ? 3 : 1},
                        {"IsOnline", c.core->powered()},
                        {"DeviceType", 4}});
      return reply(200, {{"Pages", 1}, {"Data", data}});
    }
    Charger* c = parts.size() >= 3 ? charger(parts[2]) : nullptr;
    if (!c) return reply(404, {{"errorCode", 512}, {"message", "Charger not found"}});
    if (parts.size() == 4 && parts[3] == "state" && req.method == "GET") {
      if (!c->have_cache || t - c->cached_at >= cfg_.state_cache) {
        c->cached = state_of(*c, t);
        c->cached_at = t;
        c->have_cache = true;
      }
      return reply(200, c->cached);
    }
    if (parts.size() == 4 && parts[3] == "update" && req.method == "POST") {
      if (body.contains("maxChargeCurrent")) {
        if (!body["maxChargeCurrent"].is_number())
          return reply(400, {{"message", "maxChargeCurrent must be a number"}});
        double v = body["maxChargeCurrent"].get<double>();
        if (v < 0 || v > 32) return reply(400, {{"message", "maxChargeCurrent out of range 0..32"}});
        c->max_charge_current = std::round(v * 10) / 10;
      }
      c->core->sync(t);
      return reply(200, json::object());
    }
    if (parts.size() == 5 && parts[3] == "sendCommand" && req.method == "POST") {
      const std::string& cmd = parts[4];
      if (cmd == "506") {
        if (!c->core->ev_connected() || c->core->session_stopped())
          return reply(400, {{"Code", 528}, {"Details", "Command rejected in the charger's state"}});
        c->core->write(Bind::StartStop, 1, false);
        return reply(200, json::object());
      }
      if (cmd == "507") {
        if (!c->core->session_stopped())
          return reply(400, {{"Code", 528}, {"Details", "Command rejected in the charger's state"}});
        c->core->write(Bind::StartStop, 0, false);
        return reply(200, json::object());
      }
      if (cmd == "102") {
        site_.registry().write("station." + c->core->station_name() + ".reboot", "true");
        return reply(200, json::object());
      }
      return reply(400, {{"Code", 400}, {"Details", "Unknown command " + cmd}});
    }
    return reply(404, {{"message", "Not found"}});
  }
  if (parts[1] == "installation" && parts.size() >= 3) {
    auto it = installs_.find(parts[2]);
    if (it == installs_.end()) return reply(404, {{"message", "Installation not found"}});
    Installation& in = it->second;
    if (parts.size() == 3 && req.method == "GET") {
      return reply(200, {{"Id", in.id},
                         {"MaxCurrent", in.max_current},
                         {"AvailableCurrentPhase1", in.available[0] < 0 ? in.max_current : in.available[0]},
                         {"AvailableCurrentPhase2", in.available[1] < 0 ? in.max_current : in.available[1]},
                         {"AvailableCurrentPhase3", in.available[2] < 0 ? in.max_current : in.available[2]},
                         {"AvailableCurrentMode", in.mode}});
    }
    if (parts.size() == 4 && parts[3] == "update" && req.method == "POST") {
      if (cfg_.min_update_interval > 0 && in.updated && t - in.last_update < cfg_.min_update_interval) {
        HttpResponse r = reply(429, {{"message", "Installation updated too often"}});
        r.headers["Retry-After"] =
            std::to_string(static_cast<long long>(time_to_seconds(in.last_update + cfg_.min_update_interval - t)) + 1);
        return r;
      }
      double next[3] = {-1, -1, -1};
      auto num = [&](const char* k, double& out) -> bool {
        if (!body.contains(k)) return true;
        if (!body[k].is_number()) return false;
        out = body[k].get<double>();
        return true;
      };
      double all = -2;
      if (!num("AvailableCurrent", all)) return reply(400, {{"message", "AvailableCurrent must be a number"}});
      if (all != -2) {
        for (double& x : next) x = all < 0 ? -1 : std::min(all, in.max_current);
      } else {
        static const char* keys[] = {"AvailableCurrentPhase1", "AvailableCurrentPhase2", "AvailableCurrentPhase3"};
        for (int i = 0; i < 3; ++i) {
          double v = -1;
          if (!num(keys[i], v)) return reply(400, {{"message", std::string(keys[i]) + " must be a number"}});
          next[i] = v < 0 ? -1 : std::min(v, in.max_current);
        }
      }
      std::copy(next, next + 3, in.available);
      in.last_update = t;
      in.updated = true;
      for (auto& c : chargers_)
        if (c.installation == in.id) c.core->sync(t);
      return reply(200, json::object());
    }
  }
  return reply(404, {{"message", "Not found"}});
}

}  // namespace lmsim::evse
