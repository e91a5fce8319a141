// The cloud link (app/cloud/cloud_link.h) against a scripted broker on the fake sockets: the
// broker's side is decoded here by hand from MQTT 3.1.1 (OASIS, 2014; section numbers cited), not
// with the firmware's codec. Store and forward (CL-05) with a power cut mid-forward on the tearing
// flash, commands (RC-01, CL-06 / PUB §5.1), keep-alive (§3.1.2.10) and reconnect back-off.
#include "app/cloud/cloud_link.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "fakes/fakes.h"
#include "store/torn_flash.h"

namespace {

using lmc::Sockets;
using lmc::cloud::CloudLink;
using lmc::cloud::Record;
using lmc::fake::FakeConsole;
using lmc::fake::FakeLink;
using lmc::fake::FakeSockets;
using lmc::testing::TornFlash;

constexpr int kSock = 7;
constexpr std::uint32_t kCloudIp = 0x341C0A14;  // 52.28.10.20
constexpr std::uint32_t kPages = 8;

struct Hooks final : lmc::cloud::Hooks {
  bool sample(Record* r, std::uint64_t now_ms) override {
    if (!measuring) return false;
    r->t_s = static_cast<std::uint32_t>(now_ms / 1000);
    r->v_dv[0] = r->v_dv[1] = r->v_dv[2] = 2300;
    return true;
  }
  void ripple_command(std::uint8_t mode, std::uint64_t duration_ms, std::uint64_t) override {
    ripple.emplace_back(mode, duration_ms);
  }
  bool evse_command(const char* station, std::int32_t current_ma, std::uint32_t duration_s, std::uint64_t) override {
    evse.push_back(std::string(station) + " " + std::to_string(current_ma) + " " + std::to_string(duration_s));
    return std::string(station) == "abb1";
  }
  void cloud_up(bool up) override { ups.push_back(up); }
  bool measuring = true;
  std::vector<std::pair<int, std::uint64_t>> ripple;
  std::vector<std::string> evse;
  std::vector<bool> ups;
};

// One packet the device sent, decoded by hand (§2.2).
struct Pkt {
  int type, flags;
  std::string body;
};
std::vector<Pkt> take_packets(FakeSockets& so) {
  std::string& tx = so.sock[kSock].tx;
  std::vector<Pkt> out;
  std::size_t i = 0;
  while (i + 2 <= tx.size()) {
    std::size_t rem = 0, mult = 1, k = i + 1;
    for (;; ++k) {
      auto b = static_cast<unsigned char>(tx[k]);
      rem += (b & 0x7F) * mult;
      mult *= 128;
      if (!(b & 0x80)) break;
    }
    auto first = static_cast<unsigned char>(tx[i]);
    out.push_back({first >> 4, first & 15, tx.substr(k + 1, rem)});
    i = k + 1 + rem;
  }
  tx.erase(0, i);
  return out;
}
std::string u16(int v) {
  return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)};
}
int get16(const std::string& b, std::size_t at) {
  return static_cast<unsigned char>(b[at]) << 8 | static_cast<unsigned char>(b[at + 1]);
}
// A PUBLISH body's topic and (QoS 1) packet id and payload.
struct Pub {
  std::string topic, payload;
  int id = 0;
};
Pub parse_pub(const Pkt& p) {
  Pub r;
  int tl = get16(p.body, 0);
  r.topic = p.body.substr(2, static_cast<std::size_t>(tl));
  std::size_t at = 2 + static_cast<std::size_t>(tl);
  if ((p.flags >> 1) & 3) {
    r.id = get16(p.body, at);
    at += 2;
  }
  r.payload = p.body.substr(at);
  return r;
}
std::string publish_qos1(const std::string& topic, int id, const std::string& payload) {
  std::string body = u16(static_cast<int>(topic.size())) + topic + u16(id) + payload;
  return std::string{'\x32', static_cast<char>(body.size())} + body;
}
// "seq":N out of the device's JSON.
int seq_of(const std::string& json) {
  auto at = json.find("\"seq\":");
  return at == std::string::npos ? -1 : std::stoi(json.substr(at + 6));
}

