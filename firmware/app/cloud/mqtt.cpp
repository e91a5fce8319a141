#include "app/cloud/mqtt.h"

#include <cstring>

namespace lmc::cloud::mqtt {
namespace {

// Builds a packet front to back; any overflow poisons it (size() then returns 0).
class Out {
 public:
  Out(std::uint8_t* buf, std::size_t cap) : buf_(buf), cap_(cap) {}
  void byte(std::uint8_t b) {
    if (n_ < cap_) {
      buf_[n_++] = b;
    } else {
      bad_ = true;
    }
  }
  void u16(std::uint16_t v) {
    byte(static_cast<std::uint8_t>(v >> 8));  // §1.5.2: big-endian
    byte(static_cast<std::uint8_t>(v));
  }
  void bytes(const void* p, std::size_t k) {
    if (k > cap_ - n_ || n_ > cap_) {
      bad_ = true;
      return;
    }
    if (k) std::memcpy(buf_ + n_, p, k);
    n_ += k;
  }
  void str(std::string_view s) {  // §1.5.3: 2-byte length prefix
    if (s.size() > 0xFFFF) {
      bad_ = true;
      return;
    }
    u16(static_cast<std::uint16_t>(s.size()));
    bytes(s.data(), s.size());
  }
  // Fixed header (§2.2) for a body of `remaining` bytes.
  void header(std::uint8_t type, std::uint8_t flags, std::size_t remaining) {
    if (remaining > kMaxRemaining) {
      bad_ = true;
      return;
    }
    byte(static_cast<std::uint8_t>(type << 4 | (flags & 0x0F)));
    auto x = static_cast<std::uint32_t>(remaining);
    do {  // §2.2.3: 7 bits per byte, least significant group first, bit 7 = more follow
      std::uint8_t b = x % 128;
      x /= 128;
      if (x > 0) b |= 0x80;
      byte(b);
    } while (x > 0);
  }
  std::size_t size() const { return bad_ ? 0 : n_; }

