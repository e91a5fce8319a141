// The load-management allocation (firmware.md "The control problem"; behaviours.md LM-01..LM-15,
// SAFE-01, SAFE-02, SAFE-08). Pure: step() maps the measurements and settings of one control
// cycle (1 s) to per-station set-points. No ports, no logging, no heap: what happened comes
// back as events for the caller to log. All currents are mA, powers W, times ms (monotonic).
#pragma once
#include <cstdint>

namespace lmc::lm {

inline constexpr int kMaxStations = 50;  // A35: larger sites cascade
inline constexpr int kPhases = 3;
inline constexpr int kMaxEvents = 64;  // per step; further events are counted in dropped_events
inline constexpr std::int32_t kNoLimit = -1;

enum class Priority : std::uint8_t { High, Normal, Low };  // CFG-07
// IEC 61851 control-pilot state as the station reports it.
enum class Iec : std::uint8_t { Unknown, A, B, C, D, E, F };
enum class RippleMode : std::uint8_t { Normal, Reduced, Blocked };  // RC-02, ordered by restriction

struct SiteConfig {
  std::int32_t phase_limit_ma[kPhases] = {0, 0, 0};    // CFG-02: fuse − margin, per grid phase
  std::int32_t max_building_power_w = 0;               // CFG-03 / LM-10: cap on total import P, 0 = off
  std::int32_t error_budget_ma = 10000;                // SAFE-01 / A11: stations' budget without a meter
  std::int32_t nominal_voltage_mv = 230000;            // converts power caps when a voltage is missing
  std::uint32_t increase_interval_ms = 10000;          // LM-03: one increase per station per 10 s
  std::uint32_t min_run_pause_ms = 15u * 60u * 1000u;  // LM-05: minimum run/pause before rotation
  std::uint32_t meter_fallback_ms = 60000;             // SAFE-01: invalid this long -> error-case budget
  std::uint32_t meter_recover_ms = 30000;              // SAFE-01: valid this long -> normal again
  std::uint32_t offline_grace_ms = 10000;              // SAFE-02: reserve until timeout + this
  std::uint32_t overshoot_ms = 30000;                  // SAFE-08: drawing > limit + margin this long
  std::uint32_t overshoot_grace_ms = 5000;             // SAFE-08: then compensated (an EV follows within 5 s, C4)
  std::int32_t overshoot_margin_ma = 2000;             // SAFE-08
  std::uint8_t overshoot_pause_count = 3;              // SAFE-08 "repeatedly": episodes per session
  std::int32_t phase_active_ma = 1000;                 // LM-07 / A25: an EV phase counts above 1 A
  std::int32_t resolution_ma = 1000;                   // set-points are multiples (drivers take whole A)
  std::uint32_t unused_offer_ms = 60000;  // an EV drawing well below its offer this long is capped near its draw
  // LM-05 vs an overload cut: a station paused because the minimums no longer fitted restarts
  // before its 15 min once every waiting EV's minimum fits again with this margin per phase,
  // continuously for resume_settle_ms (no rotation is needed then; see README "Decisions").
  std::int32_t resume_margin_ma = 1000;
  std::uint32_t resume_settle_ms = 60000;
  // SAFE-06: an offline station's reservation is released once its watchdog window has passed and
  // the grid current on each phase it drew on has dropped by this share (%) of its last draw.
  std::int32_t drop_confirm_pct = 70;
  // Hysteresis: increases go only into the headroom left by the highest building estimate of
  // this window (at most raise_band_ma above the latest: a real drop is used at once), cuts follow
  // the latest one. Measurement noise and the skew between the meter and the stations' readings
  // (EVs ramping) then no longer flap a set-point 15 <-> 16 A, at no cost in steady state.
  std::uint32_t raise_window_ms = 30000;  // at most 31 s (the ring)
  std::int32_t raise_band_ma = 1000;
};

struct StationConfig {
  bool enabled = false;
  std::uint8_t phases = 3;                     // CFG-05: 1, 2 or 3 (station L1.., in rotation order)
  std::uint8_t rotation[kPhases] = {0, 1, 2};  // CFG-05: grid phase (0..2) feeding station L1/L2/L3
  std::int32_t min_ma = 6000;                  // CFG-06
  std::int32_t max_ma = 16000;                 // CFG-06
  Priority priority = Priority::Normal;        // CFG-07
  std::int32_t fallback_ma = 6000;             // CFG-08: written into the station
  std::uint32_t timeout_ms = 90000;            // CFG-08: the station's own communication timeout
  bool slow = false;                           // LM-13 / A34: slow actuator (Zaptec via cloud)
};

// What the station driver knows about one station this cycle.
struct StationInput {
  bool online = false;  // answered within its driver's timeout (ST-11)
  Iec state = Iec::Unknown;
  std::int32_t current_ma[kPhases] = {0, 0, 0};  // measured, station L1/L2/L3
  std::uint32_t session_wh = 0;                  // energy of the current session (LM-05 tie-break)
  std::int32_t slow_alloc_ma = 0;                // slow actuators: the allocation now in force
  std::int32_t cloud_target_ma = kNoLimit;       // LM-12: Direct EVSE control target, kNoLimit = none
};

struct MeterInput {
  std::uint8_t valid_mask = 0;                   // bit p: phase p measured and plausible (SAFE-01, INS-04)
  std::int32_t current_ma[kPhases] = {0, 0, 0};  // signed: import +, export − (LM-11)
  std::int32_t voltage_mv[kPhases] = {230000, 230000, 230000};
  std::int32_t power_w = 0;  // total active power, signed (LM-10)
};

// External caps (LM-12): combined by taking the minimum; none can raise above the fuse budget.
struct Caps {
  RippleMode ripple = RippleMode::Normal;
  std::int32_t reduced_power_w = 4200;  // RC-08: cap on the sum of station power under Reduced
  std::int32_t external_ma[kPhases] = {kNoLimit, kNoLimit, kNoLimit};  // EXT-06: stations' sum per phase
  std::int32_t master_ma[kPhases] = {kNoLimit, kNoLimit, kNoLimit};    // cascading master, same meaning
  bool boot_hold = false;  // RC-12: no station above its fallback current until the DI is settled
};

struct Input {
  std::uint64_t now_ms = 0;
  MeterInput meter;
  Caps caps;
  StationInput station[kMaxStations];
};

enum class StationStatus : std::uint8_t {
  Disabled,
  Idle,       // no EV: parked at min (LM-08) or 0
  Charging,   // set-point >= min
  Paused,     // EV present, set-point 0 (budget, rotation, cap, overshoot)
  Offline,    // not answering: reserved per SAFE-02
  SlowFixed,  // slow actuator: reserved at its allocation
};

enum class EventType : std::uint8_t {
  OverloadCut,       // LM-03: a grid phase above its limit, stations cut (phase, value=grid mA, aux=limit)
  BuildingOverload,  // LM-15: building alone above the limit on phase; all stations paused
  BuildingOverloadEnd,
  Overshoot,        // SAFE-08: station draws > set-point + 2 A for 30 s (value=drawn mA, aux=set-point)
  OvershootPaused,  // SAFE-08: repeated overshoot, station paused for the session
  Paused,           // station paused for lack of budget (LM-05), value=session Wh
  Resumed,          // station started again at its min (LM-09)
  Rotated,          // LM-05 rotation: station paused in favour of aux (station index)
  PhasesDetected,   // LM-07: value = bit mask of grid phases the EV uses
  MeterFrozen,      // SAFE-01: phase invalid, increases frozen
  MeterFallback,    // SAFE-01: 60 s invalid, error-case budget on phase
  MeterRecovered,   // SAFE-01: 30 s valid again
  StationOffline,   // SAFE-02: reserving value mA until the station's watchdog has passed
  StationFallback,  // SAFE-02: timeout + 10 s passed, now reserving its fallback current
  SlowOverBudget,   // LM-13 / A34: a slow actuator's allocation no longer fits (value=desired mA)
  StationReleased,  // SAFE-06: offline, watchdog window over and its draw gone from the grid: no reservation
};

struct Event {
  EventType type;
  std::int8_t station;  // -1: site-wide
  std::int8_t phase;    // grid phase 0..2, -1: none
  std::int32_t value;
  std::int32_t aux;
};

struct Output {
  std::int32_t setpoint_ma[kMaxStations] = {};  // 0 or within [min, max] (LM-04); slow: desired allocation
  StationStatus status[kMaxStations] = {};
  std::uint8_t phase_mask[kMaxStations] = {};  // grid phases each station is accounted on (LM-07)
  std::int32_t budget_ma[kPhases] = {};        // capacity for all stations per grid phase this cycle (LM-14)
  std::int32_t planned_ma[kPhases] = {};       // sum of set-points and reservations per grid phase
  std::int32_t planned_power_w = 0;            // stations' planned power
  bool frozen = false;                         // SAFE-01: no increases this cycle
  Event events[kMaxEvents];
  int n_events = 0;
  int dropped_events = 0;
};

const char* event_name(EventType t);

// SAFE-07 configuration check: bit p set when the stations' fallback currents on grid phase p add
// up to more than 50 % of that phase's limit (the UI warns: the fallbacks alone could load the
// fuse while the device is down).
std::uint8_t fallback_overload_mask(const SiteConfig& site, const StationConfig* stations, int count);

// One instance per device. configure() may be called again at run time (CFG-12): the running
// state of stations whose config is unchanged is kept.
class Allocator {
 public:
  void configure(const SiteConfig& site, const StationConfig* stations, int count);
  const Output& step(const Input& in);
  const Output& output() const { return out_; }
  int station_count() const { return count_; }

