// The REST API on :7000 (behaviours.md RS-01..RS-07, MB-05, EXT-03; the vendor's REST page as
// restated in shared/reference/clemap-public-docs.md §4: Basic auth on every endpoint, HTTP 500
// for incorrect or invalid fields). The credentials' base64 is RFC 4648 worked out with
// coreutils: `printf clemap:SE12345678 | base64` = Y2xlbWFwOlNFMTIzNDU2Nzg=.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "app/api/modbus_api.h"
#include "app/api/rest_api.h"
#include "app/socket_plan.h"
#include "fakes/fakes.h"

namespace lmc::api {
namespace {

using fake::FakeClock;
using fake::FakeConsole;
using fake::FakeSockets;

constexpr const char* kGood = "Authorization: Basic Y2xlbWFwOlNFMTIzNDU2Nzg=\r\n";
constexpr const char* kWrong = "Authorization: Basic Y2xlbWFwOndyb25n\r\n";

struct Live final : LiveSource {
  metering::Measurement m;
  const metering::Measurement& measurement() const override { return m; }
};

struct Reply {
  int status = 0;
  std::string head, body;
};

struct RestApiTest : ::testing::Test {
  FakeClock clock;
  Time time{clock};
  FakeConsole console;
  Log log{console};
  FakeSockets sockets;
  settings::Settings s;
  lm::ExternalControl ext;
  Live live;
  AuthGuard auth{"SE12345678"};
  Control control{ext, s, nullptr, log};
  HttpBuffers http;
  RestApi rest{sockets, log, live, control, s, time, auth, nullptr, http};
  ModbusApi modbus{sockets, log, live, control, s, clock};
  const int sk = sockets::kRest[0];

