// ABB Terra AC driven the way a load-management controller does it.
#include "evse_test_util.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

namespace {
const char* kAbb = R"(
stations:
  - {name: abb1, model: abb-terra-ac, phases: [L2, L3, L1], ip: 192.168.1.60}
evs:
  - {name: car1, station: abb1, arrive: 60s, battery: 60kWh, soc: 50%, phases: 3, max_current: 16A,
     reaction: 2s, resume: [10s, 30s]}
)";
std::vector<std::uint16_t> ma(std::uint32_t v) {
  return {static_cast<std::uint16_t>(v >> 16), static_cast<std::uint16_t>(v)};
}
}  // namespace

TEST(EvseAbb, ControllerFlowSetpointEvFollowsAndRegisters) {
  Bench b(kAbb);
  auto& c = *b.client;
  // Booting: no Modbus (the connection is refused).
  EXPECT_TRUE(c.read_holding("abb1", 0x4000, 4).refused);
  b.run(31);
  auto id = c.read_holding("abb1", 0x4000, 6);
  ASSERT_TRUE(id.ok);
  EXPECT_EQ(id.values[0], 0x5422);  // serial: Type-2 socket, 22 kW
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, ma(10000)).ok);
  auto rb = c.read_holding("abb1", 0x4022, 2);
  ASSERT_TRUE(rb.ok);
  EXPECT_EQ(rb.u32(0), 10000u);
  b.run(30);  // EV arrives at 60 s, reacts after 2 s, ramps at 10 A/s
  EXPECT_EQ(b.text("station.abb1.status"), "charging");
  b.run(10);
  EXPECT_NEAR(b.value("station.abb1.current"), 10, 1e-9);
  // Rotation: station phase 1 is on grid L2.
  EXPECT_NEAR(b.value("station.abb1.L2.current"), 10, 1e-9);
  EXPECT_NEAR(b.value("stations.total_current.L1"), 10, 1e-9);
  auto st = c.read_holding("abb1", 0x400C, 0x12);
  ASSERT_TRUE(st.ok);
  EXPECT_EQ(st.values[1] >> 8, 4);  // C2: charging
  EXPECT_EQ(st.u32(2), 10000u);     // effective limit in mA
  EXPECT_EQ(st.u32(4), 10000u);     // current L1 mA
  EXPECT_EQ(st.u32(10), 2300u);     // voltage L1 in 0.1 V
  EXPECT_EQ(st.u32(16), 6900u);     // 3 x 230 V x 10 A
  auto lock = c.read_holding("abb1", 0x400A, 2);
  EXPECT_EQ(lock.u32(0), 0x0111u);  // cable at station and EV, locked
  EXPECT_EQ(b.text("station.abb1.state"), "C");
  // Energy accumulates; the controller polls every 30 s (keep-alive for the watchdog).
  for (int i = 0; i < 120; ++i) {
    b.run(30);
    ASSERT_TRUE(c.read_holding("abb1", 0x400C, 2).ok);
  }
  EXPECT_GT(b.value("station.abb1.energy"), 6800);
  EXPECT_LT(b.value("station.abb1.energy"), 7000);
  EXPECT_GT(b.value("ev.car1.soc"), 50 + 6.2 / 60 * 100 * 0.92 * 0.95);
}

