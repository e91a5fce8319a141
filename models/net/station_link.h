// The charging stations as hosts of the site LAN: each station of the evse directory gets a
// host whose address follows the string signal station.<n>.ip (static, reserved or changed
// by DHCP after a power cycle) and whose link follows station.<n>.online. Its Modbus TCP port
// accepts connections through the station's connection bookkeeping (one-client vendors
// refuse a second one with RST) and answers each complete MBAP frame with the endpoint's
// reply after the station's response time; silence stays silence. A station that powers off
// forgets its connections (the device's side stays half-open until it notices).
#pragma once
#include <map>
#include <memory>
#include <string>

#include "models/net/lan.h"

namespace lmsim::evse {
class ModbusEndpoint;
}

namespace lmsim::net {

class StationLink : public TcpAcceptor, private ChangeListener {
 public:
  StationLink(Lan& lan, const std::string& name, evse::ModbusEndpoint& ep, int port, Time response_time);
  ~StationLink() override;
  TcpPeer* tcp_accept(ConnId id, Endpoint local, Endpoint remote, Time t) override;
  Host& host() { return *host_; }
  std::uint64_t frames() const { return frames_; }

 private:
  class Conn;
  void on_change(const Signal& s, Time t) override;
  Lan& lan_;
  std::string name_;
  evse::ModbusEndpoint& ep_;
  Host* host_;
  Signal* ip_;
  Signal* online_;
  Time response_;
  std::map<ConnId, std::unique_ptr<Conn>> conns_;
  std::uint64_t frames_ = 0;
};

}  // namespace lmsim::net
