// Watchdog arming (issue 16 item 1): a controller that writes a limit and then dies must see
// the station fall back after the station's communication timeout. Each test reads the
// timeout and fall-back current from the station's own registers (as a controller would)
// instead of assuming the undocumented defaults, writes a limit, goes silent and checks the
// offer against the vendor document (shared/reference/chargers.md beside the repository).
#include "evse_test_util.h"
#include "models/evse/vendor_map.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

namespace {
// A station with a 1-phase EV drawing whatever it is offered (up to 32 A) from t = 0.
std::string scenario(const std::string& station) {
  return "stations:\n  - {name: st, " + station +
         "}\n"
         "evs:\n  - {name: car, station: st, phases: 1, max_current: 32A, reaction: 1s, soc: 20%}\n";
}

// Runs the silence after the controller's last request at `t_last`: still at `limit` just
// before `timeout` s, at `fallback` just after (chargers.md: fall-back after the timeout).
void expect_falls_back(Bench& b, double t_last, double timeout, double limit, double fallback) {
  b.run(t_last + timeout - 0.5 - b.now_s());
  EXPECT_FALSE(b.site->registry().at("station.st.failsafe").as_bool()) << "lapsed early, t=" << b.now_s();
  EXPECT_NEAR(b.value("station.st.offered_current"), limit, 1e-9);
  EXPECT_NEAR(b.value("station.st.current"), limit, 1e-9);
  b.run(1);
  EXPECT_TRUE(b.site->registry().at("station.st.failsafe").as_bool()) << "no fall-back, t=" << b.now_s();
  EXPECT_NEAR(b.value("station.st.offered_current"), fallback, 1e-9);
  b.run(10);  // long after: the station stays at the fall-back (the controller is dead)
  EXPECT_NEAR(b.value("station.st.offered_current"), fallback, 1e-9);
}
}  // namespace

// chargers.md §3.1 (Webasto NEXT): 2000 safeCurrent, 2002 comTimeout, "fallback current after
// comTimeout"; 5004 charge current. The controller never writes the life bit 6000 and dies
// after one limit write: the field report (station kept 10 A for 50 s on a 20 s
// timeout) must not repeat.
TEST(EvseWatchdog, NextWriteLimitThenDieFallsBackToSafeCurrent) {
  Bench b(scenario("model: webasto-next"));
  auto& c = *b.client;
  b.run(46);  // booted (45 s)
  auto sc = c.read_holding("st", 2000, 1, 255), to = c.read_holding("st", 2002, 1, 255);
  ASSERT_TRUE(sc.ok && to.ok);
  const double safe = sc.values[0], timeout = to.values[0];
  ASSERT_GT(timeout, 0);
  ASSERT_GE(safe, 6);
  ASSERT_NE(safe, 10);
  // A read-only monitor (e.g. a dashboard) does not start monitoring: assumption documented
  // in docs/stations.md (watchdog_arm: first-write), otherwise every poller would force 6 A.
  b.run(timeout + 2);
  EXPECT_FALSE(b.site->registry().at("station.st.failsafe").as_bool());
  EXPECT_NEAR(b.value("station.st.current"), 32, 1e-9);  // default limit 32 A, EV max 32 A
  ASSERT_TRUE(c.write_register("st", 5004, 10, 255).ok);
  expect_falls_back(b, b.now_s(), timeout, 10, safe);
  // The controller comes back: the life bit ends the fall-back, the 10 A limit applies again.
  ASSERT_TRUE(c.write_register("st", 6000, 1, 255).ok);
  EXPECT_FALSE(b.site->registry().at("station.st.failsafe").as_bool());
  EXPECT_NEAR(b.value("station.st.offered_current"), 10, 1e-9);
}

// chargers.md §3 (Webasto Live, TQ-DM100 set): 2000 safeCurrent, 2002 comTimeout, 6000 life
// bit "EM writes 1, Live clears to 0". Explicit settings: 8 A after 15 s.
TEST(EvseWatchdog, LiveTqWriteLimitThenDieFallsBack) {
  Bench b(scenario("model: webasto-live, register_set: tq-dm100"));
  auto& c = *b.client;
  b.run(46);
  ASSERT_TRUE(c.write_register("st", 2000, 8, 255).ok);
  ASSERT_TRUE(c.write_register("st", 2002, 15, 255).ok);
  ASSERT_TRUE(c.write_register("st", 5004, 12, 255).ok);
  expect_falls_back(b, b.now_s(), 15, 12, 8);
}

