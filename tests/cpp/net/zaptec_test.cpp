// The Zaptec cloud (stations area model) reached the honest way: from the device's network
// controller through the router, DNS api.zaptec.com, TCP 443 over the internet uplink, HTTP.
#include <nlohmann/json.hpp>

#include "models/net/http.h"
#include "net_test_util.h"

using namespace lmsim;
using namespace lmsim::net;
using lmsim::mcu::Netc;
using lmsim::net::test::Bench;
using nlohmann::json;

namespace {

const char* kZaptecSite = R"(
network:
  ethernet: {plugged: true}
stations:
  - {name: zap1, model: zaptec-pro, installation: garage, installation_max_current: 20A}
evs:
  - {name: c1, station: zap1, arrive: 0s, phases: 3, max_current: 32A}
)";

// DNS lookup through the controller; 0 on failure.
std::uint32_t lookup(Bench& b, const std::string& name) {
  b.mem.write(test::FlatMemory::kBase + 0x100, name.c_str(), name.size() + 1);
  b.wr(Netc::CMD_ARG, test::FlatMemory::kBase + 0x100);
  b.wr(Netc::CMD, Netc::CMD_DNS);
  b.run_until([&] { return b.rd(Netc::CMD_STATUS) != Netc::CST_BUSY; }, 8);
  return b.rd(Netc::CMD_STATUS) == Netc::CST_DONE ? b.rd(Netc::DNS_RESULT) : 0;
}

// Sends `req` on socket s and collects `n` complete HTTP responses.
std::vector<HttpMessage> exchange(Bench& b, int s, const std::string& req, std::size_t n = 1) {
  HttpParser p(false);
  EXPECT_EQ(b.send(s, req), req.size());
  b.run_until(
      [&] {
        if (b.srd(s, Netc::S_RX_AVAIL) > 0) {
          EXPECT_TRUE(p.feed(b.recv(s))) << p.error();
        }
        return p.done.size() >= n;
      },
      5);
  return {p.done.begin(), p.done.end()};
}

}  // namespace

TEST(NetZaptec, DeviceReachesTheZaptecApiThroughTheRouterUplink) {
  Bench b(kZaptecSite);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  std::uint32_t ip = lookup(b, "api.zaptec.com");
  ASSERT_EQ(test::ip_str(ip), "34.241.180.10");
  ASSERT_EQ(b.connect(0, test::ip_str(ip), 443), Netc::SS_ESTABLISHED);

  // OAuth password grant, then the charger list with the token (header name in lower case).
  double t0 = b.now_s();
  auto tok = exchange(b, 0,
                      http_request("POST", "api.zaptec.com", "/oauth/token",
                                   "grant_type=password&username=installer%40example.com&password=zaptec",
                                   {{"Content-Type", "application/x-www-form-urlencoded"}}));
  ASSERT_EQ(tok.size(), 1u);
  // Two uplink crossings each way (15 ms), the API host's link (20 ms) and its 10 ms turnaround.
  EXPECT_GT(b.now_s() - t0, 0.08);
  ASSERT_EQ(tok[0].status, 200) << tok[0].body;
  std::string token = json::parse(tok[0].body)["access_token"];
  auto list = exchange(
      b, 0, http_request("GET", "api.zaptec.com", "/api/chargers", {}, {{"authorization", "Bearer " + token}}));
  ASSERT_EQ(list.size(), 1u);
  ASSERT_EQ(list[0].status, 200) << list[0].body;
  json data = json::parse(list[0].body)["Data"];
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0]["Name"], "zap1");
  EXPECT_EQ(data[0]["InstallationId"], "garage");
  // The charger's state observations, over the same keep-alive connection.
  auto st =
      exchange(b, 0,
               http_request("GET", "api.zaptec.com", "/api/chargers/" + data[0]["Id"].get<std::string>() + "/state", {},
                            {{"Authorization", "Bearer " + token}}));
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].status, 200);
  EXPECT_TRUE(json::parse(st[0].body).is_array());
  EXPECT_EQ(b.sig("net.zaptec.requests").value(), 3);

  // The account's rate limit (10 requests/s) comes back as 429 with its Retry-After header.
  std::string burst;
  for (int i = 0; i < 12; ++i)
    burst += http_request("GET", "api.zaptec.com", "/api/chargers", {}, {{"Authorization", "Bearer " + token}});
  auto many = exchange(b, 0, burst, 12);
  ASSERT_EQ(many.size(), 12u);
  EXPECT_EQ(many.front().status, 200);
  EXPECT_EQ(many.back().status, 429);
  EXPECT_EQ(many.back().header("retry-after"), "1");
}

TEST(NetZaptec, UplinkOutageAndFirewallCutTheZaptecApi) {
  Bench b(kZaptecSite);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  const std::string ip = test::ip_str(lookup(b, "api.zaptec.com"));
  ASSERT_EQ(ip, "34.241.180.10");
  // Uplink down: no DNS answer for internet names, the SYN is never answered.
  b.set("net.internet.up", "false");
  EXPECT_EQ(lookup(b, "api.zaptec.com"), 0u);
  EXPECT_EQ(b.connect(0, ip, 443, 5, 3000), Netc::SS_CLOSED);
  EXPECT_EQ(b.srd(0, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::Timeout));
  // Up again but the site firewall blocks 443: the same timeout.
  b.set("net.internet.up", "true");
  b.set("net.internet.blocked_ports", "443");
  EXPECT_EQ(b.connect(1, ip, 443, 5, 3000), Netc::SS_CLOSED);
  EXPECT_EQ(b.srd(1, Netc::S_ERROR), static_cast<std::uint32_t>(TcpError::Timeout));
  EXPECT_EQ(b.sig("net.zaptec.requests").value(), 0);
  // Firewall opened: served.
  b.set("net.internet.blocked_ports", "");
  ASSERT_EQ(b.connect(2, ip, 443), Netc::SS_ESTABLISHED);
  auto r = exchange(b, 2, http_request("GET", "api.zaptec.com", "/api/chargers"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 401);  // reached the API: no token
  EXPECT_EQ(b.sig("net.zaptec.requests").value(), 1);
}

TEST(NetZaptec, NoZaptecStationsNoApiHost) {
  Bench b("network:\n  ethernet: {plugged: true}\n");
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  EXPECT_EQ(b.site->registry().find("net.zaptec.requests"), nullptr);
  EXPECT_EQ(lookup(b, "api.zaptec.com"), 0u);  // NXDOMAIN
}
