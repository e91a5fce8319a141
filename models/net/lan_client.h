// An in-simulation TCP client on the site LAN for front ends (Python's Site.rpc("lan", ...)):
// tests talk to the device's own services (:4000 web UI, :5020 Modbus, :7000 REST) through the
// simulated network in simulated time, deterministically, without host sockets. The client is
// a LAN host ("lan-client", a DHCP lease taken on first use); bytes are exchanged as hex text.
//   rpc("lan", op="connect", port=5020[, ip="192.168.1.100"])  -> {"id": n}   (default: the device)
//   rpc("lan", op="send", id=n, data="0001...")                -> {"accepted": k}
//   rpc("lan", op="recv", id=n)                                -> {"data": hex, "state": "connecting|open|closed",
//   "error": "..."} rpc("lan", op="close"|"abort", id=n)
// Between calls the caller advances time (Site.run(for_=...)) so that the bytes travel.
#pragma once
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "models/net/device_link.h"
#include "models/net/lan.h"
#include "models/net/router.h"

namespace lmsim::net {

class LanClient : public TcpPeer {
 public:
  LanClient(Lan& lan, DeviceLink& device, Router& router);
  nlohmann::json call(const nlohmann::json& args);

  void tcp_connected(ConnId c, Time t) override;
  void tcp_data(ConnId c, std::string_view bytes, Time t) override;
  void tcp_closed(ConnId c, TcpError why, Time t) override;

 private:
  struct Conn {
    ConnId id = 0;
    bool open = false, closed = false;
    std::string error;
    std::string rx;
  };
  Conn& get(const nlohmann::json& a);
  Lan& lan_;
  DeviceLink& device_;
  Router& router_;
  Host* host_ = nullptr;
  int next_ = 1;
  std::map<int, Conn> conns_;
  std::map<ConnId, int> by_conn_;
};

}  // namespace lmsim::net
