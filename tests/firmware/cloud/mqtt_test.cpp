// The MQTT 3.1.1 codec against the byte layouts of the OASIS standard (MQTT Version 3.1.1,
// 29 October 2014): section numbers cite it; every expected byte string is written out by hand
// from the figures of those sections, not produced by the codec.
#include "app/cloud/mqtt.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace mqtt = lmc::cloud::mqtt;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes enc(std::size_t n, const std::uint8_t* buf) {
  return Bytes(buf, buf + n);
}

// Feeds a whole stream, collecting every packet as (type, flags, body).
struct Got {
  std::uint8_t type, flags;
  Bytes body;
};
std::vector<Got> read_all(mqtt::Reader& r, const Bytes& s, std::size_t chunk, mqtt::Reader::Result* last = nullptr) {
  std::vector<Got> out;
  std::size_t i = 0;
  mqtt::Reader::Result res = mqtt::Reader::Result::NeedMore;
  while (i < s.size()) {
    std::size_t n = std::min(chunk, s.size() - i), used = 0;
    res = r.feed(s.data() + i, n, &used);
    EXPECT_LE(used, n);
    i += used;
    if (res == mqtt::Reader::Result::Packet) {
      const auto& p = r.packet();
      out.push_back({p.type, p.flags, Bytes(p.body, p.body + p.len)});
    } else if (res == mqtt::Reader::Result::Error) {
      break;
    } else {
      EXPECT_EQ(used, n) << "NeedMore consumes everything offered";
    }
  }
  if (last) *last = res;
  return out;
}

}  // namespace

// §3.1: CONNECT, figure 3.6/3.7 layout: protocol name "MQTT", level 4, flags, keep alive, payload.
TEST(Mqtt, ConnectMinimal) {
  std::uint8_t b[64];
  std::size_t n = mqtt::encode_connect(
      b, sizeof b, {.client_id = "a", .username = "", .password = "", .keep_alive_s = 60, .clean_session = true});
  Bytes want = {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 1, 'a'};
  EXPECT_EQ(enc(n, b), want);
}

// §3.1.2.8/3.1.2.9: user name flag 0x80, password flag 0x40; payload order id, user, password.
TEST(Mqtt, ConnectWithCredentials) {
  std::uint8_t b[64];
  std::size_t n = mqtt::encode_connect(
      b, sizeof b,
      {.client_id = "id", .username = "u", .password = "pw", .keep_alive_s = 0x012C, .clean_session = true});
  Bytes want = {0x10, 21, 0, 4, 'M', 'Q', 'T', 'T', 4, 0xC2, 0x01, 0x2C, 0, 2, 'i', 'd', 0, 1, 'u', 0, 2, 'p', 'w'};
  EXPECT_EQ(enc(n, b), want);
  EXPECT_EQ(
      mqtt::encode_connect(
          b, 22, {.client_id = "id", .username = "u", .password = "pw", .keep_alive_s = 60, .clean_session = true}),
      0u)
      << "one short";
}

// §3.3: PUBLISH QoS 1: flags 0b0010, topic, packet identifier, payload (no length prefix).
TEST(Mqtt, PublishQos1AndQos0) {
  std::uint8_t b[64];
  const char pl[] = "hi";
  std::size_t n = mqtt::encode_publish(b, sizeof b, "a/b", pl, 2, 1, 10);
  Bytes want = {0x32, 9, 0, 3, 'a', '/', 'b', 0, 10, 'h', 'i'};
  EXPECT_EQ(enc(n, b), want);
  n = mqtt::encode_publish(b, sizeof b, "a/b", pl, 2, 1, 10, /*dup=*/true);
  EXPECT_EQ(b[0], 0x3A) << "DUP is bit 3";
  n = mqtt::encode_publish(b, sizeof b, "t", pl, 2, 0, 0, false, /*retain=*/true);
  Bytes want0 = {0x31, 5, 0, 1, 't', 'h', 'i'};
  EXPECT_EQ(enc(n, b), want0);
  // §2.3.1: QoS 1 needs a non-zero identifier; §3.3.1.1: DUP must be 0 for QoS 0.
  EXPECT_EQ(mqtt::encode_publish(b, sizeof b, "t", pl, 2, 1, 0), 0u);
  EXPECT_EQ(mqtt::encode_publish(b, sizeof b, "t", pl, 2, 0, 0, true), 0u);
  EXPECT_EQ(mqtt::encode_publish(b, sizeof b, "", pl, 2, 0, 0), 0u);
  EXPECT_EQ(mqtt::encode_publish(b, sizeof b, "t", pl, 2, 3, 1), 0u);
}

