#include "models/net/cloud.h"

#include <cmath>

namespace lmsim::net {

using nlohmann::json;

namespace {
HttpServer::Reply reply(int status, const json& j) {
  return {status, j.dump(), "application/json"};
}
HttpServer::Reply error(int status, const std::string& msg) {
  return reply(status, json{{"error", msg}});
}
}  // namespace

Cloud::Cloud(Lan& lan, Ip ip, const std::string& hostname, std::map<std::string, std::string> evse_tokens)
    : lan_(lan), tokens_(std::move(evse_tokens)) {
  auto& reg = lan.site().registry();
  host_ = &lan.add_internet_service("cloud", ip, hostname, "net.cloud", 2 * kMs);
  count_ = &reg.add_number("net.cloud.telemetry_count", "", 0).describe("telemetry records stored by the cloud");
  last_ = &reg.add_string("net.cloud.last_telemetry").describe("the last telemetry record (JSON)");
  ripple_ = &reg.add_enum("net.cloud.ripple", {"normal", "reduced", "blocked"}, 0)
                 .as_knob()
                 .describe("ripple-control mode the cloud API hands to the device");
  requests_ = &reg.add_number("net.cloud.requests", "", 0).describe("HTTP requests served by the cloud");
  device_seen_ = &reg.add_number("net.cloud.device_seen", "s", -1).describe("simulated time the device last called");
  auto h = [this](const HttpMessage& r, Time t) { return handle(r, t); };
  for (std::uint16_t port : {443, 3032})
    servers_.push_back(std::make_unique<HttpServer>(*host_, port, lan.sched(), h, 5 * kMs));
}

void Cloud::seen(const std::string&, Time t) {
  seen_ = true;
  last_seen_ = t;
  device_seen_->set(time_to_seconds(t), t);
}

json Cloud::target_json(const Target& g, Time t) const {
  if (!g.set || t >= g.valid_until) return json{{"current", nullptr}, {"duration", nullptr}, {"valid_until", nullptr}};
  double until = lan_.site().start_epoch() + time_to_seconds(g.valid_until);
  return json{{"current", g.current}, {"duration", g.duration}, {"valid_until", until}};
}

HttpServer::Reply Cloud::handle(const HttpMessage& req, Time t) {
  requests_->set(requests_->value() + 1, t);
  auto p = split_path(req.url);
  // Telemetry ingest and query.
  if (p.size() == 2 && p[0] == "v1" && p[1] == "telemetry") {
    if (req.method == "GET") {
      json a = json::array();
      for (auto& r : telemetry_) a.push_back(r.data);
      return reply(200, a);
    }
    if (req.method != "POST") return error(405, "method not allowed");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !(j.is_object() || j.is_array())) return error(400, "body is not a JSON object or array");
    std::size_t n = 0;
    auto store = [&](const json& rec) {
      telemetry_.push_back({t, rec});
      ++n;
    };
    if (j.is_array())
      for (auto& rec : j) store(rec);
    else
      store(j);
    if (!telemetry_.empty()) last_->set_text(telemetry_.back().data.dump(), t);
    count_->set(static_cast<double>(telemetry_.size()), t);
    seen(j.is_object() ? j.value("device", std::string()) : std::string(), t);
    return reply(201, json{{"stored", n}});
  }
  // The device's poll: current targets and the ripple mode.
  if (p.size() == 4 && p[0] == "v1" && p[1] == "edgedevices" && p[3] == "commands" && req.method == "GET") {
    seen(p[2], t);
    json ev = json::object();
    std::string prefix = p[2] + "/";
    for (auto& [k, g] : targets_)
      if (k.rfind(prefix, 0) == 0 && g.set && t < g.valid_until) ev[k.substr(prefix.size())] = target_json(g, t);
    return reply(200, json{{"evses", ev}, {"ripple", ripple_->render()}});
  }
  if (p.size() == 4 && p[0] == "v1" && p[1] == "edgedevices" && p[3] == "ripple") {
    if (req.method == "GET") return reply(200, json{{"mode", ripple_->render()}});
    if (req.method != "POST") return error(405, "method not allowed");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("mode") || !j["mode"].is_string())
      return error(400, "expected {\"mode\": \"normal|reduced|blocked\"}");
    int idx = ripple_->state_index(j["mode"].get<std::string>());
    if (idx < 0) return error(400, "mode must be normal, reduced or blocked");
    ripple_->set(idx, t);
    return reply(200, json{{"mode", ripple_->render()}});
  }
  // Direct EVSE control API: /edgedevices/{dev}/evses/{uuid}/{currentsettings|status}
  std::size_t o = (!p.empty() && p[0] == "v1") ? 1 : 0;
  if (p.size() == o + 5 && p[o] == "edgedevices" && p[o + 2] == "evses")
    return evse(req, p[o + 1], p[o + 3], p[o + 4], t);
  return error(404, "no such endpoint");
}

