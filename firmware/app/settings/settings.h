// The controller's settings: typed access with validation against the schema (schema.h), a
// change counter so that tasks notice a change within one cycle (CFG-12), and the text form
// ("key=value" with the schema's names and units) shared by provisioning, REST and the UI.
// Fixed capacity, no heap: one static instance lives in the application.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/settings/schema.h"

namespace lmc::settings {

// Why a write was refused. reason() gives the log token (`reason=out_of_range`).
enum class Result : std::uint8_t {
  Ok,
  UnknownKey,
  BadValue,  // not a number / not one of the enum names / bad IP / unit mismatch
  OutOfRange,
  TooLong,           // text longer than the setting's capacity
  NotWritable,       // this writer may not write this setting
  NotOptional,       // clearing a setting that cannot be unset
  NoStation,         // station index outside 1..50
  FuseRequired,      // CFG-01: no station can be configured before the main fuse rating
  MinAboveMax,       // station min current above its max current
  DuplicateAddress,  // two stations with the same ip:port (NET-04)
};
const char* reason(Result r);

// Receives one event line, e.g. "config reject line=3 key=lm.fuse reason=out_of_range". The
// caller logs it (fw-core's log adds the "lmc: " prefix). Lines are NUL-terminated, <= 160 chars.
class Reporter {
 public:
  virtual void report(const char* line) = 0;

 protected:
  ~Reporter() = default;
};

class Settings {
 public:
  static constexpr std::size_t kTextCap = 64;  // longest text setting (bytes, without NUL)

  Settings() { reset(); }
  // Every setting to its default (settings without a default become unset).
  void reset();

  // ---- global settings ----
  bool is_set(Id id) const { return set_[idx(id)]; }
  // The stored value (scaled, see schema.h); the default or 0 when unset.
  std::int32_t get(Id id) const { return value_[idx(id)]; }
  // Text settings (Type::Text): "" when unset.
  const char* text(Id id) const;
  Result set(Id id, std::int32_t scaled, std::uint8_t writer);
  Result set_text(Id id, const char* s, std::size_t n, std::uint8_t writer);
  // Unsets an optional setting (derived default or "off").
  Result clear(Id id, std::uint8_t writer);

  // ---- stations (index 0..49; the text form numbers them 1..50) ----
  bool station_used(int i) const;  // driver != none
  bool station_is_set(int i, Field f) const;
  std::int32_t station(int i, Field f) const;
  const char* station_name(int i) const;
  Result set_station(int i, Field f, std::int32_t scaled, std::uint8_t writer);
  Result set_station_name(int i, const char* s, std::size_t n, std::uint8_t writer);
  Result clear_station(int i, Field f, std::uint8_t writer);
  // Removes a station (all its fields back to defaults, driver none).
  Result remove_station(int i, std::uint8_t writer);

  // ---- derived values (the meaning of unset settings) ----
  bool fuse_configured() const { return is_set(Id::LmFuse); }
  // Margin in 0.1 A: lm.margin, or 5 % of the fuse, at least 1 A (CFG-02). 0 without a fuse.
  std::int32_t margin_da() const;
  // Per-phase limit in 0.1 A (phase 0..2): lm.limit_lN, or fuse - margin. 0 without a fuse.
  std::int32_t phase_limit_da(int phase) const;
  std::int32_t station_unit_id(int i) const;

  // ---- text form: "lm.fuse" / "station.3.max_current" = "40" / "16 A" / "4.2kW" ----
  Result set_from_text(const char* key, std::size_t key_len, const char* value, std::size_t value_len,
                       std::uint8_t writer);
  // Formats a value in the schema's unit (no unit suffix); secrets as "***" unless reveal.
  // Returns the length written (always NUL-terminated, truncated to n-1).
  std::size_t format(Id id, char* buf, std::size_t n, bool reveal = false) const;
  std::size_t format_station(int i, Field f, char* buf, std::size_t n) const;

  // ---- bulk operations ----
  // BTN-04: erases only the Wi-Fi credentials.
  void erase_wifi();

  // Incremented by every change that altered a value. Tasks keep the last value they saw.
  std::uint32_t generation() const { return generation_; }
  bool operator==(const Settings& o) const;  // same values (generation ignored)

 private:
  static std::size_t idx(Id id) { return static_cast<std::size_t>(id); }
  static std::size_t fidx(Field f) { return static_cast<std::size_t>(f); }
  char* text_slot(Id id);
  const char* text_slot(Id id) const;
  Result check_station(int i, Field f, std::int32_t v) const;
  void changed() { ++generation_; }

  struct Station {
    std::int32_t value[kFieldCount];
    std::uint32_t set_mask;  // bit f: field f set
    char name[25];
  };
  std::int32_t value_[kGlobalCount];
  bool set_[kGlobalCount];
  char ssid_[33];
  char password_[65];
  char activation_[33];
  char zaptec_user_[65], zaptec_password_[65];
  Station st_[kMaxStations];
  std::uint32_t generation_ = 0;
};

// Parses a value of definition d from text into its scaled int (numbers with an optional unit
// suffix equal to d.unit, enum names, bool true/false/on/off/1/0, dotted IPv4). Text settings
// are not parsed here. Range is checked too.
Result parse_value(const Def& d, const char* s, std::size_t n, std::int32_t* out);
// Formats a scaled value of d ("4.20", "nc", "192.168.1.5", "true").
std::size_t format_value(const Def& d, std::int32_t v, char* buf, std::size_t n);

}  // namespace lmc::settings
