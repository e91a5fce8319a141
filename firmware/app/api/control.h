// The one external-control state behind Modbus :5020 (19050-19056) and REST :7000
// (/v1/settings, /v1/keepalive): MB-05 "Modbus and REST overwrite each other". It validates a
// write as a whole (nothing changes when one field is invalid: RS-07), applies it to the
// site's lm::ExternalControl (EXT-01..08), mirrors the values into the settings (ext.*, through
// the schema's ranges and writer rights) and saves them power-loss-safe when they changed
// (EXT-07, A22); a keep-alive alone never writes flash.
//
// Units: amperes per phase (EXT-06, A10), kept to 0.1 A as the schema stores them. A limit is
// valid when finite, >= 0 and not above the highest per-phase limit (RS-07; the schema's range
// before a fuse is configured). An unset limit (never written) means "no cap".
#pragma once
#include <cstdint>

#include "app/core/log.h"
#include "app/lm/external_control.h"
#include "app/settings/settings.h"

namespace lmc::store {
class ConfigStore;
}

namespace lmc::api {

struct ControlUpdate {
  bool has_activation = false;
  bool activation = false;
  bool has_current = false;
  double current_a = 0;
  bool has_fallback = false;
  double fallback_a = 0;
};

enum class ControlError : std::uint8_t { None, BadValue, NotWritable };

class Control {
 public:
  Control(lm::ExternalControl& ext, settings::Settings& s, store::ConfigStore* store, Log& log)
      : ext_(ext), s_(s), store_(store), log_(log) {}
  // EXT-07: the persisted activation and limits; if active, the fallback applies until the
  // first keep-alive (lm::ExternalControl::boot).
  void boot(std::uint64_t now_ms);
  // Validates every field first; applies all or nothing. Counts as a keep-alive (EXT-03).
  ControlError apply(const ControlUpdate& u, std::uint8_t writer, const char* by, std::uint64_t now_ms);
  void keepalive(const char* by, std::uint64_t now_ms);

  bool valid_limit(double a) const;
  bool active() const { return ext_.settings().activation; }
  // Unset limits: false.
  bool current_limit(double& a) const;
  bool fallback_limit(double& a) const;
  lm::ExtState state() const { return ext_.state(); }
  // Seconds left before the fallback applies (0 when inactive or fallen back).
  std::uint32_t seconds_to_fallback(std::uint64_t now_ms) const;
  std::uint32_t timeout_s() const { return ext_.settings().timeout_s; }

 private:
  static std::int32_t to_ma(const settings::Settings& s, settings::Id id);
  lm::ExternalControl& ext_;
  settings::Settings& s_;
  store::ConfigStore* store_;
  Log& log_;
  std::uint64_t last_msg_ms_ = 0;
};

}  // namespace lmc::api
