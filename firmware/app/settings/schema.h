// The one settings schema of the controller: name, type, unit, range, default, who may write
// each setting and whether it is persisted. The config store, the provisioning page, the web
// UI, REST and the Modbus map all read it (docs/firmware.md "Configuration and flash layout").
// Defaults follow shared/reference/behaviours.md section B (A08, A14, A16, A19, A21, A22, A32).
//
// Every value is an int32: numbers in the schema's unit times 10^decimals (lm.margin = 2.5 A is
// stored as 25), enums as their index, bools as 0/1, IPv4 addresses as a.b.c.d = a<<24|...;
// text settings are stored beside the numbers. `key` is the stable number used in flash
// records: never reuse or renumber one (new firmware reads old records by key).
#pragma once
#include <cstddef>
#include <cstdint>

namespace lmc::settings {

enum class Type : std::uint8_t { Bool, Int, Enum, Ip, Text };

// Who may write a setting (bit mask).
enum Writer : std::uint8_t {
  kInstaller = 1,      // the local web UI (installer)
  kRest = 2,           // REST :7000
  kModbus = 4,         // Modbus :5020 write registers
  kCloud = 8,          // the vendor cloud (config push, feature flags, ripple)
  kProvisioning = 16,  // the provisioning page (factory / installer flashing tool)
  kSystem = 0x80,      // the firmware itself (loading the store, button gestures): may write all
};

enum Flags : std::uint8_t {
  kHasDefault = 1,  // starts at `def`; otherwise starts unset
  kOptional = 2,    // may be unset (cleared); unset has a documented meaning (derived or off)
  kPersisted = 4,   // saved in the config store
  kSecret = 8,      // never shown (UI/REST/log show "***")
};

struct Def {
  const char* name;   // "lm.fuse"; stations: the field name after "station.N."
  std::uint16_t key;  // stable record key
  Type type;
  const char* unit;  // "A", "kW", "s", "" ...
  std::uint8_t decimals;
  std::int32_t min, max;  // scaled; Text: max = capacity in bytes
  std::int32_t def;       // scaled
  std::uint8_t flags;
  std::uint8_t writers;
  const char* enum_names;  // "nc|no" (Enum only)
};

// Global settings. Order = index into kGlobal; keys are in the table.
enum class Id : std::uint8_t {
  LmFuse,     // A, required, no default (CFG-01, A08): unconfigured device manages nothing
  LmMargin,   // A; unset: 5 % of the fuse, at least 1 A (CFG-02)
  LmLimitL1,  // A; unset: fuse - margin (CFG-02)
  LmLimitL2,
  LmLimitL3,
  LmMaxPower,          // kW; unset: off (CFG-03)
  LmUnbalance,         // A; unset: off (A26)
  MeterSensor,         // ct|rogowski (A33)
  RippleMapping,       // nc|no (CFG-09, RC-03/04)
  RippleMode,          // blocked|reduced: the mode entered on signal
  RippleReducedPower,  // kW, default 4.2 (A14)
  ExtActive,           // ActivePowerActivation (EXT-01, A19: persisted)
  ExtCurrentLimit,     // A per phase; unset: no cap (EXT-06)
  ExtFallbackLimit,    // A per phase; unset: no cap
  ExtTimeout,          // s, FLEX_CONTROL_MESSAGE_TIMEOUT, 10-3600, default 120 (EXT-02, A19)
  WifiSsid,            // text 32 (AP-13, BTN-04)
  WifiPassword,        // text 63, secret
  NetStatic,           // bool: static IP instead of DHCP (NET-06, A06)
  NetIp,
  NetMask,
  NetGateway,
  NetDns,
  FeatureModbusServer,  // CFG-11 flags, default off (A32)
  FeatureModbusWrite,   // the "cascading module": Modbus write registers
  FeatureRestServer,
  FeatureCascading,
  CascadeMasterIp,      // CAS-02: the one master a slave obeys; unset: none
  CloudActivated,       // cloud state (CL-02)
  CloudActivationCode,  // text 32, secret, provisioned per device (A30)
  CloudRippleMode,      // normal|reduced|blocked: a cloud-set ripple mode (RC-11, A22)
  CloudRippleUntil,     // UTC s: its validity (0: none)
  ConfigTimestamp,      // UTC s of the last change (CFG-10, A16: last writer wins)
  ProvisionCrc,         // CRC-32 of the last imported provisioning page (system only)
  ZaptecUser,           // text 64: the Zaptec account (ST-06, CHG §5 OAuth password grant)
  ZaptecPassword,       // text 64, secret
  Count
};
constexpr std::size_t kGlobalCount = static_cast<std::size_t>(Id::Count);

// Per-station settings (CFG-04..CFG-08; ST-01 generic-driver register map).
enum class Field : std::uint8_t {
  Name,                // text 24
  Driver,              // none|abb_terra_ac|... ; none = slot unused
  Port,                // default 502 (before Ip: records and the text form apply fields in order)
  Ip,                  // required for Modbus drivers
  UnitId,              // unset: the driver's default (default_unit_id)
  Rotation,            // grid phases of station L1/L2/L3: L1-L2-L3 (default) ... (CFG-05)
  Phases,              // 1 or 3 (default 3); a 1-phase station is on the first phase of its rotation
  MaxCurrent,          // A, 0 (disabled) or 6-32, default 16 (CFG-06)
  MinCurrent,          // A, 6-32, default 6; <= max_current (so max comes first)
  Priority,            // low|normal|high, default normal (CFG-07)
  FallbackCurrent,     // A, default 6 (CFG-08, A21)
  Timeout,             // s, station communication timeout, default 90 (CFG-08)
  RegSetpoint,         // generic driver (ST-01): holding register of the set-point
  RegScale,            // register units per A (1 = A, 10 = 0.1 A, 1000 = mA)
  RegFormat,           // u16|u32_hi_lo|u32_lo_hi|f32_hi_lo|f32_lo_hi
  RegFallback,         // fallback current register (unset: none)
  RegTimeout,          // communication timeout register, s (unset: none)
  RegHeartbeat,        // heartbeat register (unset: none)
  RegHeartbeatPeriod,  // s, default 10
  RegCurrents,         // first of three registers of the phase currents (unset: none)
  RegState,            // IEC 61851 state register (unset: none)
  Count
};
constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::Count);
constexpr int kMaxStations = 50;  // A35

