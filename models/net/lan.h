// The site network fabric: hosts (IP:port endpoints) on segments (the site LAN, the device's
// hotspot, the internet behind the router's uplink), each attached by a link with latency,
// loss and an up/down knob; TCP and UDP between them in simulated time.
//
// TCP is modelled per connection, not per packet: each direction is a byte stream that leaves
// in one transmission attempt when the path is up and the loss draw passes, otherwise it is
// retransmitted with exponential backoff (SYN: 1 s doubling until the connect timeout; data:
// 200 ms doubling, 7 retries, then RetryTimeout for the sender only). A host that reboots
// forgets its connections; whatever reaches it afterwards is answered with RST. A peer that
// vanishes silently leaves the other side half-open until that side sends or times out itself.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/net/netif.h"
#include "models/net/scheduler.h"
#include "sim/rng.h"
#include "sim/site.h"

namespace lmsim::net {

enum class Segment : std::uint8_t { Lan, Hotspot, Internet };

class Lan;

// One addressable machine. Implements Transport for the services running on it.
class Host : public Transport {
 public:
  Host(Lan& lan, std::string name, Segment seg) : lan_(lan), name_(std::move(name)), seg_(seg) {}
  const std::string& name() const { return name_; }
  Segment segment() const { return seg_; }
  void set_segment(Segment s) { seg_ = s; }
  Ip ip() const { return ip_; }
  Ip mask() const { return mask_; }
  Ip gateway() const { return gw_; }
  Ip dns() const { return dns_; }
  // Changes the address (0 = none); mirrored to the string signal if one is attached.
  void set_address(Ip ip, Ip mask, Ip gw, Ip dns = 0);
  void attach_ip_signal(Signal* s) { ip_sig_ = s; }
  // Knobs `<prefix>.up`, `.latency`, `.loss` (prefix e.g. "net.host.nas").
  void add_knobs(Registry& reg, const std::string& prefix, Time latency, double loss_pct);
  // An extra condition for being reachable (a station's power, the device's radio).
  std::function<bool()> powered;
  Time extra_latency = 0;  // the Wi-Fi hop
  double extra_loss = 0;   // probability 0..1

  bool link_up() const;
  Time latency() const;
  double loss() const;
  std::uint32_t epoch() const { return epoch_; }
  std::uint16_t ephemeral_port();
  std::vector<std::string> hostnames;  // names the router's DNS answers with this host's address

  // Transport
  ConnId tcp_connect(Endpoint to, TcpPeer* peer, Time t, Time timeout) override;
  std::size_t tcp_send(ConnId c, std::string_view bytes, Time t) override;
  void tcp_window_opened(ConnId c, Time t) override;
  void tcp_close(ConnId c, Time t) override;
  void tcp_abort(ConnId c, Time t) override;
  void tcp_listen(std::uint16_t port, TcpAcceptor* a) override { listeners_[port] = a; }
  void tcp_unlisten(std::uint16_t port) override { listeners_.erase(port); }
  void udp_bind(std::uint16_t port, UdpPeer* p) override { udp_[port] = p; }
  void udp_unbind(std::uint16_t port) override { udp_.erase(port); }
  void udp_send(std::uint16_t from_port, Endpoint to, std::string_view bytes, Time t) override;

 private:
  friend class Lan;
  friend class DeviceLink;
  Lan& lan_;
  std::string name_;
  Segment seg_;
  Ip ip_ = 0, mask_ = 0, gw_ = 0, dns_ = 0;
  Signal* ip_sig_ = nullptr;
  Signal* up_ = nullptr;
  Signal* lat_ = nullptr;
  Signal* loss_ = nullptr;
  std::uint32_t epoch_ = 0;
  std::uint16_t next_port_ = 49152;
  std::map<std::uint16_t, TcpAcceptor*> listeners_;
  std::map<std::uint16_t, UdpPeer*> udp_;
};

class Lan {
 public:
  static constexpr Time kSynRto = 1 * kSec;
  static constexpr Time kDataRto = 200 * kMs;
  static constexpr int kDataRetries = 7;

  Lan(Site& site, Scheduler& sched);
  Scheduler& sched() { return sched_; }
  Site& site() { return site_; }

