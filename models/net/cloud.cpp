#include "models/net/cloud.h"

#include <cmath>
#include <sstream>

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
  mqtt_connected_ = &reg.add_bool("net.cloud.mqtt_connected", false)
                         .describe("the device has an MQTT session on 8883 (CONNACK sent, subscribed to its commands)");
  mqtt_connects_ = &reg.add_number("net.cloud.mqtt_connects", "", 0).describe("MQTT CONNECTs accepted");
  dup_sig_ = &reg.add_number("net.cloud.duplicates", "", 0)
                  .describe("telemetry records received again (same device and seq), not stored twice");
  gaps_sig_ = &reg.add_number("net.cloud.gaps", "", 0)
                   .describe("sequence numbers missing between the lowest and highest stored (per device, summed)");
  last_seq_sig_ = &reg.add_number("net.cloud.last_seq", "", 0).describe("highest telemetry seq stored");
  commands_sig_ = &reg.add_number("net.cloud.commands", "", 0).describe("MQTT commands acknowledged by the device");
  auto h = [this](const HttpMessage& r, Time t) { return handle(r, t); };
  for (std::uint16_t port : {443, 3032})
    servers_.push_back(std::make_unique<HttpServer>(*host_, port, lan.sched(), h, 5 * kMs));
  evse_knob_ = &reg.add_string("net.cloud.direct_evse")
                    .as_knob()
                    .describe(
                        "Direct EVSE call as the portal makes it: '<dev> <evse> <current A> <duration s>' "
                        "(POST currentsettings) or '<dev> <evse> delete'");
  evse_result_ = &reg.add_string("net.cloud.direct_evse_result").describe("the last Direct EVSE call's answer (JSON)");
  host_->tcp_listen(kMqttPort, this);
  ripple_->add_listener(this);
  evse_knob_->add_listener(this);
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
      if (g.set && t < g.valid_until)
        send_command(dev, "evse", json{{"evse", uuid}, {"current", 0}, {"duration", 0}}, t);
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
    send_command(dev, "evse", json{{"evse", uuid}, {"current", j["current"]}, {"duration", j["duration"]}}, t);
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
// MQTT 3.1.1 broker subset (OASIS MQTT Version 3.1.1, section numbers below)

