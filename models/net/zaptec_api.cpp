#include "models/net/zaptec_api.h"

#include "models/evse/zaptec_cloud.h"

namespace lmsim::net {

ZaptecApi::ZaptecApi(Lan& lan, evse::ZaptecCloud& cloud, Ip ip, const std::string& hostname) : cloud_(cloud) {
  auto& reg = lan.site().registry();
  host_ = &lan.add_internet_service("zaptec", ip, hostname, "net.zaptec", 20 * kMs);
  requests_ = &reg.add_number("net.zaptec.requests", "", 0).describe("HTTP requests served by api.zaptec.com");
  server_ = std::make_unique<HttpServer>(
      *host_, kPort, lan.sched(), [this](const HttpMessage& r, Time t) { return handle(r, t); }, 10 * kMs);
}

HttpServer::Reply ZaptecApi::handle(const HttpMessage& req, Time t) {
  requests_->set(requests_->value() + 1, t);
  evse::HttpRequest in{req.method, req.url, {}, req.body};
  for (auto& [k, v] : req.headers) in.headers[k] = v;
  evse::HttpResponse out = cloud_.handle(in, t);
  HttpServer::Reply rep{out.status, out.body, "application/json", {}};
  for (auto& [k, v] : out.headers) {
    if (header_name_equal(k, "Content-Type"))
      rep.content_type = v;
    else
      rep.headers.emplace_back(k, v);
  }
  return rep;
}

}  // namespace lmsim::net
