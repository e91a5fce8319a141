// Physical quantities as they appear in scenarios ("16A", "11kW", "90s", "20%").
// Every signal stores its value in an unprefixed base unit; literals are scaled to it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lmsim {

// Simulated time in picoseconds (SystemC's default resolution).
using Time = std::uint64_t;
constexpr Time kPs = 1, kNs = 1000, kUs = 1000 * kNs, kMs = 1000 * kUs, kSec = 1000 * kMs;
// The longest simulated time: 100 days fit in SystemC's 64-bit picosecond clock with margin.
constexpr Time kMaxTime = 100ULL * 86400 * kSec;

struct Quantity {
  double value = 0;  // in the base unit below
  std::string unit;  // base unit symbol: "A", "V", "W", "Wh", "s", "Hz", "%", ... or "" (plain number)
};

// Parses "16A", "11 kW", "-3.5e2var", "90s", "8h", "1.5min", "20%", "0.95". Returns nullopt
// when the text is not a number with a known unit.
std::optional<Quantity> parse_quantity(std::string_view text);

// True if `unit` is a base unit we know ("" counts as dimensionless).
bool is_known_unit(std::string_view unit);

// Human name of a base unit for error messages: "A" -> "current (A)".
std::string describe_unit(std::string_view unit);

Time seconds_to_time(double s);
double time_to_seconds(Time t);
// "1h02m03.250s"-style compact rendering for logs and messages.
std::string format_time(Time t);
// Parses a duration such as "90s", "8h", "250ms"; nullopt if not a time.
std::optional<Time> parse_duration(std::string_view text);

}  // namespace lmsim
