// The local REST API on :7000 (behaviours.md RS-01..RS-07, MB-05, EXT-*; PUB §4 and A18):
//   GET  /v1/live/data   live consumption and status (RS-03)
//   GET  /v1/settings    {ActivePowerActivation, CurrentLimit, FallbackCurrentLimit} (RS-04)
//   POST /v1/settings    all fields optional; amperes per phase (RS-05); resets the keep-alive
//   POST /v1/keepalive   resets the keep-alive timer (RS-06)
// Every endpoint needs Basic auth clemap:<serial> (RS-02): missing or wrong -> 401, and after 5
// wrong attempts the client is locked out for 60 s (429). Invalid or wrongly typed fields -> 500,
// the vendor's documented behaviour (RS-07), and nothing changes; unknown fields are ignored.
// Plain HTTP in the simulation (RS-01, a documented deviation). Served while
// feature.rest_server is on (CFG-11, A32: off by default).
#pragma once
#include <cstdint>

#include "app/api/auth_guard.h"
#include "app/api/control.h"
#include "app/api/http_service.h"
#include "app/api/live_json.h"
#include "app/api/modbus_map.h"
#include "app/core/time.h"
#include "app/http/json_writer.h"

namespace lmc::site {
class Site;
}

namespace lmc::api {

class RestApi final : public HttpService {
 public:
  static constexpr std::uint16_t kPort = 7000;
  RestApi(Sockets& sockets, Log& log, const LiveSource& live, Control& control, const settings::Settings& s,
          const Time& time, AuthGuard& auth, const site::Site* site, HttpBuffers& buffers);
  void update(std::uint64_t now_ms);

  // The JSON bodies (exposed for tests).
  void write_live(json::Writer& w, std::uint64_t now_ms) const;
  void write_settings(json::Writer& w) const;

 private:
  void handle(int slot, const http::Request& req, Endpoint peer, http::ResponseWriter& out,
              std::uint64_t now_ms) override;
  void reply_json(const http::Request& req, http::ResponseWriter& out, int status, std::string_view body);
  void post_settings(int slot, const http::Request& req, http::ResponseWriter& out, std::uint64_t now_ms);

  const LiveSource& live_;
  Control& control_;
  const settings::Settings& s_;
  const Time& time_;
  AuthGuard& auth_;
  const site::Site* site_;
};

}  // namespace lmc::api
