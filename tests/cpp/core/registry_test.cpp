#include <gtest/gtest.h>

#include "sim/registry.h"

using namespace lmsim;

namespace {
struct Fixture : ::testing::Test {
  Registry reg;
  Time clock = 0;
  void SetUp() override {
    reg.set_clock([this] { return clock; });
  }
};
struct Count : SettledListener {
  int n = 0;
  Time last = 0;
  void on_settled(Time t) override { ++n, last = t; }
};
struct Log : ChangeListener {
  std::vector<std::pair<Time, double>> seen;
  void on_change(const Signal& s, Time t) override { seen.emplace_back(t, s.value()); }
};
}  // namespace

TEST_F(Fixture, TypedKnobsCheckTypeAndUnitOnWrite) {
  auto& i = reg.add_number("site.fuse.rating", "A", 40).as_knob();
  reg.write("site.fuse.rating", "63A");
  EXPECT_DOUBLE_EQ(i.value(), 63);
  EXPECT_THROW(reg.write("site.fuse.rating", "63W"), SignalError);
  EXPECT_THROW(reg.write("site.fuse.rating", "63"), SignalError);
  auto& e = reg.add_enum("site.ripple.mode", {"normal", "reduced", "blocked"}).as_knob();
  reg.write("site.ripple.mode", "blocked");
  EXPECT_EQ(e.render(), "blocked");
  try {
    reg.write("site.ripple.mode", "off");
    FAIL();
  } catch (const SignalError& err) {
    EXPECT_NE(std::string(err.what()).find("normal, reduced, blocked"), std::string::npos);
  }
  auto& b = reg.add_bool("net.eth.link").as_knob();
  reg.write("net.eth.link", "true");
  EXPECT_TRUE(b.as_bool());
  EXPECT_THROW(reg.write("net.eth.link", "maybe"), SignalError);
}

TEST_F(Fixture, SignalsAreReadOnlyFromOutside) {
  reg.add_number("site.grid.L1.voltage", "V", 230);
  EXPECT_THROW(reg.write("site.grid.L1.voltage", "200V"), SignalError);
}

TEST_F(Fixture, UnknownNamesSuggestTheClosestSignal) {
  reg.add_number("site.grid.L1.voltage", "V", 230);
  try {
    reg.at("site.grid.L1.voltag");
    FAIL();
  } catch (const SignalError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'site.grid.L1.voltage'"), std::string::npos);
  }
}

TEST_F(Fixture, RejectsBadNamesDuplicatesAndUnits) {
  reg.add_number("a.b", "A");
  EXPECT_THROW(reg.add_number("a.b", "A"), SignalError);
  EXPECT_THROW(reg.add_number("a..b", "A"), SignalError);
  EXPECT_THROW(reg.add_number("a b", "A"), SignalError);
  EXPECT_THROW(reg.add_number("a.c", "furlong"), SignalError);
}

TEST_F(Fixture, GlobMatchesSegmentsAndDeepPaths) {
  reg.add_number("site.fuse.L1.current", "A");
  reg.add_number("site.fuse.L2.current", "A");
  reg.add_number("site.grid.L1.current", "A");
  EXPECT_EQ(reg.glob("site.fuse.*.current").size(), 2u);
  EXPECT_EQ(reg.glob("site.*.current").size(), 0u);
  EXPECT_EQ(reg.glob("site.**.current").size(), 3u);
  EXPECT_EQ(reg.glob("site.fuse.L?.current").size(), 2u);
}

TEST_F(Fixture, SettledListenersRunOncePerTimestampAfterAllChanges) {
  auto& a = reg.add_number("a", "A");
  auto& b = reg.add_number("b", "A");
  Count c;
  a.add_settled(&c);
  b.add_settled(&c);
  a.set(1, 10);
  b.set(2, 10);
  EXPECT_EQ(c.n, 0);  // deferred until time moves on
  a.set(3, 20);
  EXPECT_EQ(c.n, 1);
  EXPECT_EQ(c.last, 10u);
  reg.settle();
  EXPECT_EQ(c.n, 2);
  EXPECT_EQ(c.last, 20u);
}

TEST_F(Fixture, ChangesAreImmediateUnchangedValuesAreFreeAndTimeNeverGoesBack) {
  auto& a = reg.add_number("a", "A");
  Log l;
  a.add_listener(&l);
  a.set(1, 100);
  a.set(1, 200);  // unchanged: no event
  a.set(2, 50);   // earlier than the last change: clamped to 100
  ASSERT_EQ(l.seen.size(), 2u);
  EXPECT_EQ(l.seen[1].first, 100u);
  EXPECT_EQ(a.change_count(), 2u);
}

TEST_F(Fixture, StreamsAppend) {
  auto& s = reg.add_stream("device.uart0.tx");
  s.append("boot ", 1);
  s.append("ok\n", 2);
  EXPECT_EQ(s.text(), "boot ok\n");
}
