// The device's one DNS client. The NETC runs one DNS query at a time (docs/mcu-netc.md, CMD
// DNS), so every task that needs a name (cloud MQTT host, Zaptec API host, NTP server) asks
// here and never calls Link::dns_start itself. Queries of several clients are queued and run
// one after the other; answers are cached.
//
// How to get at it: the Controller owns the one instance, `Controller::resolver()`
// (app/controller.h); pass `controller.resolver()` (a `net::Resolver&`) to your task's
// constructor or configure(). Call lookup() from a timer or poller of yours:
//
//   std::uint32_t ip;
//   switch (resolver_.lookup("mqtt.clemap.com", &ip, now_ms)) {
//     case 1: connect to ip; break;        // resolved (cached for kTtlMs)
//     case 0: try again on a later pass;   // queued or in flight (the loop wakes on DNS_DONE)
//     case -1: back off, try again later;  // failed, no IP yet, or inside the failure back-off
//   }
//
// Calling lookup() on every pass is fine: a failed name is not queried again before its
// back-off (kRetryMinMs doubling to kRetryMaxMs) has passed; until then lookup() returns -1 at
// once. forget(name) drops a cached answer (NET-05: re-resolve after 10 min without cloud).
// Log lines: `lmc: net dns-resolved name=... ip=...`, `lmc: net dns-failed name=... retry_ms=...`
// (docs/firmware.md).
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/core/log.h"
#include "app/ports.h"

namespace lmc::net {

class Resolver {
 public:
  static constexpr int kSlots = 6;                        // distinct names cached at once
  static constexpr std::size_t kMaxName = 127;            // the NETC's limit
  static constexpr std::uint32_t kTtlMs = 3600000;        // no TTL from the NETC: re-resolve hourly
  static constexpr std::uint32_t kQueryTimeoutMs = 8000;  // the NETC gives up after 5 s
  static constexpr std::uint32_t kRetryMinMs = 2000, kRetryMaxMs = 60000;

  Resolver(Link& link, Log& log) : link_(link), log_(log) {}

  // 1: resolved (*ip set); 0: pending; -1: failed (see above). name: 1..kMaxName characters.
  int lookup(const char* name, std::uint32_t* ip, std::uint64_t now_ms);
  // Moves the query in flight along (lookup() does too); the controller calls it on link events.
  void poll(std::uint64_t now_ms);
  // Drops the cached answer of name (the next lookup queries again).
  void forget(const char* name);
  // The network manager: whether the device has an address. Offline: every lookup fails at
  // once and nothing is queried; any change (a new network) drops the cache and the back-offs.
  void set_online(bool online);
  // The network manager is about to issue a global NETC command (join, hotspot, addressing),
  // which overwrites CMD_STATUS: the query in flight is lost and is queued again.
  void command_issued();
  bool busy() const { return inflight_ >= 0; }
  std::uint32_t queries() const { return queries_; }

 private:
  enum class St : std::uint8_t { Free, Queued, InFlight, Resolved, Failed };
  struct Slot {
    char name[kMaxName + 1] = {};
    St st = St::Free;
    std::uint32_t ip = 0;
    std::uint64_t until = 0;      // Resolved: expiry; Failed: end of the back-off
    std::uint64_t started = 0;    // InFlight: when
    std::uint64_t used = 0;       // last lookup (the least recently used slot is reused)
    std::uint64_t queued_at = 0;  // Queued: order of service
    std::uint32_t backoff = 0;    // the next failure's back-off
  };
  Slot* find(const char* name);
  Slot* claim(const char* name, std::uint64_t now_ms);
  void start_next(std::uint64_t now_ms);
  void finish(Slot& s, std::uint32_t ip, std::uint64_t now_ms);

  Link& link_;
  Log& log_;
  Slot slots_[kSlots];
  int inflight_ = -1;
  bool online_ = false;
  std::uint64_t seq_ = 0;
  std::uint32_t queries_ = 0;
};

}  // namespace lmc::net
