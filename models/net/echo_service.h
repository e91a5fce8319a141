// A TCP echo service (RFC 862 style) on a host: every byte comes back after a processing
// delay. The test hosts' workhorse and the benchmark's peer; also UDP echo on the same port.
#pragma once
#include <map>
#include <memory>

#include "models/net/lan.h"

namespace lmsim::net {

class EchoService : public TcpAcceptor, public UdpPeer {
 public:
  EchoService(Host& host, std::uint16_t port, Scheduler& sched, Time delay);
  ~EchoService() override;
  TcpPeer* tcp_accept(ConnId id, Endpoint local, Endpoint remote, Time t) override;
  void udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) override;
  std::uint64_t bytes() const { return bytes_; }
  std::size_t connections() const { return conns_.size(); }

 private:
  class Conn;
  Host& host_;
  Scheduler& sched_;
  Time delay_;
  std::map<ConnId, std::unique_ptr<Conn>> conns_;
  std::uint64_t bytes_ = 0;
};

}  // namespace lmsim::net
