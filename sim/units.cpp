#include "sim/units.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace lmsim {
namespace {

struct UnitDef {
  const char* symbol;  // as written
  const char* base;    // base unit it scales to
  double scale;        // value_in_base = value * scale
  bool prefixable;     // accepts SI prefixes (k, M, m, u)
};

// Order matters only for readability; lookup is exact on the suffix.
constexpr UnitDef kUnits[] = {
    {"A", "A", 1, true},     {"V", "V", 1, true},      {"W", "W", 1, true},     {"VA", "VA", 1, true},
    {"var", "var", 1, true}, {"Wh", "Wh", 1, true},    {"Hz", "Hz", 1, true},   {"Ohm", "Ohm", 1, true},
    {"s", "s", 1, true},     {"min", "s", 60, false},  {"h", "s", 3600, false}, {"d", "s", 86400, false},
    {"%", "%", 1, false},    {"deg", "deg", 1, false}, {"B", "B", 1, true},     {"dBm", "dBm", 1, false},
    {"C", "C", 1, false},    {"Ah", "Ah", 1, true},
};

struct Prefix {
  char c;
  double scale;
};
constexpr Prefix kPrefixes[] = {{'k', 1e3}, {'M', 1e6}, {'G', 1e9}, {'m', 1e-3}, {'u', 1e-6}, {'n', 1e-9}};

std::optional<Quantity> lookup(std::string_view suffix, double v) {
  for (const auto& u : kUnits)
    if (suffix == u.symbol) return Quantity{v * u.scale, u.base};
  if (suffix.size() >= 2) {
    for (const auto& p : kPrefixes) {
      if (suffix[0] != p.c) continue;
      for (const auto& u : kUnits)
        if (u.prefixable && suffix.substr(1) == u.symbol) return Quantity{v * u.scale * p.scale, u.base};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Quantity> parse_quantity(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  std::string buf(text);
  const char* begin = buf.c_str();
  char* end = nullptr;
  double v = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(v)) return std::nullopt;
  // strtod accepts "inf"/"nan"/hex; we only want decimal numbers.
  for (const char* p = begin; p < end; ++p)
    if (!(std::isdigit(static_cast<unsigned char>(*p)) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' ||
          *p == 'E'))
      return std::nullopt;
  std::string_view suffix(end);
  while (!suffix.empty() && suffix.front() == ' ') suffix.remove_prefix(1);
  if (suffix.empty()) return Quantity{v, ""};
  return lookup(suffix, v);
}

bool is_known_unit(std::string_view unit) {
  if (unit.empty()) return true;
  for (const auto& u : kUnits)
    if (unit == u.base) return true;
  return false;
}

std::string describe_unit(std::string_view unit) {
  struct Name {
    const char* u;
    const char* n;
  };
  static constexpr Name names[] = {{"A", "current"},         {"V", "voltage"},          {"W", "active power"},
                                   {"VA", "apparent power"}, {"var", "reactive power"}, {"Wh", "energy"},
                                   {"Hz", "frequency"},      {"Ohm", "resistance"},     {"s", "time"},
                                   {"%", "percentage"},      {"deg", "angle"},          {"B", "byte count"},
                                   {"dBm", "signal level"},  {"C", "temperature"},      {"Ah", "charge"}};
  if (unit.empty()) return "plain number";
  for (const auto& n : names)
    if (unit == n.u) return std::string(n.n) + " (" + std::string(unit) + ")";
  return std::string(unit);
}

Time seconds_to_time(double s) {
  if (!(s > 0)) return 0;
  return static_cast<Time>(std::llround(s * 1e12));
}

double time_to_seconds(Time t) {
  return static_cast<double>(t) * 1e-12;
}

std::string format_time(Time t) {
  std::uint64_t total_us = t / kUs;
  std::uint64_t h = total_us / 3600000000ULL;
  std::uint64_t m = (total_us / 60000000ULL) % 60;
  std::uint64_t s = (total_us / 1000000ULL) % 60;
  std::uint64_t us = total_us % 1000000ULL;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu.%06llu", static_cast<unsigned long long>(h),
                static_cast<unsigned long long>(m), static_cast<unsigned long long>(s),
                static_cast<unsigned long long>(us));
  return buf;
}

std::optional<Time> parse_duration(std::string_view text) {
  auto q = parse_quantity(text);
  if (!q || q->unit != "s" || q->value < 0 || q->value > time_to_seconds(kMaxTime)) return std::nullopt;
  return seconds_to_time(q->value);
}

}  // namespace lmsim
