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
  Phases,
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

// Named behaviour hooks implemented in C++ (StationCore / ModbusEndpoint).
enum class Quirk : std::uint8_t {
  AbbErrorWithoutFallback,         // fall-back value above the rating (0xFF): comm loss = error, stop
  UniteZeroReadsSix,               // setpoint 0 reads back as 6; 0 written with no car means 6 A
  UniteFailsafeDropsSocket,        // watchdog lapse closes the TCP sockets and refuses new ones
  WeidmuellerLapseKeepsCurrent,    // LCM timeout: error flag only, charging continues (observed)
  WeidmuellerSettingsNeedRestart,  // configuration (knobs, `apply: restart` registers) waits for reboot
  EcuDlmMode,                      // the DLM role register changes how the HEMS limit applies
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
  std::set<Quirk> quirks;
  std::map<std::string, std::uint32_t> error_bits;  // core error name -> bit mask
  std::vector<RegDef> regs;
  std::vector<std::int32_t> index[2];  // per table: address -> regs index or -1

  bool has(Quirk q) const { return quirks.count(q) != 0; }
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
