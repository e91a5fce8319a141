// The device's network controller driven through its registers (TLM, no CPU) against the
// simulated site network.
#include <cstring>

#include <nlohmann/json.hpp>

#include "models/net/phone.h"
#include "net_test_util.h"

using namespace lmsim;
using namespace lmsim::net;
using lmsim::mcu::Netc;
using lmsim::net::test::Bench;

namespace {

const char* kEth = R"(
network:
  ethernet: {plugged: true}
  hosts:
    - {name: nas, ip: 192.168.1.50, echo: 7, http: {port: 80, body: hello}}
)";

const char* kWifi = R"(
network:
  wifi:
    - {ssid: garage, password: secret123, band: 2.4GHz, signal: -60dBm}
    - {ssid: office5, password: secret123, band: 5GHz, signal: -40dBm}
    - {ssid: dual, password: secret123, band: [2.4GHz, 5GHz], signal: -70dBm, channel: 11}
    - {ssid: far, password: secret123, signal: -88dBm}
  hosts:
    - {name: nas, ip: 192.168.1.50, echo: 7}
)";

std::uint32_t wifi_state(Bench& b) {
  return (b.rd(Netc::LINK) >> 8) & 0xF;
}

}  // namespace

TEST(Netc, IdEthernetCarrierThenDhcpLease) {
  Bench b(kEth);
  EXPECT_EQ(b.rd(Netc::ID), Netc::kId);
  EXPECT_EQ(b.rd(Netc::LINK), 0u);  // disabled
  b.enable();
  // Auto-negotiation takes 1 s from power-up, then DHCP a few hops.
  ASSERT_TRUE(b.wait_ip(3));
  EXPECT_NEAR(b.now_s(), 1.012, 0.002);
  std::uint32_t link = b.rd(Netc::LINK);
  EXPECT_TRUE(link & Netc::LINK_ETH_CARRIER);
  EXPECT_TRUE(link & Netc::LINK_ETH_IP);
  EXPECT_EQ(test::ip_str(b.rd(Netc::IP)), "192.168.1.100");  // first address of the default pool
  EXPECT_EQ(test::ip_str(b.rd(Netc::GATEWAY)), "192.168.1.1");
  EXPECT_EQ(b.rd(Netc::NETMASK), 0xFFFFFF00u);
  EXPECT_TRUE(b.rd(Netc::IRQ_STATUS) & Netc::IRQ_LINK);
  EXPECT_TRUE(b.netc->irq.level);
  b.wr(Netc::IRQ_STATUS, Netc::IRQ_LINK);
  EXPECT_FALSE(b.netc->irq.level);
  EXPECT_EQ(b.sig("net.device.ip").text(), "192.168.1.100");
  EXPECT_EQ(b.sig("net.device.iface").render(), "ethernet");
}

TEST(Netc, TcpEchoMovesBlocksByDmaWithLatency) {
  Bench b(kEth);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  double t0 = b.now_s();
  ASSERT_EQ(b.connect(0, "192.168.1.50", 7), Netc::SS_ESTABLISHED);
  // SYN + SYN-ACK: two one-way trips of 100 us (Ethernet) + 300 us (host link).
  EXPECT_NEAR(b.now_s() - t0, 0.0008, 0.0011);
  EXPECT_TRUE(b.srd(0, Netc::S_FLAGS) & Netc::SF_TX_DONE);
  EXPECT_TRUE(b.rd(Netc::IRQ_STATUS) & (Netc::IRQ_SOCK0 << 0));
  b.swr(0, Netc::S_FLAGS, 0x1F);
  std::string payload(3000, 'x');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(b.send(0, payload), 3000u);
  EXPECT_EQ(b.srd(0, Netc::S_TX_FREE), Netc::kTxBuf - 3000);
  ASSERT_TRUE(b.wait_rx(0, 3000));
  EXPECT_EQ(b.recv(0), payload);
  EXPECT_EQ(b.srd(0, Netc::S_TX_FREE), Netc::kTxBuf);  // acknowledged
  EXPECT_TRUE(b.srd(0, Netc::S_FLAGS) & Netc::SF_TX_DONE);
  // Orderly close: FIN, the echo host closes too.
  b.swr(0, Netc::S_CMD, Netc::SC_CLOSE);
  EXPECT_EQ(b.srd(0, Netc::S_STATUS), Netc::SS_CLOSING);
  ASSERT_TRUE(b.run_until([&] { return b.srd(0, Netc::S_STATUS) == Netc::SS_CLOSED; }, 1));
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), 0u);
  EXPECT_EQ(b.lan->open_connections(), 0u);
}

