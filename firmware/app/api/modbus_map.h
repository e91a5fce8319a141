// The device's Modbus TCP register map on :5020 (behaviours.md MB-02..MB-05, A17, A36; the
// vendor's table in shared/reference/clemap-public-docs.md §3). Holding registers, each value a
// float32 in two registers, high word first ("ABCD"); any unit id.
//   read  19000..19043  live metering (19006-19011 read 0.0, A36)
//   r/w   19050..19057  ActivePowerActivation, FallbackCurrentLimit, CurrentLimit, KeepAlive
// FC03 reads, FC16 writes; other functions -> 01 (FC16 also -> 01 without the "cascading
// module", feature.modbus_write); outside the map or half a float -> 02; NaN, infinity, a
// negative or too large current, an activation other than 0/1 -> 03 (and nothing changes).
#pragma once
#include <cstdint>

#include "app/api/control.h"
#include "app/metering/meter.h"
#include "app/modbus/server.h"

namespace lmc::api {

inline constexpr std::uint16_t kReadBase = 19000;
inline constexpr std::uint16_t kReadEnd = 19044;  // one past 19042-19043 (Q total)
inline constexpr std::uint16_t kWriteBase = 19050;
inline constexpr std::uint16_t kWriteEnd = 19058;  // one past 19056-19057 (KeepAlive)
inline constexpr std::uint16_t kRegActivation = 19050;
inline constexpr std::uint16_t kRegFallback = 19052;
inline constexpr std::uint16_t kRegCurrent = 19054;
inline constexpr std::uint16_t kRegKeepAlive = 19056;

// Where the live values come from (the site's meter; a fake in tests).
class LiveSource {
 public:
  virtual const metering::Measurement& measurement() const = 0;

 protected:
  ~LiveSource() = default;
};

class ModbusMap final : public modbus::RegisterMap {
 public:
  ModbusMap(const LiveSource& live, Control& control, const settings::Settings& s, const Clock& clock)
      : live_(live), control_(control), s_(s), clock_(clock) {}

  modbus::Exception read_registers(const modbus::Access& a, std::uint16_t* regs) override;
  modbus::Exception write_registers(const modbus::Access& a, const std::uint16_t* regs) override;

  // The 22 floats of 19000..19043 (exposed for tests).
  static void live_floats(const metering::Measurement& m, float out[22]);

 private:
  const LiveSource& live_;
  Control& control_;
  const settings::Settings& s_;
  const Clock& clock_;
  float keepalive_value_ = 0;  // 19056 reads back its last write (MB-04)
};

}  // namespace lmc::api
