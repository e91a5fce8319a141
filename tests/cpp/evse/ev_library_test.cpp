// EV behaviour library (issue 16 item 3; the EVerest car simulator's command set as anchor):
// draws below the offer with per-phase imbalance, 1/2/3 phases and 1p/3p switching, the EV's
// own timer, top-up, failing to wake after a long pause, over-current and pilot faults. The
// station is driven and read over Modbus as a controller would; expected values are hand
// calculations or the vendor documents in shared/reference/chargers.md.
#include "evse_test_util.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

namespace {
std::vector<std::uint16_t> ma(std::uint32_t v) {
  return {static_cast<std::uint16_t>(v >> 16), static_cast<std::uint16_t>(v)};
}
}  // namespace

// ABB 0x4010/12/14 currents in mA (chargers.md §1.2). Offer 16 A, draw 95 %, imbalance
// 100/97/94 %: 15.2 A, 14.744 A, 14.288 A (hand calculation).
TEST(EvseEvLibrary, DrawsBelowTheOfferWithPerPhaseImbalance) {
  Bench b(R"(
stations:
  - {name: abb, model: abb-terra-ac}
evs:
  - {name: car, station: abb, phases: 3, max_current: 32A, reaction: 1s, draw: 95%, imbalance: [100%, 97%, 94%]}
)");
  auto& c = *b.client;
  b.run(31);
  ASSERT_TRUE(c.write_registers("abb", 0x4100, ma(16000)).ok);
  b.run(10);
  auto r = c.read_holding("abb", 0x4010, 6);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.u32(0), 15200u);
  EXPECT_EQ(r.u32(2), 14744u);
  EXPECT_EQ(r.u32(4), 14288u);
  EXPECT_EQ(c.read_holding("abb", 0x400E, 2).u32(0), 16000u);  // the offer stays 16 A
}

// A 2-phase on-board charger on a 3-phase station draws on station phases 1 and 2 only.
TEST(EvseEvLibrary, TwoPhaseCharger) {
  Bench b(R"(
stations:
  - {name: am, model: mennekes-amtron-ecu}
evs:
  - {name: car, station: am, phases: 2, max_current: 16A, reaction: 1s}
)");
  auto& c = *b.client;
  b.run(66);
  auto m = c.read_holding("am", 212, 6);  // METER_CUR_L1..L3 in mA (chargers.md §2.1)
  ASSERT_TRUE(m.ok);
  EXPECT_EQ(m.u32(0), 16000u);
  EXPECT_EQ(m.u32(2), 16000u);
  EXPECT_EQ(m.u32(4), 0u);
}

// Weidmüller 318 (evcc: 1 = 3-phase, 0 = 1-phase, chargers.md §4): the write now switches the
// supply; a 3-phase EV continues on one phase (issue 16: the write was accepted and ignored).
TEST(EvseEvLibrary, WeidmuellerPhaseWriteSwitchesTheEvToOnePhase) {
  Bench b(R"(
stations:
  - {name: wm, model: weidmueller-ac-smart}
evs:
  - {name: car, station: wm, phases: 3, max_current: 16A, reaction: 1s}
)");
  auto& c = *b.client;
  b.run(65);
  auto i = c.read_holding("wm", 406, 6, 255);  // mA, LSW first
  ASSERT_TRUE(i.ok);
  EXPECT_EQ(i.u32(2, true), 16000u);
  ASSERT_TRUE(c.write_registers("wm", 318, {0}, 255).ok);
  b.run(2);
  i = c.read_holding("wm", 406, 6, 255);
  EXPECT_EQ(i.u32(0, true), 16000u);
  EXPECT_EQ(i.u32(2, true), 0u);
  EXPECT_EQ(i.u32(4, true), 0u);
  EXPECT_EQ(c.read_holding("wm", 318, 1, 255).values[0], 0);
}

// The EV's own charge timer: plugged in at once, asks for energy only from 30 min (state B
// until then: the station shows "ready", not "charging").
TEST(EvseEvLibrary, EvWaitsOnItsOwnTimer) {
  Bench b(R"(
stations:
  - {name: s, model: generic}
evs:
  - {name: car, station: s, phases: 1, max_current: 16A, reaction: 1s, timer: 30min}
)");
  b.run(1790);
  EXPECT_EQ(b.text("station.s.status"), "ready");
  EXPECT_EQ(b.text("station.s.state"), "B");
  EXPECT_EQ(b.value("station.s.current"), 0);
  b.run(20);
  EXPECT_EQ(b.text("station.s.state"), "C");
  EXPECT_NEAR(b.value("station.s.current"), 16, 1e-9);
}

// Top-up: 99 % -> 100 % finishes; 1 h later the SoC has dropped 2 % and the EV asks again.
TEST(EvseEvLibrary, TopUpAfterFinishing) {
  Bench b(R"(
stations:
  - {name: s, model: generic, phases: [L1]}
evs:
  - {name: car, station: s, phases: 1, max_current: 16A, reaction: 1s, battery: 5kWh, soc: 99%,
     taper_soc: 100%, top_up: {after: 1h, drop: 2%}}
)");
  b.run(600);  // 50 Wh at 3.68 kW x 0.92: ~53 s
  EXPECT_EQ(b.text("station.s.status"), "finished");
  b.run(3000);
  EXPECT_EQ(b.value("station.s.current"), 0);
  b.run(100);  // finished at ~60 s: the top-up starts at ~3660 s (resume delay 10-30 s)
  EXPECT_NEAR(b.value("ev.car.soc"), 98, 0.5);
  EXPECT_EQ(b.text("station.s.status"), "charging");
}

