#include "app/api/rest_api.h"

#include "app/api/live_json.h"
#include "app/http/json.h"
#include "app/site/site.h"
#include "app/socket_plan.h"

namespace lmc::api {

namespace {
constexpr int kRestSockets = sizeof sockets::kRest / sizeof sockets::kRest[0];
}  // namespace

RestApi::RestApi(Sockets& sockets, Log& log, const LiveSource& live, Control& control, const settings::Settings& s,
                 const Time& time, AuthGuard& auth, const site::Site* site, HttpBuffers& buffers)
    : HttpService(sockets, sockets::kRest, kRestSockets, log, "rest", buffers),
      live_(live),
      control_(control),
      s_(s),
      time_(time),
      auth_(auth),
      site_(site) {
  Config c;
  c.port = kPort;
  c.request_ms = 5000;  // slowloris
  c.idle_ms = 30000;
  configure(c);
}

void RestApi::update(std::uint64_t now_ms) {
  set_enabled(s_.get(settings::Id::FeatureRestServer) != 0);
  poll(now_ms);
}

void RestApi::write_settings(json::Writer& w) const {
  write_control(w, control_);
}

void RestApi::write_live(json::Writer& w, std::uint64_t now_ms) const {
  api::write_live(w, LiveView{live_, control_, time_, site_, auth_.serial()}, now_ms);
}

void RestApi::reply_json(const http::Request& req, http::ResponseWriter& out, int status, std::string_view body) {
  if (status != 0) out.status(status);  // 0: the caller wrote the status line and its own fields
  out.header("Content-Type", "application/json").header("Cache-Control", "no-store");
  if (!req.keep_alive) out.header("Connection", "close");
  out.body_follows(body.size());
  static_body(body);  // string literals or this connection's body buffer
}

void RestApi::post_settings(int slot, const http::Request& req, http::ResponseWriter& out, std::uint64_t now_ms) {
  // RS-07: an incorrect or invalid field gets HTTP 500 (the vendor's documented behaviour).
  json::StaticDocument<32> doc;
  const char* err = nullptr;
  ControlUpdate u;
  if (doc.parse(req.body) != json::Error::kNone || !doc.root().is_object()) {
    err = "body is not a JSON object";
  } else {
    const json::Value root = doc.root();
    const json::Value act = root["ActivePowerActivation"];
    const json::Value cur = root["CurrentLimit"];
    const json::Value fb = root["FallbackCurrentLimit"];
    if (act.valid()) {
      u.has_activation = act.get_bool(u.activation);
      if (!u.has_activation) err = "ActivePowerActivation must be a boolean";
    }
    if (!err && cur.valid()) {
      u.has_current = cur.get_number(u.current_a) && control_.valid_limit(u.current_a);
      if (!u.has_current) err = "CurrentLimit must be a number of amperes within the phase limit";
    }
    if (!err && fb.valid()) {
      u.has_fallback = fb.get_number(u.fallback_a) && control_.valid_limit(u.fallback_a);
      if (!u.has_fallback) err = "FallbackCurrentLimit must be a number of amperes within the phase limit";
    }
  }
  if (!err && control_.apply(u, settings::kRest, "rest", now_ms) != ControlError::None) err = "not accepted";
  if (err) {
    log().event("rest", "invalid").kv("reason", err);
    json::Writer w(body_buffer(slot), kBodySize);
    w.begin_object().key("error").string(err).end_object();
    reply_json(req, out, 500, w.text());
    return;
  }
  json::Writer w(body_buffer(slot), kBodySize);
  write_settings(w);
  reply_json(req, out, 200, w.text());
}

void RestApi::handle(int slot, const http::Request& req, Endpoint peer, http::ResponseWriter& out,
                     std::uint64_t now_ms) {
  // RS-02: every endpoint, before anything else.
  const AuthGuard::Verdict v = auth_.check_basic(peer.ip, req.headers.get("Authorization"), now_ms);
  if (v != AuthGuard::Verdict::Ok) {
    log().event("rest", v == AuthGuard::Verdict::Locked ? "locked-out" : "unauthorized").kv_ip("client", peer.ip);
    out.status(v == AuthGuard::Verdict::Locked ? 429 : 401);
    if (v == AuthGuard::Verdict::Locked) out.header("Retry-After", "60");
    out.header("WWW-Authenticate", "Basic realm=\"clemap\"");
    reply_json(req, out, 0, "{\"error\":\"unauthorized\"}");
    return;
  }
  const bool get = req.method == http::Method::kGet || req.method == http::Method::kHead;
  out.set_head_only(req.method == http::Method::kHead);
  const bool post = req.method == http::Method::kPost;
  if (req.path == "/v1/live/data" || req.path == "/v1/settings" || req.path == "/v1/keepalive") {
    json::Writer w(body_buffer(slot), kBodySize);
    if (req.path == "/v1/live/data" && get) {
      write_live(w, now_ms);
    } else if (req.path == "/v1/settings" && get) {
      write_settings(w);
    } else if (req.path == "/v1/settings" && post) {
      post_settings(slot, req, out, now_ms);
      return;
    } else if (req.path == "/v1/keepalive" && post) {
      control_.keepalive("rest", now_ms);  // RS-06 / EXT-03
      w.begin_object()
          .key("ok")
          .boolean(true)
          .key("seconds_to_fallback")
          .unsigned_integer(control_.seconds_to_fallback(now_ms));
      w.end_object();
    } else {
      out.status(405).header("Allow", req.path == "/v1/settings"    ? "GET, HEAD, POST"
                                      : req.path == "/v1/keepalive" ? "POST"
                                                                    : "GET, HEAD");
      reply_json(req, out, 0, "{\"error\":\"method not allowed\"}");
      return;
    }
    if (!w.ok()) {
      reply_json(req, out, 500, "{\"error\":\"response too large\"}");
      return;
    }
    reply_json(req, out, 200, w.text());
    return;
  }
  reply_json(req, out, 404, "{\"error\":\"not found\"}");
}

}  // namespace lmc::api