// docs/mcu-netc.md: 16 sockets at 0x100 + n * 0x40 (the last block ends at 0x4FF); socket n's
// summary bit in IRQ_STATUS is 8 + n, and IRQ_ENABLE masks it like the global bits.
TEST(Netc, SixteenSocketsEachWithItsOwnRegistersAndInterruptBit) {
  static_assert(Netc::kSockets == 16);
  Bench b(kEth);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  for (int s = 0; s < 16; ++s) ASSERT_EQ(b.connect(s, "192.168.1.50", 7), Netc::SS_ESTABLISHED) << "socket " << s;
  EXPECT_EQ(b.lan->open_connections(), 16u);
  // The last socket's block is at 0x100 + 15 * 0x40 = 0x4C0.
  std::uint32_t v = 0;
  ASSERT_TRUE(b.port->access(false, 0x4C0 + Netc::S_STATUS, v));
  EXPECT_EQ(v, Netc::SS_ESTABLISHED);
  EXPECT_EQ(b.rd(Netc::IRQ_STATUS) & 0x00FFFF00u, 0x00FFFF00u);  // bits 8..23
  b.wr(Netc::IRQ_ENABLE, 1u << 23);
  EXPECT_EQ(b.rd(Netc::IRQ_ENABLE), 1u << 23);
  EXPECT_TRUE(b.netc->irq.level);
  b.swr(15, Netc::S_FLAGS, 0x1F);
  EXPECT_FALSE(b.netc->irq.level);  // only socket 15 was enabled
  EXPECT_EQ(b.send(15, "sixteen"), 7u);
  ASSERT_TRUE(b.wait_rx(15, 7));
  EXPECT_EQ(b.recv(15), "sixteen");
  EXPECT_TRUE(b.netc->irq.level);
  // Beyond the last socket there is no register.
  EXPECT_FALSE(b.port->access(false, 0x500 + Netc::S_STATUS, v));
}

TEST(Netc, FlowControlHoldsDataBeyondTheReceiveBuffer) {
  Bench b(kEth);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  ASSERT_EQ(b.connect(0, "192.168.1.50", 7), Netc::SS_ESTABLISHED);
  // Send 3 x 4000 bytes without reading: the echo's replies fill our 4 KiB receive buffer and
  // the rest waits at the echo host until we read.
  std::string all;
  for (int k = 0; k < 3; ++k) {
    std::string chunk(4000, static_cast<char>('A' + k));
    ASSERT_TRUE(b.run_until([&] { return b.srd(0, Netc::S_TX_FREE) >= 4000; }, 2));
    EXPECT_EQ(b.send(0, chunk), 4000u);
    all += chunk;
    b.run(0.01);
  }
  b.run(0.1);
  EXPECT_EQ(b.srd(0, Netc::S_RX_AVAIL), Netc::kRxBuf);
  std::string got;
  while (got.size() < all.size()) {
    if (!b.wait_rx(0, 1, 2)) break;
    got += b.recv(0, 1500);
  }
  EXPECT_EQ(got, all);
}

TEST(Netc, ConnectRefusedAndConnectTimeout) {
  Bench b(kEth);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  double t0 = b.now_s();
  EXPECT_EQ(b.connect(0, "192.168.1.50", 81), Netc::SS_CLOSED);
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::Refused));
  EXPECT_LT(b.now_s() - t0, 0.003);  // RST comes back after one round trip
  t0 = b.now_s();
  EXPECT_EQ(b.connect(1, "192.168.1.77", 80, 10, 3000), Netc::SS_CLOSED);  // nobody there
  EXPECT_EQ(b.srd(1, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::Timeout));
  EXPECT_NEAR(b.now_s() - t0, 3.0, 0.01);
  // A bad command on a closed socket is an error, not a crash.
  b.swr(2, Netc::S_CMD, Netc::SC_SEND);
  EXPECT_EQ(b.srd(2, Netc::S_ERROR), Netc::SE_BAD_COMMAND);
  b.swr(2, Netc::S_CMD, 99);
  EXPECT_EQ(b.srd(2, Netc::S_ERROR), Netc::SE_BAD_COMMAND);
}

