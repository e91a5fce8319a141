#include "models/net/echo_service.h"

namespace lmsim::net {

class EchoService::Conn : public TcpPeer {
 public:
  Conn(EchoService& s, ConnId id) : s_(s), id_(id) {}
  void tcp_data(ConnId, std::string_view bytes, Time t) override {
    s_.bytes_ += bytes.size();
    if (s_.delay_ == 0) {
      s_.host_.tcp_send(id_, bytes, t);
      return;
    }
    s_.sched_.at(t + s_.delay_, [srv = &s_, id = id_, data = std::string(bytes)] {
      if (srv->conns_.count(id)) srv->host_.tcp_send(id, data, Scheduler::now());
    });
  }
  void tcp_closed(ConnId, TcpError why, Time t) override {
    if (why == TcpError::None) s_.host_.tcp_close(id_, t);
    s_.conns_.erase(id_);  // deletes this
  }

 private:
  EchoService& s_;
  ConnId id_;
};

EchoService::EchoService(Host& host, std::uint16_t port, Scheduler& sched, Time delay)
    : host_(host), sched_(sched), delay_(delay) {
  host.tcp_listen(port, this);
  host.udp_bind(port, this);
}

EchoService::~EchoService() = default;

TcpPeer* EchoService::tcp_accept(ConnId id, Endpoint, Endpoint, Time) {
  auto c = std::make_unique<Conn>(*this, id);
  TcpPeer* p = c.get();
  conns_[id] = std::move(c);
  return p;
}

void EchoService::udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) {
  bytes_ += bytes.size();
  host_.udp_send(port, from, bytes, t + delay_);
}

}  // namespace lmsim::net
