#include "models/net/router.h"

#include <charconv>

namespace lmsim::net {

bool parse_dns(std::string_view msg, char& kind, unsigned& id, std::string& arg) {
  if (msg.size() < 5 || (msg[0] != 'Q' && msg[0] != 'A') || msg[1] != ' ') return false;
  kind = msg[0];
  auto sp = msg.find(' ', 2);
  if (sp == std::string_view::npos) return false;
  auto [p, ec] = std::from_chars(msg.data() + 2, msg.data() + sp, id);
  if (ec != std::errc() || p != msg.data() + sp) return false;
  arg = std::string(msg.substr(sp + 1));
  return !arg.empty();
}

Router::Router(Lan& lan, Config cfg) : lan_(lan), cfg_(std::move(cfg)) {
  host_ = &lan.add_host("router", Segment::Lan);
  host_->set_address(cfg_.ip, cfg_.mask, 0, cfg_.ip);
  host_->add_knobs(lan.site().registry(), "net.router", 200 * kUs, 0);
  host_->udp_bind(53, this);
  lan.set_router_ip(cfg_.ip);
  leases_sig_ = &lan.site().registry().add_number("net.router.leases", "", 0).describe("DHCP leases handed out");
}

bool Router::taken(Ip ip, const std::string& except) const {
  for (auto& [c, a] : leases_)
    if (a == ip && c != except) return true;
  for (auto& [c, a] : cfg_.reservations)
    if (a == ip && c != except) return true;
  // Hosts with fixed addresses on the LAN (static stations, the router itself).
  Host* h = lan_.host_by_ip(Segment::Lan, ip);
  return h && !leases_.count(h->name()) && h->name() != except;
}

Ip Router::lease(const std::string& client, bool fresh) {
  if (auto r = cfg_.reservations.find(client); r != cfg_.reservations.end()) {
    leases_[client] = r->second;
    leases_sig_->set(static_cast<double>(leases_.size()));
    return r->second;
  }
  auto cur = leases_.find(client);
  if (cur != leases_.end() && (!fresh || cfg_.sticky)) return cur->second;
  if (cur != leases_.end()) leases_.erase(cur);
  // Next free address after the last one handed out, wrapping around the pool.
  const std::uint32_t n = cfg_.pool_hi - cfg_.pool_lo + 1;
  Ip start = last_ ? last_ : cfg_.pool_hi;
  for (std::uint32_t i = 1; i <= n; ++i) {
    Ip cand = cfg_.pool_lo + (start - cfg_.pool_lo + i) % n;
    if (!taken(cand, client)) {
      last_ = cand;
      leases_[client] = cand;
      leases_sig_->set(static_cast<double>(leases_.size()));
      return cand;
    }
  }
  return 0;
}

void Router::adopt(const std::string& client, Ip ip) {
  leases_[client] = ip;
  leases_sig_->set(static_cast<double>(leases_.size()));
}

Ip Router::reserve(const std::string& client, Ip ip) {
  return cfg_.reservations.emplace(client, ip).first->second;
}

Ip Router::reservation(const std::string& client) const {
  auto it = cfg_.reservations.find(client);
  return it == cfg_.reservations.end() ? 0 : it->second;
}

void Router::release(const std::string& client) {
  leases_.erase(client);
  leases_sig_->set(static_cast<double>(leases_.size()));
}

long long Router::resolve(const std::string& name) const {
  for (auto& h : lan_.hosts())
    for (auto& n : h->hostnames)
      if (n == name) {
        if (h->segment() == Segment::Internet)
          return (lan_.internet_up() && !lan_.port_blocked(53)) ? static_cast<long long>(h->ip()) : -1LL;
        if (h->segment() == Segment::Lan) return static_cast<long long>(h->ip());
      }
  // Unknown names: NXDOMAIN from upstream if reachable, else silence.
  return (lan_.internet_up() && !lan_.port_blocked(53)) ? 0LL : -1LL;
}

void Router::udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) {
  char kind;
  unsigned id;
  std::string name;
  if (!parse_dns(bytes, kind, id, name) || kind != 'Q') return;
  long long r = resolve(name);
  if (r < 0) return;  // upstream unreachable: the client times out
  bool upstream = false;
  for (auto& h : lan_.hosts())
    for (auto& n : h->hostnames)
      if (n == name && h->segment() == Segment::Internet) upstream = true;
  Time delay = cfg_.dns_delay;
  if (upstream || r == 0) delay += 2 * seconds_to_time(lan_.site().registry().at("net.internet.latency").value());
  std::string ans = "A " + std::to_string(id) + " " + (r ? format_ip(static_cast<Ip>(r)) : std::string("0"));
  lan_.sched().at(t + delay, [this, from, ans] { host_->udp_send(53, from, ans, Scheduler::now()); });
}

RogueServer::RogueServer(Lan& lan, Ip ip, Ip pool_start, bool active) : lan_(lan), ip_(ip), next_(pool_start) {
  host_ = &lan.add_host("rogue", Segment::Lan);
  host_->set_address(ip, 0xFFFFFF00, ip, ip);
  host_->add_knobs(lan.site().registry(), "net.rogue", 200 * kUs, 0);
  host_->udp_bind(53, this);
  active_ = &lan.site()
                 .registry()
                 .add_bool("net.rogue.active", active)
                 .as_knob()
                 .describe("a station's own DHCP/DNS server answers on the LAN");
}

Ip RogueServer::lease(const std::string& client) {
  auto it = leases_.find(client);
  if (it != leases_.end()) return it->second;
  return leases_[client] = next_++;
}

void RogueServer::udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) {
  char kind;
  unsigned id;
  std::string name;
  if (!active() || !parse_dns(bytes, kind, id, name) || kind != 'Q') return;
  host_->udp_send(53, from, "A " + std::to_string(id) + " " + format_ip(ip_), t + 1 * kMs);
}

}  // namespace lmsim::net