// §2.2.3 table 2.4: the boundaries of 1, 2, 3 and 4 Remaining Length bytes.
TEST(Mqtt, RemainingLengthBoundaries) {
  struct Case {
    std::size_t payload;
    Bytes len;
  } cases[] = {{127 - 3, {0x7F}}, {128 - 3, {0x80, 0x01}}, {16383 - 3, {0xFF, 0x7F}}, {16384 - 3, {0x80, 0x80, 0x01}}};
  std::vector<std::uint8_t> pl(20000, 'x'), b(20100);
  for (auto& c : cases) {
    // topic "t" = 3 bytes of body + payload, QoS 0.
    std::size_t n = mqtt::encode_publish(b.data(), b.size(), "t", pl.data(), c.payload, 0, 0);
    ASSERT_GT(n, 0u);
    EXPECT_EQ(Bytes(b.begin() + 1, b.begin() + 1 + static_cast<long>(c.len.size())), c.len) << c.payload;
    EXPECT_EQ(n, 1 + c.len.size() + 3 + c.payload);
  }
}

// §3.4 PUBACK, §3.8 SUBSCRIBE (flags 0b0010, filter, requested QoS), §3.12 PINGREQ, §3.14 DISCONNECT.
TEST(Mqtt, SmallPackets) {
  std::uint8_t b[32];
  EXPECT_EQ(enc(mqtt::encode_puback(b, sizeof b, 0x1234), b), (Bytes{0x40, 2, 0x12, 0x34}));
  EXPECT_EQ(enc(mqtt::encode_subscribe(b, sizeof b, 7, "c/#", 1), b), (Bytes{0x82, 8, 0, 7, 0, 3, 'c', '/', '#', 1}));
  EXPECT_EQ(enc(mqtt::encode_pingreq(b, sizeof b), b), (Bytes{0xC0, 0}));
  EXPECT_EQ(enc(mqtt::encode_disconnect(b, sizeof b), b), (Bytes{0xE0, 0}));
  EXPECT_EQ(mqtt::encode_pingreq(b, 1), 0u);
  EXPECT_EQ(mqtt::encode_subscribe(b, sizeof b, 0, "c", 1), 0u);
}

// A broker's stream: CONNACK (§3.2), SUBACK (§3.9), PUBLISH QoS 1 (§3.3), PUBACK, PINGRESP
// (§3.13), fed whole, byte by byte and in odd chunks: the same packets each time.
TEST(Mqtt, ReaderSplitsAStreamAtAnyChunking) {
  Bytes s = {0x20, 2,  0, 0,                                      // CONNACK accepted
             0x90, 3,  0, 1, 1,                                   // SUBACK id 1, QoS 1
             0x32, 10, 0, 3, 'c', '/', 'r', 0, 5, '{', '}', '!',  // PUBLISH QoS1 id 5
             0x40, 2,  0, 9,                                      // PUBACK id 9
             0xD0, 0};                                            // PINGRESP
  for (std::size_t chunk : {s.size(), std::size_t{1}, std::size_t{3}, std::size_t{7}}) {
    mqtt::Reader r;
    auto got = read_all(r, s, chunk);
    ASSERT_EQ(got.size(), 5u) << chunk;
    EXPECT_EQ(got[0].type, mqtt::kConnack);
    EXPECT_EQ(got[4].type, mqtt::kPingresp);
    EXPECT_TRUE(got[4].body.empty());
  }
  mqtt::Reader r;
  auto got = read_all(r, s, s.size());
  mqtt::Packet p{got[0].type, got[0].flags, got[0].body.data(), got[0].body.size()};
  mqtt::Connack ca;
  ASSERT_TRUE(mqtt::parse_connack(p, &ca));
  EXPECT_EQ(ca.return_code, 0);
  EXPECT_FALSE(ca.session_present);
  p = {got[1].type, got[1].flags, got[1].body.data(), got[1].body.size()};
  mqtt::Suback sa;
  ASSERT_TRUE(mqtt::parse_suback(p, &sa));
  EXPECT_EQ(sa.packet_id, 1);
  EXPECT_EQ(sa.return_code, 1);
  p = {got[2].type, got[2].flags, got[2].body.data(), got[2].body.size()};
  mqtt::Publish pub;
  ASSERT_TRUE(mqtt::parse_publish(p, &pub));
  EXPECT_EQ(pub.topic, "c/r");
  EXPECT_EQ(pub.qos, 1);
  EXPECT_EQ(pub.packet_id, 5);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(pub.payload), pub.payload_len), "{}!");
  p = {got[3].type, got[3].flags, got[3].body.data(), got[3].body.size()};
  std::uint16_t id = 0;
  ASSERT_TRUE(mqtt::parse_packet_id(p, &id));
  EXPECT_EQ(id, 9);
}

