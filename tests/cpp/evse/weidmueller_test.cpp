// Weidmüller AC SMART: unit 255, LSW-first u32, LCM countdown, RFID authorisation (DIP 10),
// settings applied only after a restart, incomplete restart after a short power cut.
#include "evse_test_util.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

namespace {
const char* kWm = R"(
stations:
  - {name: wm, model: weidmueller-ac-smart, rfid_auth: true, max_current: 16A}
evs:
  - {name: car, station: wm, arrive: 30s, phases: 3, max_current: 16A, reaction: 1s}
)";
}

TEST(EvseWeidmueller, CountdownLsbFirstAndLapseKeepsCurrent) {
  Bench b(kWm);
  auto& c = *b.client;
  b.run(59);
  EXPECT_TRUE(c.read_holding("wm", 301, 1, 255).refused);  // boots 60 s
  b.run(2);
  EXPECT_TRUE(c.read_holding("wm", 301, 1, 1).no_reply);         // unit 255 only
  EXPECT_EQ(c.read_holding("wm", 301, 1, 255).values[0], 0x42);  // 'B': plugged, waiting
  EXPECT_EQ(b.text("station.wm.status"), "auth_wait");
  b.set("station.wm.authorize", "true");
  ASSERT_TRUE(c.write_register("wm", 11052, 10, 255).ok);
  ASSERT_TRUE(c.write_registers("wm", 11050, {20000, 0}, 255).ok);  // 20 s, LSW first
  b.run(5);
  auto cd = c.read_holding("wm", 11050, 2, 255);
  ASSERT_TRUE(cd.ok);
  EXPECT_EQ(cd.u32(0, true), 15000u);  // counts down
  auto cur = c.read_holding("wm", 406, 2, 255);
  EXPECT_EQ(cur.u32(0, true), 10000u);  // mA, LSW first
  EXPECT_EQ(c.read_holding("wm", 301, 1, 255).values[0], 0x43);
  b.run(16);
  EXPECT_TRUE(b.site->registry().at("station.wm.failsafe").as_bool());
  EXPECT_EQ(c.read_holding("wm", 11050, 2, 255).u32(0, true), 0u);
  EXPECT_EQ(c.read_holding("wm", 302, 1, 255).values[0] & 1, 1);  // comm-lost flag
  EXPECT_NEAR(b.value("station.wm.current"), 10, 1e-9);           // observed: charging continues
}

TEST(EvseWeidmueller, SettingsWaitForRestartAndShortPowerCutIsIncomplete) {
  Bench b(kWm);
  auto& c = *b.client;
  b.run(61);
  b.set("station.wm.rfid_auth", "false");  // DIP 10 off: applies only after a restart
  b.run(1);
  EXPECT_TRUE(b.site->registry().at("station.wm.settings_pending").as_bool());
  EXPECT_EQ(b.text("station.wm.status"), "auth_wait");
  // Power cut of 10 s (< 40 s): the station comes back without Modbus, settings not applied.
  b.set("station.wm.online", "false");
  b.run(10);
  b.set("station.wm.online", "true");
  b.run(70);
  EXPECT_TRUE(c.read_holding("wm", 301, 1, 255).refused);
  EXPECT_EQ(b.text("station.wm.status"), "auth_wait");
  // A proper power cycle (off > 40 s) applies the settings: charging starts without a card.
  b.set("station.wm.online", "false");
  b.run(45);
  b.set("station.wm.online", "true");
  b.run(65);
  EXPECT_FALSE(b.site->registry().at("station.wm.settings_pending").as_bool());
  EXPECT_TRUE(c.read_holding("wm", 301, 1, 255).ok);
  EXPECT_EQ(b.text("station.wm.status"), "charging");
}
