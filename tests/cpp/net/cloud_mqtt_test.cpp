// The simulated cloud's MQTT 3.1.1 broker subset on 8883 (models/net/cloud.*), reached the honest
// way: from the device's network controller (TLM, no CPU) through the LAN, router and internet.
// Every packet is written out by hand from the OASIS MQTT 3.1.1 standard (section numbers cited),
// independently of both the broker and the firmware's codec.
#include <string>

#include <nlohmann/json.hpp>

#include "net_test_util.h"

using namespace lmsim;
using namespace lmsim::net;
using lmsim::mcu::Netc;
using lmsim::net::test::Bench;

namespace {

const char* kEth = R"(
network:
  ethernet: {plugged: true}
)";

std::string u16(std::size_t v) {
  return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)};
}
std::string str(const std::string& s) {
  return u16(s.size()) + s;
}
// Fixed header with a one-byte Remaining Length (every packet here is < 128 bytes) (§2.2).
std::string pkt(unsigned char first, const std::string& body) {
  return std::string{static_cast<char>(first), static_cast<char>(body.size())} + body;
}
// §3.1: "MQTT", level 4, clean session, keep alive 60 s.
std::string connect(const std::string& id) {
  return pkt(0x10, str("MQTT") + std::string{4, 0x02} + u16(60) + str(id));
}
std::string publish1(const std::string& topic, std::size_t id, const std::string& payload) {
  return pkt(0x32, str(topic) + u16(id) + payload);
}
std::string record(int seq) {
  return nlohmann::json{{"device", "SE1"}, {"seq", seq}, {"v", {230, 230, 230}}}.dump();
}

struct Mqtt {
  Bench b{kEth};
  Mqtt() {
    b.enable();
    EXPECT_TRUE(b.wait_ip());
    EXPECT_EQ(b.connect(0, "52.28.10.20", 8883), Netc::SS_ESTABLISHED);
  }
  // Sends bytes and returns what came back within `wait` seconds.
  std::string exchange(const std::string& out, double wait = 0.5) {
    if (!out.empty()) b.send(0, out);
    b.run(wait);
    return b.recv(0);
  }
};

}  // namespace

// §3.1/§3.2: CONNECT -> CONNACK accepted; §3.8/§3.9: SUBSCRIBE QoS 1 -> SUBACK granted 1; the
// device's own command topic makes it "the device": online for the Direct EVSE API.
TEST(CloudMqtt, ConnectSubscribeAndPing) {
  Mqtt m;
  EXPECT_EQ(m.exchange(connect("SE1")), std::string("\x20\x02\x00\x00", 4));
  EXPECT_FALSE(m.b.sig("net.cloud.mqtt_connected").as_bool());
  EXPECT_EQ(m.exchange(pkt(0x82, u16(1) + str("clemap/SE1/cmd/#") + std::string(1, '\x01'))),
            std::string("\x90\x03\x00\x01\x01", 5));
  EXPECT_TRUE(m.b.sig("net.cloud.mqtt_connected").as_bool());
  EXPECT_TRUE(m.b.cloud->device_online(static_cast<Time>(sc_core::sc_time_stamp().value())));
  EXPECT_EQ(m.exchange(std::string("\xC0\x00", 2)), std::string("\xD0\x00", 2));  // §3.12/§3.13
  EXPECT_EQ(m.b.sig("net.cloud.mqtt_connects").value(), 1);
}

// CL-05: QoS 1 telemetry is acknowledged (§3.4, same packet id) and stored once per sequence
// number: a record sent again (a power cut before the PUBACK) is counted as a duplicate only.
TEST(CloudMqtt, TelemetryStoredOncePerSequenceNumber) {
  Mqtt m;
  m.exchange(connect("SE1"));
  EXPECT_EQ(m.exchange(publish1("clemap/SE1/telemetry", 7, record(1))), std::string("\x40\x02\x00\x07", 4));
  EXPECT_EQ(m.exchange(publish1("clemap/SE1/telemetry", 8, record(2))), std::string("\x40\x02\x00\x08", 4));
  EXPECT_EQ(m.exchange(publish1("clemap/SE1/telemetry", 9, record(2))), std::string("\x40\x02\x00\x09", 4));
  EXPECT_EQ(m.b.sig("net.cloud.telemetry_count").value(), 2);
  EXPECT_EQ(m.b.sig("net.cloud.duplicates").value(), 1);
  EXPECT_EQ(m.b.sig("net.cloud.last_seq").value(), 2);
  EXPECT_EQ(m.b.sig("net.cloud.gaps").value(), 0);
  m.exchange(publish1("clemap/SE1/telemetry", 10, record(5)));
  EXPECT_EQ(m.b.sig("net.cloud.gaps").value(), 2) << "3 and 4 missing";
  ASSERT_EQ(m.b.cloud->telemetry().size(), 3u);
  EXPECT_EQ(m.b.cloud->telemetry()[2].data["seq"], 5);
}

