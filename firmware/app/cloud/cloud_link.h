// The cloud link (CL-*, docs/firmware.md "Cloud link"): an MQTT 3.1.1 session on TCP 8883 to
// the vendor cloud (plain inside the simulation: the TLS deviation of docs/network.md), on the
// NETC socket app/socket_plan.h gives it.
//
// - Every minute a telemetry record (record.h) goes into the flash ring (store/telemetry_ring.h),
//   online or not; the ring's records are published oldest first, one at a time, QoS 1, on
//   `clemap/<serial>/telemetry`, and a record is marked sent in flash only after its PUBACK
//   (CL-05): a power cut mid-forward re-sends at most the one in flight, which the cloud
//   recognises by its sequence number.
// - Commands arrive on `clemap/<serial>/cmd/ripple` {"mode": "blocked", "duration": s} and
//   `clemap/<serial>/cmd/evse` {"evse": "<station name>", "current": A, "duration": s}
//   (PUB §5.1: integer amperes on all phases for duration seconds; duration 0 clears).
// - Keep-alive 30 s (PINGREQ when idle), so a healthy session hears the cloud at least every
//   30 s (CL-04's "message from the cloud in the last 60 s"); reconnect with back-off 1 s
//   doubling to 60 s.
//
// Console lines: `lmc: cloud connected ip=.. port=8883`, `lmc: cloud subscribed rc=1`,
// `lmc: cloud disconnected reason=.. retry_ms=..`, `lmc: cloud backlog-sent count=.. last_seq=..`,
// `lmc: cloud command kind=ripple|evse ...`, `lmc: cloud command-rejected reason=..`.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/cloud/mqtt.h"
#include "app/cloud/record.h"
#include "app/core/log.h"
#include "app/net/resolver.h"
#include "app/ports.h"
#include "app/store/telemetry_ring.h"

namespace lmc::cloud {

// The rest of the firmware as the cloud link sees it (the controller adapts app/site to it).
class Hooks {
 public:
  // This minute's values; false when there is nothing to record yet (metering not ready).
  virtual bool sample(Record* r, std::uint64_t now_ms) = 0;
  // RC-01/RC-11: mode 0 normal, 1 reduced, 2 blocked; duration_ms 0 = until replaced.
  virtual void ripple_command(std::uint8_t mode, std::uint64_t duration_ms, std::uint64_t now_ms) = 0;
  // CL-06: false when the station is unknown or the target is refused.
  virtual bool evse_command(const char* station, std::int32_t current_ma, std::uint32_t duration_s,
                            std::uint64_t now_ms) = 0;
  virtual void cloud_up(bool up) = 0;

 protected:
  ~Hooks() = default;
};

class CloudLink {
 public:
  static constexpr std::uint16_t kPort = 8883;
  static constexpr std::uint32_t kRecordMs = 60000;
  static constexpr std::uint16_t kKeepAliveS = 30;
  static constexpr std::uint32_t kConnectTimeoutMs = 15000;
  static constexpr std::uint32_t kAckTimeoutMs = 20000;  // CONNACK, PUBACK
  static constexpr std::uint32_t kBackoffMinMs = 1000, kBackoffMaxMs = 60000;
  static constexpr std::uint32_t kLedFreshMs = 60000;  // CL-04

  struct Config {
    const char* host = "cloud.clemap.com";
    std::uint16_t port = kPort;
    const char* serial = "";
    const char* credential = "";  // the activation code (CL-02)
  };

  CloudLink(Sockets& sockets, int socket, net::Resolver& resolver, store::TelemetryRing& ring, Log& log, Hooks& hooks);
  // Arms the link; the first record is taken one minute after now_ms.
  void start(const Config& c, std::uint64_t now_ms);
  // Loop poller: socket events (CONNACK, PUBACK, commands) and the next record to forward.
  void poll(std::uint64_t now_ms);
  // Once a second (the controller's cycle): records, connection attempts, keep-alive, time-outs.
  void tick(std::uint64_t now_ms);

  bool up() const { return st_ == St::Up; }
  // CL-04: the STATUS LED is "on" only with the session up and a packet from the cloud in 60 s.
  bool led_on(std::uint64_t now_ms) const { return up() && now_ms - last_rx_ms_ < kLedFreshMs; }
  std::uint32_t published() const { return published_; }
  std::uint32_t connects() const { return connects_; }
  std::uint32_t commands() const { return commands_; }

 private:
  enum class St : std::uint8_t { Off, Backoff, Resolving, Connecting, WaitConnack, Up };
  void fail(const char* reason, std::uint64_t now_ms);
  void on_packet(const mqtt::Packet& p, std::uint64_t now_ms);
  void on_publish(const mqtt::Publish& m, std::uint64_t now_ms);
  bool send(const std::uint8_t* b, std::size_t n, std::uint64_t now_ms);
  void forward(std::uint64_t now_ms);
  void take_record(std::uint64_t now_ms);
  void reject(const char* reason);
  std::uint16_t next_id();

  Sockets& so_;
  int s_;
  net::Resolver& resolver_;
  store::TelemetryRing& ring_;
  Log& log_;
  Hooks& hooks_;
  Config cfg_;
  St st_ = St::Off;
  bool started_ = false;
  std::uint64_t since_ms_ = 0, retry_at_ms_ = 0, next_record_ms_ = 0;
  std::uint64_t last_tx_ms_ = 0, last_rx_ms_ = 0;
  std::uint32_t backoff_ms_ = kBackoffMinMs;
  std::uint16_t packet_id_ = 0;
  bool inflight_ = false;
  std::uint16_t inflight_id_ = 0;
  std::uint32_t inflight_seq_ = 0, inflight_dropped_ = 0;
  std::uint64_t inflight_ms_ = 0;
  std::uint32_t reported_dropped_ = 0;
  std::uint32_t burst_ = 0;  // records forwarded since the backlog started
  std::uint32_t published_ = 0, connects_ = 0, commands_ = 0;
  mqtt::Reader reader_;
  char topic_telemetry_[48] = {}, topic_cmd_[48] = {}, prefix_cmd_[48] = {};
  std::uint8_t tx_[640] = {};
  char json_[512] = {};
};

}  // namespace lmc::cloud
