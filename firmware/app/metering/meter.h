// The building meter (behaviours.md INS-01, INS-05..INS-09, SAFE-01): one AFE window
// (app/ports.h, raw register units, docs/mcu-afe.md) to per-phase SI values, plus meter health.
// Pure: the caller polls the AFE and passes each window and the time in; events come back.
#pragma once
#include <cstdint>

#include "app/ports.h"

namespace lmc::metering {

inline constexpr int kPhases = 3;

struct PhaseValues {
  float v = 0;          // Vrms [V]
  float i = 0;          // Irms [A], >= 0
  float p = 0;          // active power [W], import +, export − (INS-05, INS-08)
  float q = 0;          // reactive power [var], inductive +
  float s = 0;          // apparent power [VA]
  float pf = 0;         // power factor, signed like P
  float angle_deg = 0;  // V-I angle, (−180, 180], positive when the current lags
  // Signed current for load management (LM-11): Irms on import (conservative: >= |P/V|),
  // the active current P/V on export. With the voltage missing (INS-06): Irms.
  float i_signed = 0;
  double import_wh = 0;
  double export_wh = 0;
  bool voltage_missing = false;  // INS-06: P, Q, S, PF reported as 0
  bool plausible = true;         // this phase's values passed the plausibility checks
};

struct Measurement {
  PhaseValues ph[kPhases];
  float freq_hz = 0;
  float in_a = 0;                   // neutral current (INS-09)
  std::uint8_t phase_sequence = 0;  // 0 unknown, 1 L1-L2-L3, 2 L1-L3-L2 (INS-03)
  float p_total = 0, q_total = 0, s_total = 0;
  std::uint64_t at_ms = 0;  // when the window arrived
};

struct MeterConfig {
  float nominal_v = 230.0f;
  std::uint32_t stale_ms = 5000;  // SAFE-01: no new window for 5 s = lost
  float band_low_v = 207.0f;      // INS-07 / A27
  float band_high_v = 253.0f;
  std::uint32_t band_ms = 10000;
  float missing_fraction = 0.5f;  // INS-06: < 50 % of nominal
  float max_current_a = 2000.0f;  // plausibility: above any sensor this device takes
  float max_voltage_v = 400.0f;
};

enum class MeterEventType : std::uint8_t {
  Lost,            // SAFE-01: no window for stale_ms (phase -1) or implausible values (phase p)
  Restored,        // valid again (phase as for Lost)
  VoltageMissing,  // INS-06 (phase)
  VoltageBack,
  VoltageBand,  // INS-07: outside 207-253 V for 10 s (phase, value = V×10)
  VoltageBandEnd,
  WindowSkipped,  // the AFE's window counter jumped: value = windows missed
};
struct MeterEvent {
  MeterEventType type;
  std::int8_t phase;
  std::int32_t value;
};
inline constexpr int kMaxMeterEvents = 12;

class Meter {
 public:
  void configure(const MeterConfig& c) { cfg_ = c; }
  // A new AFE window arrived at now_ms.
  void on_window(const AfeWindow& w, std::uint64_t now_ms);
  // Every cycle (also without a window): staleness and the time-based checks.
  void tick(std::uint64_t now_ms);
  const Measurement& last() const { return m_; }
  // Bit p: phase p has a fresh, plausible current reading (SAFE-01 input to the allocator).
  std::uint8_t valid_mask() const { return valid_mask_; }
  bool stale() const { return stale_; }
  int take_events(MeterEvent* dst, int max);

 private:
  void emit(MeterEventType t, int phase, std::int32_t value);

  MeterConfig cfg_{};
  Measurement m_{};
  bool have_window_ = false;
  bool stale_ = true;
  bool lost_reported_ = false;
  bool ticked_ = false;
  std::uint64_t boot_ms_ = 0;
  std::uint8_t valid_mask_ = 0;
  std::uint8_t implausible_mask_ = 0;
  std::uint32_t last_windows_ = 0;
  std::uint64_t last_window_ms_ = 0;
  std::uint8_t missing_mask_ = 0;
  std::uint8_t band_mask_ = 0;
  std::uint64_t out_of_band_since_[kPhases] = {};
  bool out_of_band_[kPhases] = {};
  MeterEvent ev_[kMaxMeterEvents]{};
  int n_ev_ = 0;
};

}  // namespace lmc::metering
