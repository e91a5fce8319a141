// A vendor's Modbus behaviour as data: register table, encodings, unit-id rule, function codes,
// watchdog kind, defaults and named quirk hooks. Loaded from YAML (models/evse/vendors/*.yaml,
// embedded at build time, or a user file / inline map in a scenario) so that a new station
// model needs no C++. The format is documented in docs/stations.md.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/units.h"
#include "sim/ynode.h"

namespace lmsim::evse {

enum class Table : std::uint8_t { Holding, Input };
enum class Encoding : std::uint8_t { U16, S16, U32, S32, Raw, Ascii };

// What a register is bound to in the station core. Values are in base units (A, V, W, Wh, s)
// before the register's scale is applied.
enum class Bind : std::uint8_t {
  Const,  // fixed words from the table (identity, firmware, ...)
  Store,  // plain storage: reads back what was written (configuration without behaviour)
  Status,
  Pilot,
  Cable,
  Offered,
  Current1,
  Current2,
  Current3,
  Voltage1,
  Voltage2,
  Voltage3,
  Power,
  Power1,
  Power2,
  Power3,
  Energy,
  SessionEnergy,
  SessionDuration,
  MaxCurrent,
  MinCurrent,
  Charging,
  Errors,
  Setpoint,
  SetpointPersistent,
  FailsafeCurrent,
  CommTimeout,
  Lifebit,
  LcmTimeout,
  StartStop,
  Lock,
  Availability,
  DlmMode,
  Phases,             // hardware phases: 1 = 3-phase, 0 = 1-phase
  PhaseSwitch,        // active phases (r/w): 1 = 3-phase, 0 = 1-phase
  LastSessionEnergy,  // Wh of the last finished session, 0 while a session runs
  SessionCommand,     // 0 none, 1 start, 2 cancel (edge from 0)
  PowerSetpoint,      // W: converted to a current limit over the active phases
  ErrorCode,          // one code per vendor `error_codes:` (first active core error)
};
const char* to_string(Bind b);

enum class Watchdog : std::uint8_t { None, AnyRead, AnyRequest, Lifebit, Countdown };
// What starts the communication watchdog after boot (`watchdog_arm:`). Feeding is separate
// (`watchdog:`): a life-bit station armed by a setpoint write lapses if no life bit follows.
enum class WatchdogArm : std::uint8_t {
  AnyRequest,  // the first served request of any kind
  FirstWrite,  // the first served write (a read-only monitor does not arm it)
  Feed,        // only the first feeding request (life bit / countdown write)
};

// What a lapsed watchdog does to the offer (`on_lapse:`).
enum class LapseAction : std::uint8_t {
  FailsafeCurrent,  // the fail-safe current replaces the limit (most vendors)
  KeepLimit,        // the last limit stays; only the error flag is raised (Weidmüller, observed)
};
// When a one-client station's lock-out starts (`connection: {lockout_after: ...}`).
enum class LockoutAfter : std::uint8_t { None, Lapse, Disconnect };
// When the session energy register starts again at 0 (`session_energy_reset:`).
enum class SessionReset : std::uint8_t {
  Unplug,    // the value drops to 0 when the EV leaves
  NextPlug,  // the last session's energy stays readable until the next EV plugs in
};

// Named, documented station behaviour (set per vendor in its YAML with the source cited; the
// core implements behaviours, never vendor names). docs/stations.md lists every parameter.
struct Behaviour {
  LapseAction on_lapse = LapseAction::FailsafeCurrent;
  // A fail-safe current above the rating means "none configured" (ABB 0x4109 default 0xFF):
  // a lapse then stops charging with an error instead of falling back (`fallback_unset: error-stop`).
  bool unset_fallback_is_error = false;
  bool lapse_drops_connections = false;            // the lapse closes every TCP socket
  std::optional<double> zero_setpoint_reads_as;    // a written 0 reads back as this (A)
  std::optional<double> zero_setpoint_without_ev;  // a 0 written with no EV means this limit (A)
  bool settings_need_restart = false;              // knobs/settings apply at the next full restart
  bool dlm_roles = false;                          // the DLM role register decides where the HEMS limit goes
  // Actuation: a new Modbus limit reaches the PWM after delay + uniform(0, jitter) (seeded);
  // further writes in that time replace the value, not the timer. `step` rounds the applied
  // limit to the nearest multiple (0 = none).
  Time actuation_delay = 0, actuation_jitter = 0;
  double current_step = 0;
  // Connections: a client that sends nothing for idle_timeout (or stays longer than
  // max_connection_time) is closed by the station; 0 = never.
  Time idle_timeout = 0, max_connection_time = 0;
  LockoutAfter lockout_after = LockoutAfter::None;
  std::optional<Time> lockout_time;  // unset: the communication timeout
  Time reply_latency = 0;            // the station's processing time per request
  // Over-current by the EV: drawing more than offer + margin for this long opens the contactor
  // with an error (0 = never). Default: the 5 s IEC 61851-1 gives the EV to follow a lower
  // PWM (chargers.md §6) plus 5 s of the station's own measurement filter [?].
  double overcurrent_margin = 2;  // A
  Time overcurrent_time = 10 * kSec;
  SessionReset session_reset = SessionReset::Unplug;
  std::map<std::string, std::uint32_t> error_codes;  // core error name -> code (bind error_code)
};

// When the "communication lost" error flag clears after the master is back (`comm_lost_clear:`).
enum class FlagClear : std::uint8_t {
  Feed,       // with the request that ends the lapse (a controller polling status first never sees it)
  ErrorRead,  // once the error register has been read (latched until the controller saw it)
};

struct RegDef {
  std::string name;
  std::string origin;  // file:line of the table entry
  std::uint16_t addr = 0;
  std::uint16_t words = 1;
  Table table = Table::Holding;
  Encoding enc = Encoding::U16;
  bool lsw_first = false;
  bool low_byte_first = false;  // each word sent low byte first (MENNEKES ECU error codes)
  Bind bind = Bind::Const;
  double scale = 1;  // register value = base value * scale (e.g. 1000 for mA)
  int shift = 0;     // bits to shift the encoded value left (ABB state in the high byte)
  bool readable = true;
  bool writable = false;
  bool apply_on_restart = false;
  bool drop_on_read = false;                // reading it closes the client's connection
  std::vector<int> write_fcs;               // empty: any write FC the vendor allows
  std::vector<std::uint16_t> words_const;   // Const/Store initial content (Raw/Ascii/numbers)
  std::map<std::string, std::int64_t> map;  // core key -> register code (Status/Pilot/Cable/...)
  std::optional<std::int64_t> map_default;
  std::optional<std::uint32_t> absent;  // code when the quantity does not exist (no meter)
  std::optional<double> min, max;       // accepted write range in register units
};

struct VendorMap {
  std::string name;
  std::string description;
  std::string origin;
  bool modbus = true;  // false: no local Modbus server (cloud-controlled stations)
  bool any_unit = false;
  std::vector<int> unit_ids{1};
  bool wrong_unit_exception = false;  // answer exception 0x0B instead of silence
  std::array<bool, 128> fc_allowed{};
  bool lsw_first = false;
  int max_clients = 0;  // 0 = unlimited
  Time boot_time = 30 * kSec;
  Time min_off_time = 0;  // shorter power interruptions leave the station half-started
  int readonly_write_exception = 2;
  Watchdog watchdog = Watchdog::None;
  FlagClear comm_lost_clear = FlagClear::ErrorRead;
  std::optional<WatchdogArm> watchdog_arm;  // unset: the default for the watchdog kind
  WatchdogArm arm_rule() const {
    if (watchdog_arm) return *watchdog_arm;
    if (watchdog == Watchdog::Countdown) return WatchdogArm::Feed;
    if (watchdog == Watchdog::Lifebit) return WatchdogArm::FirstWrite;
    return WatchdogArm::AnyRequest;
  }
  double default_setpoint = 32;  // A, after boot
  double default_failsafe = 6;   // A
  double default_timeout = 60;   // s
  double default_lcm_ms = 0;     // countdown start
  Behaviour behaviour;
  std::map<std::string, std::uint32_t> error_bits;  // core error name -> bit mask
  std::vector<RegDef> regs;
  std::vector<std::int32_t> index[2];  // per table: address -> regs index or -1