// The device side: flash, ring, link; rebuilt after a power cut over the same flash.
struct Device {
  Device(TornFlash& f, FakeSockets& so, FakeLink& link, std::uint64_t now)
      : flash(f),
        resolver(link, log),
        ring(f, 0, kPages, lmc::cloud::kRecordBytes),
        cl(so, kSock, resolver, ring, log, hooks) {
    EXPECT_EQ(ring.mount(), lmc::store::TelemetryRing::Status::Ok);
    resolver.set_online(true);
    cl.start({.host = "cloud.clemap.com", .port = 8883, .serial = "SE1", .credential = "code"}, now);
  }
  TornFlash& flash;
  FakeConsole console;
  lmc::Log log{console};
  lmc::net::Resolver resolver;
  lmc::store::TelemetryRing ring;
  Hooks hooks;
  CloudLink cl;
};

struct Rig {
  TornFlash flash{kPages * 4096};
  FakeSockets so;
  FakeLink link;
  std::uint64_t now = 0;
  std::unique_ptr<Device> dev;
  std::vector<Pkt> leftover;  // sent together with the SUBSCRIBE
  // What the device sent since the last call.
  std::vector<Pkt> packets() {
    std::vector<Pkt> out = std::move(leftover);
    leftover.clear();
    for (auto& p : take_packets(so)) out.push_back(p);
    return out;
  }
  Rig() {
    link.dns_state = 1;
    link.dns_ip = kCloudIp;
    dev = std::make_unique<Device>(flash, so, link, now);
  }
  void tick() { dev->cl.tick(now); }
  // Seconds of 1 s cycles.
  void run_s(int s) {
    for (int i = 0; i < s; ++i) {
      now += 1000;
      tick();
    }
  }
  // DNS, TCP connect, CONNECT -> CONNACK, SUBSCRIBE -> SUBACK. Returns the CONNECT body.
  std::string connect() {
    for (int i = 0; i < 130 && so.sock[kSock].state != Sockets::State::Connecting; ++i) {
      now += 1000;
      tick();
    }
    EXPECT_EQ(so.sock[kSock].state, Sockets::State::Connecting);
    EXPECT_EQ(so.sock[kSock].peer.ip, kCloudIp);
    EXPECT_EQ(so.sock[kSock].peer.port, 8883);
    so.connected(kSock);
    dev->cl.poll(now);
    auto p = take_packets(so);
    EXPECT_EQ(p.size(), 1u);
    if (p.empty()) return {};
    EXPECT_EQ(p[0].type, 1);
    so.deliver(kSock, std::string("\x20\x02\x00\x00", 4));  // CONNACK accepted (§3.2)
    dev->cl.poll(now);
    auto s = take_packets(so);
    EXPECT_GE(s.size(), 1u);  // SUBSCRIBE, then the first record of a backlog
    if (s.size() > 1) leftover.assign(s.begin() + 1, s.end());
    if (!s.empty()) {
      EXPECT_EQ(s[0].type, 8);
      EXPECT_EQ(s[0].flags, 2);                                                                         // §3.8.1
      so.deliver(kSock, std::string("\x90\x03", 2) + s[0].body.substr(0, 2) + std::string("\x01", 1));  // SUBACK
      dev->cl.poll(now);
    }
    EXPECT_TRUE(dev->cl.up());
    return p[0].body;
  }
};

}  // namespace

// §3.1: the CONNECT the broker sees: "MQTT" level 4, clean session, user name and password,
// keep alive 30 s; the client id, user name = serial, password = activation code (CL-02).
TEST(CloudLink, ConnectsWithCredentialsAndSubscribesToItsCommands) {
  Rig r;
  std::string c = r.connect();
  std::string want = u16(4) + "MQTT" + std::string{4, static_cast<char>(0xC2)} + u16(30) + u16(3) + "SE1" + u16(3) +
                     "SE1" + u16(4) + "code";
  EXPECT_EQ(c, want);
  EXPECT_EQ(r.dev->hooks.ups, std::vector<bool>{true});
  EXPECT_TRUE(r.dev->cl.led_on(r.now));
  EXPECT_TRUE(r.dev->console.has("lmc: cloud connected ip=52.28.10.20 port=8883"));
}

