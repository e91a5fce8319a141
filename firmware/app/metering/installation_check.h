// Installation checks (behaviours.md INS-02, INS-03, INS-04 with the thresholds of A33): pure
// detectors fed once per cycle with the meter's values and the station-reported currents mapped
// to grid phases. They return warnings; the caller shows/logs them and feeds open-clamp faults
// into the meter's validity (SAFE-01).
#pragma once
#include <cstdint>

#include "app/metering/meter.h"

namespace lmc::metering {

struct InstallationConfig {
  bool pv_configured = false;        // INS-08: PV export must not look like a reversed sensor
  float min_current_a = 2.0f;        // A33
  std::uint32_t hold_ms = 30000;     // A33
  float reversed_window_deg = 30.f;  // 180° ± 30°
  float mismatch_center_deg = 120.f;
  float mismatch_window_deg = 30.f;      // ±120° ± 30°
  float step_a = 4.0f;                   // INS-02 (2): station step
  float open_excess_a = 3.0f;            // INS-04
  std::uint32_t step_window_ms = 60000;  // a station step is judged within this window
};

enum class InstallWarning : std::uint8_t { Reversed, Mismatch, OpenClamp };
struct InstallEvent {
  InstallWarning warning;
  std::int8_t phase;
  bool raised;  // true: raised, false: cleared
};
inline constexpr int kMaxInstallEvents = 9;

class InstallationCheck {
 public:
  void configure(const InstallationConfig& c) { cfg_ = c; }
  // m: this cycle's measurement; station_a: sum of station-reported currents per grid phase
  // (>= 0); fresh: m came from a new, valid window.
  void step(std::uint64_t now_ms, const Measurement& m, const float station_a[kPhases], bool fresh);
  bool reversed(int p) const { return reversed_[p]; }
  bool mismatch(int p) const { return mismatch_[p]; }
  bool open_clamp(int p) const { return open_[p]; }
  std::uint8_t fault_mask() const;  // phases to treat as meter faults (INS-04 -> SAFE-01)
  int take_events(InstallEvent* dst, int max);

 private:
  void set(bool* flags, InstallWarning w, int p, bool on);

  InstallationConfig cfg_{};
  bool reversed_[kPhases] = {};
  bool mismatch_[kPhases] = {};
  bool open_[kPhases] = {};
  std::uint64_t rev_since_[kPhases] = {};
  bool rev_timing_[kPhases] = {};
  std::uint64_t mis_since_[kPhases] = {};
  bool mis_timing_[kPhases] = {};
  std::uint64_t open_since_[kPhases] = {};
  bool open_timing_[kPhases] = {};
  // INS-02 (2): reference point of the current station step
  bool ref_set_[kPhases] = {};
  std::uint64_t ref_ms_[kPhases] = {};
  float ref_station_[kPhases] = {};
  float ref_active_[kPhases] = {};
  std::int8_t votes_[kPhases] = {};
  InstallEvent ev_[kMaxInstallEvents]{};
  int n_ev_ = 0;
};

}  // namespace lmc::metering