  void SetUp() override {
    s.set(settings::Id::FeatureRestServer, 1, settings::kSystem);
    s.set(settings::Id::LmFuse, 40, settings::kSystem);  // per-phase limit 38.0 A (CFG-02)
    control.boot(0);
    rest.update(clock.t);
    ASSERT_EQ(sockets.sock[sk].state, Sockets::State::Listen);
    ASSERT_EQ(sockets.sock[sk].lport, 7000);
    connect();
  }
  void connect(std::uint32_t ip = 0xC0A8010A) {
    sockets.accept(sk, Endpoint{ip, 40000});
    rest.update(clock.t);
  }
  Reply ask(const std::string& raw) {
    sockets.sock[sk].tx.clear();
    sockets.deliver(sk, raw);
    rest.update(clock.t);
    Reply r;
    const std::string& tx = sockets.sock[sk].tx;
    const auto end = tx.find("\r\n\r\n");
    if (end == std::string::npos || tx.size() < 12) return r;
    r.status = std::stoi(tx.substr(9, 3));
    r.head = tx.substr(0, end);
    r.body = tx.substr(end + 4);
    return r;
  }
  Reply get(const std::string& path, const char* auth = kGood) {
    return ask("GET " + path + " HTTP/1.1\r\nHost: d\r\n" + auth + "\r\n");
  }
  Reply post(const std::string& path, const std::string& body, const char* auth = kGood) {
    return ask("POST " + path + " HTTP/1.1\r\nHost: d\r\n" + auth +
               "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }
};

TEST_F(RestApiTest, EveryEndpointNeedsBasicAuth) {
  for (const char* path : {"/v1/live/data", "/v1/settings"}) {
    Reply r = get(path, "");
    EXPECT_EQ(r.status, 401) << path;  // RS-02
    EXPECT_NE(r.head.find("WWW-Authenticate: Basic"), std::string::npos);
    EXPECT_EQ(get(path, kWrong).status, 401);
  }
  EXPECT_EQ(post("/v1/keepalive", "", "").status, 401);
  EXPECT_EQ(get("/v1/settings").status, 200);
}

TEST_F(RestApiTest, WrongCredentialsAreRateLimited) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get("/v1/settings", kWrong).status, 401);
  EXPECT_EQ(get("/v1/settings").status, 429);  // A07: 60 s lock-out after 5 failures
  clock.t += 59000;
  EXPECT_EQ(get("/v1/settings").status, 429);
  clock.t += 2000;
  EXPECT_EQ(get("/v1/settings").status, 200);
}

TEST_F(RestApiTest, SettingsRoundTripAndShareTheStateWithModbus) {
  auto r = get("/v1/settings");
  ASSERT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["ActivePowerActivation"], false);
  EXPECT_TRUE(j["CurrentLimit"].is_null());
  r = post("/v1/settings", R"({"ActivePowerActivation": true, "CurrentLimit": 16, "FallbackCurrentLimit": 6.5})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ext.state(), lm::ExtState::Active);  // EXT-01
  EXPECT_EQ(ext.limit_ma(), 16000);
  j = nlohmann::json::parse(get("/v1/settings").body);
  EXPECT_EQ(j["CurrentLimit"], 16);
  EXPECT_EQ(j["FallbackCurrentLimit"], 6.5);
  // MB-05: the Modbus map reads the same state (19054 CurrentLimit = 16.0 = 0x41800000).
  std::uint16_t regs[2] = {};
  modbus::Access a;
  a.function = 3;
  a.address = 19054;
  a.count = 2;
  s.set(settings::Id::FeatureModbusWrite, 1, settings::kSystem);
  ModbusMap map(live, control, s, clock);
  ASSERT_EQ(map.read_registers(a, regs), modbus::Exception::kNone);
  EXPECT_EQ(regs[0], 0x4180);
}

TEST_F(RestApiTest, InvalidFieldsGet500AndChangeNothing) {
  ASSERT_EQ(post("/v1/settings", R"({"ActivePowerActivation": true, "CurrentLimit": 16})").status, 200);
  for (const char* bad : {R"({"CurrentLimit": "20"})", R"({"CurrentLimit": -1})", R"({"CurrentLimit": 39})",
                          R"({"ActivePowerActivation": 1})", R"({"FallbackCurrentLimit": null})", "not json", R"([16])",
                          R"({"CurrentLimit": 20, "FallbackCurrentLimit": "x"})"}) {
    Reply r = post("/v1/settings", bad);
    EXPECT_EQ(r.status, 500) << bad;  // RS-07: the vendor's 500, not a 4xx
    EXPECT_EQ(ext.limit_ma(), 16000) << bad;
  }
  // Unknown fields are ignored (RS-07 / A18).
  EXPECT_EQ(post("/v1/settings", R"({"CurrentLimit": 20, "Colour": "blue"})").status, 200);
  EXPECT_EQ(ext.limit_ma(), 20000);
}

TEST_F(RestApiTest, KeepAliveAndSettingsPostResetTheTimer) {
  ASSERT_EQ(
      post("/v1/settings", R"({"ActivePowerActivation": true, "CurrentLimit": 16, "FallbackCurrentLimit": 6})").status,
      200);
  clock.t = 100000;
  EXPECT_EQ(post("/v1/keepalive", "").status, 200);  // RS-06
  clock.t = 219000;
  EXPECT_EQ(ext.step(clock.t), 16000);
  clock.t = 221000;
  EXPECT_EQ(ext.step(clock.t), 6000);  // EXT-02: 120 s after the last keep-alive
  auto j = nlohmann::json::parse(get("/v1/live/data").body);
  EXPECT_EQ(j["external"]["in_fallback"], true);
  EXPECT_EQ(post("/v1/settings", R"({"CurrentLimit": 12})").status, 200);  // EXT-03 [def]: a POST resets it too
  EXPECT_EQ(ext.step(clock.t), 12000);
}

TEST_F(RestApiTest, LiveDataCarriesThePerPhaseValues) {
  live.m.ph[0].v = 231.5f;
  live.m.ph[1].i = 12.25f;
  live.m.ph[2].p = -800.0f;
  live.m.p_total = 1234.5f;
  auto r = get("/v1/live/data");
  ASSERT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_DOUBLE_EQ(j["voltage"][0].get<double>(), 231.5);
  EXPECT_DOUBLE_EQ(j["current"][1].get<double>(), 12.25);
  EXPECT_DOUBLE_EQ(j["active_power"][2].get<double>(), -800.0);
  EXPECT_DOUBLE_EQ(j["active_power_total"].get<double>(), 1234.5);
  EXPECT_EQ(j["external"]["active"], false);
  EXPECT_TRUE(j["stations"].is_array());
}

TEST_F(RestApiTest, GarbageOversizedAndSlowlorisAreRefusedAndCut) {
  Reply r = ask("\x16\x03\x01 garbage\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(sockets.sock[sk].state, Sockets::State::Closed);  // closed after the answer
  rest.update(clock.t);
  connect();
  r = ask("POST /v1/settings HTTP/1.1\r\nHost: d\r\nContent-Length: 100000\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  rest.update(clock.t);
  connect();
  sockets.deliver(sk, "GET /v1/settings HTTP/1.1\r\nHo");
  rest.update(clock.t);
  clock.t += 6000;
  rest.update(clock.t);
  EXPECT_EQ(rest.cut(), 1u);
  EXPECT_TRUE(console.has("lmc: rest cut socket=11 reason=request-timeout"));
}

// REST and the web UI build replies in one shared buffer set (docs/api.md "RAM"): a reply that
// waits for a slow reader keeps it, other clients' requests wait (not lost, not garbled), and
// a reader that takes nothing for request_ms is cut so the buffers come free.
TEST_F(RestApiTest, SlowReaderHoldsTheSharedBuffersUntilDoneOrCut) {
  sockets.tx_capacity = 64;  // the peer of socket 11 acknowledges 64 bytes at a time
  sockets.sock[sk].tx.clear();
  sockets.deliver(sk, std::string("GET /v1/live/data HTTP/1.1\r\nHost: d\r\n") + kGood + "\r\n");
  rest.update(clock.t);
  std::string first = sockets.sock[sk].tx;
  ASSERT_EQ(first.size(), 64u);
  // A second client on socket 12 asks meanwhile: it must wait for the buffers.
  const int sk2 = sockets::kRest[1];
  sockets.accept(sk2, Endpoint{0xC0A8010B, 40001});
  rest.update(clock.t);
  sockets.deliver(sk2, std::string("GET /v1/settings HTTP/1.1\r\nHost: d\r\n") + kGood + "\r\n");
  rest.update(clock.t);
  EXPECT_TRUE(sockets.sock[sk2].tx.empty());
  // The first peer reads on: its reply arrives whole and unchanged, then the second is answered.
  for (int i = 0; i < 100 && !sockets.sock[sk].tx.empty(); ++i) {
    sockets.sock[sk].tx.clear();
    rest.update(clock.t);
    first += sockets.sock[sk].tx;
  }
  const auto end = first.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  const auto len = std::stoul(first.substr(first.find("Content-Length: ") + 16));
  EXPECT_EQ(first.size() - end - 4, len);
  EXPECT_EQ(nlohmann::json::parse(first.substr(end + 4))["serial"], "SE12345678");
  std::string second = sockets.sock[sk2].tx;
  for (int i = 0; i < 100 && !sockets.sock[sk2].tx.empty(); ++i) {
    sockets.sock[sk2].tx.clear();
    rest.update(clock.t);
    second += sockets.sock[sk2].tx;
  }
  EXPECT_EQ(second.substr(0, 12), "HTTP/1.1 200");
  EXPECT_EQ(nlohmann::json::parse(second.substr(second.find("\r\n\r\n") + 4))["ActivePowerActivation"], false);
  // A reader that takes nothing: cut after request_ms (5 s), and the other client goes on.
  sockets.deliver(sk, std::string("GET /v1/live/data HTTP/1.1\r\nHost: d\r\n") + kGood + "\r\n");
  rest.update(clock.t);
  sockets.deliver(sk2, std::string("GET /v1/settings HTTP/1.1\r\nHost: d\r\n") + kGood + "\r\n");
  clock.t += 4000;
  rest.update(clock.t);
  EXPECT_TRUE(sockets.sock[sk2].tx.empty());
  clock.t += 1500;
  rest.update(clock.t);
  EXPECT_TRUE(console.has("lmc: rest cut socket=11 reason=send-timeout"));
  EXPECT_EQ(sockets.sock[sk2].tx.substr(0, 12), "HTTP/1.1 200");
}

TEST_F(RestApiTest, OffByDefault) {
  settings::Settings fresh;
  FakeSockets socks;
  RestApi off{socks, log, live, control, fresh, time, auth, nullptr, http};
  off.update(0);
  EXPECT_EQ(socks.sock[sk].state, Sockets::State::Closed);  // CFG-11 / A32
}

}  // namespace
}  // namespace lmc::api