TEST(Netc, WifiJoinScanAndRssi) {
  Bench b(kWifi);
  b.enable();
  // Scan: 5 GHz-only networks are not heard by the 2.4 GHz radio; results sorted by level.
  b.wr(Netc::SCAN_BUF, test::FlatMemory::kBase + 0x2000);
  b.wr(Netc::SCAN_LEN, 10 * Netc::kScanRecord);
  b.wr(Netc::CMD, Netc::CMD_SCAN);
  EXPECT_EQ(b.rd(Netc::CMD_STATUS), Netc::CST_BUSY);
  ASSERT_TRUE(b.run_until([&] { return b.rd(Netc::CMD_STATUS) == Netc::CST_DONE; }, 3));
  EXPECT_NEAR(b.now_s(), 1.5, 0.01);
  ASSERT_EQ(b.rd(Netc::SCAN_COUNT), 3u);
  auto rec = [&](int k) { return b.mem.bytes.data() + 0x2000 + k * Netc::kScanRecord; };
  EXPECT_STREQ(reinterpret_cast<const char*>(rec(0)), "garage");
  EXPECT_EQ(static_cast<std::int8_t>(rec(0)[33]), -60);
  EXPECT_STREQ(reinterpret_cast<const char*>(rec(1)), "dual");
  EXPECT_EQ(rec(1)[34], 11);
  EXPECT_STREQ(reinterpret_cast<const char*>(rec(2)), "far");
  EXPECT_TRUE(b.rd(Netc::IRQ_STATUS) & Netc::IRQ_SCAN);

  double t0 = b.now_s();
  b.join("garage", "secret123");
  EXPECT_EQ(wifi_state(b), static_cast<std::uint32_t>(WifiState::Connecting));
  ASSERT_TRUE(b.wait_ip(5));
  // scan 1.5 s + auth/assoc 50 ms + handshake 20 ms + DHCP
  EXPECT_NEAR(b.now_s() - t0, 1.57, 0.02);
  EXPECT_TRUE(b.rd(Netc::LINK) & Netc::LINK_WIFI_UP);
  EXPECT_EQ(static_cast<std::int32_t>(b.rd(Netc::WIFI_RSSI)), -60);
  EXPECT_EQ(b.sig("net.wifi.link").render(), "up");
  EXPECT_EQ(b.sig("net.wifi.rssi").value(), -60);
  EXPECT_EQ(b.sig("net.device.iface").render(), "wifi");
  ASSERT_EQ(b.connect(0, "192.168.1.50", 7), Netc::SS_ESTABLISHED);
  b.send(0, "ping");
  ASSERT_TRUE(b.wait_rx(0, 4));
  EXPECT_EQ(b.recv(0), "ping");
}

TEST(Netc, WifiWrongPasswordIsHandshakeTimeout15) {
  Bench b(kWifi);
  b.enable();
  b.join("garage", "wrongpass");
  ASSERT_TRUE(b.run_until([&] { return wifi_state(b) == static_cast<std::uint32_t>(WifiState::Failed); }, 10));
  EXPECT_EQ(b.rd(Netc::WIFI_REASON), 15u);
  EXPECT_NEAR(b.now_s(), 1.5 + 0.05 + 4.0, 0.01);
  EXPECT_EQ(b.sig("net.wifi.reason").value(), 15);
  EXPECT_FALSE(b.rd(Netc::LINK) & Netc::LINK_HAS_IP);
}

TEST(Netc, Wifi5GHzOnlyNetworkIsNoApFound201) {
  Bench b(kWifi);
  b.enable();
  b.join("office5", "secret123");
  ASSERT_TRUE(b.run_until([&] { return wifi_state(b) == static_cast<std::uint32_t>(WifiState::Failed); }, 10));
  EXPECT_EQ(b.rd(Netc::WIFI_REASON), 201u);
  EXPECT_NEAR(b.now_s(), 1.5, 0.01);
  // The dual-band AP is joined on 2.4 GHz.
  b.join("dual", "secret123");
  EXPECT_TRUE(b.wait_ip(5));
}