TEST(EvseAbb, WatchdogWithoutFallbackStopsWithErrorThenRecovers) {
  Bench b(kAbb);
  auto& c = *b.client;
  b.run(31);
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, ma(16000)).ok);
  ASSERT_TRUE(c.write_register("abb1", 0x4106, 20).ok);  // 20 s timeout
  for (int i = 0; i < 6; ++i) {                          // keep-alive reads every 15 s: no lapse
    b.run(15);
    ASSERT_TRUE(c.read_holding("abb1", 0x400C, 2).ok);
  }
  EXPECT_EQ(b.text("station.abb1.status"), "charging");
  EXPECT_NEAR(b.value("station.abb1.current"), 16, 1e-9);
  b.run(21);  // silence > 20 s with fall-back 0xFF: error, charging stops
  EXPECT_TRUE(b.site->registry().at("station.abb1.failsafe").as_bool());
  EXPECT_EQ(b.text("station.abb1.status"), "error");
  EXPECT_EQ(b.value("station.abb1.current"), 0);
  EXPECT_EQ(b.text("station.abb1.state"), "F");
  auto err = c.read_holding("abb1", 0x4008, 2);  // this read is the first after the lapse
  ASSERT_TRUE(err.ok);
  EXPECT_EQ(err.u32(0) & 16384u, 16384u);
  EXPECT_NE(b.text("station.abb1.status"), "error");  // communication back: error cleared
  EXPECT_EQ(b.value("station.abb1.current"), 0);      // the EV needs its resume delay
  b.run(40);
  ASSERT_TRUE(c.read_holding("abb1", 0x400C, 2).ok);
  EXPECT_EQ(b.text("station.abb1.status"), "charging");  // resumed after the EV's resume delay
}

TEST(EvseAbb, WatchdogWithFallbackKeepsChargingAtFallback) {
  Bench b(kAbb);
  auto& c = *b.client;
  b.run(31);
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, ma(16000)).ok);
  ASSERT_TRUE(c.write_register("abb1", 0x4106, 10).ok);
  ASSERT_TRUE(c.write_register("abb1", 0x4109, 8).ok);
  auto fb = c.read_holding("abb1", 0x4020, 6);
  ASSERT_TRUE(fb.ok);
  EXPECT_EQ(fb.values[0], 10);
  EXPECT_EQ(fb.values[4], 8);
  for (int i = 0; i < 8; ++i) {
    b.run(5);
    ASSERT_TRUE(c.read_holding("abb1", 0x4000, 1).ok);
  }
  EXPECT_NEAR(b.value("station.abb1.offered_current"), 16, 1e-9);
  b.run(15);
  EXPECT_TRUE(b.site->registry().at("station.abb1.failsafe").as_bool());
  EXPECT_NEAR(b.value("station.abb1.offered_current"), 8, 1e-9);
  b.run(10);
  EXPECT_NEAR(b.value("station.abb1.current"), 8, 1e-9);
  EXPECT_EQ(b.text("station.abb1.status"), "charging");
}

TEST(EvseAbb, PauseBelowSixAmpsAndResumeDelay) {
  Bench b(kAbb);
  auto& c = *b.client;
  b.run(31);
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, ma(16000)).ok);
  b.run(40);
  EXPECT_NEAR(b.value("station.abb1.current"), 16, 1e-9);
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, ma(5000)).ok);  // < 6 A pauses
  b.run(2.01);  // the station takes a new limit within ~2 s (vendor actuation, chargers.md §1.4)
  EXPECT_EQ(b.value("station.abb1.offered_current"), 0);
  b.run(4);
  EXPECT_EQ(b.value("station.abb1.current"), 0);
  EXPECT_FALSE(b.site->registry().at("station.abb1.contactor").as_bool());
  EXPECT_EQ(b.text("station.abb1.status"), "paused");
  auto st = c.read_holding("abb1", 0x400C, 2);
  EXPECT_EQ(st.values[1] >> 8, 5);
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, ma(12000)).ok);
  const double t0 = b.now_s();
  while (b.value("station.abb1.current") == 0 && b.now_s() - t0 < 60) b.run(1);
  const double resume = b.now_s() - t0;
  EXPECT_GE(resume, 10);
  EXPECT_LE(resume, 32);  // resume delay <= 30 s, then one 1 s tick of ramp
  b.run(3);
  EXPECT_NEAR(b.value("station.abb1.current"), 12, 1e-9);
}

