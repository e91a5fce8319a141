// The web UI on :4000 (behaviours.md UI-01..UI-06, A07): form login with clemap / the serial,
// a session cookie expiring after 15 min idle, logout, 5 failures -> 60 s lock-out, forms
// validated by the settings schema (CFG-01/02: the fuse and the per-phase limits in A with one
// decimal, stored x10) and applied all or nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "app/socket_plan.h"
#include "app/web/web_ui.h"
#include "fakes/fakes.h"

namespace lmc::web {
namespace {

using fake::FakeClock;
using fake::FakeConsole;
using fake::FakeSockets;

struct Live final : api::LiveSource {
  metering::Measurement m;
  const metering::Measurement& measurement() const override { return m; }
};

struct Reply {
  int status = 0;
  std::string head, body;
  std::string header(const std::string& name) const {
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    const auto from = at + 4 + name.size();
    return head.substr(from, head.find("\r\n", from) - from);
  }
};

struct WebUiTest : ::testing::Test {
  FakeClock clock;
  Time time{clock};
  FakeConsole console;
  Log log{console};
  FakeSockets sockets;
  settings::Settings s;
  lm::ExternalControl ext;
  Live live;
  api::AuthGuard auth{"SE12345678"};
  api::Control control{ext, s, nullptr, log};
  api::LiveView view{live, control, time, nullptr, "SE12345678"};
  api::HttpBuffers http;
  WebUi ui{sockets, log, view, s, nullptr, auth, http};
  const int sk = sockets::kWebUi[0];
  std::string cookie;

  void SetUp() override {
    s.set(settings::Id::LmFuse, 40, settings::kSystem);
    ui.update(clock.t);
    ASSERT_EQ(sockets.sock[sk].lport, 4000);  // UI-01
    sockets.accept(sk, Endpoint{0xC0A8010A, 40000});
    ui.update(clock.t);
  }
  Reply ask(const std::string& raw) {
    if (sockets.sock[sk].state != Sockets::State::Established) {
      ui.update(clock.t);
      sockets.accept(sk, Endpoint{0xC0A8010A, 40000});
      ui.update(clock.t);
    }
    sockets.sock[sk].tx.clear();
    sockets.deliver(sk, raw);
    for (int i = 0; i < 4; ++i) {  // the page leaves as the send buffer frees
      ui.update(clock.t);
    }
    Reply r;
    const std::string& tx = sockets.sock[sk].tx;
    const auto end = tx.find("\r\n\r\n");
    if (end == std::string::npos) return r;
    r.status = std::stoi(tx.substr(9, 3));
    r.head = tx.substr(0, end);
    r.body = tx.substr(end + 4);
    return r;
  }
  Reply get(const std::string& path) {
    return ask("GET " + path + " HTTP/1.1\r\nHost: d\r\n" + (cookie.empty() ? "" : "Cookie: " + cookie + "\r\n") +
               "\r\n");
  }
  Reply post(const std::string& path, const std::string& form) {
    return ask("POST " + path + " HTTP/1.1\r\nHost: d\r\n" + (cookie.empty() ? "" : "Cookie: " + cookie + "\r\n") +
               "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(form.size()) +
               "\r\n\r\n" + form);
  }
  void login() {
    Reply r = post("/login", "user=clemap&password=SE12345678");
    ASSERT_EQ(r.status, 303);
    ASSERT_EQ(r.header("Location"), "/status");
    const std::string c = r.header("Set-Cookie");
    ASSERT_EQ(c.substr(0, 4), "sid=");
    cookie = c.substr(0, c.find(';'));
  }
};

TEST_F(WebUiTest, LoginPageThenPagesNeedASession) {
  Reply r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("name=password"), std::string::npos);
  EXPECT_EQ(r.body.size(), std::stoul(r.header("Content-Length")));  // the page arrives whole
  for (const char* p : {"/status", "/lm", "/device"}) {
    r = get(p);
    EXPECT_EQ(r.status, 303) << p;
    EXPECT_EQ(r.header("Location"), "/");
  }
  EXPECT_EQ(get("/api/status").status, 401);
  login();
  for (const char* p : {"/status", "/lm", "/device"}) EXPECT_EQ(get(p).status, 200) << p;
  r = get("/api/status");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["serial"], "SE12345678");
}