// Hostile streams: reserved types, wrong flags, a 5-byte length, a packet beyond the buffer,
// malformed bodies. Each is an error, never a crash or a packet.
TEST(Mqtt, ReaderRejectsMalformedStreams) {
  struct Case {
    Bytes s;
    mqtt::Reader::Error e;
  } cases[] = {
      {{0x00, 0}, mqtt::Reader::Error::BadType},                               // type 0 reserved (§2.2.1)
      {{0xF0, 0}, mqtt::Reader::Error::BadType},                               // type 15 reserved
      {{0x41, 2, 0, 1}, mqtt::Reader::Error::BadFlags},                        // PUBACK flags must be 0
      {{0x36, 5, 0, 1, 't', 0, 1}, mqtt::Reader::Error::BadFlags},             // PUBLISH QoS 3 (§3.3.1.2)
      {{0xD0, 0x80, 0x80, 0x80, 0x80, 0x01}, mqtt::Reader::Error::BadLength},  // 5 length bytes
      {{0x30, 0xFF, 0xFF, 0xFF, 0x7F}, mqtt::Reader::Error::TooLarge},         // 268435455 > buffer
  };
  for (auto& c : cases) {
    mqtt::Reader r;
    mqtt::Reader::Result last;
    auto got = read_all(r, c.s, 1, &last);
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(last, mqtt::Reader::Result::Error);
    EXPECT_EQ(r.error(), c.e);
    std::size_t used;
    std::uint8_t more[2] = {0xD0, 0};
    EXPECT_EQ(r.feed(more, 2, &used), mqtt::Reader::Result::Error) << "sticky until reset";
    r.reset();
    EXPECT_EQ(r.feed(more, 2, &used), mqtt::Reader::Result::Packet);
  }
  // Bodies: CONNACK of 3 bytes, reserved CONNACK bits, PUBLISH topic past the end, QoS 1
  // with id 0, wildcard in a topic name, SUBACK with return code 3.
  auto pk = [](std::uint8_t first, const Bytes& body) {
    return mqtt::Packet{static_cast<std::uint8_t>(first >> 4), static_cast<std::uint8_t>(first & 15), body.data(),
                        body.size()};
  };
  mqtt::Connack ca;
  Bytes b1 = {0, 0, 0}, b2 = {2, 0}, b3 = {0, 9, 'a'}, b4 = {0, 1, 't', 0, 0}, b5 = {0, 3, 'a', '/', '+'},
        b6 = {0, 1, 3}, b7 = {0, 1, 't', 'x'};
  EXPECT_FALSE(mqtt::parse_connack(pk(0x20, b1), &ca));
  EXPECT_FALSE(mqtt::parse_connack(pk(0x20, b2), &ca));
  mqtt::Publish pub;
  EXPECT_FALSE(mqtt::parse_publish(pk(0x30, b3), &pub));
  EXPECT_FALSE(mqtt::parse_publish(pk(0x32, b4), &pub));
  EXPECT_FALSE(mqtt::parse_publish(pk(0x30, b5), &pub));
  EXPECT_TRUE(mqtt::parse_publish(pk(0x30, b7), &pub));
  EXPECT_EQ(pub.payload_len, 1u);
  mqtt::Suback sa;
  EXPECT_FALSE(mqtt::parse_suback(pk(0x90, b6), &sa));
}

// §4.7 topic wildcards, including the standard's own examples (§4.7.1.2, §4.7.1.3, §4.7.2).
TEST(Mqtt, TopicFilters) {
  EXPECT_TRUE(mqtt::topic_matches("sport/tennis/player1/#", "sport/tennis/player1"));
  EXPECT_TRUE(mqtt::topic_matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
  EXPECT_TRUE(mqtt::topic_matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"));
  EXPECT_TRUE(mqtt::topic_matches("sport/#", "sport"));
  EXPECT_TRUE(mqtt::topic_matches("sport/tennis/+", "sport/tennis/player1"));
  EXPECT_FALSE(mqtt::topic_matches("sport/tennis/+", "sport/tennis/player1/ranking"));
  EXPECT_FALSE(mqtt::topic_matches("sport/+", "sport"));
  EXPECT_TRUE(mqtt::topic_matches("sport/+", "sport/"));
  EXPECT_TRUE(mqtt::topic_matches("+/+", "/finance"));
  EXPECT_TRUE(mqtt::topic_matches("/+", "/finance"));
  EXPECT_FALSE(mqtt::topic_matches("+", "/finance"));
  EXPECT_FALSE(mqtt::topic_matches("#", "$SYS/x"));
  EXPECT_FALSE(mqtt::topic_matches("+/monitor/Clients", "$SYS/monitor/Clients"));
  EXPECT_TRUE(mqtt::topic_matches("$SYS/#", "$SYS/x"));
  EXPECT_TRUE(mqtt::topic_matches("a/b", "a/b"));
  EXPECT_FALSE(mqtt::topic_matches("a/b", "a/bc"));
}

// Seeded random bytes: the reader never reads past its input or hands out a packet longer
// than its buffer (the libFuzzer target fuzz_mqtt does the same at length).
TEST(Mqtt, ReaderSurvivesRandomBytes) {
  std::mt19937 rng(14);
  for (int round = 0; round < 2000; ++round) {
    Bytes s(rng() % 64);
    for (auto& c : s) c = static_cast<std::uint8_t>(rng());
    mqtt::Reader r;
    auto got = read_all(r, s, 1 + rng() % 8);
    for (auto& g : got) EXPECT_LE(g.body.size(), mqtt::Reader::kCapacity);
  }
}