enum class Driver : std::uint8_t {
  None,
  AbbTerraAc,
  MennekesAmtron,
  WebastoEbee,
  WebastoTq,
  Weidmueller,
  Generic,
  Zaptec,
  Easee,
  WebastoNext,  // appended: stored settings keep their numbers
  WebastoUnite
};
enum class Priority : std::uint8_t { Low, Normal, High };
enum class RippleMapping : std::uint8_t { NormallyClosed, NormallyOpen };
enum class RippleMode : std::uint8_t { Normal, Reduced, Blocked };  // CloudRippleMode
enum class OnSignal : std::uint8_t { Blocked, Reduced };            // RippleMode setting
enum class RegFormat : std::uint8_t { U16, U32HiLo, U32LoHi, F32HiLo, F32LoHi };

// The tables (schema.cpp).
const Def& def(Id id);
const Def& def(Field f);
// Lookup by name ("lm.fuse", or a station field name "max_current"); nullptr if unknown.
const Def* find_global(const char* name, std::size_t len, Id* id_out);
const Def* find_field(const char* name, std::size_t len, Field* f_out);

// Grid phase (0..2) of station phase sp (0..2) under rotation r.
int grid_phase(std::int32_t rotation, int sp);
// The driver's default Modbus unit id (CFG-04: "unit id (the driver's default)").
std::int32_t default_unit_id(Driver d);
// Writes the name of enum value v into buf (NUL-terminated); returns its length, 0 if invalid.
std::size_t enum_name(const Def& d, std::int32_t v, char* buf, std::size_t n);

}  // namespace lmc::settings