// CL-05 end to end on the host: 3 h offline (180 records in flash), then the backlog goes out
// one PUBLISH QoS 1 at a time, oldest first; the next only after the PUBACK of the last.
TEST(CloudLink, ForwardsTheBacklogInOrderOnePubackAtATime) {
  Rig r;
  r.run_s(3 * 3600);  // DNS fine, but nobody answers the SYN: no connection
  EXPECT_EQ(r.dev->ring.pending(), 180u);
  r.so.sock[kSock] = {};
  r.connect();
  std::vector<int> seqs;
  for (int guard = 0; guard < 1000; ++guard) {
    r.dev->cl.poll(r.now);
    auto ps = r.packets();
    if (ps.empty()) break;
    ASSERT_EQ(ps.size(), 1u) << "one record in flight at a time";
    ASSERT_EQ(ps[0].type, 3);
    EXPECT_EQ(ps[0].flags, 2) << "QoS 1, no DUP, no RETAIN";
    Pub m = parse_pub(ps[0]);
    EXPECT_EQ(m.topic, "clemap/SE1/telemetry");
    seqs.push_back(seq_of(m.payload));
    r.so.deliver(kSock, std::string("\x40\x02", 2) + u16(m.id));  // PUBACK
  }
  // 180, and one more when the reconnect took another minute of back-off.
  ASSERT_GE(seqs.size(), 180u);
  ASSERT_LE(seqs.size(), 181u);
  for (std::size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<int>(i) + 1);
  EXPECT_EQ(r.dev->ring.pending(), 0u);
  const std::string n = std::to_string(seqs.size());
  EXPECT_TRUE(r.dev->console.has("lmc: cloud backlog-sent count=" + n + " last_seq=" + n));
}

// CL-05 / issue 14: a supply cut after the broker stored a record but before its PUBACK reached
// the device. The ring marks a record sent only on the PUBACK, so after the reboot exactly that
// record is sent again (the cloud drops it by seq) and nothing is lost: the union of what the
// broker received is every seq once, plus at most the one in flight twice.
TEST(CloudLink, PowerCutMidForwardResendsOnlyTheRecordInFlight) {
  Rig r;
  r.run_s(3600);
  const auto pending = r.dev->ring.pending();
  ASSERT_EQ(pending, 60u);
  r.so.sock[kSock] = {};
  r.connect();
  std::multiset<int> got;
  for (int k = 0; k < 25; ++k) {  // 25 acknowledged
    r.dev->cl.poll(r.now);
    auto ps = r.packets();
    ASSERT_EQ(ps.size(), 1u);
    Pub m = parse_pub(ps[0]);
    got.insert(seq_of(m.payload));
    r.so.deliver(kSock, std::string("\x40\x02", 2) + u16(m.id));
  }
  r.dev->cl.poll(r.now);
  auto ps = take_packets(r.so);
  ASSERT_EQ(ps.size(), 1u);
  const int in_flight = seq_of(parse_pub(ps[0]).payload);
  got.insert(in_flight);  // the broker has it; its PUBACK is lost with the supply
  EXPECT_EQ(in_flight, 26);
  // Power cut: RAM gone, the flash keeps what was committed. Reboot.
  r.dev.reset();
  r.so.sock[kSock] = {};
  r.now += 20000;
  r.dev = std::make_unique<Device>(r.flash, r.so, r.link, r.now);
  EXPECT_EQ(r.dev->ring.pending(), pending - 25);
  r.connect();
  for (int guard = 0; guard < 200; ++guard) {
    r.dev->cl.poll(r.now);
    auto qs = r.packets();
    if (qs.empty()) break;
    Pub m = parse_pub(qs[0]);
    got.insert(seq_of(m.payload));
    r.so.deliver(kSock, std::string("\x40\x02", 2) + u16(m.id));
  }
  for (int s = 1; s <= 60; ++s) EXPECT_EQ(got.count(s), s == in_flight ? 2u : 1u) << s;
  EXPECT_EQ(got.size(), 61u);
}