HttpServer::Reply Cloud::evse(const HttpMessage& req, const std::string& dev, const std::string& uuid,
                              const std::string& what, Time t) {
  std::string key = dev + "/" + uuid;
  std::string token = req.header("evsetoken");
  // The device itself reports status with its own header; operators need the EVSE token.
  bool from_device = !req.header("x-device-serial").empty();
  if (!from_device) {
    if (token.empty()) return error(401, "missing evsetoken header");
    auto it = tokens_.find(uuid);
    if (!tokens_.empty() && (it == tokens_.end() || it->second != token)) return error(401, "invalid evsetoken");
  }
  if (what == "currentsettings") {
    Target& g = targets_[key];
    if (req.method == "GET") return reply(200, target_json(g, t));
    if (req.method == "DELETE") {
      json prev = target_json(g, t);
      g = {};
      return reply(200, prev);
    }
    if (req.method != "POST") return error(405, "method not allowed");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("current") || !j.contains("duration") ||
        !j["current"].is_number_integer() || !j["duration"].is_number_integer() ||
        j["duration"].get<long long>() <= 0 || j["current"].get<long long>() < 0)
      return error(400, "expected {\"current\": integer A, \"duration\": integer s > 0}");
    if (!device_online(t)) return reply(201, json{{"result", "rejected"}, {"reason", "edge device disconnected"}});
    g.set = true;
    g.current = static_cast<double>(j["current"].get<long long>());
    g.duration = static_cast<double>(j["duration"].get<long long>());
    g.valid_until = t + seconds_to_time(g.duration);
    return reply(201, json{{"result", "received"}, {"settings", target_json(g, t)}});
  }
  if (what == "status") {
    if (req.method == "PUT" || req.method == "POST") {
      json j = json::parse(req.body, nullptr, false);
      if (j.is_discarded() || !j.is_array()) return error(400, "expected an array of plug objects");
      status_[key] = j;
      seen(dev, t);
      return reply(200, json{{"stored", j.size()}});
    }
    if (req.method != "GET") return error(405, "method not allowed");
    auto it = status_.find(key);
    json plugs =
        it != status_.end()
            ? it->second
            : json::array(
                  {json{{"evse_uuid", uuid}, {"plug_uuid", uuid + "-1"}, {"plug_label", "1"}, {"status", "unknown"}}});
    if (!device_online(t))
      for (auto& pl : plugs) pl["status"] = "cloud_offline";
    return reply(200, plugs);
  }
  return error(404, "no such endpoint");
}

// ---------------------------------------------------------------------------------------
// NTP

NtpServer::NtpServer(Lan& lan, Ip ip, const std::string& hostname) : lan_(lan) {
  auto& reg = lan.site().registry();
  host_ = &lan.add_internet_service("ntp", ip, hostname, "net.ntp", 5 * kMs);
  host_->udp_bind(123, this);
  requests_ = &reg.add_number("net.ntp.requests", "", 0).describe("NTP requests answered");
}

std::uint64_t NtpServer::ntp_time(Time t) const {
  double s = lan_.site().start_epoch() + time_to_seconds(t) + 2208988800.0;
  double whole = std::floor(s);
  auto frac = static_cast<std::uint64_t>((s - whole) * 4294967296.0);
  return (static_cast<std::uint64_t>(whole) << 32) | (frac & 0xFFFFFFFFu);
}

void NtpServer::udp_datagram(Endpoint from, std::uint16_t, std::string_view req, Time t) {
  if (req.size() < 48 || (req[0] & 7) != 3) return;  // client mode only
  std::string r(48, '\0');
  r[0] = static_cast<char>((req[0] & 0x38) | 4);  // LI 0, client's version, mode 4 (server)
  r[1] = 2;                                       // stratum
  r[2] = req[2];
  r[3] = static_cast<char>(-20);  // precision ~1 us
  r.replace(12, 4, "SIM\0", 4);   // reference id
  auto put = [&r](std::size_t off, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) r[off + static_cast<std::size_t>(i)] = static_cast<char>(v >> (56 - 8 * i));
  };
  std::uint64_t now = ntp_time(t);
  put(16, now);                         // reference
  r.replace(24, 8, req.substr(40, 8));  // originate = client's transmit
  put(32, now);                         // receive
  put(40, now);                         // transmit
  requests_->set(requests_->value() + 1, t);
  host_->udp_send(123, from, r, t);
}

}  // namespace lmsim::net
