// The NTP client (CL-09, RFC 5905 client mode over UDP 123): UTC for telemetry timestamps and
// schedules, through lmc::Time (Time::utc_ms(), utc_known()). One request at a time on socket
// lmc::sockets::kNtp; the server's name goes through the Resolver. Every answer is hostile
// until checked: from the server's address and port 123, 48 bytes or more, mode 4 (server),
// leap indicator not 3 (unsynchronised), stratum 1..15, our transmit timestamp echoed as the
// originate timestamp (RFC 5905 8: a reply to another request, or a forged one, is dropped).
// Until the first answer utc_known() stays false (A29: records are flagged unsynchronised).
// Log: `lmc: net ntp-synced server=... unix_s=... step_ms=...`, `lmc: net ntp-failed ...`.
#pragma once
#include <cstdint>

#include "app/core/log.h"
#include "app/core/time.h"
#include "app/net/resolver.h"
#include "app/ports.h"

namespace lmc::net {

class Ntp {
 public:
  // Section B names only the port (A15: 123 for NTP) and no period. Re-sync hourly: an MCU
  // crystal (+-50 ppm) drifts 0.18 s per hour, well inside the 1-min telemetry records.
  static constexpr std::uint32_t kResyncMs = 3600000;
  static constexpr std::uint32_t kAnswerTimeoutMs = 5000;
  // After a failure: 16 s doubling to 1024 s (ntpd's minpoll/maxpoll, 2^4..2^10 s).
  static constexpr std::uint32_t kRetryMinMs = 16000, kRetryMaxMs = 1024000;
  static constexpr std::uint16_t kLocalPort = 50123;
  static constexpr const char* kServer = "pool.ntp.org";  // the model's internet NTP host

  Ntp(Sockets& sockets, int socket, Resolver& resolver, Time& time, Log& log)
      : so_(sockets), sock_(socket), resolver_(resolver), time_(time), log_(log) {}

  // Whether the device has an address (the network manager). Going offline cancels a request.
  void set_online(bool online, std::uint64_t now_ms);
  // Moves the exchange along; call on every loop pass (cheap when idle).
  void poll(std::uint64_t now_ms);
  // When poll() next has something to do by time alone (0: nothing).
  std::uint64_t next_due() const;

  bool synced() const { return synced_; }
  std::uint32_t answers() const { return answers_; }
  std::uint32_t rejected() const { return rejected_; }

 private:
  enum class St : std::uint8_t { Off, Wait, Resolving, Asked };
  void ask(std::uint32_t server, std::uint64_t now_ms);
  void failed(const char* why, std::uint64_t now_ms);
  bool take_answer(std::uint64_t now_ms);
  void schedule(std::uint64_t at) {
    st_ = St::Wait;
    due_ = at;
  }

  Sockets& so_;
  int sock_;
  Resolver& resolver_;
  Time& time_;
  Log& log_;
  St st_ = St::Off;
  std::uint64_t due_ = 0;  // Wait: next request; Asked: answer deadline
  std::uint64_t sent_ms_ = 0;
  std::uint32_t server_ = 0;
  std::uint8_t cookie_[8] = {};  // our transmit timestamp, echoed back as "originate"
  std::uint32_t backoff_ = kRetryMinMs;
  std::uint32_t answers_ = 0, rejected_ = 0, seq_ = 0;
  bool synced_ = false;
};

}  // namespace lmc::net
