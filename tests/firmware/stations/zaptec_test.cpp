// The Zaptec cloud client (app/stations/zaptec.h) against a fake Zaptec cloud written from
// shared/reference/chargers.md §5 and docs/stations.md (fake_zaptec.cpp), over the fake NETC
// sockets and the device's resolver. Periods and limits come from chargers.md §5 (state cached
// 15 s, <= 1 installation update per 15 min, 429), behaviours.md A34 (a fuse-protecting decrease
// may break the 15-min rule, logged) and CL-10 (offline current reserved), never from the client.
#include <gtest/gtest.h>

#include <string>

#include "app/net/resolver.h"
#include "app/socket_plan.h"
#include "app/stations/zaptec.h"
#include "fakes/fakes.h"
#include "stations/fake_zaptec.h"

namespace lmc::stations {
namespace {

constexpr int kSock = lmc::sockets::kZaptec;
static_assert(kSock < Sockets::kCount, "the Zaptec socket must exist");

struct Bench {
  Bench() {
    link.st = fake::FakeLink::ethernet();
    link.dns_state = 1;
    link.dns_ip = 0x22F1B40A;  // 34.241.180.10 (docs/network.md)
    dns.set_online(true);
    z.configure(so, kSock, dns, &log);
    z.set_account("installer@example.com", "zaptec");
    DriverConfig c;
    c.name = "zap1";
    c.fallback_a = 6;
    c.timeout_s = 90;
    c.min_a = 6;
    c.max_a = 16;
    d[0].configure(zaptec(), c, &log);
    cloud.chargers[0].mode = 3;
    cloud.chargers[0].current_a[0] = 10.5;
    cloud.chargers[0].current_a[1] = 10.4;
    cloud.chargers[0].current_a[2] = 10.3;
  }
  void net() {
    auto& s = so.sock[kSock];
    if (s.state == Sockets::State::Connecting) {
      ++connects;
      if (reachable)
        so.connected(kSock);
      else
        so.fail(kSock, Sockets::Error::Timeout);
    }
    if (s.state == Sockets::State::Established && !s.tx.empty()) {
      std::string bytes;
      std::swap(bytes, s.tx);
      const std::string reply = garbage ? std::string("\x01\x02 not http\r\n\r\n") : cloud.feed(bytes, t);
      if (!reply.empty()) so.deliver(kSock, reply);
      if (!reply.empty() && cloud.close_after_reply) so.peer_closed(kSock);
    }
  }
  // ms of time, a control cycle every second with the allocator's desired allocation (mA).
  void run(std::uint64_t ms, std::int32_t target_ma, bool over_budget = false) {
    const std::uint64_t end = t + ms;
    while (t < end) {
      const bool cycle = t % 1000 == 0;
      if (cycle) {
        d[0].set_setpoint(target_ma);
        d[0].cycle(t);
        out.n_events = 0;
        if (over_budget) out.events[out.n_events++] = {lm::EventType::SlowOverBudget, 0, -1, target_ma, 0};
      }
      z.service(d, 1, cycle ? &out : nullptr, t);
      net();
      z.service(d, 1, nullptr, t);
      t += 100;
    }
  }
  std::vector<std::uint64_t> times(const std::string& method, const std::string& part) const {
    std::vector<std::uint64_t> v;
    for (const auto& c : cloud.calls)
      if (c.method == method && c.path.find(part) != std::string::npos) v.push_back(c.t_ms);
    return v;
  }
  int lines(const std::string& s) const {
    int n = 0;
    for (std::size_t p = 0; (p = console.out.find(s, p)) != std::string::npos; ++p) ++n;
    return n;
  }

