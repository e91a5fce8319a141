#include "app/web/web_ui.h"

#include <cstring>

#include "app/http/form.h"
#include "app/socket_plan.h"
#include "app/store/config_store.h"
#include "app/web/pages.h"

namespace lmc::web {

using settings::Id;

namespace {
constexpr int kUiSockets = sizeof sockets::kWebUi / sizeof sockets::kWebUi[0];
// What the installer may edit here (UI-05: CFG-01..03, CFG-09; UI-06; UI-04: Wi-Fi, static IP).
constexpr Id kUiSettings[] = {Id::LmFuse,      Id::LmLimitL1,     Id::LmLimitL2,  Id::LmLimitL3,
                              Id::LmMargin,    Id::LmMaxPower,    Id::RippleMode, Id::RippleReducedPower,
                              Id::MeterSensor, Id::RippleMapping, Id::WifiSsid,   Id::WifiPassword,
                              Id::NetStatic,   Id::NetIp,         Id::NetMask,    Id::NetGateway,
                              Id::NetDns};

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
bool ui_setting(Id id) {
  for (Id k : kUiSettings)
    if (k == id) return true;
  return false;
}
}  // namespace

WebUi::WebUi(Sockets& sockets, Log& log, const api::LiveView& view, settings::Settings& s, store::ConfigStore* store,
             api::AuthGuard& auth, api::HttpBuffers& buffers)
    : HttpService(sockets, sockets::kWebUi, kUiSockets, log, "web", buffers),
      view_(view),
      s_(s),
      store_(store),
      auth_(auth) {
  Config c;
  c.port = kPort;
  c.request_ms = 5000;
  c.idle_ms = 30000;
  configure(c);
  // Session tokens: no RNG port yet; seeded from the serial (per device) and mixed with the
  // login time. Deterministic in the simulation; documented in docs/api.md.
  seed_ = 0x9e3779b97f4a7c15ULL;
  for (const char* p = auth.serial(); p && *p; ++p) seed_ = mix(seed_ ^ static_cast<unsigned char>(*p));
}

void WebUi::update(std::uint64_t now_ms) {
  set_enabled(true);  // UI-01: always served
  poll(now_ms);
}

WebUi::Session* WebUi::session_of(const http::Request& req, std::uint64_t now_ms) {
  std::string_view c = req.headers.get("Cookie");
  const std::size_t at = c.find("sid=");
  if (at == std::string_view::npos) return nullptr;
  c = c.substr(at + 4);
  c = c.substr(0, c.find(';'));
  if (c.size() != kTokenLen) return nullptr;
  for (Session& s : sessions_) {
    if (!s.used) continue;
    if (now_ms - s.last_ms > kSessionIdleMs) {  // UI-02: expired after 15 min idle
      s = Session{};
      continue;
    }
    if (c == std::string_view(s.token, kTokenLen)) {
      s.last_ms = now_ms;
      return &s;
    }
  }
  return nullptr;
}

WebUi::Session& WebUi::new_session(std::uint64_t now_ms) {
  Session* s = &sessions_[0];
  for (Session& k : sessions_)
    if (!k.used || k.last_ms < s->last_ms) s = &k;
  seed_ = mix(seed_ + now_ms + 1);
  std::uint64_t r = seed_;
  static const char* kHex = "0123456789abcdef";
  for (std::size_t i = 0; i < kTokenLen; ++i, r >>= 4) s->token[i] = kHex[r & 15];
  s->token[kTokenLen] = '\0';
  s->used = true;
  s->last_ms = now_ms;
  return *s;
}

void WebUi::page(http::ResponseWriter& out, int status, std::string_view html) {
  out.status(status)
      .header("Content-Type", "text/html; charset=utf-8")
      .header("Cache-Control", "no-store")
      .header("X-Frame-Options", "DENY")
      .body_follows(html.size());
  static_body(html);
}

void WebUi::redirect(http::ResponseWriter& out, const char* to, const char* cookie) {
  out.status(303).header("Location", to);
  if (cookie) out.header("Set-Cookie", cookie);
  out.header("Cache-Control", "no-store").body("");
}

void WebUi::json(http::ResponseWriter& out, int status, std::string_view body) {
  out.status(status).header("Content-Type", "application/json").header("Cache-Control", "no-store");
  out.body_follows(body.size());
  static_body(body);
}

void WebUi::login(const http::Request& req, Endpoint peer, http::ResponseWriter& out, std::uint64_t now_ms) {
  char name[16], value[72], user[16] = {}, pass[72] = {};
  std::string_view b = req.body;
  bool bad = false;
  while (http::next_form_field(b, name, sizeof name, value, sizeof value, &bad)) {
    if (std::strcmp(name, "user") == 0) std::memcpy(user, value, sizeof user - 1);
    if (std::strcmp(name, "password") == 0) std::memcpy(pass, value, sizeof pass - 1);
  }
  user[sizeof user - 1] = pass[sizeof pass - 1] = '\0';
  const api::AuthGuard::Verdict v = auth_.check(peer.ip, user, pass, now_ms);
  if (v == api::AuthGuard::Verdict::Locked) {
    log().event("web", "login-locked").kv_ip("client", peer.ip);
    page(out, 429, kLoginLockedPage);
    return;
  }
  if (v != api::AuthGuard::Verdict::Ok || bad) {
    log().event("web", "login-failed").kv_ip("client", peer.ip);
    page(out, 401, kLoginWrongPage);
    return;
  }
  Session& s = new_session(now_ms);
  char cookie[64];
  std::memcpy(cookie, "sid=", 4);
  std::memcpy(cookie + 4, s.token, kTokenLen);
  const char kAttrs[] = "; Path=/; HttpOnly; SameSite=Strict";
  std::memcpy(cookie + 4 + kTokenLen, kAttrs, sizeof kAttrs);
  log().event("web", "login").kv_ip("client", peer.ip);
  redirect(out, "/status", cookie);
}

void WebUi::get_settings(int slot, http::ResponseWriter& out) {
  json::Writer w(body_buffer(slot), kBodySize);
  w.begin_object();
  char v[72];
  for (Id id : kUiSettings) {
    w.key(settings::def(id).name);
    if (s_.is_set(id) && !(settings::def(id).flags & settings::kSecret)) {  // a secret is never shown
      s_.format(id, v, sizeof v);
      w.string(v);
    } else {
      w.string("");
    }
  }
  w.end_object();
  json(out, w.ok() ? 200 : 500, w.ok() ? w.text() : "{}");
}

void WebUi::post_settings(int slot, const http::Request& req, http::ResponseWriter& out) {
  // Every field through the schema first (name, writer, type, unit, range); apply only if all pass.
  struct Change {
    Id id;
    bool clear;
    std::int32_t v;
    const char* text;  // Text settings: the value (in texts below)
  };
  char texts[2][72];
  int n_text = 0;
  Change ch[sizeof kUiSettings / sizeof kUiSettings[0]];
  int n = 0;
  char name[40], value[72];
  std::string_view b = req.body;
  bool bad = false;
  const char* why = nullptr;
  char key[40] = "";
  while (!why && http::next_form_field(b, name, sizeof name, value, sizeof value, &bad)) {
    std::memcpy(key, name, sizeof key);
    Id id;
    const settings::Def* d = settings::find_global(name, std::strlen(name), &id);
    if (!d || !ui_setting(id) || !(d->writers & settings::kInstaller)) {
      why = "not_writable";
      break;
    }
    if (n == static_cast<int>(sizeof ch / sizeof ch[0])) {
      why = "too_many_fields";
      break;
    }
    if (d->type == settings::Type::Text) {
      const std::size_t len = std::strlen(value);
      if (len == 0 && (d->flags & settings::kSecret)) continue;  // an empty secret field: unchanged
      bool printable = len <= static_cast<std::size_t>(d->max) && n_text < 2;
      for (std::size_t i = 0; i < len; ++i) printable = printable && value[i] >= 0x20 && value[i] < 0x7F;
      if (!printable) {
        why = settings::reason(len > static_cast<std::size_t>(d->max) ? settings::Result::TooLong
                                                                      : settings::Result::BadValue);
        continue;
      }
      std::memcpy(texts[n_text], value, len + 1);
      ch[n++] = Change{id, false, 0, texts[n_text++]};
      continue;
    }
    if (value[0] == '\0') {
      if (!(d->flags & settings::kOptional)) why = settings::reason(settings::Result::NotOptional);
      ch[n++] = Change{id, true, 0, nullptr};
      continue;
    }
    std::int32_t v = 0;
    const settings::Result r = settings::parse_value(*d, value, std::strlen(value), &v);
    if (r != settings::Result::Ok) why = settings::reason(r);
    ch[n++] = Change{id, false, v, nullptr};
  }
  if (!why && bad) why = "bad_encoding";
  json::Writer w(body_buffer(slot), kBodySize);
  if (why) {
    log().event("web", "settings-rejected").kv("key", key).kv("reason", why);
    w.begin_object().key("ok").boolean(false).key("key").string(key).key("error").string(why).end_object();
    json(out, 400, w.text());
    return;
  }
  const std::uint32_t before = s_.generation();
  for (int i = 0; i < n; ++i) {
    settings::Result r;
    if (ch[i].text) {
      r = s_.set_text(ch[i].id, ch[i].text, std::strlen(ch[i].text), settings::kInstaller);
    } else {
      // Unchanged values are skipped, so an untouched unset field stays unset.
      if (ch[i].clear ? !s_.is_set(ch[i].id) : (s_.is_set(ch[i].id) && s_.get(ch[i].id) == ch[i].v)) continue;
      r = ch[i].clear ? s_.clear(ch[i].id, settings::kInstaller) : s_.set(ch[i].id, ch[i].v, settings::kInstaller);
    }
    if (r != settings::Result::Ok) {
      log().event("web", "settings-rejected").kv("key", settings::def(ch[i].id).name).kv("reason", settings::reason(r));
      w.begin_object()
          .key("ok")
          .boolean(false)
          .key("key")
          .string(settings::def(ch[i].id).name)
          .key("error")
          .string(settings::reason(r));
      w.end_object();
      json(out, 400, w.text());
      return;
    }
  }
  if (s_.generation() != before) {
    log().event("web", "settings-saved").kv("fields", n);
    if (store_) store_->save(s_);  // CFG-12: effective in the next cycle, stored power-loss-safe
  }
  w.begin_object().key("ok").boolean(true).end_object();
  json(out, 200, w.text());
}

void WebUi::handle(int slot, const http::Request& req, Endpoint peer, http::ResponseWriter& out, std::uint64_t now_ms) {
  const std::string_view p = req.path;
  const bool get = req.method == http::Method::kGet || req.method == http::Method::kHead;
  const bool post = req.method == http::Method::kPost;
  out.set_head_only(req.method == http::Method::kHead);
  if (p == "/login" && post) return login(req, peer, out, now_ms);
  Session* s = session_of(req, now_ms);
  if (p == "/" && get) {
    if (s) return redirect(out, "/status");
    return page(out, 200, kLoginPage);
  }
  if (p == "/logout" && post) {
    if (s) *s = Session{};
    return redirect(out, "/", "sid=; Path=/; Max-Age=0");
  }
  const bool api = p.substr(0, 5) == "/api/";
  if (!s) {
    if (api) return json(out, 401, "{\"error\":\"login required\"}");
    return redirect(out, "/");
  }
  if (get && p == "/status") return page(out, 200, kStatusPage);
  if (get && p == "/lm") return page(out, 200, kLmPage);
  if (get && p == "/device") return page(out, 200, kDevicePage);
  if (get && p == "/net") return page(out, 200, kNetworkPage);
  if (get && p == "/api/status") {
    json::Writer w(body_buffer(slot), kBodySize);
    api::write_live(w, view_, now_ms);
    return json(out, w.ok() ? 200 : 500, w.ok() ? w.text() : "{}");
  }
  if (p == "/api/settings" && get) return get_settings(slot, out);
  if (p == "/api/settings" && post) return post_settings(slot, req, out);
  json(out, 404, "{\"error\":\"not found\"}");
}

}  // namespace lmc::web
