// The fuzz harness of the MQTT 3.1.1 codec (app/cloud/mqtt.h), shared by the libFuzzer target
// fuzz_mqtt.cpp and the corpus replay test (tests/firmware/cloud/mqtt_fuzz_corpus_test.cpp).
// The input is a broker's byte stream, cut into reads whose sizes come from the input itself.
// Besides "no crash, no sanitizer report": a packet never exceeds the reader's buffer, a parsed
// PUBLISH's topic and payload lie inside its packet, and re-encoding a parsed QoS 1 PUBLISH and
// reading it back gives the same topic, id and payload.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "app/cloud/mqtt.h"

namespace lmc::fuzz {

inline int mqtt_stream(const std::uint8_t* data, std::size_t size) {
  namespace mqtt = lmc::cloud::mqtt;
  auto check = [](bool c) {
    if (!c) std::abort();
  };
  mqtt::Reader r;
  std::size_t at = 0;
  const std::size_t seed = size ? data[0] : 0;
  while (at < size) {
    std::size_t n = 1 + (seed * 31 + at) % 97;
    if (n > size - at) n = size - at;
    std::size_t off = 0;
    while (off < n) {
      std::size_t used = 0;
      const auto res = r.feed(data + at + off, n - off, &used);
      check(used <= n - off);
      off += used;
      if (res == mqtt::Reader::Result::Error) {
        r.reset();  // the client closes and reconnects: a fresh reader
        if (used == 0) ++off;
        continue;
      }
      if (res != mqtt::Reader::Result::Packet) break;
      const mqtt::Packet& p = r.packet();
      check(p.len <= mqtt::Reader::kCapacity);
      mqtt::Publish pub;
      if (mqtt::parse_publish(p, &pub)) {
        const auto* base = p.body;
        check(reinterpret_cast<const std::uint8_t*>(pub.topic.data()) >= base);
        check(pub.payload >= base && pub.payload + pub.payload_len == base + p.len);
        check(pub.topic.size() + pub.payload_len <= p.len);
        if (pub.qos == 1) {
          static std::uint8_t buf[mqtt::Reader::kCapacity + 8];
          const std::size_t k =
              mqtt::encode_publish(buf, sizeof buf, pub.topic, pub.payload, pub.payload_len, 1, pub.packet_id);
          check(k > 0);
          mqtt::Reader back;
          std::size_t u = 0;
          check(back.feed(buf, k, &u) == mqtt::Reader::Result::Packet && u == k);
          mqtt::Publish again;
          check(mqtt::parse_publish(back.packet(), &again));
          check(again.topic == pub.topic && again.packet_id == pub.packet_id && again.payload_len == pub.payload_len &&
                (pub.payload_len == 0 || std::memcmp(again.payload, pub.payload, pub.payload_len) == 0));
        }
        (void)mqtt::topic_matches("clemap/+/cmd/#", pub.topic);
      }
      mqtt::Connack ca;
      (void)mqtt::parse_connack(p, &ca);
      mqtt::Suback sa;
      (void)mqtt::parse_suback(p, &sa);
      std::uint16_t id;
      (void)mqtt::parse_packet_id(p, &id);
    }
    at += n;
  }
  return 0;
}

}  // namespace lmc::fuzz
