// net::Manager on fakes: the hotspot (AP-01..07), Wi-Fi reconnect with back-off (AP-12),
// Ethernet first with fail-back (NET-02), STATUS LED per state (LED-01..04) and NTP (CL-09).
// Expected numbers come from the spec rows and section B defaults of
// shared/reference/behaviours.md (A03, A04, A05), not from the manager's constants.
#include "app/net/manager.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/settings/settings.h"
#include "fakes/fakes.h"

namespace lmc::net {
namespace {

constexpr std::uint32_t kIp = 0xC0A80132;  // 192.168.1.50

struct Device {
  fake::Rig rig;
  settings::Settings settings;
  std::unique_ptr<Controller> c;
  std::unique_ptr<Manager> m;
  void boot() {
    c = std::make_unique<Controller>(rig.ports(), rig.config);
    m = std::make_unique<Manager>(settings, rig.link, rig.sockets, c->log(), c->resolver(), c->panel(), c->time(),
                                  rig.system.serial());
    c->attach_net(*m);
    c->start();
  }
  void credentials(const char* ssid, const char* pw) {
    settings.set_text(settings::Id::WifiSsid, ssid, std::strlen(ssid), 0xFF);
    settings.set_text(settings::Id::WifiPassword, pw, std::strlen(pw), 0xFF);
    rig.config.ssid = ssid;
  }
  // The network side: a new link status at t (the LINK interrupt).
  void at(std::uint64_t t, Link::Status s) {
    rig.idle.at(t, [this, s] { rig.link.change(s); });
  }
  void run(std::uint64_t t) { c->run_until(t); }
  std::vector<std::string> lines(const std::string& what) const { return rig.console.grep(what); }
  bool has(const std::string& what) const { return rig.console.has(what); }
};

Link::Status hotspot(std::uint8_t clients = 0) {
  Link::Status s;
  s.enabled = true;
  s.ap = true;
  s.ap_clients = clients;
  return s;
}

Link::Status wifi_up() {
  Link::Status s;
  s.enabled = true;
  s.wifi_up = true;
  s.has_ip = true;
  s.wifi = Link::Wifi::Connected;
  s.ip = kIp;
  s.rssi = -60;
  return s;
}

Link::Status wifi_failed(std::uint16_t reason) {
  Link::Status s;
  s.enabled = true;
  s.wifi = Link::Wifi::Failed;
  s.wifi_reason = reason;
  return s;
}

// AP-01 (SE12345678 -> clemap78), AP-02 (sensorsetup), AP-03 (192.168.1.100), A04 (at boot
// without credentials and without Ethernet), AP-05 (10 min without a client).
TEST(NetManager, HotspotAtFirstBootClosesAfterTenIdleMinutes) {
  Device d;
  d.boot();
  d.run(2000);
  EXPECT_TRUE(d.rig.link.ap_ssid.empty());  // waits for a cable's auto-negotiation (1 s) first
  d.run(5000);
  EXPECT_EQ(d.rig.link.ap_ssid, "clemap78");
  EXPECT_EQ(d.rig.link.ap_password, "sensorsetup");
  EXPECT_EQ(d.rig.link.ap_ip, 0xC0A80164u);  // 192.168.1.100
  EXPECT_TRUE(d.has("lmc: net hotspot-start ssid=clemap78 by=boot\n"));
  d.at(6000, hotspot());  // beacons
  d.run(6001);
  EXPECT_TRUE(d.has("lmc: net hotspot-up ssid=clemap78 ip=192.168.1.100\n"));
  EXPECT_EQ(d.c->panel().status(), Pattern::Off);  // LED-01
  d.run(6000 + 600000 - 100);
  EXPECT_FALSE(d.has("hotspot-off"));
  d.run(6000 + 600000 + 100);
  EXPECT_TRUE(d.has("lmc: net hotspot-off reason=idle\n"));
}

TEST(NetManager, HotspotCountdownRestartsWhenTheLastClientLeaves) {
  Device d;
  d.boot();
  d.at(5000, hotspot());
  d.at(300000, hotspot(1));  // the phone joins at 5 min
  d.at(480000, hotspot(0));  // and leaves at 8 min
  d.run(480000 + 600000 - 100);
  EXPECT_FALSE(d.has("hotspot-off"));  // 10 min from the leave, not from the beacon
  EXPECT_TRUE(d.has("lmc: net hotspot-clients clients=1\n"));
  d.run(480000 + 600000 + 100);
  EXPECT_TRUE(d.has("lmc: net hotspot-off reason=idle\n"));
}

TEST(NetManager, NoHotspotWithEthernetAndACableClosesIt) {
  Device d;
  d.at(1000, fake::FakeLink::ethernet());
  d.boot();
  d.run(10000);
  EXPECT_TRUE(d.rig.link.ap_ssid.empty());
  // AP-04: a cable plugged while the hotspot runs switches it off (<= 10 s).
  Device e;
  e.boot();
  e.at(5000, hotspot());
  Link::Status cable = fake::FakeLink::ethernet();
  cable.ap = true;  // still beaconing when the carrier comes
  e.at(20000, cable);
  e.run(20001);
  EXPECT_TRUE(e.has("lmc: net hotspot-off reason=ethernet\n"));
}

TEST(NetManager, GestureOpensTheHotspot) {
  Device d;
  d.at(1000, fake::FakeLink::ethernet());
  d.boot();
  d.run(5000);
  d.at(6000, Link::Status{});  // the cable is pulled: nothing connected
  d.rig.idle.at(8000, [&] { d.rig.gpio.button = true; });
  d.rig.idle.at(11000, [&] { d.rig.gpio.button = false; });  // BTN-02: 3 s
  d.run(12000);
  EXPECT_TRUE(d.has("lmc: net hotspot-requested by=button\n"));
  EXPECT_TRUE(d.has("lmc: net hotspot-start ssid=clemap78 by=button\n"));
}

// AP-12: after a drop the device reconnects with back-off from 5 s to 60 s; A04: after 3 min
// of failures the hotspot opens and the retries go on every 60 s.
TEST(NetManager, WifiReconnectsWithBackoffThenDiscoveryHotspot) {
  Device d;
  d.credentials("garage", "secret123");
  d.boot();
  d.run(3500);
  ASSERT_EQ(d.rig.link.joined_ssid, "garage");
  d.at(5000, wifi_up());
  d.run(5001);
  EXPECT_TRUE(d.has("lmc: net wifi-up ssid=garage rssi=-60 ip=192.168.1.50\n"));
  EXPECT_EQ(d.c->panel().network(), NetLed::Searching);  // LED-03: no cloud yet
  // The AP vanishes (reason 200); each retry fails again (201 after 1.5 s).
  d.rig.link.joined_ssid.clear();
  d.at(100000, wifi_failed(200));
  std::vector<std::uint64_t> joins;
  std::uint64_t t = 100000;
  for (int i = 0; i < 9; ++i) {
    d.run(t + 1);
    std::uint64_t start = t;
    while (d.rig.link.joined_ssid.empty() && t < start + 200000) {
      t += 100;
      d.run(t);
    }
    ASSERT_FALSE(d.rig.link.joined_ssid.empty()) << "retry " << i;
    joins.push_back(t - start);
    d.rig.link.joined_ssid.clear();
    d.at(t + 1500, wifi_failed(201));
    t += 1500;
  }
  // Gaps: 5, 10, 20, 40, 60 s (AP-12), then 60 s (A04), each within the 100 ms probe.
  const std::uint64_t want[] = {5000, 10000, 20000, 40000, 60000, 60000, 60000, 60000, 60000};
  for (std::size_t i = 0; i < joins.size(); ++i) EXPECT_NEAR(double(joins[i]), double(want[i]), 200.0) << i;
  EXPECT_TRUE(d.has("lmc: net wifi-lost ssid=garage reason=200\n"));
  EXPECT_TRUE(d.has("lmc: net wifi-failed ssid=garage reason=201 retry_ms=10000\n"));
  EXPECT_EQ(d.c->panel().network(), NetLed::Joining);  // LED-02: slow blink while trying
  // 3 min after the drop the hotspot opened (AP-07), once.
  auto opened = d.lines("hotspot-start ssid=clemap78 by=discovery");
  EXPECT_EQ(opened.size(), 1u);
}

// AP-10 / A03 / A04: credentials saved through the hotspot (the web UI writes the settings):
// the join starts <= 5 s after saving, and the hotspot closes 30 s after the join succeeded.
TEST(NetManager, SavedCredentialsJoinAndTheHotspotClosesThirtySecondsLater) {
  Device d;
  d.boot();
  d.at(4000, hotspot(1));  // beaconing, the installer's phone associated
  d.rig.idle.at(60000, [&] { d.credentials("garage", "secret123"); });
  d.run(65000);
  ASSERT_EQ(d.rig.link.joined_ssid, "garage");
  EXPECT_TRUE(d.has("lmc: net wifi-join ssid=garage\n"));
  Link::Status both = wifi_up();
  both.ap = true;
  both.ap_clients = 1;
  d.at(67000, both);
  d.run(67000 + 29000);
  EXPECT_FALSE(d.has("hotspot-off"));
  d.run(67000 + 31000);
  EXPECT_TRUE(d.has("lmc: net hotspot-off reason=wifi-joined\n"));
}

// NET-02 / A05: Ethernet first; fail-back after 30 s of stable Ethernet; failover at once.
TEST(NetManager, EthernetPreferredFailoverAndFailback) {
  Device d;
  d.credentials("garage", "secret123");
  d.boot();
  d.run(3500);
  ASSERT_EQ(d.rig.link.joined_ssid, "garage");
  d.at(5000, wifi_up());
  Link::Status both = wifi_up();
  both.eth_carrier = both.eth_ip = true;
  d.at(60000, both);
  d.run(60000 + 29000);
  EXPECT_EQ(d.rig.link.joined_ssid, "garage");  // still joined
  EXPECT_TRUE(d.has("lmc: net switch from=wifi to=ethernet\n"));
  d.run(60000 + 31000);
  EXPECT_TRUE(d.rig.link.joined_ssid.empty());  // left
  EXPECT_TRUE(d.has("lmc: net wifi-leave reason=ethernet\n"));
  d.at(100000, Link::Status{true});  // cable pulled
  d.run(100001);
  EXPECT_EQ(d.rig.link.joined_ssid, "garage");  // failover at once
}

TEST(NetManager, StatusLedFollowsTheCloud) {
  Device d;
  d.at(1000, fake::FakeLink::ethernet());
  d.boot();
  d.run(2000);
  EXPECT_EQ(d.c->panel().network(), NetLed::Searching);  // LED-03
  d.m->set_cloud_up(true);
  EXPECT_EQ(d.c->panel().network(), NetLed::Online);  // LED-04
  d.at(3000, Link::Status{true});
  d.run(3001);
  EXPECT_EQ(d.c->panel().network(), NetLed::Offline);  // LED-01: no connection, no credentials
}

TEST(NetManager, StaticAddressingFromTheSettings) {
  Device d;
  d.settings.set(settings::Id::NetStatic, 1, 0xFF);
  d.settings.set(settings::Id::NetIp, static_cast<std::int32_t>(0xC0A8010Au), 0xFF);
  d.settings.set(settings::Id::NetMask, static_cast<std::int32_t>(0xFFFFFF00u), 0xFF);
  d.boot();
  EXPECT_FALSE(d.rig.link.ipcfg.dhcp);
  EXPECT_EQ(d.rig.link.ipcfg.ip, 0xC0A8010Au);
  EXPECT_TRUE(d.has("lmc: net addressing mode=static ip=192.168.1.10 mask=255.255.255.0"));
}

// ---- NTP (RFC 5905 client mode; CL-09) ----
constexpr std::uint32_t kNtpIp = 0xA29FC801;  // 162.159.200.1

std::string ntp_reply(const std::string& req, std::uint64_t ntp_secs, std::uint8_t mode = 4, int stratum = 2) {
  std::string r(48, '\0');
  r[0] = static_cast<char>(0x20 | mode);
  r[1] = static_cast<char>(stratum);
  r.replace(24, 8, req.substr(40, 8));  // originate = the client's transmit
  for (int i = 0; i < 4; ++i) r[40 + i] = static_cast<char>(ntp_secs >> (24 - 8 * i));
  r[44] = static_cast<char>(0x80);  // + 0.5 s
  return r;
}

// Ethernet at 1 s, the DNS answer at 1.05 s, then `answer` runs at 1.07 s with the request the
// device sent (events are scripted before the run: the fake idle jumps to the next deadline).
struct NtpDevice : Device {
  std::string request;
  std::function<void()> answer;
  void online_and_resolved() {
    at(1000, fake::FakeLink::ethernet());
    rig.idle.at(1050, [this] {
      EXPECT_EQ(rig.link.dns_name, "pool.ntp.org");
      rig.link.dns_state = 1;
      rig.link.dns_ip = kNtpIp;
      rig.link.events |= Link::kDnsDone;
    });
    rig.idle.at(1070, [this] {
      auto& tx = rig.sockets.sock[6].tx_dgrams;
      ASSERT_EQ(tx.size(), 1u);
      EXPECT_EQ(tx.front().first.ip, kNtpIp);
      EXPECT_EQ(tx.front().first.port, 123);
      request = tx.front().second;
      ASSERT_EQ(request.size(), 48u);
      EXPECT_EQ(static_cast<unsigned char>(request[0]), 0x23u);  // LI 0, VN 4, mode 3
      if (answer) answer();
    });
    boot();
    run(1071);
  }
};

TEST(NetNtp, SetsUtcFromTheServersTransmitTime) {
  NtpDevice d;
  // 2026-12-08 00:00:00 UTC = unix 1796688000 (date -u -d 2026-12-08 +%s); NTP adds 2208988800.
  const std::uint64_t ntp = 1796688000ull + 2208988800ull;
  d.answer = [&] {
    EXPECT_FALSE(d.c->time().utc_known());  // A29: unknown until answered
    d.rig.sockets.deliver_dgram(6, {kNtpIp, 123}, ntp_reply(d.request, ntp));
  };
  d.online_and_resolved();
  ASSERT_TRUE(d.c->time().utc_known());
  // At 1070 ms of uptime UTC was the server's time + 0.5 s + half the 20 ms round trip.
  EXPECT_EQ(d.c->time().utc_ms() - static_cast<std::int64_t>(d.rig.clock.t), 1796688000000ll + 500 + 10 - 1070);
  EXPECT_TRUE(d.has("lmc: net ntp-synced server=162.159.200.1 unix_s=1796688000\n"));
}

TEST(NetNtp, HostileAnswersAreDropped) {
  NtpDevice d;
  const std::uint64_t ntp = 1796688000ull + 2208988800ull;
  d.answer = [&] {
    std::string forged = ntp_reply(d.request, ntp);
    forged[24] ^= 1;  // originate does not echo our request
    std::string unsynced = ntp_reply(d.request, ntp);
    unsynced[0] = static_cast<char>(0xE4);  // LI 3: the server's clock is not synchronised
    d.rig.sockets.deliver_dgram(6, {kNtpIp, 123}, forged);
    d.rig.sockets.deliver_dgram(6, {kNtpIp, 123}, ntp_reply(d.request, ntp, 3));  // client mode
    d.rig.sockets.deliver_dgram(6, {kNtpIp, 123}, unsynced);
    d.rig.sockets.deliver_dgram(6, {kNtpIp, 123}, ntp_reply(d.request, ntp, 4, 0));  // kiss-o'-death
    d.rig.sockets.deliver_dgram(6, {kNtpIp, 123}, ntp_reply(d.request, ntp).substr(0, 47));
    d.rig.sockets.deliver_dgram(6, {kNtpIp + 1, 123}, ntp_reply(d.request, ntp));  // another host
    d.rig.sockets.deliver_dgram(6, {kNtpIp, 124}, ntp_reply(d.request, ntp));      // another port
  };
  d.online_and_resolved();
  EXPECT_FALSE(d.c->time().utc_known());
  EXPECT_EQ(d.m->ntp().rejected(), 7u);
  // No answer within 5 s of the request (1.05 s): failed, retried after 16 s.
  d.run(1050 + 5002);
  EXPECT_TRUE(d.has("lmc: net ntp-failed reason=timeout retry_s=16\n"));
}

}  // namespace
}  // namespace lmc::net