TEST(EvseAbb, ProtocolRulesExceptionsUnitIdsOneClientMalformed) {
  Bench b(kAbb);
  auto& c = *b.client;
  b.run(31);
  EXPECT_EQ(c.read_input("abb1", 0x4000, 1).exception, 1);         // FC4 not supported
  EXPECT_EQ(c.read_holding("abb1", 0x4026, 1).exception, 2);       // unlisted register
  EXPECT_EQ(c.read_holding("abb1", 0x4020, 7).exception, 2);       // range runs into unlisted
  EXPECT_EQ(c.read_holding("abb1", 0x4100, 2).exception, 2);       // write-only
  EXPECT_EQ(c.write_register("abb1", 0x4000, 1).exception, 2);     // read-only
  EXPECT_EQ(c.write_register("abb1", 0x4100, 0).exception, 1);     // setpoint needs FC16
  EXPECT_EQ(c.write_registers("abb1", 0x4101, {1}).exception, 2);  // half of a u32
  EXPECT_EQ(c.write_register("abb1", 0x4106, 5).exception, 3);     // timeout range 10..65535
  EXPECT_EQ(c.read_holding("abb1", 0x4000, 126).exception, 3);     // count > 125
  EXPECT_TRUE(c.read_holding("abb1", 0x4000, 1, 7).no_reply);      // wrong unit id: silence
  // One client only: a second controller is refused until the first disconnects.
  ModbusClient other(*b.dir);
  EXPECT_TRUE(other.read_holding("abb1", 0x4000, 1).refused);
  c.disconnect("abb1");
  EXPECT_TRUE(other.read_holding("abb1", 0x4000, 1).ok);
  // Malformed frames: silence, never a crash.
  std::vector<std::vector<std::uint8_t>> bad = {
      {},
      {0, 1, 0, 0, 0, 6, 1},
      {0, 1, 0, 1, 0, 6, 1, 3, 0x40, 0, 0, 1},  // protocol id 1
      {0, 1, 0, 0, 0, 9, 1, 3, 0x40, 0, 0, 1},  // length field too long
      {0, 1, 0, 0, 0, 2, 1, 16},                // FC16 without body
  };
  for (auto& f : bad) {
    auto r = other.raw("abb1", f);
    if (!r.empty()) {
      EXPECT_TRUE(r[7] & 0x80);
    }
  }
  auto r = other.raw("abb1", {0, 1, 0, 0, 0, 2, 1, 16});
  ASSERT_EQ(r.size(), 9u);
  EXPECT_EQ(r[8], 3);
  auto fc16 = other.raw("abb1", {0, 9, 0, 0, 0, 9, 1, 16, 0x41, 0, 0, 2, 9, 0, 0});  // byte count mismatch
  ASSERT_EQ(fc16.size(), 9u);
  EXPECT_EQ(fc16[8], 3);
}

TEST(EvseAbb, FaultKnobsSilenceExceptionStuckContactorReboot) {
  Bench b(kAbb);
  auto& c = *b.client;
  b.run(31);
  b.set("station.abb1.modbus_silent", "true");
  EXPECT_TRUE(c.read_holding("abb1", 0x4000, 1).no_reply);
  b.set("station.abb1.modbus_silent", "false");
  b.set("station.abb1.modbus_exception", "6");
  EXPECT_EQ(c.read_holding("abb1", 0x4000, 1).exception, 6);
  b.set("station.abb1.modbus_exception", "0");
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, ma(16000)).ok);
  b.run(40);
  ASSERT_EQ(b.text("station.abb1.status"), "charging");
  b.set("station.abb1.stuck_contactor", "true");
  ASSERT_TRUE(c.write_registers("abb1", 0x4100, ma(0)).ok);
  b.run(10);
  EXPECT_TRUE(b.site->registry().at("station.abb1.contactor").as_bool());  // welded
  EXPECT_EQ(b.text("station.abb1.status"), "error");
  EXPECT_EQ(b.value("station.abb1.current"), 0);  // a compliant EV stops anyway
  EXPECT_EQ(c.read_holding("abb1", 0x4008, 2).u32(0) & 1024u, 1024u);
  // Reboot: Modbus gone for the boot time, setpoint back to the default.
  b.set("station.abb1.stuck_contactor", "false");
  b.set("station.abb1.reboot", "true");
  EXPECT_FALSE(c.read_holding("abb1", 0x4000, 1).ok);
  EXPECT_EQ(b.text("station.abb1.status"), "booting");
  b.run(31);
  auto sp = c.read_holding("abb1", 0x4022, 2);
  ASSERT_TRUE(sp.ok);
  EXPECT_EQ(sp.u32(0), 32000u);
}
