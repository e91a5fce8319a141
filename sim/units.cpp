#include "sim/units.h"

#include <cctype>
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

namespace {
// "3h10min", "1d2h", "2min30s": parts in strictly falling units, each a plain number.
std::optional<double> compound_seconds(std::string_view t) {
  static constexpr struct {
    const char* u;
    double s;
  } kParts[] = {{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}};
  double total = 0;
  int last = -1, parts = 0;
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t j = i;
    while (j < t.size() && (std::isdigit(static_cast<unsigned char>(t[j])) || t[j] == '.')) ++j;
    if (j == i) return std::nullopt;
    std::size_t k = j;
    while (k < t.size() && std::isalpha(static_cast<unsigned char>(t[k]))) ++k;
    std::string_view unit = t.substr(j, k - j);
    int idx = -1;
    for (int u = 0; u < 6; ++u)
      if (unit == kParts[u].u) idx = u;
    if (idx <= last) return std::nullopt;
    last = idx;
    total += std::strtod(std::string(t.substr(i, j - i)).c_str(), nullptr) * kParts[idx].s;
    ++parts;
    i = k;
  }
  if (parts < 2) return std::nullopt;
  return total;
}

// ISO 8601 durations: "PT3H10M", "P1DT12H", "PT90S", "PT0.5S".
std::optional<double> iso_seconds(std::string_view t) {
  if (t.size() < 3 || t[0] != 'P') return std::nullopt;
  double total = 0;
  bool in_time = false, any = false;
  // Designators in their fixed order; each at most once (years and months have no fixed length).
  std::string_view allowed_date = "D", allowed_time = "HMS";
  std::size_t pos_date = 0, pos_time = 0;
  for (std::size_t i = 1; i < t.size();) {
    if (t[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < t.size() && (std::isdigit(static_cast<unsigned char>(t[j])) || t[j] == '.')) ++j;
    if (j == i || j >= t.size()) return std::nullopt;
    double v = std::strtod(std::string(t.substr(i, j - i)).c_str(), nullptr);
    char d = t[j];
    std::string_view allowed = in_time ? allowed_time : allowed_date;
    std::size_t& pos = in_time ? pos_time : pos_date;
    std::size_t at = allowed.find(d, pos);
    if (at == std::string_view::npos) return std::nullopt;
    pos = at + 1;
    total += v * (d == 'D' ? 86400 : d == 'H' ? 3600 : d == 'M' ? 60 : 1);
    any = true;
    i = j + 1;
  }
  if (!any) return std::nullopt;
  return total;
}
}  // namespace

std::optional<Time> parse_duration(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::optional<double> secs;
  if (auto q = parse_quantity(text)) {
    if (q->unit != "s") return std::nullopt;
    secs = q->value;
  } else if (!(secs = compound_seconds(text))) {
    secs = iso_seconds(text);
  }
  if (!secs || *secs < 0 || *secs > time_to_seconds(kMaxTime)) return std::nullopt;
  return seconds_to_time(*secs);
}

}  // namespace lmsim