  fake::FakeConsole console;
  Log log{console};
  fake::FakeSockets so;
  fake::FakeLink link;
  net::Resolver dns{link, log};
  Zaptec z;
  Driver d[1];
  lm::Output out{};
  test::FakeZaptec cloud;
  std::uint64_t t = 1000;
  bool reachable = true, garbage = false;
  int connects = 0;
};

TEST(ZaptecDriver, PasswordGrantChargerListStateThenTheInstallationAllocation) {
  Bench b;
  b.run(20000, 10000);
  ASSERT_GE(b.cloud.calls.size(), 5u);
  // §5: OAuth2 password grant first (the fake checks the form and the account).
  EXPECT_EQ(b.cloud.calls[0].method, "POST");
  EXPECT_EQ(b.cloud.calls[0].path, "/oauth/token");
  EXPECT_EQ(b.cloud.calls[0].status, 200);
  EXPECT_EQ(b.cloud.count("GET", "/api/chargers"), static_cast<int>(b.times("GET", "/api/chargers").size()));
  EXPECT_EQ(b.cloud.count("GET", "/api/installation/garage"), 1);
  for (const auto& c : b.cloud.calls) EXPECT_EQ(c.status, 200) << c.method << " " << c.path;
  // A34: installation AvailableCurrentPhase1..3 = the desired allocation, after the EV state is known.
  const auto upd = b.times("POST", "/api/installation/garage/update");
  const auto st = b.times("GET", "/state");
  ASSERT_EQ(upd.size(), 1u);
  ASSERT_FALSE(st.empty());
  EXPECT_LT(st.front(), upd.front());
  for (double a : b.cloud.installations["garage"].available) EXPECT_DOUBLE_EQ(a, 10.0);
  // §5: 710 = 3 charging -> C; 507..509 currents in A.
  EXPECT_EQ(b.d[0].state(), lm::Iec::C);
  EXPECT_EQ(b.d[0].current_ma(0), 10500);
  EXPECT_EQ(b.d[0].current_ma(2), 10300);
  EXPECT_TRUE(b.d[0].online());
  EXPECT_EQ(b.d[0].slow_alloc_ma(), 10000);  // LM-13: the allocation in force is reserved
  EXPECT_TRUE(b.console.has("lmc: zaptec update installation=garage l1_ma=10000"));
}

TEST(ZaptecDriver, AtMostOneInstallationUpdateEveryFifteenMinutes) {
  Bench b;
  // The allocator's wish changes every minute for 2 h.
  for (int m = 0; m < 120; ++m) b.run(60000, m % 2 ? 14000 : 10000);
  const auto upd = b.times("POST", "/api/installation/garage/update");
  ASSERT_GE(upd.size(), 7u);
  for (std::size_t i = 1; i < upd.size(); ++i) EXPECT_GE(upd[i] - upd[i - 1], 15u * 60u * 1000u);  // §5
  for (const auto& c : b.cloud.calls) EXPECT_NE(c.status, 429) << c.path;
  EXPECT_FALSE(b.console.has("zaptec fuse_decrease"));
}

TEST(ZaptecDriver, StateReadEveryFifteenSecondsNoMoreOften) {
  Bench b;
  b.run(5u * 60u * 1000u, 10000);
  const auto st = b.times("GET", "/state");
  ASSERT_GE(st.size(), 18u);  // 300 s / 15 s = 20
  EXPECT_LE(st.size(), 21u);
  for (std::size_t i = 1; i < st.size(); ++i) EXPECT_GE(st[i] - st[i - 1], 15000u);  // §5: cached 15 s
}

TEST(ZaptecDriver, FuseProtectingDecreaseBreaksTheRuleThenCapsTheCharger) {
  Bench b;
  b.run(60000, 16000);
  ASSERT_EQ(b.times("POST", "/api/installation/garage/update").size(), 1u);
  // 2 min later the allocation no longer fits (the allocator's slow-over-budget event).
  b.run(60000, 16000);
  // A blip of two cycles (a fast station's EV still following its cut) is no reason.
  b.run(2000, 6000, true);
  b.run(5000, 16000);
  EXPECT_EQ(b.times("POST", "/api/installation/garage/update").size(), 1u);
  EXPECT_FALSE(b.console.has("zaptec fuse_decrease"));
  b.run(3000, 6000, true);
  // A34: the decrease is tried at once and logged; the cloud refuses it (15-min rule, 429), so
  // the charger's maxChargeCurrent is lowered instead (§5 per-charger current).
  EXPECT_EQ(b.times("POST", "/api/installation/garage/update").size(), 2u);
  EXPECT_TRUE(b.console.has("lmc: zaptec fuse_decrease installation=garage l1_ma=6000"));
  EXPECT_EQ(b.times("POST", "/api/chargers/").size(), 1u);
  EXPECT_DOUBLE_EQ(b.cloud.chargers[0].max_charge_current, 6.0);
  EXPECT_LE(b.d[0].slow_alloc_ma(), 6000);
  // After the 15 min the installation carries the decrease; the charger cap is lifted (max 16 A).
  b.run(15u * 60u * 1000u, 6000);
  for (double a : b.cloud.installations["garage"].available) EXPECT_DOUBLE_EQ(a, 6.0);
  EXPECT_DOUBLE_EQ(b.cloud.chargers[0].max_charge_current, 16.0);
  EXPECT_EQ(b.d[0].slow_alloc_ma(), 6000);
}

TEST(ZaptecDriver, ExpiredTokenIsRenewedAndLoggedOnce) {
  Bench b;
  b.run(20000, 10000);
  b.cloud.revoke_tokens();
  b.run(60000, 10000);
  EXPECT_EQ(b.cloud.count("POST", "/oauth/token"), 2);
  EXPECT_EQ(b.lines("lmc: zaptec error what=unauthorised status=401"), 1);
  EXPECT_TRUE(b.console.has("lmc: zaptec ok"));
  EXPECT_EQ(b.cloud.calls.back().status, 200);
}

TEST(ZaptecDriver, ServerErrorsBackOffAndAreLoggedOnce) {
  Bench b;
  b.run(20000, 10000);
  const std::size_t before = b.cloud.calls.size();
  b.cloud.fail_status = 503;
  b.run(120000, 10000);
  const std::size_t during = b.cloud.calls.size() - before;
  EXPECT_GE(during, 3u);
  EXPECT_LE(during, 8u);  // 5 s doubling: not 8 state reads per 2 min plus retries
  EXPECT_EQ(b.lines("lmc: zaptec error what=server status=503"), 1);
  b.cloud.fail_status = 0;
  b.run(200000, 10000);
  EXPECT_TRUE(b.console.has("lmc: zaptec ok"));
  EXPECT_EQ(b.cloud.calls.back().status, 200);
}

TEST(ZaptecDriver, RateLimitHonoursRetryAfter) {
  Bench b;
  b.run(20000, 10000);
  b.cloud.fail_status = 429;
  b.cloud.retry_after_s = 40;
  b.run(16000, 10000);  // the next state read meets the 429
  const auto first429 = b.cloud.calls.back().t_ms;
  ASSERT_EQ(b.cloud.calls.back().status, 429);
  b.cloud.fail_status = 0;
  b.run(60000, 10000);
  for (const auto& c : b.cloud.calls)
    if (c.t_ms > first429) {
      EXPECT_GE(c.t_ms, first429 + 40000) << c.path;
    }
  EXPECT_EQ(b.lines("lmc: zaptec error what=rate_limited status=429"), 1);
}

TEST(ZaptecDriver, SilentCloudTimesOutAndTheOfflineCurrentIsReserved) {
  Bench b;
  b.cloud.chargers[0].offline_a = 12;  // §5 523 ChargerOfflineCurrent
  b.run(20000, 8000);
  EXPECT_EQ(b.d[0].slow_alloc_ma(), 8000);
  b.cloud.silent = true;
  b.run(30000, 8000);
  EXPECT_FALSE(b.z.reachable());
  EXPECT_EQ(b.lines("lmc: zaptec error what=timeout"), 1);
  EXPECT_EQ(b.d[0].slow_alloc_ma(), 12000);  // CL-10: max(allocation, offline current)
  b.reachable = false;                       // the internet is gone: connects time out, logged once more (a new cause)
  b.run(120000, 8000);
  EXPECT_EQ(b.lines("lmc: zaptec error what=connect"), 1);
  EXPECT_LE(b.connects, 8);  // backing off, not a connect per second
  b.reachable = true;
  b.cloud.silent = false;
  b.run(320000, 8000);
  EXPECT_TRUE(b.z.reachable());
  EXPECT_EQ(b.d[0].slow_alloc_ma(), 8000);
}

TEST(ZaptecDriver, GarbageAndClosedConnectionsNeverCrashAndReconnect) {
  Bench b;
  b.cloud.close_after_reply = true;  // "Connection: close" on every answer
  b.run(30000, 10000);
  EXPECT_EQ(b.d[0].state(), lm::Iec::C);
  EXPECT_GE(b.connects, 4);
  b.cloud.close_after_reply = false;
  b.garbage = true;
  b.run(30000, 10000);
  EXPECT_TRUE(b.console.has("lmc: zaptec error what=bad_response"));
  b.garbage = false;
  b.run(400000, 10000);
  EXPECT_TRUE(b.z.reachable());
  EXPECT_EQ(b.cloud.calls.back().status, 200);
}

TEST(ZaptecDriver, UnusableTokenAnswerIsNotATightLoop) {
  Bench b;
  b.cloud.bad_token = true;
  b.run(50000, 10000);
  EXPECT_EQ(b.cloud.count("POST", "/oauth/token"), 1);
  EXPECT_TRUE(b.console.has("lmc: zaptec error what=bad_token status=200"));
  b.cloud.bad_token = false;
  b.run(30000, 10000);
  EXPECT_EQ(b.cloud.count("POST", "/oauth/token"), 2);
  EXPECT_EQ(b.d[0].state(), lm::Iec::C);
}

TEST(ZaptecDriver, NoAccountNoRequestAndANamedSetting) {
  Bench b;
  b.z.set_account("", "");
  b.run(10000, 10000);
  EXPECT_TRUE(b.cloud.calls.empty());
  EXPECT_TRUE(b.console.has("lmc: zaptec error what=no_account setting=zaptec.username"));
  // Unknown to the cloud: reserved at its max current (it may charge at anything up to it).
  EXPECT_EQ(b.d[0].slow_alloc_ma(), 16000);
}

}  // namespace
}  // namespace lmc::stations