// RC-01 / CL-06: the portal's ripple knob and a Direct EVSE POST reach the subscribed device as
// QoS 1 PUBLISH packets on its command topics (§3.3: flags 0b0010, topic, id, payload).
TEST(CloudMqtt, CommandsGoToTheSubscribedDevice) {
  Mqtt m;
  m.exchange(connect("SE1"));
  m.exchange(pkt(0x82, u16(1) + str("clemap/SE1/cmd/#") + std::string(1, '\x01')));
  m.b.set("net.cloud.ripple", "blocked");
  std::string got = m.exchange("");
  std::string topic = "clemap/SE1/cmd/ripple";
  ASSERT_GE(got.size(), 4 + topic.size());
  EXPECT_EQ(static_cast<unsigned char>(got[0]), 0x32);
  EXPECT_EQ(got.substr(2, 2 + topic.size()), str(topic));
  auto j = nlohmann::json::parse(got.substr(4 + topic.size() + 2));
  EXPECT_EQ(j["mode"], "blocked");
  m.exchange(std::string("\x40\x02", 2) + got.substr(4 + topic.size(), 2));  // PUBACK
  EXPECT_EQ(m.b.sig("net.cloud.commands").value(), 1);
  m.b.set("net.cloud.direct_evse", "SE1 abb1 8 300");
  EXPECT_NE(m.b.sig("net.cloud.direct_evse_result").text().find("received"), std::string::npos);
  got = m.exchange("");
  topic = "clemap/SE1/cmd/evse";
  ASSERT_GE(got.size(), 4 + topic.size());
  j = nlohmann::json::parse(got.substr(4 + topic.size() + 2));
  EXPECT_EQ(j, (nlohmann::json{{"evse", "abb1"}, {"current", 8}, {"duration", 300}}));
}

// Hostile clients: a first packet other than CONNECT, a 5-byte Remaining Length (§2.2.3), a
// reserved CONNECT flag (§3.1.2.3), and a client silent for 1.5 x keep-alive (§3.1.2.10) are
// disconnected; the broker keeps serving others.
TEST(CloudMqtt, ProtocolViolationsAndSilenceCloseTheConnection) {
  Mqtt m;
  m.exchange(std::string("\xC0\x00", 2));
  EXPECT_EQ(m.b.srd(0, Netc::S_STATUS), Netc::SS_CLOSED);
  for (const std::string& bad : {std::string("\x10\xFF\xFF\xFF\xFF\x01", 6),
                                 pkt(0x10, str("MQTT") + std::string{4, 0x03} + u16(60) + str("x"))}) {
    ASSERT_EQ(m.b.connect(1, "52.28.10.20", 8883), Netc::SS_ESTABLISHED);
    m.b.send(1, bad);
    m.b.run(0.5);
    EXPECT_EQ(m.b.srd(1, Netc::S_STATUS), Netc::SS_CLOSED) << bad.size();
  }
  ASSERT_EQ(m.b.connect(2, "52.28.10.20", 8883), Netc::SS_ESTABLISHED);
  m.b.send(2, connect("quiet"));
  m.b.run(89);
  EXPECT_EQ(m.b.srd(2, Netc::S_STATUS), Netc::SS_ESTABLISHED) << "60 s keep-alive: 90 s of grace";
  m.b.run(2);
  EXPECT_EQ(m.b.srd(2, Netc::S_STATUS), Netc::SS_CLOSED);
}
