#include "models/net/lan.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

namespace lmsim::net {

Ip parse_ip(std::string_view s) {
  Ip ip = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
    if (ec != std::errc() || v > 255 || p == s.data() + i) return 0;
    ip = (ip << 8) | v;
    ++parts;
    i = static_cast<std::size_t>(p - s.data());
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return 0;
      ++i;
    }
  }
  return i == s.size() ? ip : 0;
}

std::string format_ip(Ip ip) {
  if (!ip) return {};
  char b[16];
  std::snprintf(b, sizeof b, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
  return b;
}

bool same_subnet(Ip a, Ip b, Ip mask) {
  return (a & mask) == (b & mask);
}

// ---------------------------------------------------------------------------------------
// Host

void Host::set_address(Ip ip, Ip mask, Ip gw, Ip dns) {
  ip_ = ip;
  mask_ = mask;
  gw_ = gw;
  dns_ = dns;
  if (ip_sig_) ip_sig_->set_text(format_ip(ip));
}

void Host::add_knobs(Registry& reg, const std::string& prefix, Time latency, double loss_pct) {
  up_ = &reg.add_bool(prefix + ".up", true).as_knob().describe("link of " + name_ + " up (false: cable cut, outage)");
  lat_ = &reg.add_number(prefix + ".latency", "s", time_to_seconds(latency))
              .as_knob()
              .describe("one-way latency of " + name_ + "'s link");
  loss_ = &reg.add_number(prefix + ".loss", "%", loss_pct).as_knob().describe("packet loss on " + name_ + "'s link");
}

bool Host::link_up() const {
  if (up_ && !up_->as_bool()) return false;
  return !powered || powered();
}

Time Host::latency() const {
  return (lat_ ? seconds_to_time(lat_->value()) : 0) + extra_latency;
}

double Host::loss() const {
  double l = loss_ ? loss_->value() / 100.0 : 0.0;
  return 1.0 - (1.0 - std::clamp(l, 0.0, 1.0)) * (1.0 - std::clamp(extra_loss, 0.0, 1.0));
}

std::uint16_t Host::ephemeral_port() {
  std::uint16_t p = next_port_++;
  if (next_port_ == 0) next_port_ = 49152;
  return p;
}

ConnId Host::tcp_connect(Endpoint to, TcpPeer* peer, Time t, Time timeout) {
  return lan_.connect(*this, to, peer, t, timeout);
}
std::size_t Host::tcp_send(ConnId c, std::string_view bytes, Time t) {
  return lan_.send(c, bytes, t);
}
void Host::tcp_window_opened(ConnId c, Time t) {
  lan_.window_opened(c, t);
}
void Host::tcp_close(ConnId c, Time t) {
  lan_.close(c, t);
}
void Host::tcp_abort(ConnId c, Time t) {
  lan_.abort(c, t);
}
void Host::udp_send(std::uint16_t from_port, Endpoint to, std::string_view bytes, Time t) {
  lan_.udp_send(*this, from_port, to, bytes, t);
}

// ---------------------------------------------------------------------------------------
// Lan: addressing and paths

Lan::Lan(Site& site, Scheduler& sched) : site_(site), sched_(sched), rng_(site.rng("net.lan")) {}

Host& Lan::add_host(const std::string& name, Segment seg) {
  hosts_.push_back(std::make_unique<Host>(*this, name, seg));
  return *hosts_.back();
}

Host& Lan::add_internet_service(const std::string& name, Ip ip, const std::string& hostname, const std::string& knobs,
                                Time latency) {
  Host& h = add_host(name, Segment::Internet);
  h.set_address(ip, 0, 0, 0);
  h.hostnames = {hostname};
  h.add_knobs(site_.registry(), knobs, latency, 0);
  return h;
}

Host* Lan::find_host(const std::string& name) const {
  for (auto& h : hosts_)
    if (h->name() == name) return h.get();
  return nullptr;
}

Host* Lan::host_by_ip(Segment seg, Ip ip) const {
  if (!ip) return nullptr;
  for (auto& h : hosts_)
    if (h->segment() == seg && h->ip() == ip) return h.get();
  return nullptr;
}

void Lan::add_uplink_knobs(bool up, Time latency, const std::string& blocked) {
  auto& reg = site_.registry();
  inet_up_ = &reg.add_bool("net.internet.up", up).as_knob().describe("internet uplink of the router up");
  inet_lat_ = &reg.add_number("net.internet.latency", "s", time_to_seconds(latency))
                   .as_knob()
                   .describe("one-way latency of the uplink to internet hosts");
  inet_loss_ = &reg.add_number("net.internet.loss", "%", 0).as_knob().describe("packet loss on the uplink");
  blocked_sig_ = &reg.add_string("net.internet.blocked_ports", blocked)
                      .as_knob()
                      .describe("ports the site firewall blocks towards the internet, comma-separated");
  auto parse = [this](Signal& s) {
    blocked_.clear();
    std::stringstream ss(s.text());
    std::string tok;
    while (std::getline(ss, tok, ',')) {
      tok.erase(std::remove(tok.begin(), tok.end(), ' '), tok.end());
      if (tok.empty()) continue;
      unsigned v = 0;
      auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
      if (ec != std::errc() || p != tok.data() + tok.size() || v == 0 || v > 65535) {
        site_.log(LogLevel::Warn, "net.internet", "ignoring bad port '" + tok + "' in net.internet.blocked_ports");
        continue;
      }
      blocked_.push_back(static_cast<std::uint16_t>(v));
    }
  };
  blocked_sig_->on_write = parse;
  parse(*blocked_sig_);
}

bool Lan::port_blocked(std::uint16_t port) const {
  return std::find(blocked_.begin(), blocked_.end(), port) != blocked_.end();
}

Lan::Path Lan::resolve(const Host& src, Ip dst) const {
  if (!src.ip() || !dst) return {};
  if (src.segment() == Segment::Internet) {
    if (Host* h = host_by_ip(Segment::Internet, dst)) return {h, false};
    // Replies towards the site pass the router's NAT.
    if (Host* h = host_by_ip(Segment::Lan, dst); h && h->gateway() == router_ip_) return {h, true};
    return {};
  }
  if (same_subnet(src.ip(), dst, src.mask())) return {host_by_ip(src.segment(), dst), false};
  if (src.segment() == Segment::Lan && router_ip_ && src.gateway() == router_ip_)
    return {host_by_ip(Segment::Internet, dst), true};
  return {};  // a gateway that does not route (a rogue DHCP server's), or the hotspot
}

bool Lan::path_up(const Host& a, Ip aip, const Host& b, Ip bip, bool internet, std::uint16_t service_port) const {
  if (!a.link_up() || !b.link_up() || a.ip() != aip || b.ip() != bip) return false;
  if (internet && (!inet_up_ || !inet_up_->as_bool() || port_blocked(service_port))) return false;
  if (internet) {  // through the router: it must be up too
    Host* r = host_by_ip(Segment::Lan, router_ip_);
    if (r && !r->link_up()) return false;
  }
  return true;
}

Time Lan::path_latency(const Host& a, const Host& b, bool internet) const {
  Time t = a.latency() + b.latency();
  if (internet && inet_lat_) t += seconds_to_time(inet_lat_->value());
  return t;
}

bool Lan::lost(const Host& a, const Host& b, bool internet) {
  double keep = (1.0 - a.loss()) * (1.0 - b.loss());
  if (internet && inet_loss_) keep *= 1.0 - std::clamp(inet_loss_->value() / 100.0, 0.0, 1.0);
  if (keep >= 1.0) return false;  // no draw: loss-free runs do not consume randomness
  return rng_.uniform() >= keep;
}

bool Lan::conn_up(const Conn& c) const {
  return path_up(*c.h[0], c.ip[0], *c.h[1], c.ip[1], c.internet, c.port[1]);
}

// ---------------------------------------------------------------------------------------
// TCP

ConnId Lan::connect(Host& src, Endpoint to, TcpPeer* p, Time t, Time timeout) {
  std::uint32_t n = next_conn_++;
  ConnId id = id_of(n, 0);
  if (!src.ip() || !src.link_up()) {
    sched_.at(t, [p, id, t] { p->tcp_closed(id, TcpError::NoLink, t); });
    return id;
  }
  Path path = resolve(src, to.ip);
  Conn& c = conns_[n];
  c.h[0] = &src;
  c.ip[0] = src.ip();
  c.port[0] = src.ephemeral_port();
  c.peer[0] = p;
  c.epoch[0] = src.epoch();
  c.ip[1] = to.ip;
  c.port[1] = to.port;
  c.h[1] = path.dst;
  c.internet = path.internet;
  c.deadline = t + timeout;
  c.d[0].last_arrival = c.d[1].last_arrival = t;
  sched_.at(t, [this, n] { syn_attempt(n, kSynRto); });
  return id;
}

void Lan::syn_attempt(std::uint32_t n, Time rto) {
  Conn* c = conn(id_of(n, 0));
  if (!c || c->dead[0]) return;
  Time t = Scheduler::now();
  if (t >= c->deadline) {
    notify_closed(n, 0, TcpError::Timeout, t);
    return;
  }
  Host* dst = c->h[1];
  if (dst && conn_up(*c) && !lost(*c->h[0], *dst, c->internet)) {
    Time lat = path_latency(*c->h[0], *dst, c->internet);
    Time arrival = t + lat;
    sched_.at(arrival, [this, n, lat] {
      Conn* c = conn(id_of(n, 0));
      if (!c || c->dead[0]) return;
      Host* dst = c->h[1];
      Time t = Scheduler::now();
      auto it = dst->listeners_.find(c->port[1]);
      TcpPeer* sp = nullptr;
      if (dst->link_up() && dst->ip() == c->ip[1] && it != dst->listeners_.end())
        sp = it->second->tcp_accept(id_of(n, 1), {c->ip[1], c->port[1]}, {c->ip[0], c->port[0]}, t);
      c = conn(id_of(n, 0));  // the acceptor may have touched the table
      if (!c) return;
      if (!sp) {
        sched_.at(t + lat, [this, n] { notify_closed(n, 0, TcpError::Refused, Scheduler::now()); });
        c->dead[1] = true;
        return;
      }
      c->peer[1] = sp;
      c->epoch[1] = dst->epoch();
      c->established = true;
      c->d[0].last_arrival = c->d[1].last_arrival = t + lat;
      sched_.at(t + lat, [this, n] {
        Conn* c = conn(id_of(n, 0));
        if (c && !c->dead[0] && c->peer[0]) c->peer[0]->tcp_connected(id_of(n, 0), Scheduler::now());
      });
    });
    return;
  }
  Time next = std::min(t + rto, c->deadline);
  sched_.at(next, [this, n, rto] { syn_attempt(n, rto * 2); });
}

std::size_t Lan::send(ConnId id, std::string_view bytes, Time t) {
  Conn* c = conn(id);
  int s = static_cast<int>(id & 1);
  if (!c || c->dead[s] || !c->established || c->d[s].fin) return 0;
  c->d[s].backlog.append(bytes);
  pump(id >> 1, s, t);
  return bytes.size();
}

void Lan::pump(std::uint32_t n, int s, Time t) {
  Conn* c = conn(id_of(n, s));
  if (!c || c->dead[s]) return;
  Dir& d = c->d[s];
  if (d.backlog.empty()) return;
  int r = 1 - s;
  std::size_t win = (c->peer[r] && !c->dead[r]) ? c->peer[r]->tcp_rx_window(id_of(n, r)) : SIZE_MAX;
  std::size_t avail = win > d.in_flight ? win - d.in_flight : 0;
  std::size_t k = std::min(d.backlog.size(), avail);
  if (k == 0) return;  // the receiver's window is full: wait for its update
  d.pending.append(d.backlog, 0, k);
  d.backlog.erase(0, k);
  d.in_flight += k;
  kick(n, s, t);
}

void Lan::kick(std::uint32_t n, int s, Time t) {
  Conn* c = conn(id_of(n, s));
  if (!c || c->d[s].attempt) return;
  c->d[s].attempt = true;
  sched_.at(t, [this, n, s] { attempt(n, s); });
}

void Lan::attempt(std::uint32_t n, int s) {
  Conn* c = conn(id_of(n, s));
  if (!c) return;
  Dir& d = c->d[s];
  d.attempt = false;
  if (c->dead[s]) return;
  bool have_fin = d.fin && !d.fin_sent && d.backlog.empty();
  if (d.pending.empty() && !have_fin) return;
  Time t = Scheduler::now();
  int r = 1 - s;
  if (conn_up(*c) && !lost(*c->h[s], *c->h[r], c->internet)) {
    Time arrival = std::max(t + path_latency(*c->h[s], *c->h[r], c->internet), d.last_arrival);
    d.last_arrival = arrival;
    d.tries = 0;
    d.rto = kDataRto;
    if (have_fin) d.fin_sent = true;
    std::string data = std::move(d.pending);
    d.pending.clear();
    sched_.at(arrival, [this, n, s, data = std::move(data), have_fin]() mutable {
      deliver(n, s, std::move(data), have_fin, Scheduler::now());
    });
    return;
  }
  if (++d.tries > kDataRetries) {
    // The sender gives up; the receiver never hears of it (half-open on its side).
    notify_closed(n, s, TcpError::RetryTimeout, t);
    return;
  }
  d.attempt = true;
  Time rto = d.rto;
  d.rto *= 2;
  sched_.at(t + rto, [this, n, s] { attempt(n, s); });
}

void Lan::deliver(std::uint32_t n, int s, std::string data, bool fin, Time t) {
  Conn* c = conn(id_of(n, s));
  if (!c) return;
  int r = 1 - s;
  Time lat = path_latency(*c->h[s], *c->h[r], c->internet);
  if (c->dead[r] || c->h[r]->epoch() != c->epoch[r]) {
    // The receiver no longer knows this connection: it answers with RST.
    c->dead[r] = true;
    c->peer[r] = nullptr;
    sched_.at(t + lat, [this, n, s] { notify_closed(n, s, TcpError::Reset, Scheduler::now()); });
    return;
  }
  std::size_t len = data.size();
  if (len) {
    delivered_ += len;
    c->peer[r]->tcp_data(id_of(n, r), data, t);
    sched_.at(t + lat, [this, n, s, len] {
      Conn* c = conn(id_of(n, s));
      if (!c) return;
      c->d[s].in_flight -= std::min(len, c->d[s].in_flight);
      Time now = Scheduler::now();
      if (!c->dead[s] && c->peer[s]) c->peer[s]->tcp_acked(id_of(n, s), len, now);
      pump(n, s, now);
    });
  }
  if (fin) {
    c = conn(id_of(n, s));
    if (!c || c->dead[r]) return;
    // Orderly close: the receiver is told now and answers with its own FIN (a passive
    // close; data it still had queued is dropped), which completes the sender's close.
    TcpPeer* p = c->peer[r];
    c->dead[r] = true;
    c->peer[r] = nullptr;
    c->d[r].pending.clear();
    Time back = std::max(t + lat, c->d[r].last_arrival);
    sched_.at(back, [this, n, s] { notify_closed(n, s, TcpError::None, Scheduler::now()); });
    if (p) p->tcp_closed(id_of(n, r), TcpError::None, t);
  }
}

void Lan::close(ConnId id, Time t) {
  Conn* c = conn(id);
  int s = static_cast<int>(id & 1);
  if (!c || c->dead[s] || c->d[s].fin) return;
  if (!c->established) {  // still connecting: nothing to tell the other side
    c->dead[s] = true;
    c->peer[s] = nullptr;
    maybe_erase(id >> 1);
    return;
  }
  c->d[s].fin = true;
  kick(id >> 1, s, t);
}

void Lan::abort(ConnId id, Time t) {
  Conn* c = conn(id);
  int s = static_cast<int>(id & 1);
  if (!c || c->dead[s]) return;
  std::uint32_t n = id >> 1;
  c->dead[s] = true;
  c->peer[s] = nullptr;
  int r = 1 - s;
  if (c->established && !c->dead[r] && c->h[r] && conn_up(*c)) {
    Time lat = path_latency(*c->h[s], *c->h[r], c->internet);
    sched_.at(t + lat, [this, n, r] { notify_closed(n, r, TcpError::Reset, Scheduler::now()); });
    return;
  }
  maybe_erase(n);
}

void Lan::window_opened(ConnId id, Time t) {
  Conn* c = conn(id);
  int s = static_cast<int>(id & 1);
  if (!c || c->dead[s] || !c->established) return;
  int r = 1 - s;
  if (c->dead[r] || !c->peer[r]) return;
  std::uint32_t n = id >> 1;
  Time lat = path_latency(*c->h[s], *c->h[r], c->internet);
  sched_.at(t + lat, [this, n, r] {
    Conn* c = conn(id_of(n, r));
    Time now = Scheduler::now();
    if (c && !c->dead[r] && c->peer[r]) c->peer[r]->tcp_acked(id_of(n, r), 0, now);
    pump(n, r, now);
  });
}

void Lan::notify_closed(std::uint32_t n, int side, TcpError why, Time t) {
  Conn* c = conn(id_of(n, side));
  if (!c || c->dead[side]) return;
  TcpPeer* p = c->peer[side];
  c->dead[side] = true;
  c->peer[side] = nullptr;
  if (why == TcpError::Reset || why == TcpError::Refused) c->dead[1 - side] = true;
  if (p) p->tcp_closed(id_of(n, side), why, t);
  maybe_erase(n);
}

void Lan::maybe_erase(std::uint32_t n) {
  auto it = conns_.find(n);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  // Scheduled actions look the connection up by number and return when it is gone.
  if (c.dead[0] && (c.dead[1] || !c.established)) conns_.erase(it);
}

void Lan::host_reset(Ip ip, Time t) {
  Host* h = ip ? host_by_ip(Segment::Lan, ip) : nullptr;
  if (!h) return;
  std::vector<std::pair<std::uint32_t, int>> peers;  // (connection, the peer's side)
  for (auto& [n, c] : conns_)
    for (int s = 0; s < 2; ++s)
      if (c.h[s] == h && c.established && !c.dead[1 - s] && c.h[1 - s]) peers.emplace_back(n, 1 - s);
  std::sort(peers.begin(), peers.end());  // deterministic order (unordered_map)
  for (auto [n, r] : peers) {
    const Conn& c = conns_.at(n);
    sched_.at(t + path_latency(*c.h[1 - r], *c.h[r], c.internet),
              [this, n, r] { notify_closed(n, r, TcpError::Reset, Scheduler::now()); });
  }
  forget(*h, t);
}

void Lan::forget(Host& h, Time t) {
  ++h.epoch_;
  std::vector<std::uint32_t> ids;
  for (auto& [n, c] : conns_)
    for (int s = 0; s < 2; ++s)
      if (c.h[s] == &h) {
        c.dead[s] = true;
        c.peer[s] = nullptr;
        ids.push_back(n);
      }
  for (auto n : ids) maybe_erase(n);
}

void Lan::drop_local(Host& h, TcpError why, Time t) {
  std::vector<std::pair<std::uint32_t, int>> ends;
  for (auto& [n, c] : conns_)
    for (int s = 0; s < 2; ++s)
      if (c.h[s] == &h && !c.dead[s]) ends.emplace_back(n, s);
  std::sort(ends.begin(), ends.end());  // deterministic order (unordered_map)
  for (auto [n, s] : ends) {
    Conn* c = conn(id_of(n, s));
    if (!c || c->dead[s]) continue;
    TcpPeer* p = c->peer[s];
    c->dead[s] = true;
    c->peer[s] = nullptr;
    if (p) p->tcp_closed(id_of(n, s), why, t);
    maybe_erase(n);
  }
}

// ---------------------------------------------------------------------------------------
// UDP

void Lan::udp_send(Host& src, std::uint16_t from_port, Endpoint to, std::string_view bytes, Time t) {
  Path path = resolve(src, to.ip);
  if (!path.dst) return;
  Host* dst = path.dst;
  Ip sip = src.ip();
  std::uint16_t service_port = src.segment() == Segment::Internet ? from_port : to.port;
  sched_.at(t, [this, &src, dst, sip, from_port, to, service_port, path, data = std::string(bytes)] {
    if (!path_up(src, sip, *dst, to.ip, path.internet, service_port) || lost(src, *dst, path.internet)) return;
    Time arrival = Scheduler::now() + path_latency(src, *dst, path.internet);
    sched_.at(arrival, [dst, sip, from_port, to, data] {
      if (!dst->link_up() || dst->ip() != to.ip) return;
      auto it = dst->udp_.find(to.port);
      if (it != dst->udp_.end()) it->second->udp_datagram({sip, from_port}, to.port, data, Scheduler::now());
    });
  });
}

}  // namespace lmsim::net