// chargers.md §3.2 (Webasto Unite = Vestel EVC04): HR 2000 failsafe current, HR 2002 failsafe
// timeout (vendor default 20 s), HR 5004 current; "if the alive register is not updated
// within the failsafe timeout the device enters failsafe ... the failsafe current becomes
// active".
TEST(EvseWatchdog, UniteWriteLimitThenDieFallsBack) {
  Bench b(scenario("model: webasto-unite"));
  auto& c = *b.client;
  b.run(46);
  auto to = c.read_holding("st", 2002, 1, 255);
  ASSERT_TRUE(to.ok);
  EXPECT_EQ(to.values[0], 20);  // vendor default 20 s (§3.2 table)
  ASSERT_TRUE(c.write_register("st", 2000, 7, 255).ok);
  ASSERT_TRUE(c.write_register("st", 5004, 16, 255).ok);
  expect_falls_back(b, b.now_s(), 20, 16, 7);
}

// chargers.md §1.2/§1.4 (ABB Terra AC): 0x4106 communication timeout (10..65535 s), 0x4109
// fallback limit: "when configured the charger does not go into error" and continues at it
// after the timeout. This controller configures, writes 0x4100 (mA, FC16) and dies without
// ever polling.
TEST(EvseWatchdog, AbbWriteOnlyControllerDiesFallsBack) {
  Bench b(scenario("model: abb-terra-ac, phases: [L1]"));
  auto& c = *b.client;
  b.run(31);
  ASSERT_TRUE(c.write_register("st", 0x4109, 9).ok);
  ASSERT_TRUE(c.write_register("st", 0x4106, 10).ok);
  ASSERT_TRUE(c.write_registers("st", 0x4100, {0, 14000}).ok);  // 14 A, u32 hi-word first
  expect_falls_back(b, b.now_s(), 10, 14, 9);
}

// chargers.md §2.1 (MENNEKES ECU): "falls back to SAFE_CURRENT (131) after COMM_TIMEOUT (132)
// without master communication"; 1000 HEMS limit.
TEST(EvseWatchdog, EcuWriteLimitThenDieFallsBack) {
  Bench b(scenario("model: mennekes-amtron-ecu, phases: [L1]"));
  auto& c = *b.client;
  b.run(61);
  ASSERT_TRUE(c.write_register("st", 131, 10).ok);
  ASSERT_TRUE(c.write_register("st", 132, 25).ok);
  ASSERT_TRUE(c.write_register("st", 1000, 20).ok);
  b.run(20);
  ASSERT_TRUE(c.read_holding("st", 1000, 1).ok);  // the ECU takes a limit after ~30 s (§2.1, OpenEMS)
  b.run(20);
  ASSERT_TRUE(c.read_holding("st", 122, 1).ok);  // the controller's last request
  expect_falls_back(b, b.now_s(), 25, 20, 10);
}

// The arming rule is a vendor parameter with a clear error for bad values.
TEST(EvseWatchdog, ArmRuleParsedPerVendorAndBadValuesNamed) {
  VendorLibrary lib;
  EXPECT_EQ(lib.get("webasto-next").arm_rule(), WatchdogArm::FirstWrite);
  EXPECT_EQ(lib.get("webasto-live-tq").arm_rule(), WatchdogArm::FirstWrite);  // inherited
  EXPECT_EQ(lib.get("abb-terra-ac").arm_rule(), WatchdogArm::AnyRequest);
  EXPECT_EQ(lib.get("weidmueller-ac-smart").arm_rule(), WatchdogArm::Feed);
  auto bad = lmsim::YNode::load_string("vendor: x\nwatchdog: lifebit\nwatchdog_arm: sometimes\n", "x.yaml");
  try {
    lib.define(bad, "x");
    FAIL();
  } catch (const lmsim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("x.yaml:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("watchdog_arm"), std::string::npos) << e.what();
  }
  auto cd = lmsim::YNode::load_string("vendor: y\nwatchdog: countdown\nwatchdog_arm: first-write\n", "y.yaml");
  EXPECT_THROW(lib.define(cd, "y"), lmsim::InputError);
}
