// net::Resolver: the one DNS client over the NETC's single DNS command (docs/mcu-netc.md:
// "CMD 6 DNS ... busy -> done (DNS_RESULT) or error"; one query at a time, so a second client
// must wait for the first answer instead of overwriting the command).
#include "app/net/resolver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes/fakes.h"

namespace lmc::net {
namespace {

// The NETC's DNS command as docs/mcu-netc.md describes it: one at a time; a new command
// replaces the one in flight.
class DnsLink final : public Link {
 public:
  void enable(bool) override {}
  Status status() const override { return {}; }
  std::uint32_t take_events() override { return 0; }
  bool set_ip(const IpConfig&) override { return true; }
  bool join(const char*, const char*) override { return true; }
  void leave() override {}
  bool ap_start(const char*, const char*, std::uint32_t) override { return true; }
  void ap_stop() override {}
  bool dns_start(const char* name) override {
    started.emplace_back(name);
    state = 0;
    return true;
  }
  int dns_result(std::uint32_t* ip) const override {
    if (state == 1) *ip = ip_;
    return state;
  }
  void answer(std::uint32_t ip) {
    ip_ = ip;
    state = ip ? 1 : -1;
  }
  std::vector<std::string> started;
  int state = 0;
  std::uint32_t ip_ = 0;
};

struct ResolverTest : ::testing::Test {
  DnsLink link;
  fake::FakeConsole console;
  Log log{console};
  Resolver r{link, log};
  void SetUp() override { r.set_online(true); }
};

TEST_F(ResolverTest, ResolvesCachesAndLogs) {
  std::uint32_t ip = 0;
  EXPECT_EQ(r.lookup("mqtt.clemap.com", &ip, 0), 0);
  ASSERT_EQ(link.started.size(), 1u);
  EXPECT_EQ(r.lookup("mqtt.clemap.com", &ip, 10), 0);  // still in flight: no second query
  link.answer(0x22010203);
  EXPECT_EQ(r.lookup("mqtt.clemap.com", &ip, 20), 1);
  EXPECT_EQ(ip, 0x22010203u);
  EXPECT_TRUE(console.has("lmc: net dns-resolved name=mqtt.clemap.com ip=34.1.2.3"));
  // Cached: no further query within the TTL.
  EXPECT_EQ(r.lookup("mqtt.clemap.com", &ip, Resolver::kTtlMs - 1), 1);
  EXPECT_EQ(link.started.size(), 1u);
  // Expired: asked again.
  EXPECT_EQ(r.lookup("mqtt.clemap.com", &ip, Resolver::kTtlMs + 20), 0);
  EXPECT_EQ(link.started.size(), 2u);
}

TEST_F(ResolverTest, SerialisesClientsInOrder) {
  std::uint32_t ip = 0;
  EXPECT_EQ(r.lookup("a.example", &ip, 0), 0);
  EXPECT_EQ(r.lookup("b.example", &ip, 1), 0);
  EXPECT_EQ(r.lookup("c.example", &ip, 2), 0);
  ASSERT_EQ(link.started, std::vector<std::string>{"a.example"});  // one at a time
  link.answer(0x01010101);
  r.poll(3);
  ASSERT_EQ(link.started, (std::vector<std::string>{"a.example", "b.example"}));
  link.answer(0x02020202);
  r.poll(4);
  link.answer(0x03030303);
  r.poll(5);
  EXPECT_EQ(r.lookup("b.example", &ip, 6), 1);
  EXPECT_EQ(ip, 0x02020202u);
  EXPECT_EQ(r.lookup("a.example", &ip, 6), 1);
  EXPECT_EQ(ip, 0x01010101u);
  EXPECT_EQ(r.lookup("c.example", &ip, 6), 1);
  EXPECT_EQ(ip, 0x03030303u);
  EXPECT_EQ(link.started.size(), 3u);
}

TEST_F(ResolverTest, FailureBacksOffDoubling) {
  std::uint32_t ip = 0;
  EXPECT_EQ(r.lookup("gone.example", &ip, 0), 0);
  link.answer(0);
  EXPECT_EQ(r.lookup("gone.example", &ip, 100), -1);
  EXPECT_TRUE(console.has("lmc: net dns-failed name=gone.example retry_ms=2000"));
  // Inside the back-off: -1 at once, nothing queried.
  EXPECT_EQ(r.lookup("gone.example", &ip, 2099), -1);
  EXPECT_EQ(link.started.size(), 1u);
  EXPECT_EQ(r.lookup("gone.example", &ip, 2100), 0);
  EXPECT_EQ(link.started.size(), 2u);
  link.answer(0);
  EXPECT_EQ(r.lookup("gone.example", &ip, 2200), -1);
  EXPECT_TRUE(console.has("retry_ms=4000"));
  // The back-off stops growing at kRetryMaxMs.
  std::uint64_t t = 2200;
  for (int i = 0; i < 10; ++i) {
    t += Resolver::kRetryMaxMs + 10;
    ASSERT_EQ(r.lookup("gone.example", &ip, t), 0);
    link.answer(0);
    ASSERT_EQ(r.lookup("gone.example", &ip, t + 1), -1);
  }
  EXPECT_TRUE(console.has("retry_ms=60000"));
  EXPECT_FALSE(console.has("retry_ms=64000"));
}

TEST_F(ResolverTest, AHungQueryTimesOut) {
  std::uint32_t ip = 0;
  EXPECT_EQ(r.lookup("slow.example", &ip, 0), 0);
  EXPECT_EQ(r.lookup("slow.example", &ip, Resolver::kQueryTimeoutMs - 1), 0);
  EXPECT_EQ(r.lookup("slow.example", &ip, Resolver::kQueryTimeoutMs), -1);
}

TEST_F(ResolverTest, OfflineFailsAtOnceAndANewNetworkDropsTheCache) {
  std::uint32_t ip = 0;
  r.set_online(false);
  EXPECT_EQ(r.lookup("x.example", &ip, 0), -1);
  EXPECT_TRUE(link.started.empty());
  r.set_online(true);
  EXPECT_EQ(r.lookup("x.example", &ip, 0), 0);
  link.answer(0x05050505);
  EXPECT_EQ(r.lookup("x.example", &ip, 1), 1);
  r.set_online(false);
  r.set_online(true);
  EXPECT_EQ(r.lookup("x.example", &ip, 2), 0);  // asked again on the new network
  EXPECT_EQ(link.started.size(), 2u);
}

TEST_F(ResolverTest, ACommandInFlightRequeuesTheQuery) {
  std::uint32_t ip = 0;
  EXPECT_EQ(r.lookup("x.example", &ip, 0), 0);
  r.command_issued();  // e.g. a Wi-Fi JOIN overwrote CMD_STATUS
  EXPECT_FALSE(r.busy());
  r.poll(1);
  EXPECT_EQ(link.started.size(), 2u);  // started again, not failed
  EXPECT_FALSE(console.has("dns-failed"));
}

TEST_F(ResolverTest, HostileNamesAreRefusedWithoutAQuery) {
  std::uint32_t ip = 0;
  EXPECT_EQ(r.lookup("", &ip, 0), -1);
  EXPECT_EQ(r.lookup(nullptr, &ip, 0), -1);
  EXPECT_EQ(r.lookup("a b", &ip, 0), -1);
  EXPECT_EQ(r.lookup("x.example", nullptr, 0), -1);
  std::string long_name(Resolver::kMaxName + 1, 'a');
  EXPECT_EQ(r.lookup(long_name.c_str(), &ip, 0), -1);
  std::string max_name(Resolver::kMaxName, 'a');
  EXPECT_EQ(r.lookup(max_name.c_str(), &ip, 0), 0);
  EXPECT_EQ(link.started.size(), 1u);
}

TEST_F(ResolverTest, MoreNamesThanSlotsWaitInsteadOfEvictingWaiters) {
  std::uint32_t ip = 0;
  for (int i = 0; i < Resolver::kSlots; ++i)
    EXPECT_EQ(r.lookup(("n" + std::to_string(i) + ".example").c_str(), &ip, 0), 0);
  EXPECT_EQ(r.lookup("extra.example", &ip, 0), 0);  // no slot: pending, ask again
  link.answer(0x0A000001);
  r.poll(1);  // n0 answered: its slot may now be reused
  EXPECT_EQ(r.lookup("extra.example", &ip, 2), 0);
  // Every queued name gets its query eventually (FIFO).
  for (int i = 0; i < Resolver::kSlots; ++i) {
    link.answer(0x0A000002);
    r.poll(3 + static_cast<std::uint64_t>(i));
  }
  EXPECT_EQ(link.started.back(), "extra.example");
}

}  // namespace
}  // namespace lmc::net
