// One 1-minute telemetry record (CL-01): the compact form kept in the flash ring (48 bytes,
// little-endian, fixed layout; docs/firmware.md "Cloud link") and the JSON the cloud receives.
// Per-station details and the LM budget go out only in the live message, not into flash: the
// ring must hold 72 h (CL-05) and a record's size sets how many fit.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lmc::cloud {

struct Record {
  static constexpr std::uint8_t kSynced = 1;  // t_s is Unix time from NTP (else seconds since boot, CL-09)
  std::uint32_t t_s = 0;
  std::uint8_t flags = 0;
  std::uint8_t ripple = 0;  // lm::RippleMode: 0 normal, 1 reduced, 2 blocked
  std::uint8_t stations = 0, charging = 0;
  std::uint16_t v_dv[3] = {};    // per-phase voltage, 0.1 V
  std::int32_t i_ma[3] = {};     // per-phase current, mA (signed, LM-11)
  std::int32_t p_w[3] = {};      // per-phase active power, W
  std::int16_t q_10var[3] = {};  // per-phase reactive power, 10 var
  std::int32_t stations_ma = 0;  // the stations' summed set-points (LM-14)
};

inline constexpr std::size_t kRecordBytes = 48;

void pack(const Record& r, std::uint8_t out[kRecordBytes]);
// False when n is not kRecordBytes.
bool unpack(const std::uint8_t* in, std::size_t n, Record* r);

// The cloud's JSON for one record: {"device":..,"seq":..,"t":..,"synced":..,"v":[..],"i":[..],
// "p":[..],"q":[..],"p_total":..,"ripple":..,"stations":..,"charging":..,"stations_a":..,
// "dropped":..}. `dropped`: records lost to the ring's wrap just before this one (the gap
// marker of CL-05). Returns the length, 0 when cap is too small.
std::size_t to_json(const Record& r, std::uint32_t seq, std::uint32_t dropped, const char* device, char* out,
                    std::size_t cap);

const char* ripple_name(std::uint8_t mode);

}  // namespace lmc::cloud