TEST_F(WebUiTest, WrongCredentialsRefusedAndRateLimited) {
  EXPECT_EQ(post("/login", "user=clemap&password=SE00000000").status, 401);  // UI-02
  EXPECT_EQ(post("/login", "user=admin&password=SE12345678").status, 401);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post("/login", "user=clemap&password=x").status, 401);
  EXPECT_EQ(post("/login", "user=clemap&password=SE12345678").status, 429);  // A07: 5 failures -> 60 s
  clock.t += 61000;
  login();
}

TEST_F(WebUiTest, SessionsExpireAfter15MinIdleAndOnLogout) {
  login();
  clock.t += 14 * 60 * 1000;
  EXPECT_EQ(get("/status").status, 200);  // activity renews the session
  clock.t += 15 * 60 * 1000 + 1000;
  EXPECT_EQ(get("/status").status, 303);  // expired
  login();
  EXPECT_EQ(post("/logout", "").status, 303);
  EXPECT_EQ(get("/status").status, 303);
}

TEST_F(WebUiTest, SettingsFormValidatedBySchemaAllOrNothing) {
  login();
  Reply r = post("/api/settings", "lm.limit_l1=20&lm.limit_l2=25.5&ripple.mapping=no");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(s.get(settings::Id::LmLimitL1), 200);  // 20.0 A at 0.1 A
  EXPECT_EQ(s.get(settings::Id::LmLimitL2), 255);
  EXPECT_EQ(s.get(settings::Id::RippleMapping), 1);
  auto j = nlohmann::json::parse(get("/api/settings").body);
  EXPECT_EQ(j["lm.limit_l1"], "20.0");
  EXPECT_EQ(j["lm.margin"], "");  // unset: derived (CFG-02)
  struct Bad {
    const char* form;
    const char* key;
  };
  for (Bad b :
       {Bad{"lm.limit_l1=15&lm.limit_l2=abc", "lm.limit_l2"}, Bad{"lm.fuse=99999", "lm.fuse"},
        Bad{"lm.limit_l1=10&feature.modbus_server=true", "feature.modbus_server"}, Bad{"ext.active=1", "ext.active"},
        Bad{"lm.fuse=", "lm.fuse"}, Bad{"ripple.mapping=maybe", "ripple.mapping"}}) {
    r = post("/api/settings", b.form);
    EXPECT_EQ(r.status, 400) << b.form;
    EXPECT_EQ(nlohmann::json::parse(r.body)["key"], b.key) << b.form;
    EXPECT_EQ(s.get(settings::Id::LmLimitL1), 200) << b.form;  // nothing applied
  }
}

TEST_F(WebUiTest, NetworkFormKeepsTheWifiPasswordSecret) {
  login();
  EXPECT_EQ(get("/net").status, 200);
  Reply r = post("/api/settings", "wifi.ssid=garage+2&wifi.password=s%26cret123&net.static=false");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STREQ(s.text(settings::Id::WifiSsid), "garage 2");  // form decoding: '+' space, %26 '&'
  EXPECT_STREQ(s.text(settings::Id::WifiPassword), "s&cret123");
  auto j = nlohmann::json::parse(get("/api/settings").body);
  EXPECT_EQ(j["wifi.ssid"], "garage 2");
  EXPECT_EQ(j["wifi.password"], "");  // a secret is never shown
  ASSERT_EQ(post("/api/settings", "wifi.ssid=garage+2&wifi.password=").status, 200);
  EXPECT_STREQ(s.text(settings::Id::WifiPassword), "s&cret123");   // empty secret field: unchanged
  r = post("/api/settings", "wifi.ssid=" + std::string(40, 'x'));  // the schema's 32 characters
  EXPECT_EQ(r.status, 400);
  EXPECT_STREQ(s.text(settings::Id::WifiSsid), "garage 2");
}

TEST_F(WebUiTest, GarbageAndSlowlorisAreCut) {
  sockets.deliver(sk, "\x01\x02garbage\r\n\r\n");
  ui.update(clock.t);  // answered, then closed (a later poll listens again, clearing the fake's buffers)
  EXPECT_EQ(sockets.sock[sk].tx.substr(0, 12), "HTTP/1.1 400");
  EXPECT_EQ(sockets.sock[sk].state, Sockets::State::Closed);
  ui.update(clock.t);
  sockets.accept(sk, Endpoint{0xC0A8010A, 40001});
  ui.update(clock.t);
  sockets.deliver(sk, "GET / HTTP/1.1\r\n");
  ui.update(clock.t);
  clock.t += 5001 + 1;
  ui.update(clock.t);
  EXPECT_EQ(ui.cut(), 1u);
}

}  // namespace
}  // namespace lmc::web