TEST(Netc, WeakSignalAuthExpire2AndClosedCabinetBeaconTimeout200) {
  Bench b(kWifi);
  b.enable();
  b.join("far", "secret123");  // -88 dBm: heard, but below the join floor
  ASSERT_TRUE(b.run_until([&] { return wifi_state(b) == static_cast<std::uint32_t>(WifiState::Failed); }, 10));
  EXPECT_EQ(b.rd(Netc::WIFI_REASON), 2u);
  EXPECT_NEAR(b.now_s(), 2.5, 0.01);

  b.set("net.wifi.ap.garage.signal", "-80dBm");
  b.join("garage", "secret123");
  ASSERT_TRUE(b.wait_ip(5));
  EXPECT_EQ(b.sig("net.wifi.rssi").value(), -80);
  // Closing the cabinet door costs 15 dB: -95 dBm is below sensitivity; beacons are lost and
  // the station gives up after the beacon timeout.
  b.set("net.wifi.cabinet_closed", "true");
  double t0 = b.now_s();
  ASSERT_TRUE(b.run_until([&] { return wifi_state(b) == static_cast<std::uint32_t>(WifiState::Failed); }, 10));
  EXPECT_EQ(b.rd(Netc::WIFI_REASON), 200u);
  EXPECT_NEAR(b.now_s() - t0, 6.0, 0.01);
  EXPECT_EQ(b.sig("net.wifi.link").render(), "down");
  // Door open again: joins.
  b.set("net.wifi.cabinet_closed", "false");
  b.join("garage", "secret123");
  EXPECT_TRUE(b.wait_ip(5));
}

TEST(Netc, EthernetUnplugClosesSocketsAndReplugRestoresAddress) {
  Bench b(kEth);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  std::uint32_t ip = b.rd(Netc::IP);
  ASSERT_EQ(b.connect(0, "192.168.1.50", 7), Netc::SS_ESTABLISHED);
  b.swr(0, Netc::S_FLAGS, 0x1F);
  b.set("net.eth.link", "false");
  b.run(0.001);
  EXPECT_EQ(b.srd(0, Netc::S_STATUS), Netc::SS_CLOSED);
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::NoLink));
  EXPECT_EQ(b.rd(Netc::LINK) & (Netc::LINK_ETH_CARRIER | Netc::LINK_HAS_IP), 0u);
  EXPECT_EQ(b.connect(1, "192.168.1.50", 7), Netc::SS_CLOSED);
  EXPECT_EQ(b.srd(1, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::NoLink));
  double t0 = b.now_s();
  b.set("net.eth.link", "true");
  ASSERT_TRUE(b.wait_ip(3));
  EXPECT_NEAR(b.now_s() - t0, 1.012, 0.002);
  EXPECT_EQ(b.rd(Netc::IP), ip);  // the lease is renewed
  EXPECT_EQ(b.connect(0, "192.168.1.50", 7), Netc::SS_ESTABLISHED);
}

// docs/mcu-netc.md: IRQ_STATUS.LINK = "link/address/Wi-Fi state changed", LINK.ETH_IP is bit 1.
// A cable plugged while on Wi-Fi gets the same router lease (one client): the address in use
// does not change, but ETH_IP does, so the firmware must still be told (NET-02 fail-back).
TEST(Netc, EthernetLeaseWhileOnWifiRaisesLinkEvenWithTheSameAddress) {
  Bench b(std::string(kWifi) + "  ethernet: {plugged: false}\n");
  b.enable();
  b.join("garage", "secret123");
  ASSERT_TRUE(b.wait_ip(5));
  const std::uint32_t ip = b.rd(Netc::IP);
  b.set("net.eth.link", "true");
  // Carrier after auto-negotiation (its own LINK event, cleared here), then the lease.
  ASSERT_TRUE(b.run_until([&] { return (b.rd(Netc::LINK) & Netc::LINK_ETH_CARRIER) != 0; }, 3));
  b.wr(Netc::IRQ_STATUS, Netc::IRQ_LINK);
  ASSERT_FALSE(b.rd(Netc::LINK) & Netc::LINK_ETH_IP);
  ASSERT_TRUE(b.run_until([&] { return (b.rd(Netc::LINK) & Netc::LINK_ETH_IP) != 0; }, 1));
  EXPECT_EQ(b.rd(Netc::IP), ip);
  EXPECT_EQ(b.sig("net.device.iface").render(), "ethernet");
  EXPECT_TRUE(b.rd(Netc::IRQ_STATUS) & Netc::IRQ_LINK);
}