 private:
  struct Track {
    std::int32_t setpoint_ma = 0;  // last commanded
    std::uint64_t last_increase_ms = 0;
    std::uint64_t last_change_ms = 0;
    std::uint64_t run_since_ms = 0;    // set-point became >= min
    std::uint64_t pause_since_ms = 0;  // paused by the allocator (LM-05)
    std::uint64_t offline_since_ms = 0;
    std::uint64_t overshoot_since_ms = 0;
    std::int32_t offline_reserve_ma = 0;
    std::int32_t last_meas_ma[kPhases] = {0, 0, 0};  // per grid phase, last cycle online
    std::int32_t drop_ref_ma[kPhases] = {0, 0, 0};   // grid current before it went silent (SAFE-06)
    bool released = false;                           // SAFE-06
    bool fit = false;                                // waiting: its min fits without stopping anyone
    std::uint64_t fit_since_ms = 0;
    std::int32_t demand_cap_ma = 0;  // 0: none; EV takes less than offered (see unused_offer_ms)
    std::uint8_t phases_seen = 0;    // grid phases the EV has drawn on this session
    std::uint8_t overshoots = 0;
    bool ev = false;  // an EV is connected (B/C/D)
    bool running = false;
    bool rotation_paused = false;  // paused by LM-05 (min pause applies)
    bool was_online = true;
    bool offline_fallback = false;
    bool overshooting = false;
    bool overshoot_paused = false;
    bool overshoot_reported = false;
    std::uint32_t pause_epoch = 0;  // epoch_ when paused: a later relaxation lets it restart
  };
  struct PhaseMeter {
    std::uint64_t invalid_since_ms = 0;
    std::uint64_t valid_since_ms = 0;
    bool invalid = false;
    bool fallback = false;  // error-case budget in force
    bool ever_valid = false;
    std::int64_t building_ma = 0;  // last valid building load (grid − our stations)
  };

