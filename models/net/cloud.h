// The vendor cloud on the internet: an HTTP service (ports 443 and 3032; plain inside the
// simulation, TLS is a documented deviation) that stores the device's telemetry (queryable,
// to prove nothing was lost), serves the Direct EVSE control API (current target with a
// duration, status per plug), a ripple-control API (normal/reduced/blocked, also a knob),
// and the commands endpoint the device polls. API: docs/network.md.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/net/http.h"

namespace lmsim::net {

class Cloud {
 public:
  static constexpr Time kOfflineAfter = 90 * kSec;  // device not seen for this long: "disconnected"

  Cloud(Lan& lan, Ip ip, const std::string& hostname, std::map<std::string, std::string> evse_tokens);
  Host& host() { return *host_; }
  // Serves one request (also usable directly from tests and Python).
  HttpServer::Reply handle(const HttpMessage& req, Time t);

  struct Record {
    Time received;
    nlohmann::json data;
  };
  const std::vector<Record>& telemetry() const { return telemetry_; }
  bool device_online(Time t) const { return seen_ && t - last_seen_ < kOfflineAfter; }

 private:
  struct Target {
    double current = 0;
    double duration = 0;
    Time valid_until = 0;
    bool set = false;
  };
  HttpServer::Reply evse(const HttpMessage& req, const std::string& dev, const std::string& uuid,
                         const std::string& what, Time t);
  nlohmann::json target_json(const Target& g, Time t) const;
  void seen(const std::string& dev, Time t);

  Lan& lan_;
  Host* host_;
  std::vector<std::unique_ptr<HttpServer>> servers_;
  std::map<std::string, std::string> tokens_;  // evse uuid -> evsetoken (empty map: any token)
  std::vector<Record> telemetry_;
  std::map<std::string, Target> targets_;         // "dev/uuid"
  std::map<std::string, nlohmann::json> status_;  // "dev/uuid" -> plugs reported by the device
  bool seen_ = false;
  Time last_seen_ = 0;
  Signal *count_, *last_, *ripple_, *requests_, *device_seen_;
};

// NTP server (UDP 123): answers mode-3 requests with the simulated calendar time
// (the scenario start plus simulated time, never the host clock).
class NtpServer : public UdpPeer {
 public:
  NtpServer(Lan& lan, Ip ip, const std::string& hostname);
  Host& host() { return *host_; }
  void udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) override;
  // NTP timestamp (seconds since 1900, 32.32 fixed point) of simulated time t.
  std::uint64_t ntp_time(Time t) const;

 private:
  Lan& lan_;
  Host* host_;
  Signal* requests_;
};

}  // namespace lmsim::net
