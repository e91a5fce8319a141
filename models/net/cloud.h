// The vendor cloud on the internet: an HTTP service (ports 443 and 3032; plain inside the
// simulation, TLS is a documented deviation) that stores the device's telemetry (queryable,
// to prove nothing was lost), serves the Direct EVSE control API (current target with a
// duration, status per plug), a ripple-control API (normal/reduced/blocked, also a knob),
// and the commands endpoint the device polls. On 8883 an MQTT 3.1.1 broker subset (CONNECT,
// SUBSCRIBE, PUBLISH QoS 0/1, PUBACK, PINGREQ, DISCONNECT; plain, no TLS): telemetry published
// on clemap/<dev>/telemetry is stored once per sequence number (a re-sent record counts as a
// duplicate, not a second record) and passed on to matching subscribers; ripple and Direct EVSE
// commands go to the device as QoS 1 messages on clemap/<dev>/cmd/ripple and cmd/evse.
// API: docs/network.md.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/net/http.h"

namespace lmsim::net {

class Cloud : private TcpAcceptor, private ChangeListener {
 public:
  static constexpr Time kOfflineAfter = 90 * kSec;  // device not seen for this long: "disconnected"
  static constexpr std::uint16_t kMqttPort = 8883;
  static constexpr std::size_t kMqttMaxPacket = 64 * 1024;  // larger: the session is closed

  Cloud(Lan& lan, Ip ip, const std::string& hostname, std::map<std::string, std::string> evse_tokens);
  Host& host() { return *host_; }
  // Serves one request (also usable directly from tests and Python).
  HttpServer::Reply handle(const HttpMessage& req, Time t);

  struct Record {
    Time received;
    nlohmann::json data;
  };
  const std::vector<Record>& telemetry() const { return telemetry_; }
  bool device_online(Time t) const {
    return mqtt_sessions_of_devices() > 0 || (seen_ && t - last_seen_ < kOfflineAfter);
  }
  // MQTT: re-sent telemetry records (same device and seq) that were not stored again.
  std::uint64_t duplicates() const { return duplicates_; }
  // Publishes a command to clemap/<dev>/cmd/<kind> (QoS 1 to QoS 1 subscribers). Returns the
  // number of sessions it went to.
  int send_command(const std::string& dev, const std::string& kind, const nlohmann::json& body, Time t);
  ~Cloud() override;

 private:
  struct Target {
    double current = 0;
    double duration = 0;
    Time valid_until = 0;
    bool set = false;
  };
  HttpServer::Reply evse(const HttpMessage& req, const std::string& dev, const std::string& uuid,
                         const std::string& what, Time t);
  nlohmann::json target_json(const Target& g, Time t) const;
  void seen(const std::string& dev, Time t);

  // MQTT broker
  class Session;
  TcpPeer* tcp_accept(ConnId id, Endpoint local, Endpoint remote, Time t) override;
  void on_change(const Signal& s, Time t) override;  // the ripple knob -> cmd/ripple
  void store_telemetry(const nlohmann::json& rec, Time t);
  void route(const std::string& topic, const std::string& payload, int qos, Time t);
  int mqtt_sessions_of_devices() const;
  void close_session(ConnId id, Time t);
  void resend_state(Session& s, Time t);
  friend class Session;
  std::map<ConnId, std::unique_ptr<Session>> sessions_;
  std::map<std::string, std::set<std::uint32_t>> seqs_;  // device -> sequence numbers stored
  std::uint64_t duplicates_ = 0;
  Signal *evse_knob_, *evse_result_;
  Signal *mqtt_connected_, *mqtt_connects_, *dup_sig_, *gaps_sig_, *last_seq_sig_, *commands_sig_;

  Lan& lan_;
  Host* host_;
  std::vector<std::unique_ptr<HttpServer>> servers_;
  std::map<std::string, std::string> tokens_;  // evse uuid -> evsetoken (empty map: any token)
  std::vector<Record> telemetry_;
  std::map<std::string, Target> targets_;         // "dev/uuid"
  std::map<std::string, nlohmann::json> status_;  // "dev/uuid" -> plugs reported by the device
  bool seen_ = false;
  Time last_seen_ = 0;
  Signal *count_, *last_, *ripple_, *requests_, *device_seen_;
};

// NTP server (UDP 123): answers mode-3 requests with the simulated calendar time
// (the scenario start plus simulated time, never the host clock).
class NtpServer : public UdpPeer {
 public:
  NtpServer(Lan& lan, Ip ip, const std::string& hostname);
  Host& host() { return *host_; }
  void udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) override;
  // NTP timestamp (seconds since 1900, 32.32 fixed point) of simulated time t.
  std::uint64_t ntp_time(Time t) const;

 private:
  Lan& lan_;
  Host* host_;
  Signal* requests_;
};

}  // namespace lmsim::net
