// The site router: the LAN's gateway to the internet uplink, its DHCP server (pool, leases,
// reservations) and its DNS server (local host names, and internet names when the uplink
// and port 53 are open).
//
// DHCP policy: a client that renews keeps its address. A client that lost its memory (power
// cycle, `fresh`) gets its reservation, or with policy `next` (default) the next free pool
// address after the last one handed out, so an unreserved station moves after a power cycle;
// with policy `sticky` the router remembers the client's previous lease instead.
//
// DNS on UDP 53 uses a one-line text message instead of the DNS wire format (deviation,
// docs/network.md): query "Q <id> <name>", answer "A <id> <a.b.c.d>" or "A <id> 0".
#pragma once
#include <map>
#include <string>

#include "models/net/lan.h"

namespace lmsim::net {

class Router : public UdpPeer {
 public:
  struct Config {
    Ip ip = 0xC0A80101;                             // 192.168.1.1
    Ip mask = 0xFFFFFF00;                           // /24
    Ip pool_lo = 0xC0A80164, pool_hi = 0xC0A801C7;  // .100 - .199
    std::map<std::string, Ip> reservations;         // client (station name, MAC) -> address
    bool sticky = false;
    Time dns_delay = 1 * kMs;  // the router's own turnaround
  };

  Router(Lan& lan, Config cfg);
  Host& host() { return *host_; }
  Ip ip() const { return cfg_.ip; }
  Ip mask() const { return cfg_.mask; }
  // 0 when the pool is exhausted.
  Ip lease(const std::string& client, bool fresh);
  void release(const std::string& client);
  // A client that holds `ip` from before time 0 (a station's configured address).
  void adopt(const std::string& client, Ip ip);
  // Adds a reservation unless the scenario's router already has one for the client; returns
  // the client's reserved address.
  Ip reserve(const std::string& client, Ip ip);
  Ip reservation(const std::string& client) const;  // 0: none
  const std::map<std::string, Ip>& leases() const { return leases_; }
  bool in_pool(Ip ip) const { return ip >= cfg_.pool_lo && ip <= cfg_.pool_hi; }
  // Resolves for the LAN: local names now; internet names need the uplink (-1 = no answer).
  long long resolve(const std::string& name) const;

  void udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) override;

 private:
  bool taken(Ip ip, const std::string& except) const;
  Lan& lan_;
  Config cfg_;
  Host* host_;
  std::map<std::string, Ip> leases_;
  Ip last_ = 0;
  Signal* leases_sig_;
};

// A device on the LAN that runs its own DHCP and DNS server (the manual's "stations with their
// own DNS/DHCP server"). When `net.rogue.active` is on it answers DHCP before the router with
// its own subnet and itself as gateway and DNS, and its DNS answers every name with itself.
class RogueServer : public UdpPeer {
 public:
  RogueServer(Lan& lan, Ip ip, Ip pool_start, bool active);
  bool active() const { return active_->as_bool(); }
  Host& host() { return *host_; }
  Ip lease(const std::string& client);
  Ip ip() const { return ip_; }
  void udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) override;

 private:
  Lan& lan_;
  Ip ip_, next_;
  Host* host_;
  Signal* active_;
  std::map<std::string, Ip> leases_;
};

// Parses "Q <id> <name>" / "A <id> <ip>"; false if malformed.
bool parse_dns(std::string_view msg, char& kind, unsigned& id, std::string& arg);

}  // namespace lmsim::net
