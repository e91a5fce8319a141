#include "models/net/station_link.h"

#include "models/evse/modbus_endpoint.h"
#include "models/evse/station_core.h"

namespace lmsim::net {

class StationLink::Conn : public TcpPeer {
 public:
  Conn(StationLink& s, ConnId id, int station_conn) : s_(s), id_(id), sc_(station_conn) {}
  void tcp_data(ConnId, std::string_view bytes, Time t) override {
    buf_.append(bytes);
    // MBAP: transaction(2) protocol(2) length(2) unit(1) + PDU; length counts unit + PDU.
    while (buf_.size() >= 7) {
      std::size_t len = (static_cast<std::uint8_t>(buf_[4]) << 8) | static_cast<std::uint8_t>(buf_[5]);
      if (len < 2 || len > 254) {  // not Modbus: the station drops the connection
        s_.host_->tcp_abort(id_, t);
        return close_self();
      }
      if (buf_.size() < 6 + len) return;
      std::string adu = buf_.substr(0, 6 + len);
      buf_.erase(0, 6 + len);
      ++s_.frames_;
      if (!s_.ep_.connection_alive(sc_)) {  // the station dropped this socket (fail-safe, restart)
        s_.host_->tcp_abort(id_, t);
        return close_self();
      }
      auto reply = s_.ep_.handle(reinterpret_cast<const std::uint8_t*>(adu.data()), adu.size(), t, sc_);
      if (reply.empty()) continue;  // silence
      std::string out(reinterpret_cast<const char*>(reply.data()), reply.size());
      s_.lan_.sched().at(t + s_.response_, [srv = &s_, id = id_, out = std::move(out)] {
        if (srv->conns_.count(id)) srv->host_->tcp_send(id, out, Scheduler::now());
      });
    }
  }
  void tcp_closed(ConnId, TcpError, Time) override { close_self(); }

 private:
  void close_self() {
    s_.ep_.close_connection(sc_);
    s_.conns_.erase(id_);  // deletes this
  }
  StationLink& s_;
  ConnId id_;
  int sc_;
  std::string buf_;
};

StationLink::StationLink(Lan& lan, Router& router, evse::StationCore& core, evse::ModbusEndpoint& ep,
                         Time response_time)
    : lan_(lan), router_(router), name_(core.station_name()), ep_(ep), response_(response_time) {
  auto& reg = lan.site().registry();
  host_ = &lan.add_host("station." + name_, Segment::Lan);
  host_->add_knobs(reg, "net.station." + name_, 300 * kUs, 0);
  host_->hostnames = {name_, name_ + ".lan"};
  ip_ = &reg.at("station." + name_ + ".ip");
  online_ = &reg.at("station." + name_ + ".online");
  host_->powered = [this] { return online_->as_bool(); };
  // The router is the authority for DHCP stations' addresses.
  const evse::Dhcp mode = core.config().dhcp;
  Ip configured = parse_ip(ip_->text());
  if (mode != evse::Dhcp::Static && configured) {
    dhcp_ = true;
    Ip r = router_.reservation(name_);
    if (!r && mode == evse::Dhcp::Reserved) r = router_.reserve(name_, configured);
    Ip a = r ? r : configured;  // a dynamic station holds its configured address as a lease
    router_.adopt(name_, a);
    leased_ = a;
    if (a != configured) ip_->set_text(format_ip(a));
  }
  Ip gw = lan.router_ip();
  host_->set_address(parse_ip(ip_->text()), 0xFFFFFF00, gw, gw);
  // A dynamic station asks the router for a lease when it powers up again.
  if (dhcp_) core.dhcp_lease = [this](Time) { return dhcp_after_power_cycle(); };
  ip_->add_listener(this);
  online_->add_listener(this);
  host_->tcp_listen(static_cast<std::uint16_t>(core.port()), this);
}

std::string StationLink::dhcp_after_power_cycle() {
  Ip ip = router_.lease(name_, true);
  if (!ip) {
    lan_.site().log(LogLevel::Warn, "net.station." + name_, "DHCP: the router's pool is exhausted");
    return {};
  }
  if (ip != leased_)
    lan_.site().log(LogLevel::Info, "net.station." + name_,
                    "DHCP: lease " + format_ip(ip) + " from the router (was " + format_ip(leased_) + ")");
  leased_ = ip;
  return format_ip(ip);
}

void StationLink::on_change(const Signal& s, Time t) {
  if (&s == ip_) {
    Ip ip = parse_ip(ip_->text());
    if (!ip && !ip_->text().empty())
      lan_.site().log(LogLevel::Warn, "net.station." + name_, "unparsable address '" + ip_->text() + "'");
    host_->set_address(ip, host_->mask(), host_->gateway(), host_->dns());
  } else if (&s == online_ && !online_->as_bool()) {
    // Power off: the station's TCP stack is gone, without a word to its peers.
    lan_.forget(*host_, t);
    conns_.clear();
  }
}

StationLink::~StationLink() = default;

TcpPeer* StationLink::tcp_accept(ConnId id, Endpoint, Endpoint, Time t) {
  int sc = ep_.open_connection(t);
  if (sc < 0) return nullptr;  // booting, one-client vendor busy, locked out: RST
  auto c = std::make_unique<Conn>(*this, id, sc);
  TcpPeer* p = c.get();
  conns_[id] = std::move(c);
  return p;
}

}  // namespace lmsim::net