namespace {

bool mqtt_topic_matches(const std::string& filter, const std::string& topic) {
  // §4.7: '+' one level, '#' this level and below; wildcards never match '$' topics.
  if (!topic.empty() && topic[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#')) return false;
  std::vector<std::string> f, tp;
  auto split = [](const std::string& x, std::vector<std::string>& out) {
    std::size_t i = 0;
    for (;;) {
      std::size_t j = x.find('/', i);
      out.push_back(x.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j + 1;
    }
  };
  split(filter, f);
  split(topic, tp);
  for (std::size_t k = 0; k < f.size(); ++k) {
    if (f[k] == "#") return true;
    if (k >= tp.size()) return false;
    if (f[k] != "+" && f[k] != tp[k]) return false;
  }
  return f.size() == tp.size();
}

void put_len(std::string& out, std::size_t n) {  // §2.2.3
  do {
    auto b = static_cast<unsigned char>(n % 128);
    n /= 128;
    if (n) b |= 0x80;
    out += static_cast<char>(b);
  } while (n);
}
void put_u16(std::string& out, std::size_t v) {
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}
std::string packet(unsigned char first, const std::string& body) {
  std::string out(1, static_cast<char>(first));
  put_len(out, body.size());
  return out + body;
}

}  // namespace

class Cloud::Session : public TcpPeer {
 public:
  Session(Cloud& c, ConnId id) : c_(c), id_(id) {}
  void tcp_data(ConnId, std::string_view bytes, Time t) override {
    rx_.append(bytes);
    while (alive_) {
      if (rx_.size() < 2) return;
      std::size_t rem = 0, mult = 1, k = 1;
      for (;; ++k) {
        if (k >= rx_.size()) return;  // length not complete yet
        auto b = static_cast<unsigned char>(rx_[k]);
        rem += (b & 0x7F) * mult;
        mult *= 128;
        if (!(b & 0x80)) break;
        if (k == 4) return drop("malformed remaining length", t);  // §2.2.3: at most 4 bytes
      }
      if (rem > kMqttMaxPacket) return drop("packet too large", t);
      if (rx_.size() < k + 1 + rem) return;
      auto first = static_cast<unsigned char>(rx_[0]);
      std::string body = rx_.substr(k + 1, rem);
      rx_.erase(0, k + 1 + rem);
      last_rx_ = t;
      handle(first, body, t);
    }
  }
  void tcp_closed(ConnId, TcpError, Time t) override { c_.close_session(id_, t); }

  void send(const std::string& bytes, Time t) {
    if (alive_) c_.host_->tcp_send(id_, bytes, t);
  }
  // A message to this client: QoS min(published, granted).
  void deliver(const std::string& topic, const std::string& payload, int qos, Time t) {
    std::string body;
    put_u16(body, topic.size());
    body += topic;
    if (qos) {
      if (++next_id_ == 0) next_id_ = 1;
      put_u16(body, next_id_);
    }
    body += payload;
    send(packet(static_cast<unsigned char>(0x30 | qos << 1), body), t);
  }
  int granted(const std::string& topic) const {  // -1: not subscribed
    int q = -1;
    for (auto& [f, sq] : subs_)
      if (mqtt_topic_matches(f, topic) && sq > q) q = sq;
    return q;
  }
  const std::string& client_id() const { return client_id_; }
  bool device() const { return device_; }
  bool connected() const { return connected_; }
  ConnId id() const { return id_; }
  void drop(const std::string& why, Time t) {
    if (!alive_) return;
    c_.lan_.site().log(LogLevel::Info, "net.cloud", "MQTT: closing " + client_id_ + ": " + why);
    alive_ = false;
    c_.host_->tcp_abort(id_, t);
    c_.close_session(id_, t);
  }

 private:
  void keepalive_check(Time t) {
    // §3.1.2.10: no packet for 1.5 keep-alive periods: the server disconnects.
    if (!alive_ || keepalive_ == 0) return;
    Time limit = seconds_to_time(keepalive_ * 1.5);
    if (t - last_rx_ >= limit) return drop("keep-alive expired", t);
    Cloud& c = c_;
    ConnId id = id_;
    c_.lan_.sched().at(last_rx_ + limit, [&c, id] {
      auto it = c.sessions_.find(id);
      if (it != c.sessions_.end()) it->second->keepalive_check(Scheduler::now());
    });
  }
  void handle(unsigned char first, const std::string& b, Time t) {
    const int type = first >> 4, flags = first & 15;
    auto u16 = [&b](std::size_t at) {
      return static_cast<std::size_t>(static_cast<unsigned char>(b[at]) << 8 | static_cast<unsigned char>(b[at + 1]));
    };
    auto str = [&](std::size_t& at, std::string& out) {  // §1.5.3
      if (at + 2 > b.size()) return false;
      std::size_t n = u16(at);
      if (at + 2 + n > b.size()) return false;
      out = b.substr(at + 2, n);
      at += 2 + n;
      return true;
    };
    if (!connected_ && type != 1) return drop("first packet is not CONNECT", t);  // §3.1
    switch (type) {
      case 1: {                                            // CONNECT
        if (connected_) return drop("second CONNECT", t);  // §3.1.0-2
        std::size_t at = 0;
        std::string proto;
        if (!str(at, proto) || at + 4 > b.size()) return drop("malformed CONNECT", t);
        const int level = static_cast<unsigned char>(b[at]);
        const int cf = static_cast<unsigned char>(b[at + 1]);
        keepalive_ = u16(at + 2);
        at += 4;
        if (proto != "MQTT" || level != 4) {
          send(packet(0x20, std::string("\0\x01", 2)), t);  // §3.2.2.3: unacceptable protocol version
          return drop("protocol " + proto + " level " + std::to_string(level), t);
        }
        if (cf & 1) return drop("reserved connect flag", t);  // §3.1.2.3
        if (!str(at, client_id_)) return drop("malformed client id", t);
        if (cf & 0x04) {  // will topic and message (kept, not used)
          std::string wt, wm;
          if (!str(at, wt) || !str(at, wm)) return drop("malformed will", t);
        }
        std::string user, pass;
        if ((cf & 0x80) && !str(at, user)) return drop("malformed user name", t);
        if ((cf & 0x40) && !str(at, pass)) return drop("malformed password", t);
        if (client_id_.empty()) {
          if (!(cf & 0x02)) {
            send(packet(0x20, std::string("\0\x02", 2)), t);  // §3.1.3.1: identifier rejected
            return drop("empty client id without clean session", t);
          }
          client_id_ = "anon-" + std::to_string(id_);
        }
        // §3.1.4: a second connection with the same client id takes the session over.
        for (auto& [oid, other] : c_.sessions_)
          if (oid != id_ && other->connected_ && other->client_id_ == client_id_) {
            other->drop("taken over by a new connection", t);
            break;
          }
        connected_ = true;
        c_.mqtt_connects_->set(c_.mqtt_connects_->value() + 1, t);
        send(packet(0x20, std::string("\0\0", 2)), t);  // CONNACK accepted, no session present
        keepalive_check(t);
        return;
      }
      case 3: {  // PUBLISH
        const int qos = (flags >> 1) & 3;
        if (qos == 3) return drop("PUBLISH QoS 3", t);  // §3.3.1.2
        if (qos == 2) return drop("PUBLISH QoS 2 is not supported by this broker", t);
        std::size_t at = 0;
        std::string topic;
        if (!str(at, topic) || topic.empty() || topic.find_first_of("+#") != std::string::npos)
          return drop("malformed PUBLISH topic", t);
        std::size_t pid = 0;
        if (qos) {
          if (at + 2 > b.size()) return drop("malformed PUBLISH", t);
          pid = u16(at);
          at += 2;
          if (pid == 0) return drop("PUBLISH packet id 0", t);
        }
        std::string payload = b.substr(at);
        if (qos == 1) {
          std::string ack;
          put_u16(ack, pid);
          send(packet(0x40, ack), t);
        }
        c_.seen(client_id_, t);
        if (mqtt_topic_matches("clemap/+/telemetry", topic)) {
          json j = json::parse(payload, nullptr, false);
          if (j.is_object()) c_.store_telemetry(j, t);
        }
        c_.route(topic, payload, qos, t);
        return;
      }
      case 4: {  // PUBACK of a command
        if (b.size() != 2 || flags) return drop("malformed PUBACK", t);
        c_.commands_sig_->set(c_.commands_sig_->value() + 1, t);
        return;
      }
      case 8: {                                             // SUBSCRIBE
        if (flags != 2) return drop("SUBSCRIBE flags", t);  // §3.8.1
        if (b.size() < 2) return drop("malformed SUBSCRIBE", t);
        std::size_t pid = u16(0), at = 2;
        std::string ack;
        put_u16(ack, pid);
        std::vector<std::string> added;
        while (at < b.size()) {
          std::string f;
          if (!str(at, f) || at >= b.size() || f.empty()) return drop("malformed SUBSCRIBE", t);
          int q = static_cast<unsigned char>(b[at++]);
          if (q > 2) return drop("SUBSCRIBE QoS > 2", t);  // §3.8.3.1
          q = q > 1 ? 1 : q;                               // granted at most QoS 1
          subs_.emplace_back(f, q);
          ack += static_cast<char>(q);
          added.push_back(f);
        }
        if (added.empty()) return drop("SUBSCRIBE without a filter", t);  // §3.8.3
        send(packet(0x90, ack), t);
        // The device's own command topic makes it the device: it is online; the current ripple
        // mode and Direct EVSE targets (state, like retained messages) go to it at once.
        const std::string prefix = "clemap/" + client_id_ + "/cmd/";
        for (auto& f : added)
          if (mqtt_topic_matches(f, prefix + "ripple") || mqtt_topic_matches(f, prefix + "evse")) device_ = true;
        if (device_) {
          c_.seen(client_id_, t);
          c_.mqtt_connected_->set(1, t);
          c_.resend_state(*this, t);
        }
        return;
      }
      case 12:  // PINGREQ
        send(std::string("\xD0\x00", 2), t);
        return;
      case 14:  // DISCONNECT (§3.14.4): close; the session goes when the network says closed
        alive_ = false;
        connected_ = device_ = false;
        c_.host_->tcp_close(id_, t);
        c_.mqtt_connected_->set(c_.mqtt_sessions_of_devices() > 0 ? 1 : 0, t);
        return;
      default: return drop("unexpected packet type " + std::to_string(type), t);
    }
  }

  Cloud& c_;
  ConnId id_;
  std::string rx_;
  std::string client_id_;
  std::vector<std::pair<std::string, int>> subs_;
  std::size_t keepalive_ = 0;
  Time last_rx_ = 0;
  std::uint16_t next_id_ = 0;
  bool connected_ = false, device_ = false, alive_ = true;
};

TcpPeer* Cloud::tcp_accept(ConnId id, Endpoint, Endpoint, Time) {
  auto s = std::make_unique<Session>(*this, id);
  TcpPeer* p = s.get();
  sessions_[id] = std::move(s);
  return p;
}

void Cloud::close_session(ConnId id, Time t) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  // Destroyed after the current event: this may run inside the session's own callback.
  std::shared_ptr<Session> dead(std::move(it->second));
  sessions_.erase(it);
  lan_.sched().at(t, [dead] {});
  mqtt_connected_->set(mqtt_sessions_of_devices() > 0 ? 1 : 0, t);
}

int Cloud::mqtt_sessions_of_devices() const {
  int n = 0;
  for (auto& [id, s] : sessions_)
    if (s->device()) ++n;
  return n;
}

void Cloud::route(const std::string& topic, const std::string& payload, int qos, Time t) {
  for (auto& [id, s] : sessions_) {
    if (!s->connected()) continue;
    int g = s->granted(topic);
    if (g >= 0) s->deliver(topic, payload, std::min(g, qos), t);
  }
}

int Cloud::send_command(const std::string& dev, const std::string& kind, const json& body, Time t) {
  const std::string topic = "clemap/" + dev + "/cmd/" + kind;
  int n = 0;
  for (auto& [id, s] : sessions_)
    if (s->connected() && s->granted(topic) >= 0) ++n;
  route(topic, body.dump(), 1, t);
  return n;
}

void Cloud::resend_state(Session& s, Time t) {
  const std::string dev = s.client_id();
  if (ripple_->render() != "normal") {
    const std::string topic = "clemap/" + dev + "/cmd/ripple";
    int g = s.granted(topic);
    if (g >= 0) s.deliver(topic, json{{"mode", ripple_->render()}, {"duration", 0}}.dump(), g, t);
  }
  const std::string prefix = dev + "/";
  for (auto& [k, g] : targets_) {
    if (k.rfind(prefix, 0) != 0 || !g.set || t >= g.valid_until) continue;
    const std::string topic = "clemap/" + dev + "/cmd/evse";
    int q = s.granted(topic);
    // The remaining validity, rounded up: the device ends it on its own clock (CL-06).
    auto left = static_cast<long long>(std::ceil(time_to_seconds(g.valid_until - t)));
    if (q >= 0)
      s.deliver(
          topic,
          json{{"evse", k.substr(prefix.size())}, {"current", static_cast<long long>(g.current)}, {"duration", left}}
              .dump(),
          q, t);
  }
}

void Cloud::on_change(const Signal& s, Time t) {
  if (&s == evse_knob_) {
    // The same request the Direct EVSE API gets over HTTP (PUB §5.1), with the operator's token.
    std::istringstream in(evse_knob_->text());
    std::string dev, uuid, a, d;
    in >> dev >> uuid >> a >> d;
    if (dev.empty()) return;
    HttpMessage req;
    req.url = "/edgedevices/" + dev + "/evses/" + uuid + "/currentsettings";
    auto tok = tokens_.find(uuid);
    req.headers.emplace_back("evsetoken", tok != tokens_.end() ? tok->second : "portal");
    if (a == "delete") {
      req.method = "DELETE";
    } else {
      req.method = "POST";
      req.body = "{\"current\": " + a + ", \"duration\": " + d + "}";
    }
    HttpServer::Reply r = handle(req, t);
    evse_result_->set_text(std::to_string(r.status) + " " + r.body, t);
    return;
  }
  if (&s != ripple_) return;
  // The portal's ripple command (the knob or POST .../ripple) goes to every device session.
  std::set<std::string> devs;
  for (auto& [id, ses] : sessions_)
    if (ses->device()) devs.insert(ses->client_id());
  for (auto& d : devs) send_command(d, "ripple", json{{"mode", ripple_->render()}, {"duration", 0}}, t);
}

void Cloud::store_telemetry(const json& rec, Time t) {
  // Stored once per (device, seq): a record re-sent after a power cut mid-forward is a duplicate.
  const std::string dev = rec.value("device", std::string());
  if (rec.contains("seq") && rec["seq"].is_number_unsigned()) {
    auto seq = rec["seq"].get<std::uint32_t>();
    auto& set = seqs_[dev];
    if (!set.insert(seq).second) {
      ++duplicates_;
      dup_sig_->set(static_cast<double>(duplicates_), t);
      return;
    }
    double gaps = 0, last = 0;
    for (auto& [d, sq] : seqs_) {
      gaps += static_cast<double>(*sq.rbegin() - *sq.begin() + 1 - sq.size());
      last = std::max(last, static_cast<double>(*sq.rbegin()));
    }
    gaps_sig_->set(gaps, t);
    last_seq_sig_->set(last, t);
  }
  telemetry_.push_back({t, rec});
  last_->set_text(rec.dump(), t);
  count_->set(static_cast<double>(telemetry_.size()), t);
}

Cloud::~Cloud() = default;

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