// RC-01 / CL-06: commands as QoS 1 messages: acknowledged (§3.3.4: PUBACK with the same id),
// passed on to the site, and hostile ones rejected with a line, never applied.
TEST(CloudLink, CommandsAreAcknowledgedAndValidated) {
  Rig r;
  r.connect();
  auto cmd = [&](const std::string& kind, int id, const std::string& json) {
    r.so.deliver(kSock, publish_qos1("clemap/SE1/cmd/" + kind, id, json));
    r.dev->cl.poll(r.now);
    auto ps = take_packets(r.so);
    EXPECT_EQ(ps.size(), 1u) << json;
    if (!ps.empty()) {
      EXPECT_EQ(ps[0].type, 4);
      EXPECT_EQ(get16(ps[0].body, 0), id);
    }
  };
  cmd("ripple", 1, R"({"mode":"blocked","duration":7200})");
  cmd("evse", 2, R"({"evse":"abb1","current":8,"duration":300})");
  cmd("evse", 3, R"({"evse":"abb1","current":8.5,"duration":300})");  // PUB §5.1: integer amperes
  cmd("evse", 4, R"({"evse":"abb1","current":8})");                   // duration is required
  cmd("ripple", 5, R"({"mode":"off"})");
  cmd("ripple", 6, R"({"mode":"blocked","duration":-1})");
  cmd("evse", 7, R"({"evse":"nope","current":6,"duration":60})");
  cmd("reboot", 8, R"({})");
  cmd("ripple", 9, "not json");
  ASSERT_EQ(r.dev->hooks.ripple.size(), 1u);
  EXPECT_EQ(r.dev->hooks.ripple[0], (std::pair<int, std::uint64_t>{2, 7200000}));
  EXPECT_EQ(r.dev->hooks.evse, (std::vector<std::string>{"abb1 8000 300", "nope 6000 60"}));
  EXPECT_EQ(r.dev->console.grep("lmc: cloud command-rejected").size(), 7u);
  EXPECT_TRUE(r.dev->cl.up()) << "a bad command is not a protocol error";
}

// §3.1.2.10: PINGREQ after 30 s without sending; no packet from the broker for 45 s drops the
// session and reconnects after the back-off (1 s, doubling).
TEST(CloudLink, KeepAliveAndReconnectBackoff) {
  Rig r;
  r.dev->hooks.measuring = false;  // no telemetry: only pings go out
  r.connect();
  r.run_s(30);
  auto ps = take_packets(r.so);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].type, 12);
  r.so.deliver(kSock, std::string("\xD0\x00", 2));  // PINGRESP
  r.dev->cl.poll(r.now);
  r.run_s(44);
  EXPECT_TRUE(r.dev->cl.up());
  r.run_s(2);  // 46 s since the PINGRESP
  EXPECT_FALSE(r.dev->cl.up());
  EXPECT_TRUE(r.dev->console.has("lmc: cloud disconnected reason=keepalive retry_ms=1000"));
  EXPECT_EQ(r.dev->hooks.ups, (std::vector<bool>{true, false}));
  r.run_s(1);
  EXPECT_EQ(r.so.sock[kSock].state, Sockets::State::Connecting) << "retried after 1 s";
}

// §4.8: a protocol violation from the broker closes the connection (here: QoS 3 PUBLISH, and a
// CONNACK refusing the credentials, which backs off the longest).
TEST(CloudLink, ProtocolErrorsCloseTheSession) {
  Rig r;
  r.connect();
  r.so.deliver(kSock, std::string("\x36\x05\x00\x01t\x00\x01", 7));
  r.dev->cl.poll(r.now);
  EXPECT_FALSE(r.dev->cl.up());
  EXPECT_TRUE(r.dev->console.has("reason=protocol"));
  Rig q;
  for (int i = 0; i < 130 && q.so.sock[kSock].state != Sockets::State::Connecting; ++i) q.run_s(1);
  ASSERT_EQ(q.so.sock[kSock].state, Sockets::State::Connecting);
  q.so.connected(kSock);
  q.dev->cl.poll(q.now);
  take_packets(q.so);
  q.so.deliver(kSock, std::string("\x20\x02\x00\x05", 4));  // not authorised (§3.2.2.3)
  q.dev->cl.poll(q.now);
  EXPECT_TRUE(q.dev->console.has("lmc: cloud refused rc=5 retry_ms=60000")) << q.dev->console.out;
}
