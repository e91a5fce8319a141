// Webasto NEXT (TQ-DM100 + life bit), Webasto Live (Ebee or TQ-DM100 set), Webasto Unite
// (Vestel EVC04: input registers, 0 reads back as 6, fail-safe drops the socket).
#include "evse_test_util.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

TEST(EvseWebasto, NextLifeBitClearedByStationAndFailsafeOnSilence) {
  Bench b(R"(
stations:
  - {name: wn, model: webasto-next}
evs:
  - {name: car, station: wn, phases: 3, max_current: 16A, reaction: 1s}
)");
  auto& c = *b.client;
  b.run(46);
  EXPECT_TRUE(c.read_holding("wn", 1000, 1, 1).no_reply);  // unit id 255 only
  ASSERT_TRUE(c.write_register("wn", 2000, 7, 255).ok);
  ASSERT_TRUE(c.write_register("wn", 2002, 10, 255).ok);
  ASSERT_TRUE(c.write_register("wn", 5004, 12, 255).ok);
  ASSERT_TRUE(c.write_register("wn", 6000, 1, 255).ok);
  EXPECT_EQ(c.read_holding("wn", 6000, 1, 255).values[0], 1);
  b.run(5.5);  // the station checks every timeout/2 = 5 s and clears the bit
  EXPECT_EQ(c.read_holding("wn", 6000, 1, 255).values[0], 0);
  for (int i = 0; i < 6; ++i) {  // master writes the life bit every 5 s
    ASSERT_TRUE(c.write_register("wn", 6000, 1, 255).ok);
    b.run(5);
  }
  EXPECT_FALSE(b.site->registry().at("station.wn.failsafe").as_bool());
  EXPECT_NEAR(b.value("station.wn.current"), 12, 1e-9);
  auto st = c.read_holding("wn", 1000, 1, 255);
  EXPECT_EQ(st.values[0], 3);                                    // charging
  EXPECT_EQ(c.read_input("wn", 1008, 1, 255).values[0], 12000);  // mA, also via FC4
  b.run(12);                                                     // reads do not count: only the life bit
  EXPECT_TRUE(b.site->registry().at("station.wn.failsafe").as_bool());
  b.run(3);
  EXPECT_NEAR(b.value("station.wn.current"), 7, 1e-9);
  EXPECT_EQ(c.write_register("wn", 6000, 2, 255).exception, 3);
  ASSERT_TRUE(c.write_register("wn", 6000, 1, 255).ok);
  EXPECT_FALSE(b.site->registry().at("station.wn.failsafe").as_bool());
}

TEST(EvseWebasto, LiveRegisterSetIsSelectablePerStation) {
  Bench b(R"(
stations:
  - {name: ebee, model: webasto-live, register_set: ebee, ip: 192.168.1.10}
  - {name: tq, model: webasto-live, register_set: tq-dm100, ip: 192.168.1.11, max_current: 16A}
)");
  auto& c = *b.client;
  b.run(61);
  EXPECT_EQ(c.read_holding("ebee", 122, 1, 255).values[0], 1);  // CP state A
  EXPECT_TRUE(c.write_register("ebee", 1000, 10, 255).ok);
  EXPECT_EQ(c.read_holding("ebee", 1100, 1, 255).exception, 2);
  EXPECT_EQ(c.read_holding("tq", 1100, 1, 255).values[0], 160);  // 0.1 A on the Live TQ set
  EXPECT_EQ(c.read_holding("tq", 122, 1, 255).exception, 2);
  EXPECT_EQ(c.read_holding("tq", 1000, 1, 255).values[0], 0);
  EXPECT_TRUE(c.write_register("tq", 5004, 10, 255).ok);
}

TEST(EvseWebasto, UniteInputRegistersZeroReadsSixAndFailsafeDropsSocket) {
  Bench b(R"(
stations:
  - {name: un, model: webasto-unite, phases: [L3]}
evs:
  - {name: car, station: un, arrive: 100s, phases: 1, max_current: 16A, reaction: 1s, resume: 10s}
)");
  auto& c = *b.client;
  b.run(46);
  auto brand = c.read_input("un", 190, 4, 255);
  ASSERT_TRUE(brand.ok);
  // One character per register, as evcc decodes Vestel strings (chargers.md §3.2).
  EXPECT_EQ(brand.values[0], 'W');
  EXPECT_EQ(brand.values[1], 'e');
  EXPECT_EQ(brand.values[3], 'a');
  EXPECT_EQ(c.read_holding("un", 190, 1, 255).exception, 2);  // identity is input-only
  EXPECT_EQ(c.read_input("un", 404, 1, 255).values[0], 0);    // 1-phase
  // 0 written without a car means 6 A; 0 reads back as 6.
  ASSERT_TRUE(c.write_register("un", 5004, 0, 255).ok);
  EXPECT_EQ(c.read_holding("un", 5004, 1, 255).values[0], 6);
  EXPECT_NEAR(b.value("station.un.setpoint"), 6, 1e-9);
  ASSERT_TRUE(c.write_register("un", 2002, 10, 255).ok);
  ASSERT_TRUE(c.write_register("un", 2000, 6, 255).ok);
  for (int i = 0; i < 14; ++i) {
    ASSERT_TRUE(c.write_register("un", 6000, 1, 255).ok);
    b.run(4);
  }
  b.run(0.5);
  EXPECT_NEAR(b.value("station.un.L3.current"), 6, 1e-9)
      << b.text("station.un.status") << " " << b.value("station.un.offered_current");
  ASSERT_TRUE(c.write_register("un", 5004, 0, 255).ok);        // with a car: a real pause
  EXPECT_EQ(c.read_holding("un", 5004, 1, 255).values[0], 6);  // ... that still reads 6
  b.run(4);
  EXPECT_EQ(b.value("station.un.current"), 0);
  ASSERT_TRUE(c.write_register("un", 5004, 16, 255).ok);
  ASSERT_TRUE(c.write_register("un", 6000, 1, 255).ok);
  b.run(10.5);  // life bit not renewed: lapse drops the socket, new connections refused
  EXPECT_TRUE(b.site->registry().at("station.un.failsafe").as_bool());
  auto r = c.read_input("un", 1000, 1, 255);
  EXPECT_TRUE(r.refused);
  b.run(10);  // lock-out = the fail-safe timeout
  EXPECT_TRUE(c.read_input("un", 1000, 1, 255).ok);
}
