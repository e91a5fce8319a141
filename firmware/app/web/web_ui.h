// The local web UI on :4000 (behaviours.md UI-01..UI-07, A07), always on: a form login
// (`clemap` / the serial, UI-02), a session cookie that expires after 15 min idle, logout,
// 5 wrong logins -> 60 s lock-out per client (api::AuthGuard, shared with REST), and the pages
// of pages.h: status (UI-03), load-management settings (UI-05), device configuration with the
// external input mapping (UI-06). Every form goes through the settings schema (every field is
// parsed and range-checked before anything is applied; then saved power-loss-safe).
//   GET /  POST /login  POST /logout  GET /status /lm /device
//   GET /api/status (the live JSON of api/live_json.h)  GET|POST /api/settings (form encoded)
// Sessions are fixed (kSessions); a new login takes the least recently used one.
#pragma once
#include <cstdint>

#include "app/api/auth_guard.h"
#include "app/api/http_service.h"
#include "app/api/live_json.h"
#include "app/settings/settings.h"

namespace lmc::store {
class ConfigStore;
}

namespace lmc::web {

class WebUi final : public api::HttpService {
 public:
  static constexpr std::uint16_t kPort = 4000;
  static constexpr int kSessions = 4;
  static constexpr std::uint32_t kSessionIdleMs = 15 * 60 * 1000;  // UI-02 / A07
  static constexpr std::size_t kTokenLen = 16;

  WebUi(Sockets& sockets, Log& log, const api::LiveView& view, settings::Settings& s, store::ConfigStore* store,
        api::AuthGuard& auth, api::HttpBuffers& buffers);
  void update(std::uint64_t now_ms);

 private:
  struct Session {
    bool used = false;
    char token[kTokenLen + 1] = {};
    std::uint64_t last_ms = 0;
  };
  void handle(int slot, const http::Request& req, Endpoint peer, http::ResponseWriter& out,
              std::uint64_t now_ms) override;
  Session* session_of(const http::Request& req, std::uint64_t now_ms);
  Session& new_session(std::uint64_t now_ms);
  void page(http::ResponseWriter& out, int status, std::string_view html);
  void redirect(http::ResponseWriter& out, const char* to, const char* cookie = nullptr);
  // body: a literal or text in body_buffer(slot).
  void json(http::ResponseWriter& out, int status, std::string_view body);
  void login(const http::Request& req, Endpoint peer, http::ResponseWriter& out, std::uint64_t now_ms);
  void get_settings(int slot, http::ResponseWriter& out);
  void post_settings(int slot, const http::Request& req, http::ResponseWriter& out);

  api::LiveView view_;
  settings::Settings& s_;
  store::ConfigStore* store_;
  api::AuthGuard& auth_;
  Session sessions_[kSessions];
  std::uint64_t seed_;
};

}  // namespace lmc::web
