// The Zaptec cloud API (api.zaptec.com) as request -> response logic in simulated time, for
// Zaptec Pro/Home stations (no local Modbus). The network area serves it on the simulated
// internet (models/net/zaptec_api.*: DNS api.zaptec.com, port 443, plain HTTP); tests may also
// call handle() directly. Modelled: OAuth password grant, charger list, state observations
// (cached 15 s), installation available current (dynamic load balancing over the
// installation's chargers, at most one update per `min_update_interval`), per-charger
// maxChargeCurrent, commands 506/507/102, and rate limits answered with HTTP 429.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/evse/station_core.h"
#include "models/net/http.h"  // header-only helpers only: lmsim_evse does not link lmsim_net

namespace lmsim::evse {

struct HttpRequest {
  std::string method;      // "GET", "POST"
  std::string path;        // "/api/chargers/abc/state" (query string allowed)
  net::HeaderMap headers;  // "Authorization": "Bearer ..." (names case-insensitive)
  std::string body;        // JSON, or form-encoded for /oauth/token
};

struct HttpResponse {
  int status = 200;
  std::string body;
  net::HeaderMap headers;
};

struct ZaptecConfig {
  std::string username = "installer@example.com";
  std::string password = "zaptec";
  double rate_per_s = 10;  // per account
  Time state_cache = 15 * kSec;
  Time min_update_interval = 15 * 60 * kSec;  // installation updates; 0 = unlimited
};

class ZaptecCloud {
 public:
  ZaptecCloud(Site& site, ZaptecConfig cfg);
  // A charger (station core with a zaptec model) in an installation with its fuse limit.
  void add_charger(StationCore* core, const std::string& installation, double installation_max);
  HttpResponse handle(const HttpRequest& req, Time t);
  std::size_t chargers() const { return chargers_.size(); }

 private:
  struct Charger {
    StationCore* core;
    std::string id;  // charger id (uuid-like, deterministic)
    std::string installation;
    double max_charge_current = 32;  // per-charger override (A)
    nlohmann::json cached;
    Time cached_at = 0;
    bool have_cache = false;
  };
  struct Installation {
    std::string id;
    double max_current = 40;
    double available[3] = {-1, -1, -1};  // -1: no override (max_current)
    int mode = 0;
    Time last_update = 0;
    bool updated = false;
  };
  HttpResponse reply(int status, const nlohmann::json& j) const;
  double share(const Charger& c) const;  // the load balancer's allocation for one charger
  nlohmann::json state_of(const Charger& c, Time t) const;
  Charger* charger(const std::string& id);

  Site& site_;
  ZaptecConfig cfg_;
  std::vector<Charger> chargers_;
  std::map<std::string, Installation> installs_;
  std::map<std::string, Time> tokens_;  // token -> expiry
  double bucket_;
  Time bucket_t_ = 0;
  int token_count_ = 0;
};

}  // namespace lmsim::evse
