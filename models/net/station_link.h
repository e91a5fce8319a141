// The charging stations as hosts of the site LAN: each station of the evse directory gets a
// host whose address follows the string signal station.<n>.ip and whose link follows
// station.<n>.online. Addresses of `dhcp: reserved|dynamic` stations come from the router:
// a reserved station has a reservation (the scenario's router reservation for its name, else
// its configured address); a dynamic one holds its configured address as a lease, and after
// a power cycle (status offline -> on again, not a soft reboot) asks the router for a fresh
// lease, which the router takes from its pool (policy next: another address, never one in
// use) and writes to station.<n>.ip. Its Modbus TCP port
// accepts connections through the station's connection bookkeeping (one-client vendors
// refuse a second one with RST) and answers each complete MBAP frame with the endpoint's
// reply after the station's response time; silence stays silence. A station that powers off
// forgets its connections (the device's side stays half-open until it notices).
#pragma once
#include <map>
#include <memory>
#include <string>

#include "models/net/lan.h"
#include "models/net/router.h"

namespace lmsim::evse {
class ModbusEndpoint;
class StationCore;
}  // namespace lmsim::evse

namespace lmsim::net {

class StationLink : public TcpAcceptor, private ChangeListener {
 public:
  StationLink(Lan& lan, Router& router, evse::StationCore& core, evse::ModbusEndpoint& ep, Time response_time);
  ~StationLink() override;
  TcpPeer* tcp_accept(ConnId id, Endpoint local, Endpoint remote, Time t) override;
  Host& host() { return *host_; }
  std::uint64_t frames() const { return frames_; }

 private:
  class Conn;
  void on_change(const Signal& s, Time t) override;
  std::string dhcp_after_power_cycle();  // the router's lease as text; empty when the pool is exhausted
  Lan& lan_;
  Router& router_;
  bool dhcp_ = false;  // the router assigns its address
  Ip leased_ = 0;
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