  bool has_bind(Bind b) const;
  const RegDef* find(Table t, std::uint16_t addr) const {
    std::int32_t i = index[static_cast<int>(t)][addr];
    return i < 0 ? nullptr : &regs[static_cast<std::size_t>(i)];
  }
  void build_index();  // fails on overlapping registers
};

// All vendor maps known to a site: the embedded ones plus those loaded from files or scenarios.
class VendorLibrary {
 public:
  VendorLibrary();
  // Names of the embedded (built-in) maps.
  std::vector<std::string> builtin_names() const;
  // A map by name (built-in or already defined); throws InputError naming `where` if unknown.
  const VendorMap& get(const std::string& name, const YNode* where = nullptr);
  // Defines a map from a YAML node (a scenario's inline `map:` or a file); returns it.
  const VendorMap& define(const YNode& n, const std::string& fallback_name);
  const VendorMap& load_file(const std::string& path);

 private:
  std::map<std::string, std::string> texts_;  // embedded YAML by vendor name
  std::map<std::string, std::unique_ptr<VendorMap>> maps_;
  std::vector<std::string> loading_;  // `extends` cycle detection
};

// Embedded vendor files (generated at build time from models/evse/vendors/*.yaml).
const std::vector<std::pair<std::string, std::string>>& embedded_vendor_files();

}  // namespace lmsim::evse