TEST(Netc, DnsAndNtpOverUdp) {
  Bench b(std::string("start: \"2026-11-25T16:00\"\n") + kEth);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  const char name[] = "pool.ntp.org";
  b.mem.write(test::FlatMemory::kBase + 0x100, name, sizeof name);
  b.wr(Netc::CMD_ARG, test::FlatMemory::kBase + 0x100);
  b.wr(Netc::CMD, Netc::CMD_DNS);
  ASSERT_TRUE(b.run_until([&] { return b.rd(Netc::CMD_STATUS) != Netc::CST_BUSY; }, 6));
  ASSERT_EQ(b.rd(Netc::CMD_STATUS), Netc::CST_DONE);
  std::uint32_t ntp_ip = b.rd(Netc::DNS_RESULT);
  EXPECT_EQ(test::ip_str(ntp_ip), "162.159.200.1");
  // NTP request: mode 3, version 4.
  std::uint8_t req[48] = {0x23};
  b.swr(3, Netc::S_MODE, Netc::MODE_UDP);
  b.swr(3, Netc::S_LPORT, 40123);
  b.swr(3, Netc::S_CMD, Netc::SC_OPEN);
  ASSERT_EQ(b.srd(3, Netc::S_STATUS), Netc::SS_UDP);
  b.swr(3, Netc::S_PEER_IP, ntp_ip);
  b.swr(3, Netc::S_PEER_PORT, 123);
  b.send(3, std::string(reinterpret_cast<char*>(req), 48));
  double t_req = b.now_s();
  ASSERT_TRUE(b.wait_rx(3, 48, 1));
  std::string r = b.recv(3);
  ASSERT_EQ(r.size(), 48u);
  EXPECT_EQ(r[0] & 7, 4);  // server
  EXPECT_EQ(b.srd(3, Netc::S_PEER_PORT), 123u);
  std::uint32_t secs = 0;
  for (int i = 0; i < 4; ++i) secs = (secs << 8) | static_cast<std::uint8_t>(r[40 + i]);
  double unix_s = static_cast<double>(secs) - 2208988800.0;
  EXPECT_NEAR(unix_s, b.site->start_epoch() + t_req, 1.0);
  EXPECT_GT(b.site->start_epoch(), 1.7e9);  // the scenario's start, not 1970 and not the host clock
  EXPECT_EQ(b.sig("net.ntp.requests").value(), 1);
}

TEST(Netc, InternetOutageDnsFailsAndSendsRunIntoRetryTimeout) {
  Bench b(kEth);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  ASSERT_EQ(b.connect(0, "52.28.10.20", 443), Netc::SS_ESTABLISHED);  // the cloud
  b.set("net.internet.up", "false");
  double t0 = b.now_s();
  std::string post = http_request("POST", "cloud.clemap.com", "/v1/telemetry", "{\"p\":1}");
  b.send(0, post);
  ASSERT_TRUE(b.run_until([&] { return b.srd(0, Netc::S_STATUS) == Netc::SS_CLOSED; }, 60));
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::RetryTimeout));
  EXPECT_NEAR(b.now_s() - t0, 0.2 * (1 + 2 + 4 + 8 + 16 + 32 + 64), 0.05);
  EXPECT_EQ(b.sig("net.cloud.telemetry_count").value(), 0);
  // DNS for internet names: no answer at all, the client gives up after 5 s.
  const char name[] = "cloud.clemap.com";
  b.mem.write(test::FlatMemory::kBase + 0x100, name, sizeof name);
  b.wr(Netc::CMD_ARG, test::FlatMemory::kBase + 0x100);
  t0 = b.now_s();
  b.wr(Netc::CMD, Netc::CMD_DNS);
  ASSERT_TRUE(b.run_until([&] { return b.rd(Netc::CMD_STATUS) != Netc::CST_BUSY; }, 8));
  EXPECT_EQ(b.rd(Netc::CMD_STATUS), Netc::CST_ERROR) << test::ip_str(b.rd(Netc::DNS_RESULT));
  EXPECT_NEAR(b.now_s() - t0, 5.0, 0.01);
  // Back up: telemetry goes through and is stored.
  b.set("net.internet.up", "true");
  ASSERT_EQ(b.connect(1, "52.28.10.20", 443), Netc::SS_ESTABLISHED);
  b.send(1, post);
  ASSERT_TRUE(b.wait_rx(1, 12, 2));
  EXPECT_EQ(b.recv(1).substr(0, 12), "HTTP/1.1 201");
  EXPECT_EQ(b.sig("net.cloud.telemetry_count").value(), 1);
  ASSERT_EQ(b.cloud->telemetry().size(), 1u);
  EXPECT_EQ(b.cloud->telemetry()[0].data["p"], 1);
}