 private:
  std::uint8_t* buf_;
  std::size_t cap_;
  std::size_t n_ = 0;
  bool bad_ = false;
};

// The fixed-header flags a server may send with each type (§2.2.2, table 2.2).
bool flags_ok(std::uint8_t type, std::uint8_t flags) {
  switch (type) {
    case kPublish: return ((flags >> 1) & 3) != 3;  // §3.3.1.2: QoS 3 is malformed
    case kPubrel:
    case kSubscribe:
    case kUnsubscribe: return flags == 2;
    default: return flags == 0;
  }
}

std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

}  // namespace

std::size_t encode_connect(std::uint8_t* buf, std::size_t cap, const ConnectOptions& o) {
  const bool user = !o.username.empty();
  const bool pass = user && !o.password.empty();
  // Variable header (§3.1.2): protocol name "MQTT", level 4, connect flags, keep alive.
  std::size_t rem = 10 + 2 + o.client_id.size();
  if (user) rem += 2 + o.username.size();
  if (pass) rem += 2 + o.password.size();
  Out w(buf, cap);
  w.header(kConnect, 0, rem);
  w.str("MQTT");
  w.byte(4);
  std::uint8_t flags = 0;
  if (o.clean_session) flags |= 0x02;
  if (pass) flags |= 0x40;
  if (user) flags |= 0x80;
  w.byte(flags);
  w.u16(o.keep_alive_s);
  w.str(o.client_id);
  if (user) w.str(o.username);
  if (pass) w.str(o.password);
  return w.size();
}

std::size_t encode_publish(std::uint8_t* buf, std::size_t cap, std::string_view topic, const void* payload,
                           std::size_t n, std::uint8_t qos, std::uint16_t packet_id, bool dup, bool retain) {
  // §3.3.1: DUP only with QoS > 0; §2.3.1: a QoS > 0 packet needs a non-zero identifier.
  if (qos > 2 || topic.empty() || (qos > 0 && packet_id == 0) || (dup && qos == 0)) return 0;
  std::size_t rem = 2 + topic.size() + (qos ? 2 : 0) + n;
  Out w(buf, cap);
  w.header(kPublish, static_cast<std::uint8_t>((dup ? 8 : 0) | qos << 1 | (retain ? 1 : 0)), rem);
  w.str(topic);
  if (qos) w.u16(packet_id);
  w.bytes(payload, n);
  return w.size();
}

std::size_t encode_puback(std::uint8_t* buf, std::size_t cap, std::uint16_t packet_id) {
  Out w(buf, cap);
  w.header(kPuback, 0, 2);
  w.u16(packet_id);
  return w.size();
}

std::size_t encode_subscribe(std::uint8_t* buf, std::size_t cap, std::uint16_t packet_id, std::string_view filter,
                             std::uint8_t qos) {
  if (packet_id == 0 || filter.empty() || qos > 2) return 0;
  Out w(buf, cap);
  w.header(kSubscribe, 2, 2 + 2 + filter.size() + 1);  // §3.8.1: flags 0010
  w.u16(packet_id);
  w.str(filter);
  w.byte(qos);
  return w.size();
}

std::size_t encode_pingreq(std::uint8_t* buf, std::size_t cap) {
  Out w(buf, cap);
  w.header(kPingreq, 0, 0);
  return w.size();
}

std::size_t encode_disconnect(std::uint8_t* buf, std::size_t cap) {
  Out w(buf, cap);
  w.header(kDisconnect, 0, 0);
  return w.size();
}

// ---- Reader ----

void Reader::reset() {
  have_first_ = have_len_ = failed_ = false;
  len_bytes_ = 0;
  remaining_ = 0;
  multiplier_ = 1;
  got_ = 0;
  err_ = Error::None;
  pkt_ = {};
}

Reader::Result Reader::fail(Error e) {
  failed_ = true;
  err_ = e;
  return Result::Error;
}

Reader::Result Reader::feed(const std::uint8_t* data, std::size_t n, std::size_t* used) {
  *used = 0;
  if (failed_) return Result::Error;  // sticky until reset(): the stream is out of step
  if (have_len_ && got_ == remaining_) {
    // The previous packet was handed out: start the next.
    have_first_ = have_len_ = false;
    len_bytes_ = 0;
    remaining_ = 0;
    multiplier_ = 1;
    got_ = 0;
  }
  std::size_t i = 0;
  while (i < n) {
    if (!have_first_) {
      first_ = data[i++];
      have_first_ = true;
      const std::uint8_t type = first_ >> 4;
      if (type == 0 || type == 15) {
        *used = i;
        return fail(Error::BadType);
      }
      if (!flags_ok(type, first_ & 0x0F)) {
        *used = i;
        return fail(Error::BadFlags);
      }
      continue;
    }
    if (!have_len_) {
      const std::uint8_t b = data[i++];
      remaining_ += (b & 0x7Fu) * multiplier_;
      multiplier_ *= 128;
      ++len_bytes_;
      if (b & 0x80) {
        if (len_bytes_ == 4) {  // §2.2.3: at most four bytes
          *used = i;
          return fail(Error::BadLength);
        }
        continue;
      }
      have_len_ = true;
      if (remaining_ > kCapacity) {
        *used = i;
        return fail(Error::TooLarge);
      }
    }
    if (have_len_) {
      std::size_t take = remaining_ - got_;
      if (take > n - i) take = n - i;
      if (take) std::memcpy(buf_ + got_, data + i, take);
      got_ += take;
      i += take;
      if (got_ == remaining_) break;
    }
  }
  *used = i;
  if (have_len_ && got_ == remaining_) {
    pkt_.type = first_ >> 4;
    pkt_.flags = first_ & 0x0F;
    pkt_.body = buf_;
    pkt_.len = remaining_;
    return Result::Packet;
  }
  return Result::NeedMore;
}

// ---- body parsers ----

bool parse_connack(const Packet& p, Connack* out) {
  // §3.2: two bytes; only bit 0 of the first may be set.
  if (p.type != kConnack || p.len != 2 || (p.body[0] & 0xFE)) return false;
  out->session_present = p.body[0] & 1;
  out->return_code = p.body[1];
  return true;
}

bool parse_publish(const Packet& p, Publish* out) {
  if (p.type != kPublish || p.len < 2) return false;
  out->qos = (p.flags >> 1) & 3;
  out->dup = p.flags & 8;
  out->retain = p.flags & 1;
  if (out->qos == 3 || (out->qos == 0 && out->dup)) return false;
  const std::size_t tl = get16(p.body);
  std::size_t at = 2 + tl;
  if (tl == 0 || at > p.len) return false;
  out->topic = std::string_view(reinterpret_cast<const char*>(p.body + 2), tl);
  // §3.3.2.1: no wildcards in a topic name; §1.5.3: no U+0000.
  for (char c : out->topic)
    if (c == '+' || c == '#' || c == '\0') return false;
  out->packet_id = 0;
  if (out->qos) {
    if (at + 2 > p.len) return false;
    out->packet_id = get16(p.body + at);
    if (out->packet_id == 0) return false;
    at += 2;
  }
  out->payload = p.body + at;
  out->payload_len = p.len - at;
  return true;
}

bool parse_packet_id(const Packet& p, std::uint16_t* id) {
  if (p.len != 2) return false;
  *id = get16(p.body);
  return *id != 0;
}

bool parse_suback(const Packet& p, Suback* out) {
  if (p.type != kSuback || p.len < 3) return false;
  out->packet_id = get16(p.body);
  out->return_code = p.body[2];
  const std::uint8_t rc = out->return_code;
  return out->packet_id != 0 && (rc <= 2 || rc == 0x80);
}

bool topic_matches(std::string_view filter, std::string_view topic) {
  if (!topic.empty() && topic[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#')) return false;
  std::size_t f = 0, t = 0;
  while (true) {
    const std::size_t fe = filter.find('/', f);
    const std::string_view flev = filter.substr(f, fe == std::string_view::npos ? std::string_view::npos : fe - f);
    if (flev == "#") return fe == std::string_view::npos;  // '#' must be last
    if (t > topic.size()) return false;
    const std::size_t te = topic.find('/', t);
    const std::string_view tlev = topic.substr(t, te == std::string_view::npos ? std::string_view::npos : te - t);
    if (flev != "+" && flev != tlev) return false;
    if (fe == std::string_view::npos || te == std::string_view::npos) {
      if (fe == std::string_view::npos && te == std::string_view::npos) return true;
      // "a/#" also matches "a" (§4.7.1.2): the filter goes on with exactly "/#".
      return te == std::string_view::npos && filter.substr(fe + 1) == "#";
    }
    f = fe + 1;
    t = te + 1;
  }
}

}  // namespace lmc::cloud::mqtt
