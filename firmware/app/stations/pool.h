// The stations' share of the network controller's sockets (docs/mcu-netc.md: 8 sockets for the
// whole device; the web UI :4000, the Modbus server :5020, REST :7000 and the cloud need theirs).
// The pool connects station drivers (driver.h) to the sockets it was given and moves the bytes.
//
// Capacity, honestly: with S sockets and N stations,
//  - N <= S: every station keeps one persistent connection (ST-10).
//  - N > S: single-client stations (ABB, Webasto NEXT/TQ) keep persistent connections, up to
//    S - 1 of them; every other station is served over the remaining sockets by per-cycle
//    connections: connect, the cycle's requests, close. One such cycle costs a TCP handshake plus
//    one round trip per request (on the LAN: a few ms), so one socket serves well over 50
//    stations per 1 s cycle in the simulation. Single-client stations beyond S - 1 are served
//    per cycle too: correct as long as nobody else holds their one connection.
// With the default 4 sockets (controller wiring) a 50-station site runs 3 persistent + 47
// per-cycle; a real deployment of 50 stations wants >= 8 station sockets (a larger socket part,
// or a second NETC) so that every single-client station can keep its connection.
#pragma once
#include <cstdint>

#include "app/core/log.h"
#include "app/ports.h"
#include "app/stations/driver.h"

namespace lmc::stations {

class Pool {
 public:
  static constexpr int kMaxSockets = Sockets::kCount;
  static constexpr std::uint32_t kConnectTimeoutMs = 3000;  // ST-11: 3 s per request, connect too
  static constexpr std::uint32_t kCloseWaitMs = 1000;       // a FIN unanswered this long: RST

  // sockets: the socket numbers this pool may use (at most kMaxSockets).
  void configure(Sockets& s, const int* sockets, int n, Log* log);
  int sockets() const { return n_; }

  // Moves bytes and connections for drivers[0..count-1]; peers[i] is driver i's address.
  // Call on every loop pass and after each control cycle.
  void service(Driver* drivers, const Endpoint* peers, int count, std::uint64_t now_ms);
  // Whether driver i keeps its connection between cycles (see the capacity note above).
  bool persistent(int i) const { return i >= 0 && i < kMaxStations && persistent_[i]; }
  // Closes every connection (the station set changed).
  void reset(Driver* drivers, int count, std::uint64_t now_ms);
  std::uint32_t connects() const { return connects_; }

  static constexpr int kMaxStations = lm::kMaxStations;

 private:
  enum class Use : std::uint8_t { Free, Connecting, Up, Closing };
  struct Slot {
    int socket = -1;
    int owner = -1;
    Use use = Use::Free;
    std::uint64_t since = 0;
  };
  void plan(const Driver* drivers, int count);
  void release(Slot& sl, Driver* drivers, std::uint64_t now_ms, bool by_pool);

  Sockets* so_ = nullptr;
  Log* log_ = nullptr;
  Slot slot_[kMaxSockets]{};
  int n_ = 0;
  bool persistent_[kMaxStations] = {};
  int holder_[kMaxStations] = {};  // slot index + 1, 0 = none
  int planned_count_ = -1;
  int rr_ = 0;  // round-robin start for per-cycle connections
  std::uint32_t connects_ = 0;
};

}  // namespace lmc::stations