TEST(Netc, BlockedPortTimesOutOtherPortsPass) {
  Bench b(R"(
network:
  ethernet: {plugged: true}
  internet: {blocked_ports: [3032, 123]}
)");
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  EXPECT_EQ(b.connect(0, "52.28.10.20", 3032, 10, 4000), Netc::SS_CLOSED);
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::Timeout));
  EXPECT_EQ(b.connect(1, "52.28.10.20", 443), Netc::SS_ESTABLISHED);
  // Opening the firewall at run time (knob).
  b.set("net.internet.blocked_ports", "123");
  EXPECT_EQ(b.connect(2, "52.28.10.20", 3032), Netc::SS_ESTABLISHED);
}

TEST(Netc, PhoneJoinsHotspotAndFetchesThePageServedByTheDevice) {
  Bench b(kEth);
  b.enable();
  b.wr(Netc::AP_IP, parse_ip("192.168.4.1"));
  b.put_arg("clemap78", "sensorsetup");
  b.wr(Netc::CMD, Netc::CMD_AP_START);
  ASSERT_TRUE(b.run_until([&] { return (b.rd(Netc::LINK) & Netc::LINK_AP) != 0; }, 3));
  EXPECT_EQ(b.sig("net.ap.ssid").text(), "clemap78");
  // Two sockets listen on the web UI port (WIZnet style).
  for (int s : {0, 1}) {
    b.swr(s, Netc::S_MODE, Netc::MODE_TCP);
    b.swr(s, Netc::S_LPORT, 4000);
    b.swr(s, Netc::S_IRQ_EN, 0x1F);
    b.swr(s, Netc::S_CMD, Netc::SC_LISTEN);
    EXPECT_EQ(b.srd(s, Netc::S_STATUS), Netc::SS_LISTEN);
  }
  // Wrong password first.
  b.set("net.phone.password", "wrong-password");
  b.set("net.phone.join", "clemap78");
  ASSERT_TRUE(b.run_until([&] { return b.sig("net.phone.link").render() == "failed"; }, 5));
  EXPECT_EQ(b.sig("net.phone.reason").value(), 15);
  b.set("net.phone.password", "sensorsetup");
  b.set("net.phone.join", "clemap78");
  ASSERT_TRUE(b.run_until([&] { return b.sig("net.phone.link").render() == "up"; }, 5));
  EXPECT_EQ(b.sig("net.phone.ip").text(), "192.168.4.2");
  EXPECT_EQ(b.sig("net.ap.clients").value(), 1);
  EXPECT_TRUE(b.rd(Netc::IRQ_STATUS) & Netc::IRQ_AP);
  EXPECT_EQ((b.rd(Netc::LINK) >> 16) & 0xFF, 1u);

  b.set("net.phone.get", "http://192.168.4.1:4000/status");
  // The "firmware": accept, read the request, answer, close.
  ASSERT_TRUE(b.run_until([&] { return (b.srd(0, Netc::S_FLAGS) & Netc::SF_CONNECTED) != 0; }, 2));
  EXPECT_EQ(b.srd(0, Netc::S_STATUS), Netc::SS_ESTABLISHED);
  EXPECT_EQ(test::ip_str(b.srd(0, Netc::S_PEER_IP)), "192.168.4.2");
  EXPECT_EQ(b.srd(1, Netc::S_STATUS), Netc::SS_LISTEN);  // the other one still waits
  ASSERT_TRUE(b.wait_rx(0, 20, 2));
  b.run(0.01);
  std::string req = b.recv(0);
  EXPECT_EQ(req.rfind("GET /status HTTP/1.1\r\n", 0), 0u) << req;
  b.send(0, http_response(200, "<h1>SE12345678</h1>", "text/html", false));
  b.swr(0, Netc::S_CMD, Netc::SC_CLOSE);
  ASSERT_TRUE(b.run_until([&] { return b.sig("net.phone.responses").value() == 1; }, 2));
  EXPECT_EQ(b.sig("net.phone.status").value(), 200);
  EXPECT_EQ(b.sig("net.phone.body").text(), "<h1>SE12345678</h1>");
  // Stopping the hotspot drops the phone.
  b.wr(Netc::CMD, Netc::CMD_AP_STOP);
  b.run(0.01);
  EXPECT_EQ(b.sig("net.phone.link").render(), "failed");
  EXPECT_EQ(b.sig("net.ap.clients").value(), 0);
}

