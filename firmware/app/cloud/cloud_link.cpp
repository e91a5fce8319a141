#include "app/cloud/cloud_link.h"

#include <cstring>

#include "app/http/json.h"

namespace lmc::cloud {
namespace {

// "clemap/<serial>/<tail>" into out (cut to fit; serials are short).
void make_topic(char* out, std::size_t cap, const char* serial, const char* tail) {
  std::size_t n = 0;
  for (const char* parts[] = {"clemap/", serial, "/", tail}; const char* p : parts)
    for (; *p && n + 1 < cap; ++p) out[n++] = *p;
  out[n] = '\0';
}

}  // namespace

CloudLink::CloudLink(Sockets& sockets, int socket, net::Resolver& resolver, store::TelemetryRing& ring, Log& log,
                     Hooks& hooks)
    : so_(sockets), s_(socket), resolver_(resolver), ring_(ring), log_(log), hooks_(hooks) {}

void CloudLink::start(const Config& c, std::uint64_t now_ms) {
  cfg_ = c;
  make_topic(topic_telemetry_, sizeof topic_telemetry_, c.serial, "telemetry");
  make_topic(topic_cmd_, sizeof topic_cmd_, c.serial, "cmd/#");
  make_topic(prefix_cmd_, sizeof prefix_cmd_, c.serial, "cmd/");
  started_ = true;
  st_ = St::Backoff;
  retry_at_ms_ = now_ms;
  next_record_ms_ = now_ms + kRecordMs;
}

std::uint16_t CloudLink::next_id() {
  if (++packet_id_ == 0) packet_id_ = 1;  // §2.3.1: identifiers are non-zero
  return packet_id_;
}

void CloudLink::fail(const char* reason, std::uint64_t now_ms) {
  const bool was_up = st_ == St::Up;
  so_.abort(s_);
  so_.take_events(s_);
  reader_.reset();
  inflight_ = false;
  st_ = St::Backoff;
  retry_at_ms_ = now_ms + backoff_ms_;
  // Through a long outage the attempts go on every minute without a line each (one per hour
  // of backlog comes from take_record()).
  if (was_up || backoff_ms_ < kBackoffMaxMs)
    log_.event("cloud", "disconnected").kv("reason", reason).kv("retry_ms", backoff_ms_).kv("pending", ring_.pending());
  backoff_ms_ = backoff_ms_ * 2 > kBackoffMaxMs ? kBackoffMaxMs : backoff_ms_ * 2;
  if (was_up) hooks_.cloud_up(false);
}

bool CloudLink::send(const std::uint8_t* b, std::size_t n, std::uint64_t now_ms) {
  if (n == 0 || so_.tx_free(s_) < n) return false;
  if (so_.send(s_, b, n) != n) {
    fail("send", now_ms);
    return false;
  }
  last_tx_ms_ = now_ms;
  return true;
}

void CloudLink::take_record(std::uint64_t now_ms) {
  Record r;
  if (!hooks_.sample(&r, now_ms)) return;
  std::uint8_t raw[kRecordBytes];
  pack(r, raw);
  std::uint32_t seq = 0;
  const auto st = ring_.append(raw, sizeof raw, &seq);
  if (st != store::TelemetryRing::Status::Ok) {
    log_.event("cloud", "record-failed").kv("status", static_cast<unsigned>(st));
    return;
  }
  // Offline, one line per hour of backlog keeps the console readable through a long outage.
  if (st_ != St::Up && ring_.pending() % 60 == 1)
    log_.event("cloud", "buffering").kv("seq", seq).kv("pending", ring_.pending());
}

void CloudLink::tick(std::uint64_t now_ms) {
  if (!started_) return;
  while (now_ms >= next_record_ms_) {
    take_record(now_ms);
    next_record_ms_ += kRecordMs;
  }
  switch (st_) {
    case St::Off: break;
    case St::Backoff:
      if (now_ms < retry_at_ms_) break;
      st_ = St::Resolving;
      [[fallthrough]];
    case St::Resolving: {
      std::uint32_t ip = 0;
      const int r = resolver_.lookup(cfg_.host, &ip, now_ms);
      if (r < 0) {
        st_ = St::Backoff;  // the resolver has its own back-off; retry on a later tick
        retry_at_ms_ = now_ms + kBackoffMinMs;
      } else if (r > 0) {
        so_.abort(s_);
        so_.take_events(s_);
        so_.tcp_connect(s_, {ip, cfg_.port}, kConnectTimeoutMs);
        st_ = St::Connecting;
        since_ms_ = now_ms;
      }
      break;
    }
    case St::Connecting:
      if (now_ms - since_ms_ > kConnectTimeoutMs + 1000) fail("connect-timeout", now_ms);
      break;
    case St::WaitConnack:
      if (now_ms - since_ms_ > kAckTimeoutMs) fail("connack-timeout", now_ms);
      break;
    case St::Up:
      // §3.1.2.10: the server drops a client silent for 1.5 keep-alives; we ping after one.
      if (now_ms - last_rx_ms_ > kKeepAliveS * 1500u) {
        fail("keepalive", now_ms);
      } else if (inflight_ && now_ms - inflight_ms_ > kAckTimeoutMs) {
        fail("puback-timeout", now_ms);
      } else if (now_ms - last_tx_ms_ >= kKeepAliveS * 1000u) {
        std::uint8_t b[2];
        send(b, mqtt::encode_pingreq(b, sizeof b), now_ms);
      }
      break;
  }
  poll(now_ms);
}

void CloudLink::poll(std::uint64_t now_ms) {
  if (!started_) return;
  if (st_ != St::Connecting && st_ != St::WaitConnack && st_ != St::Up) return;
  const std::uint32_t ev = so_.take_events(s_);
  const Sockets::State ss = so_.state(s_);
  if (st_ == St::Connecting) {
    if ((ev & Sockets::kConnected) || ss == Sockets::State::Established) {
      std::uint8_t b[160];
      const std::size_t n = mqtt::encode_connect(b, sizeof b,
                                                 {.client_id = cfg_.serial,
                                                  .username = cfg_.serial,
                                                  .password = cfg_.credential,
                                                  .keep_alive_s = kKeepAliveS,
                                                  .clean_session = true});
      st_ = St::WaitConnack;
      since_ms_ = now_ms;
      reader_.reset();
      if (!send(b, n, now_ms) && st_ == St::WaitConnack) fail("connect-too-long", now_ms);
    } else if ((ev & (Sockets::kError | Sockets::kClosed)) || ss == Sockets::State::Closed) {
      fail("connect-failed", now_ms);
    }
    return;
  }
  // Everything that arrived, even when the broker closed right after it.
  std::uint8_t buf[256];
  std::size_t got;
  while ((st_ == St::WaitConnack || st_ == St::Up) && (got = so_.recv(s_, buf, sizeof buf)) > 0) {
    std::size_t off = 0;
    while (off < got && (st_ == St::WaitConnack || st_ == St::Up)) {
      std::size_t used = 0;
      const auto r = reader_.feed(buf + off, got - off, &used);
      off += used;
      if (r == mqtt::Reader::Result::Error) {
        fail("protocol", now_ms);
        return;
      }
      if (r == mqtt::Reader::Result::Packet) {
        last_rx_ms_ = now_ms;
        on_packet(reader_.packet(), now_ms);
      }
    }
  }
  if (st_ != St::WaitConnack && st_ != St::Up) return;
  if ((ev & (Sockets::kClosed | Sockets::kError)) || ss != Sockets::State::Established) {
    fail("closed", now_ms);
    return;
  }
  if (st_ == St::Up) forward(now_ms);
}

void CloudLink::on_packet(const mqtt::Packet& p, std::uint64_t now_ms) {
  if (st_ == St::WaitConnack) {
    mqtt::Connack ca;
    if (!mqtt::parse_connack(p, &ca)) {
      fail("protocol", now_ms);
      return;
    }
    if (ca.return_code != 0) {
      backoff_ms_ = kBackoffMaxMs;  // refused (§3.2.2.3): a bad credential does not fix itself soon
      log_.event("cloud", "refused").kv("rc", ca.return_code).kv("retry_ms", backoff_ms_);
      fail("refused", now_ms);
      return;
    }
    st_ = St::Up;
    backoff_ms_ = kBackoffMinMs;
    ++connects_;
    burst_ = 0;
    log_.event("cloud", "connected")
        .kv_ip("ip", so_.peer(s_).ip)
        .kv("port", so_.peer(s_).port)
        .kv("pending", ring_.pending());
    std::uint8_t b[64];
    send(b, mqtt::encode_subscribe(b, sizeof b, next_id(), topic_cmd_, 1), now_ms);
    hooks_.cloud_up(true);
    return;
  }
  switch (p.type) {
    case mqtt::kPuback: {
      std::uint16_t id = 0;
      if (!mqtt::parse_packet_id(p, &id)) {
        fail("protocol", now_ms);
        return;
      }
      if (!inflight_ || id != inflight_id_) return;  // a stale acknowledgement
      // CL-05: only now is the record marked sent in flash.
      ring_.pop();
      inflight_ = false;
      ++published_;
      ++burst_;
      reported_dropped_ += inflight_dropped_;
      if (ring_.pending() == 0 && burst_ > 1)
        log_.event("cloud", "backlog-sent").kv("count", burst_).kv("last_seq", inflight_seq_);
      if (ring_.pending() == 0) burst_ = 0;
      break;
    }
    case mqtt::kSuback: {
      mqtt::Suback sa;
      if (!mqtt::parse_suback(p, &sa)) {
        fail("protocol", now_ms);
        return;
      }
      log_.event("cloud", "subscribed").kv("rc", sa.return_code);
      break;
    }
    case mqtt::kPublish: {
      mqtt::Publish m;
      if (!mqtt::parse_publish(p, &m)) {
        fail("protocol", now_ms);
        return;
      }
      if (m.qos == 1) {
        std::uint8_t b[4];
        send(b, mqtt::encode_puback(b, sizeof b, m.packet_id), now_ms);
      }
      // QoS 2 is never requested by our SUBSCRIBE (QoS 1), so a broker must not send it (§3.8.4).
      if (m.qos == 2) {
        fail("protocol", now_ms);
        return;
      }
      on_publish(m, now_ms);
      break;
    }
    case mqtt::kPingresp: break;
    default: fail("protocol", now_ms); return;  // CONNACK twice, or a client-only packet
  }
}

void CloudLink::reject(const char* reason) {
  log_.event("cloud", "command-rejected").kv("reason", reason);
}

void CloudLink::on_publish(const mqtt::Publish& m, std::uint64_t now_ms) {
  if (!mqtt::topic_matches(topic_cmd_, m.topic) || m.topic.size() <= std::strlen(prefix_cmd_)) return reject("topic");
  const std::string_view kind = m.topic.substr(std::strlen(prefix_cmd_));
  json::StaticDocument<16> doc;
  if (doc.parse(std::string_view(reinterpret_cast<const char*>(m.payload), m.payload_len)) != json::Error::kNone ||
      !doc.root().is_object())
    return reject("json");
  const json::Value root = doc.root();
  std::int64_t duration = 0;
  const json::Value dv = root["duration"];
  if (dv.valid() && (!dv.get_int(duration) || duration < 0 || duration > 7 * 86400)) return reject("duration");
  if (kind == "ripple") {
    static constexpr const char* kModes[] = {"normal", "reduced", "blocked"};
    int mode = -1;
    for (int i = 0; i < 3; ++i)
      if (root["mode"].equals(kModes[i])) mode = i;
    if (mode < 0) return reject("mode");
    ++commands_;
    log_.event("cloud", "command").kv("kind", "ripple").kv("mode", kModes[mode]).kv("duration_s", duration);
    hooks_.ripple_command(static_cast<std::uint8_t>(mode), static_cast<std::uint64_t>(duration) * 1000u, now_ms);
    return;
  }
  if (kind == "evse") {
    char station[25];
    std::int64_t amps = 0;
    if (!root["evse"].get_string(station, sizeof station) || station[0] == '\0') return reject("evse");
    // PUB §5.1: current is an integer in amperes; duration is required.
    if (!root["current"].get_int(amps) || amps < 0 || amps > 1000) return reject("current");
    if (!dv.valid()) return reject("duration");
    const auto ma = static_cast<std::int32_t>(amps * 1000);
    if (!hooks_.evse_command(station, ma, static_cast<std::uint32_t>(duration), now_ms)) return reject("station");
    ++commands_;
    log_.event("cloud", "command")
        .kv("kind", "evse")
        .kv("evse", station)
        .kv("current_a", amps)
        .kv("duration_s", duration);
    return;
  }
  reject("kind");
}

void CloudLink::forward(std::uint64_t now_ms) {
  if (st_ != St::Up || inflight_ || ring_.pending() == 0) return;
  std::uint8_t raw[store::TelemetryRing::kMaxPayload];
  std::size_t n = 0;
  std::uint32_t seq = 0;
  if (ring_.oldest(raw, sizeof raw, &n, &seq) != store::TelemetryRing::Status::Ok) return;
  Record r;
  const std::uint32_t dropped = ring_.dropped() - reported_dropped_;
  if (!unpack(raw, n, &r)) {
    log_.event("cloud", "record-skipped").kv("seq", seq).kv("bytes", n);
    ring_.pop();
    return;
  }
  const std::size_t jn = to_json(r, seq, dropped, cfg_.serial, json_, sizeof json_);
  const std::uint16_t id = next_id();
  const std::size_t pn = mqtt::encode_publish(tx_, sizeof tx_, topic_telemetry_, json_, jn, 1, id);
  if (jn == 0 || pn == 0) {
    log_.event("cloud", "record-skipped").kv("seq", seq).kv("bytes", jn);
    ring_.pop();
    return;
  }
  if (!send(tx_, pn, now_ms)) return;  // no room yet: the next TX-done event brings us back
  inflight_ = true;
  inflight_id_ = id;
  inflight_seq_ = seq;
  inflight_dropped_ = dropped;
  inflight_ms_ = now_ms;
}

}  // namespace lmc::cloud
