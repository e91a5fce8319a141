// api.zaptec.com on the simulated internet: an internet host whose HTTP server (port 443,
// plain inside the simulation = the documented TLS deviation) hands every request to the
// stations area's Zaptec cloud model (evse::ZaptecCloud, service "zaptec"). The router's DNS
// answers its hostname; the uplink outage, latency, loss and firewall knobs apply to it like
// to every internet host. Built only when the scenario has Zaptec stations.
#pragma once
#include <memory>
#include <string>

#include "models/net/http.h"

namespace lmsim::evse {
class ZaptecCloud;
}

namespace lmsim::net {

class ZaptecApi {
 public:
  static constexpr std::uint16_t kPort = 443;
  ZaptecApi(Lan& lan, evse::ZaptecCloud& cloud, Ip ip, const std::string& hostname);
  Host& host() { return *host_; }
  // One HTTP request through the model (also what the server runs).
  HttpServer::Reply handle(const HttpMessage& req, Time t);

 private:
  evse::ZaptecCloud& cloud_;
  Host* host_;
  std::unique_ptr<HttpServer> server_;
  Signal* requests_;
};

}  // namespace lmsim::net