  void emit(EventType t, int station, int phase, std::int32_t value, std::int32_t aux);

  SiteConfig site_{};
  StationConfig cfg_[kMaxStations]{};
  Track tr_[kMaxStations]{};
  PhaseMeter pm_[kPhases]{};
  int count_ = 0;
  bool overload_[kPhases] = {};
  bool phase_building_over_[kPhases] = {};
  // Counts events that free capacity (caps relaxed, an EV left): LM-05's minimum pause only
  // holds back a station while nothing changed since it was paused.
  std::uint32_t epoch_ = 0;
  RippleMode last_ripple_ = RippleMode::Normal;
  std::int32_t last_reduced_w_ = 0;
  bool last_boot_hold_ = false;
  std::uint8_t last_fallback_mask_ = 0;
  std::int32_t last_external_[kPhases] = {kNoLimit, kNoLimit, kNoLimit};
  std::int32_t last_master_[kPhases] = {kNoLimit, kNoLimit, kNoLimit};
  // The grid current per phase over the last kGridHistory cycles (SAFE-06: the level before a
  // station went silent; a trip happens a few request timeouts before it is declared offline).
  static constexpr int kGridHistory = 32;
  std::int32_t grid_hist_[kGridHistory][kPhases] = {};
  std::int64_t bld_hist_[kGridHistory][kPhases] = {};  // building estimates, same ring
  int grid_hist_n_ = 0, grid_hist_head_ = 0;
  std::uint64_t all_fit_since_ms_ = 0;
  bool all_fit_ = false;
  Output out_{};
};

}  // namespace lmc::lm
