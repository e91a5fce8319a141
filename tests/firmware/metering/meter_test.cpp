// The meter: AFE raw units (docs/mcu-afe.md register table) to SI values and health
// (behaviours.md INS-05..INS-09, SAFE-01). Expected values are the register units converted by
// hand: mV/1000 = V, mA/1000 = A, mW/1000 = W, PF×10⁴, 0.01°, mWh/1000 = Wh, mHz/1000 = Hz.
#include "app/metering/meter.h"

#include <gtest/gtest.h>

namespace {

using namespace lmc;
using namespace lmc::metering;

AfeWindow balanced(std::uint32_t windows, std::int32_t p_mw = 2300000) {
  AfeWindow w;
  w.windows = windows;
  w.freq_mhz = 50000;
  w.voltage_present = 0x7;
  w.phase_sequence = 1;
  for (auto& c : w.ch) {
    c.vrms_mv = 230000;
    c.irms_ma = 10000;
    c.p_mw = p_mw;
    c.q_mvar = 0;
    c.s_mva = 2300000;
    c.pf_e4 = p_mw >= 0 ? 10000 : -10000;
    c.angle_cdeg = p_mw >= 0 ? 0 : 18000;
    c.import_mwh = 1234567;
    c.export_mwh = 89;
  }
  return w;
}

int count(Meter& m, MeterEventType t, int phase = -2) {
  MeterEvent ev[kMaxMeterEvents];
  int n = m.take_events(ev, kMaxMeterEvents), k = 0;
  for (int i = 0; i < n; ++i) k += ev[i].type == t && (phase == -2 || ev[i].phase == phase);
  return k;
}

// INS-01/INS-05: 230 000 mV → 230 V, 10 000 mA → 10 A, 2 300 000 mW → 2300 W, PF 10 000 → 1.0,
// energy 1 234 567 mWh → 1234.567 Wh, 50 000 mHz → 50 Hz; totals are sums (3 × 2300 W).
TEST(Meter, ConvertsRawUnitsToSi) {
  Meter m;
  m.on_window(balanced(1), 200);
  const Measurement& x = m.last();
  EXPECT_FLOAT_EQ(x.ph[0].v, 230.0f);
  EXPECT_FLOAT_EQ(x.ph[0].i, 10.0f);
  EXPECT_FLOAT_EQ(x.ph[1].p, 2300.0f);
  EXPECT_FLOAT_EQ(x.ph[2].pf, 1.0f);
  EXPECT_DOUBLE_EQ(x.ph[0].import_wh, 1234.567);
  EXPECT_DOUBLE_EQ(x.ph[0].export_wh, 0.089);
  EXPECT_FLOAT_EQ(x.freq_hz, 50.0f);
  EXPECT_FLOAT_EQ(x.p_total, 6900.0f);
  EXPECT_EQ(x.phase_sequence, 1);
  EXPECT_EQ(m.valid_mask(), 0x7);
  EXPECT_FLOAT_EQ(x.ph[0].i_signed, 10.0f);
}

// LM-11 / INS-08: export is signed: P = −2300 W at 230 V → active current −10 A.
TEST(Meter, ExportGivesNegativeSignedCurrent) {
  Meter m;
  m.on_window(balanced(1, -2300000), 200);
  EXPECT_FLOAT_EQ(m.last().ph[0].p, -2300.0f);
  EXPECT_FLOAT_EQ(m.last().ph[0].i_signed, -10.0f);
}

// INS-06 / A27: L2's voltage tap reads 0 V while L1 and L3 read 230 V: "voltage L2 missing";
// P, Q, S, PF for L2 are 0 and its current still counts (Irms, as import).
TEST(Meter, Ins06MissingVoltage) {
  Meter m;
  AfeWindow w = balanced(1);
  w.ch[1].vrms_mv = 0;
  w.voltage_present = 0x5;
  m.on_window(w, 200);
  EXPECT_TRUE(m.last().ph[1].voltage_missing);
  EXPECT_FLOAT_EQ(m.last().ph[1].p, 0.0f);
  EXPECT_FLOAT_EQ(m.last().ph[1].s, 0.0f);
  EXPECT_FLOAT_EQ(m.last().ph[1].i_signed, 10.0f);
  EXPECT_EQ(m.valid_mask(), 0x7);
  EXPECT_EQ(count(m, MeterEventType::VoltageMissing, 1), 1);
}

// INS-07 / A27: 200 V (outside 207-253 V) for 10 s gives one event, not before 10 s.
TEST(Meter, Ins07VoltageBandAfterTenSeconds) {
  Meter m;
  AfeWindow w = balanced(1);
  w.ch[0].vrms_mv = 200000;
  w.ch[0].s_mva = 2000000;
  w.ch[0].p_mw = 2000000;
  int events = 0;
  for (std::uint32_t k = 0; k < 50; ++k) {  // 200 ms windows: 0 .. 9.8 s
    w.windows = k + 1;
    m.on_window(w, k * 200);
    events += count(m, MeterEventType::VoltageBand, 0);
  }
  EXPECT_EQ(events, 0);
  w.windows = 51;
  m.on_window(w, 10000);
  EXPECT_EQ(count(m, MeterEventType::VoltageBand, 0), 1);
}

// SAFE-01: no new window for 5 s = meter lost (valid mask 0); a new window restores it.
TEST(Meter, Safe01StaleAfterFiveSeconds) {
  Meter m;
  m.on_window(balanced(1), 1000);
  m.tick(5999);
  EXPECT_EQ(m.valid_mask(), 0x7);
  m.tick(6000);
  EXPECT_EQ(m.valid_mask(), 0);
  EXPECT_EQ(count(m, MeterEventType::Lost, -1), 1);
  m.on_window(balanced(2), 7000);
  EXPECT_EQ(m.valid_mask(), 0x7);
  EXPECT_EQ(count(m, MeterEventType::Restored, -1), 1);
}

// SAFE-01 / bad input: NaN-like register patterns (all ones, PF beyond ±1, |P| > S) make that
// phase implausible; the others stay valid.
TEST(Meter, Safe01ImplausibleValuesInvalidateThePhase) {
  Meter m;
  AfeWindow w = balanced(1);
  w.ch[0].pf_e4 = 0x7FFFFFFF;
  w.ch[1].irms_ma = 0xFFFFFFFFu;
  w.ch[2].p_mw = 5000000;  // 5 kW from 2.3 kVA
  m.on_window(w, 200);
  EXPECT_EQ(m.valid_mask(), 0);
  w = balanced(2);
  w.ch[1].irms_ma = 0xFFFFFFFFu;
  m.on_window(w, 400);
  EXPECT_EQ(m.valid_mask(), 0x5);
}

// A frequency no grid has (e.g. 0 with voltages present, or 1 kHz) invalidates the window.
TEST(Meter, ImplausibleFrequency) {
  Meter m;
  AfeWindow w = balanced(1);
  w.freq_mhz = 1000000;
  m.on_window(w, 200);
  EXPECT_EQ(m.valid_mask(), 0);
  w.freq_mhz = 60000;  // 60 Hz is accepted (INS-07: either frequency)
  w.windows = 2;
  m.on_window(w, 400);
  EXPECT_EQ(m.valid_mask(), 0x7);
}

// The AFE's window counter wraps; a jump is reported as skipped windows.
TEST(Meter, WindowCounterWrapAndSkip) {
  Meter m;
  m.on_window(balanced(0xFFFFFFFFu), 200);
  m.on_window(balanced(0), 400);  // wrap: one window later
  EXPECT_EQ(count(m, MeterEventType::WindowSkipped), 0);
  m.on_window(balanced(2), 1000);  // window 1 was missed
  MeterEvent ev[kMaxMeterEvents];
  int n = m.take_events(ev, kMaxMeterEvents);
  ASSERT_EQ(n, 1);
  EXPECT_EQ(ev[0].type, MeterEventType::WindowSkipped);
  EXPECT_EQ(ev[0].value, 1);
}

}  // namespace
