// MENNEKES AMTRON ECU (Bender/ebee map): any unit id, HEMS limit 1000, safe current 131/132,
// meter registers, 0xFFFFFFFF without a meter, the DLM role register.
#include "evse_test_util.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

TEST(EvseEcu, ControllerFlowAnyUnitHemsLimitMeterAndSafeCurrent) {
  Bench b(R"(
stations:
  - {name: am1, model: mennekes-amtron-ecu, phases: [L1], ip: 10.0.0.5, max_current: 32A}
evs:
  - {name: car, station: am1, arrive: 0s, phases: 1, max_current: 32A, reaction: 1s, soc: 30%}
)");
  auto& c = *b.client;
  b.run(66);  // boot 60 s, EV reaction 1 s, ramp to 32 A at 10 A/s
  auto fw = c.read_holding("am1", 100, 2, 255);
  ASSERT_TRUE(fw.ok) << fw.exception << fw.no_reply << fw.refused;
  EXPECT_EQ(fw.values[0], 0x352E);                   // "5."
  EXPECT_TRUE(c.read_holding("am1", 100, 2, 1).ok);  // any unit id
  EXPECT_TRUE(c.read_holding("am1", 100, 2, 77).ok);
  EXPECT_NEAR(b.value("station.am1.current"), 32, 1e-9);  // default HEMS limit 32 A (FW 5.22)
  ASSERT_TRUE(c.write_register("am1", 1000, 20).ok);
  ASSERT_TRUE(c.write_register("am1", 131, 10).ok);
  ASSERT_TRUE(c.write_registers("am1", 132, {30}).ok);
  b.run(10);
  // chargers.md §2.1 (OpenEMS): the ECU takes a new HEMS limit only after ~30 s.
  EXPECT_NEAR(b.value("station.am1.current"), 32, 1e-9);
  ASSERT_TRUE(c.read_holding("am1", 1000, 1).ok);  // keep-alive for the 30 s watchdog
  b.run(26);
  auto cp = c.read_holding("am1", 122, 1);
  EXPECT_EQ(cp.values[0], 3);  // C
  auto ocpp = c.read_holding("am1", 104, 1);
  EXPECT_EQ(ocpp.values[0], 6);  // Charging
  auto meter = c.read_holding("am1", 206, 12);
  ASSERT_TRUE(meter.ok);
  EXPECT_EQ(meter.u32(0), 4600u);                          // W on L1
  EXPECT_EQ(meter.u32(6), 20000u);                         // mA on L1
  EXPECT_EQ(meter.u32(8), 0u);                             // L2 unused
  EXPECT_EQ(c.read_holding("am1", 706, 1).values[0], 20);  // signalled current
  EXPECT_EQ(c.read_holding("am1", 1000, 1).values[0], 20);
  EXPECT_EQ(c.read_holding("am1", 99, 2).exception, 2);  // unlisted
  EXPECT_EQ(c.read_holding("am1", 1001, 1).exception, 2);
  EXPECT_EQ(c.write_register("am1", 122, 1).exception, 2);  // read-only
  EXPECT_EQ(c.write_register("am1", 1000, 81).exception, 3);
  // Controller goes quiet: after COMM_TIMEOUT the ECU falls back to SAFE_CURRENT.
  b.run(31);
  EXPECT_TRUE(b.site->registry().at("station.am1.failsafe").as_bool());
  EXPECT_NEAR(b.value("station.am1.offered_current"), 10, 1e-9);
  b.run(5);
  EXPECT_NEAR(b.value("station.am1.current"), 10, 1e-9);
  // Pause with 0, communication resumes.
  ASSERT_TRUE(c.write_register("am1", 1000, 0).ok);
  EXPECT_FALSE(b.site->registry().at("station.am1.failsafe").as_bool());
  b.run(20);
  ASSERT_TRUE(c.read_holding("am1", 122, 1).ok);  // keep-alive
  b.run(20);                                      // the pause reaches the PWM ~30 s after the write
  EXPECT_EQ(b.value("station.am1.current"), 0);
  EXPECT_EQ(c.read_holding("am1", 104, 1).values[0], 7);  // SuspendedEVSE
}

TEST(EvseEcu, NoMeterReadsAllOnesAndWrongDlmModeIgnoresHemsLimit) {
  Bench b(R"(
stations:
  - {name: am1, model: mennekes-amtron-ecu, meter: false, dlm_mode: disabled, max_current: 16A}
  - {name: am2, model: mennekes-amtron-ecu, ip: 192.168.1.99, dlm_mode: slave, failsafe_current: 8A}
evs:
  - {name: car1, station: am1, phases: 3, max_current: 32A, reaction: 1s}
  - {name: car2, station: am2, phases: 3, max_current: 32A, reaction: 1s}
)");
  auto& c = *b.client;
  b.run(61);
  auto m = c.read_holding("am1", 200, 28);
  ASSERT_TRUE(m.ok);
  for (std::size_t i = 0; i < 28; i += 2) EXPECT_EQ(m.u32(i), 0xFFFFFFFFu) << "register " << 200 + i;
  EXPECT_EQ(c.read_holding("am1", 600, 1).values[0], 0);
  EXPECT_EQ(c.read_holding("am2", 600, 1).values[0], 3);
  // The HEMS write is accepted but does not reach the connector without the internal slave.
  ASSERT_TRUE(c.write_register("am1", 1000, 6).ok);
  ASSERT_TRUE(c.write_register("am2", 1000, 6).ok);
  b.run(10);
  EXPECT_NEAR(b.value("station.am1.current"), 16, 1e-9);
  EXPECT_NEAR(b.value("station.am2.current"), 8, 1e-9);  // DLM slave without a master: safe current
  // Fixing the setting (knob, as the installer would in the web UI) makes the limit apply.
  b.set("station.am1.dlm_mode", "master-internal-slave");
  b.run(10);  // the limit written 10 s ago reaches the PWM ~30 s after the write (chargers.md §2.1)
  EXPECT_NEAR(b.value("station.am1.current"), 16, 1e-9);
  b.run(26);
  EXPECT_NEAR(b.value("station.am1.current"), 6, 1e-9);
}