  Host& add_host(const std::string& name, Segment seg);
  // A server on the internet at `ip`, known to DNS as `hostname`, with the knobs
  // `<knobs>.up/.latency/.loss` (cloud, NTP, api.zaptec.com).
  Host& add_internet_service(const std::string& name, Ip ip, const std::string& hostname, const std::string& knobs,
                             Time latency);
  Host* find_host(const std::string& name) const;
  Host* host_by_ip(Segment seg, Ip ip) const;
  const std::vector<std::unique_ptr<Host>>& hosts() const { return hosts_; }

  // The router: its LAN address is the gateway that leads to the internet.
  void set_router_ip(Ip ip) { router_ip_ = ip; }
  Ip router_ip() const { return router_ip_; }
  // Uplink knobs: net.internet.up, .latency, .loss, .blocked_ports ("8883,123").
  void add_uplink_knobs(bool up, Time latency, const std::string& blocked);
  bool internet_up() const { return inet_up_->as_bool(); }
  bool port_blocked(std::uint16_t port) const;

  // A host rebooted or lost power: its side of every connection is forgotten silently.
  void forget(Host& h, Time t);
  // The LAN host at `ip` was reset (its network chip): forgotten like forget(), and every peer
  // still holding a connection to it gets a reset after the path latency (issue 16: a station
  // that kept a rebooted controller's only slot refused it for ever).
  void host_reset(Ip ip, Time t);
  // The host lost its address: local ends are told `why` now, remote ends are not.
  void drop_local(Host& h, TcpError why, Time t);

  std::size_t open_connections() const { return conns_.size(); }
  std::uint64_t delivered_bytes() const { return delivered_; }

 private:
  friend class Host;
  struct Dir {
    std::string backlog;  // beyond the receiver's window
    std::string pending;  // in transmission
    bool fin = false, fin_sent = false;
    bool attempt = false;
    int tries = 0;
    Time rto = kDataRto;
    Time last_arrival = 0;
    std::size_t in_flight = 0;
  };
  struct Conn {
    Host* h[2] = {nullptr, nullptr};
    Ip ip[2] = {0, 0};
    std::uint16_t port[2] = {0, 0};
    TcpPeer* peer[2] = {nullptr, nullptr};
    std::uint32_t epoch[2] = {0, 0};
    bool dead[2] = {false, false};
    bool established = false;
    bool internet = false;
    Time deadline = 0;
    Dir d[2];
  };
  struct Path {
    Host* dst = nullptr;
    bool internet = false;
  };
  static ConnId id_of(std::uint32_t n, int side) { return (n << 1) | static_cast<ConnId>(side); }
  Conn* conn(ConnId id) {
    auto it = conns_.find(id >> 1);
    return it == conns_.end() ? nullptr : &it->second;
  }

  Path resolve(const Host& src, Ip dst) const;
  bool path_up(const Host& a, Ip aip, const Host& b, Ip bip, bool internet, std::uint16_t service_port) const;
  Time path_latency(const Host& a, const Host& b, bool internet) const;
  bool lost(const Host& a, const Host& b, bool internet);
  bool conn_up(const Conn& c) const;

  ConnId connect(Host& src, Endpoint to, TcpPeer* p, Time t, Time timeout);
  void syn_attempt(std::uint32_t n, Time rto);
  std::size_t send(ConnId id, std::string_view bytes, Time t);
  void pump(std::uint32_t n, int s, Time t);
  void kick(std::uint32_t n, int s, Time t);
  void attempt(std::uint32_t n, int s);
  void deliver(std::uint32_t n, int s, std::string data, bool fin, Time t);
  void close(ConnId id, Time t);
  void abort(ConnId id, Time t);
  void window_opened(ConnId id, Time t);
  void notify_closed(std::uint32_t n, int side, TcpError why, Time t);
  void maybe_erase(std::uint32_t n);
  void udp_send(Host& src, std::uint16_t from_port, Endpoint to, std::string_view bytes, Time t);

  Site& site_;
  Scheduler& sched_;
  Rng rng_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::unordered_map<std::uint32_t, Conn> conns_;
  std::uint32_t next_conn_ = 1;
  Ip router_ip_ = 0;
  Signal* inet_up_ = nullptr;
  Signal* inet_lat_ = nullptr;
  Signal* inet_loss_ = nullptr;
  Signal* blocked_sig_ = nullptr;
  std::vector<std::uint16_t> blocked_;
  std::uint64_t delivered_ = 0;
};

bool same_subnet(Ip a, Ip b, Ip mask);

}  // namespace lmsim::net