TEST(Netc, StationModbusOverTcpHalfOpenAfterPowerCycleAndDhcpMove) {
  Bench b(R"(
network:
  ethernet: {plugged: true}
stations:
  - {name: abb1, model: abb-terra-ac, phases: [L1, L2, L3], ip: 192.168.1.150, dhcp: dynamic}
)");
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  // While the station boots (30 s) it refuses connections.
  EXPECT_EQ(b.connect(0, "192.168.1.150", 502), Netc::SS_CLOSED);
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::Refused));
  b.run(31);
  ASSERT_EQ(b.connect(0, "192.168.1.150", 502), Netc::SS_ESTABLISHED);
  // FC03 read of 0x4000, 6 registers, unit 1.
  const std::uint8_t adu[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x40, 0x00, 0x00, 0x06};
  std::string req(reinterpret_cast<const char*>(adu), sizeof adu);
  double t0 = b.now_s();
  b.send(0, req);
  ASSERT_TRUE(b.wait_rx(0, 9 + 12, 1));
  EXPECT_NEAR(b.now_s() - t0, 0.0058, 0.0015);  // 2 x 400 us + 5 ms station response
  std::string rep = b.recv(0);
  ASSERT_EQ(rep.size(), 21u);
  EXPECT_EQ(static_cast<std::uint8_t>(rep[7]), 0x03);
  EXPECT_EQ(static_cast<std::uint8_t>(rep[8]), 12);
  EXPECT_EQ((static_cast<std::uint8_t>(rep[9]) << 8) | static_cast<std::uint8_t>(rep[10]), 0x5422);

  // Power cycle: the station forgets the connection, our side stays established (half-open)
  // and it also comes back at another address (DHCP without reservation).
  b.set("station.abb1.online", "false");
  b.run(5);
  b.set("station.abb1.online", "true");
  b.run(1);
  EXPECT_EQ(b.srd(0, Netc::S_STATUS), Netc::SS_ESTABLISHED);
  std::string new_ip = b.sig("station.abb1.ip").text();
  EXPECT_NE(new_ip, "192.168.1.150");
  // Our next request goes to the old address: nobody answers; retransmissions give up.
  b.swr(0, Netc::S_FLAGS, 0x1F);
  b.send(0, req);
  ASSERT_TRUE(b.run_until([&] { return b.srd(0, Netc::S_STATUS) == Netc::SS_CLOSED; }, 40));
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::RetryTimeout));
  b.run(31);  // boot
  ASSERT_EQ(b.connect(1, new_ip, 502), Netc::SS_ESTABLISHED);
  b.send(1, req);
  EXPECT_TRUE(b.wait_rx(1, 21, 1));
}

TEST(Netc, StationRebootAtSameAddressAnswersWithReset) {
  Bench b(R"(
network:
  ethernet: {plugged: true}
stations:
  - {name: abb1, model: abb-terra-ac, phases: [L1, L2, L3], ip: 192.168.1.20}
)");
  b.enable();
  b.run(31);
  ASSERT_EQ(b.connect(0, "192.168.1.20", 502), Netc::SS_ESTABLISHED);
  b.set("station.abb1.online", "false");
  b.run(2);
  b.set("station.abb1.online", "true");
  b.run(1);
  const std::uint8_t adu[] = {0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x40, 0x00, 0x00, 0x02};
  b.send(0, std::string(reinterpret_cast<const char*>(adu), sizeof adu));
  ASSERT_TRUE(b.run_until([&] { return b.srd(0, Netc::S_STATUS) == Netc::SS_CLOSED; }, 1));
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::Reset));
}

TEST(Netc, ResetForgetsEverything) {
  Bench b(kEth);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  ASSERT_EQ(b.connect(0, "192.168.1.50", 7), Netc::SS_ESTABLISHED);
  b.netc->reset(mcu::ResetCause::Watchdog);
  EXPECT_EQ(b.rd(Netc::CTRL), 0u);
  EXPECT_EQ(b.srd(0, Netc::S_STATUS), Netc::SS_CLOSED);
  EXPECT_EQ(b.rd(Netc::LINK), 0u);
  EXPECT_FALSE(b.netc->irq.level);
  b.enable();
  ASSERT_TRUE(b.wait_ip(2));
  EXPECT_EQ(b.connect(0, "192.168.1.50", 7), Netc::SS_ESTABLISHED);
}
