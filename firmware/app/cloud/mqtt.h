// MQTT 3.1.1 (OASIS standard, 29 October 2014) client-side codec: the packets the cloud link
// sends (CONNECT, PUBLISH, PUBACK, SUBSCRIBE, PINGREQ, DISCONNECT) and a stream reader for
// what a broker sends (CONNACK, PUBLISH, PUBACK, SUBACK, PINGRESP). Byte buffers only: no
// sockets, no heap. Section numbers below are the standard's.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lmc::cloud::mqtt {

// Control packet types (§2.2.1).
enum Type : std::uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};

// The largest Remaining Length the protocol can express (§2.2.3): four bytes of 7 bits.
inline constexpr std::uint32_t kMaxRemaining = 268435455;

struct ConnectOptions {
  std::string_view client_id;
  std::string_view username;  // empty: no user name flag
  std::string_view password;  // only with a user name (§3.1.2.9)
  std::uint16_t keep_alive_s = 60;
  bool clean_session = true;
};

// Encoders: the packet into buf; the byte count, or 0 when it does not fit in cap (or a string
// is longer than 65535 bytes).
std::size_t encode_connect(std::uint8_t* buf, std::size_t cap, const ConnectOptions& o);
std::size_t encode_publish(std::uint8_t* buf, std::size_t cap, std::string_view topic, const void* payload,
                           std::size_t n, std::uint8_t qos, std::uint16_t packet_id, bool dup = false,
                           bool retain = false);
std::size_t encode_puback(std::uint8_t* buf, std::size_t cap, std::uint16_t packet_id);
std::size_t encode_subscribe(std::uint8_t* buf, std::size_t cap, std::uint16_t packet_id, std::string_view filter,
                             std::uint8_t qos);
std::size_t encode_pingreq(std::uint8_t* buf, std::size_t cap);
std::size_t encode_disconnect(std::uint8_t* buf, std::size_t cap);

// One received control packet: its fixed header and body (valid until the next feed()).
struct Packet {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;  // low nibble of the first byte
  const std::uint8_t* body = nullptr;
  std::size_t len = 0;
};

// Splits a broker's byte stream into packets, in a fixed buffer. Every input is hostile: a
// malformed length, reserved flags or a packet larger than the buffer is an error (the caller
// closes the connection, as §4.8 asks of a protocol violation).
class Reader {
 public:
  static constexpr std::size_t kCapacity = 1024;
  enum class Result : std::uint8_t { NeedMore, Packet, Error };
  enum class Error : std::uint8_t { None, BadLength, TooLarge, BadFlags, BadType };

  // Consumes bytes from data (at most n; *used says how many) until one packet is complete.
  Result feed(const std::uint8_t* data, std::size_t n, std::size_t* used);
  const Packet& packet() const { return pkt_; }
  Error error() const { return err_; }
  void reset();

 private:
  Result fail(Error e);
  std::uint8_t buf_[kCapacity] = {};
  std::uint8_t first_ = 0;
  int len_bytes_ = 0;  // Remaining Length bytes read so far
  std::uint32_t remaining_ = 0;
  std::uint32_t multiplier_ = 1;
  bool have_len_ = false, have_first_ = false, failed_ = false;
  std::size_t got_ = 0;
  Packet pkt_;
  Error err_ = Error::None;
};

// Body parsers of the server-to-client packets; false when the body is malformed.
struct Connack {
  bool session_present = false;
  std::uint8_t return_code = 0;  // §3.2.2.3: 0 accepted, 1..5 refused
};
bool parse_connack(const Packet& p, Connack* out);

struct Publish {
  std::string_view topic;
  const std::uint8_t* payload = nullptr;
  std::size_t payload_len = 0;
  std::uint8_t qos = 0;
  std::uint16_t packet_id = 0;  // QoS > 0 only
  bool dup = false, retain = false;
};
bool parse_publish(const Packet& p, Publish* out);
// PUBACK (and the other two-byte acknowledgements: UNSUBACK, PUBREC, PUBCOMP).
bool parse_packet_id(const Packet& p, std::uint16_t* id);
struct Suback {
  std::uint16_t packet_id = 0;
  std::uint8_t return_code = 0;  // the first (only) filter's: 0..2 granted QoS, 0x80 failure
};
bool parse_suback(const Packet& p, Suback* out);

// Topic filter matching (§4.7: '+' one level, '#' the rest, '$' topics not matched by wildcards).
bool topic_matches(std::string_view filter, std::string_view topic);

}  // namespace lmc::cloud::mqtt