// Fail-to-wake: paused (limit 0) for longer than sleep_after, the EV ignores the returning
// offer until it is unplugged and plugged in again.
TEST(EvseEvLibrary, EvFailsToWakeAfterALongPause) {
  Bench b(R"(
stations:
  - {name: s, model: generic, comm_timeout: 3h}
evs:
  - {name: car, station: s, phases: 1, max_current: 16A, reaction: 1s, resume: 10s, sleep_after: 30min}
)");
  auto& c = *b.client;
  b.run(11);
  ASSERT_TRUE(c.write_register("s", 1, 0).ok);
  b.run(20 * 60);
  ASSERT_TRUE(c.write_register("s", 1, 16).ok);  // a 20 min pause: the EV resumes
  b.run(30);
  EXPECT_NEAR(b.value("station.s.current"), 16, 1e-9);
  ASSERT_TRUE(c.write_register("s", 1, 0).ok);
  b.run(31 * 60);
  ASSERT_TRUE(c.write_register("s", 1, 16).ok);  // 31 min: asleep
  b.run(120);
  EXPECT_EQ(b.value("station.s.current"), 0);
  EXPECT_EQ(b.text("station.s.state"), "B");
  b.set("ev.car.connected", "false");
  b.run(1);
  b.set("ev.car.connected", "true");
  b.run(30);
  EXPECT_NEAR(b.value("station.s.current"), 16, 1e-9);
}

// A non-compliant EV draws 16 A against a 6 A offer: the station opens the contactor with an
// over-current error. WN-DOC appendix (chargers.md §3.1): 1006 = 6 "PB23 over-current by car",
// 1000 = 7 error. IEC 61851-1 gives the EV 5 s to follow the PWM (chargers.md §6): no trip
// before that.
TEST(EvseEvLibrary, NonCompliantEvTripsTheStationOverCurrent) {
  Bench b(R"(
stations:
  - {name: wn, model: webasto-next, phases: [L1]}
evs:
  - {name: rogue, station: wn, phases: 1, max_current: 16A, reaction: 1s, compliant: false}
)");
  auto& c = *b.client;
  b.run(50);
  ASSERT_NEAR(b.value("station.wn.current"), 16, 1e-9);
  ASSERT_TRUE(c.write_register("wn", 6000, 1, 255).ok);
  ASSERT_TRUE(c.write_register("wn", 2002, 600, 255).ok);
  ASSERT_TRUE(c.write_register("wn", 5004, 6, 255).ok);
  b.run(5);
  EXPECT_NEAR(b.value("station.wn.current"), 16, 1e-9);  // within the EV's 5 s: no trip
  EXPECT_EQ(c.read_holding("wn", 1006, 1, 255).values[0], 0);
  b.run(6);
  EXPECT_EQ(b.value("station.wn.current"), 0);
  EXPECT_FALSE(b.site->registry().at("station.wn.contactor").as_bool());
  EXPECT_EQ(c.read_holding("wn", 1006, 1, 255).values[0], 6);
  EXPECT_EQ(c.read_holding("wn", 1000, 1, 255).values[0], 7);
  b.run(600);  // stays off until the EV is unplugged
  EXPECT_EQ(b.value("station.wn.current"), 0);
  b.set("ev.rogue.connected", "false");
  b.run(1);
  EXPECT_EQ(c.read_holding("wn", 1006, 1, 255).values[0], 0);
}

// Pilot faults: a missing diode -> station error, pilot F; CP shorted to PE -> state E. NEXT
// 1006 = 3 "PB09 CP error" (chargers.md §3.1). Clearing the fault lets the EV charge again.
TEST(EvseEvLibrary, DiodeFaultAndErrorE) {
  Bench b(R"(
stations:
  - {name: wn, model: webasto-next, phases: [L1]}
evs:
  - {name: car, station: wn, phases: 1, max_current: 16A, reaction: 1s, resume: 10s}
)");
  auto& c = *b.client;
  b.run(50);
  ASSERT_NEAR(b.value("station.wn.current"), 16, 1e-9);
  b.set("ev.car.fault", "diode");
  b.run(1);
  EXPECT_EQ(b.value("station.wn.current"), 0);
  EXPECT_EQ(b.text("station.wn.state"), "F");
  EXPECT_EQ(c.read_holding("wn", 1006, 1, 255).values[0], 3);
  b.set("ev.car.fault", "cp_short");
  b.run(1);
  EXPECT_EQ(b.text("station.wn.state"), "E");
  b.set("ev.car.fault", "none");
  b.run(20);
  EXPECT_EQ(c.read_holding("wn", 1006, 1, 255).values[0], 0);
  EXPECT_NEAR(b.value("station.wn.current"), 16, 1e-9);
}
