// Error flags as a controller reads them (issue 16 item 5): byte order of the MENNEKES ECU
// error words, which bit carries a Modbus-master loss, and when that flag clears.
#include "evse_test_util.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

// chargers.md §2.1: ERROR_CODES 105-112, "each 32-bit pair is low word first and each word low
// byte first"; bit 6 = contactor weld. Bit 6 (0x40) is in the low byte of the low word, so on
// the wire register 111 is the bytes 0x40 0x00 = 0x4000 and register 112 is 0.
TEST(EvseErrorFlags, EcuErrorWordLowByteFirstContactorWeldBit6) {
  Bench b(R"(
stations:
  - {name: am, model: mennekes-amtron-ecu, phases: [L1]}
evs:
  - {name: car, station: am, phases: 1, max_current: 16A, reaction: 1s, soc: 20%}
)");
  auto& c = *b.client;
  b.run(61);
  ASSERT_TRUE(c.write_register("am", 1000, 16).ok);
  b.run(40);  // the ECU takes a new limit after ~30 s (chargers.md §2.1)
  ASSERT_NEAR(b.value("station.am.current"), 16, 1e-9);
  auto none = c.read_holding("am", 105, 8);
  ASSERT_TRUE(none.ok);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(none.values[static_cast<std::size_t>(i)], 0) << "register " << 105 + i;
  b.set("station.am.stuck_contactor", "true");
  ASSERT_TRUE(c.write_register("am", 1000, 0).ok);  // pause: the contactor is told to open
  b.run(40);
  auto err = c.read_holding("am", 111, 2);
  ASSERT_TRUE(err.ok);
  EXPECT_EQ(err.values[0], 0x4000);
  EXPECT_EQ(err.values[1], 0);
}

// chargers.md §2.1 bit list: bit 7 is "backend disconnected" (the OCPP backend), and no bit
// means "Modbus master lost": a watchdog lapse falls back to SAFE_CURRENT (§2.1) but must not
// raise bit 7 (0x8000 on the wire) or any other bit.
TEST(EvseErrorFlags, EcuModbusLossIsNotTheBackendBit) {
  Bench b(R"(
stations:
  - {name: am, model: mennekes-amtron-ecu, phases: [L1]}
)");
  auto& c = *b.client;
  b.run(61);
  ASSERT_TRUE(c.write_register("am", 132, 10).ok);
  b.run(12);
  ASSERT_TRUE(b.site->registry().at("station.am.failsafe").as_bool());
  auto err = c.read_holding("am", 105, 8);  // the first request after the lapse
  ASSERT_TRUE(err.ok);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(err.values[static_cast<std::size_t>(i)], 0) << "register " << 105 + i;
}

// chargers.md §1.2: 0x4008 bit 16384 = "Modbus communication lost"; §1.4: with 0x4109 set the
// charger continues at the fall-back. A controller that comes back polls the state (0x400C)
// first, as evcc's 30 s keep-alive does (§1.4); that poll ends the lapse, yet the controller
// must still learn of the loss when it reads the error code next. Once read, it clears.
TEST(EvseErrorFlags, AbbCommLostStaysUntilTheErrorCodeIsRead) {
  Bench b(R"(
stations:
  - {name: abb1, model: abb-terra-ac, phases: [L1]}
evs:
  - {name: car, station: abb1, phases: 1, max_current: 16A, reaction: 1s, soc: 20%}
)");
  auto& c = *b.client;
  b.run(31);
  ASSERT_TRUE(c.write_register("abb1", 0x4106, 10).ok);
  ASSERT_TRUE(c.write_register("abb1", 0x4109, 8).ok);
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, {0, 16000}).ok);
  b.run(5);
  EXPECT_EQ(c.read_holding("abb1", 0x4008, 2).u32(0), 0u);
  b.run(12);  // silence longer than 10 s
  ASSERT_TRUE(b.site->registry().at("station.abb1.failsafe").as_bool());
  ASSERT_TRUE(c.read_holding("abb1", 0x400C, 2).ok);  // feeds: communication is back
  EXPECT_FALSE(b.site->registry().at("station.abb1.failsafe").as_bool());
  auto err = c.read_holding("abb1", 0x4008, 2);
  ASSERT_TRUE(err.ok);
  EXPECT_EQ(err.u32(0), 16384u);
  EXPECT_EQ(c.read_holding("abb1", 0x4008, 2).u32(0), 0u);  // seen: cleared
}
