// Zaptec: no local Modbus; the cloud API model controls the chargers of an installation.
#include "evse_test_util.h"
#include "models/evse/zaptec_cloud.h"

#include <nlohmann/json.hpp>

using namespace lmsim::evse;
using lmsim::evse::test::Bench;
using nlohmann::json;

namespace {
HttpResponse call(ZaptecCloud& z, const std::string& m, const std::string& path, const std::string& body,
                  const std::string& token) {
  HttpRequest r{m, path, {}, body};
  if (!token.empty()) r.headers["Authorization"] = "Bearer " + token;
  return z.handle(r, sc_core::sc_time_stamp().value());
}
double state(const json& arr, int id) {
  for (const auto& o : arr)
    if (o["StateId"] == id) return std::stod(o["ValueAsString"].get<std::string>());
  return -999;
}
}  // namespace

TEST(EvseZaptec, CloudApiBalancesInstallationCommandsAndRateLimits) {
  Bench b(R"(
stations:
  - {name: zap1, model: zaptec-pro, installation: garage, installation_max_current: 20A}
  - {name: zap2, model: zaptec-pro, installation: garage, installation_max_current: 20A, ip: 192.168.1.77}
evs:
  - {name: c1, station: zap1, arrive: 0s, phases: 3, max_current: 32A, reaction: 1s, resume: 10s}
  - {name: c2, station: zap2, arrive: 100s, phases: 3, max_current: 32A, reaction: 1s}
)");
  auto* z = b.site->service<ZaptecCloud>("zaptec");
  ASSERT_NE(z, nullptr);
  EXPECT_TRUE(b.client->read_holding("zap1", 0, 1).refused);  // no local Modbus
  b.run(70);
  EXPECT_NEAR(b.value("station.zap1.current"), 20, 1e-9);  // alone: the whole installation
  EXPECT_EQ(call(*z, "GET", "/api/chargers", "", "").status, 401);
  auto bad = call(*z, "POST", "/oauth/token", "grant_type=password&username=x&password=y", "");
  EXPECT_EQ(bad.status, 400);
  auto tok =
      call(*z, "POST", "/oauth/token", "grant_type=password&username=installer%40example.com&password=zaptec", "");
  ASSERT_EQ(tok.status, 200) << tok.body;
  const std::string t = json::parse(tok.body)["access_token"];
  auto list = json::parse(call(*z, "GET", "/api/chargers", "", t).body);
  ASSERT_EQ(list["Data"].size(), 2u);
  const std::string id1 = list["Data"][0]["Id"], id2 = list["Data"][1]["Id"];
  auto st = json::parse(call(*z, "GET", "/api/chargers/" + id1 + "/state", "", t).body);
  EXPECT_EQ(state(st, 710), 3);  // charging
  EXPECT_NEAR(state(st, 507), 20, 1e-6);
  EXPECT_EQ(call(*z, "GET", "/api/chargers/nope/state", "", t).status, 404);
  b.run(40);  // second EV arrives at 100 s: the installation's 20 A are shared
  b.run(5);
  EXPECT_NEAR(b.value("station.zap1.current"), 10, 1e-9);
  EXPECT_NEAR(b.value("station.zap2.current"), 10, 1e-9);
  // Installation update: at most once per 15 min.
  EXPECT_EQ(call(*z, "POST", "/api/installation/garage/update", R"({"AvailableCurrent": 14})", t).status, 200);
  EXPECT_EQ(call(*z, "POST", "/api/installation/garage/update", R"({"AvailableCurrent": 16})", t).status, 429);
  b.run(6);
  EXPECT_NEAR(b.value("station.zap1.current"), 7, 1e-9);
  EXPECT_NEAR(b.value("stations.total_current.L1"), 14, 1e-9);
  // Commands: 506 pauses (the other charger gets the rest), 506 again is rejected, 507 resumes.
  EXPECT_EQ(call(*z, "POST", "/api/chargers/" + id2 + "/sendCommand/506", "", t).status, 200);
  auto again = call(*z, "POST", "/api/chargers/" + id2 + "/sendCommand/506", "", t);
  EXPECT_EQ(again.status, 400);
  EXPECT_NE(again.body.find("528"), std::string::npos);
  b.run(8);
  EXPECT_EQ(b.value("station.zap2.current"), 0);
  EXPECT_NEAR(b.value("station.zap1.current"), 14, 1e-9);
  EXPECT_EQ(call(*z, "POST", "/api/chargers/" + id2 + "/sendCommand/507", "", t).status, 200);
  // State observations are cached for 15 s.
  auto s1 = call(*z, "GET", "/api/chargers/" + id1 + "/state", "", t).body;
  b.run(1);
  EXPECT_EQ(call(*z, "GET", "/api/chargers/" + id1 + "/state", "", t).body, s1);
  // 10 requests per second per account.
  int limited = 0;
  for (int i = 0; i < 20; ++i) limited += call(*z, "GET", "/api/chargers", "", t).status == 429;
  EXPECT_GE(limited, 9);
  EXPECT_EQ(call(*z, "POST", "/api/chargers/" + id1 + "/update", "{not json", t).status == 400 ||
                call(*z, "POST", "/api/chargers/" + id1 + "/update", "{not json", t).status == 429,
            true);
}
