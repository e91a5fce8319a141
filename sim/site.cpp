#include "sim/site.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

namespace lmsim {

// Parses "2026-11-25T16:00[:SS]" as a UTC calendar time (the simulation has no time zone).
static double parse_start(const YNode& n) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  const auto& txt = n.scalar();
  int got = std::sscanf(txt.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  if (got < 3 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    n.fail("expected a date and time like \"2026-11-25T16:00\", got '" + txt + "'");
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<double>(timegm(&tm));
}

Site::Site(const YNode& root, std::string scenario_path, std::uint64_t seed)
    : root_(root), scenario_path_(std::move(scenario_path)), seed_(seed) {
  if (const YNode* st = root_.get("start"))
    start_epoch_ = parse_start(*st);
  else
    start_epoch_ = 1764086400.0;  // 2025-11-25T16:00Z: a fixed default, never the host clock
}

Site::~Site() = default;

std::string firmware_dir() {
  if (const char* e = std::getenv("LMSIM_FIRMWARE_DIR"); e && *e) return e;
  return LMSIM_DEFAULT_FIRMWARE_DIR;
}

std::string Site::resolve_path(const std::string& p) const {
  namespace fs = std::filesystem;
  static const std::string kFw = "@firmware/";
  if (p.compare(0, kFw.size(), kFw) == 0) return (fs::path(firmware_dir()) / p.substr(kFw.size())).string();
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(scenario_path_).parent_path() / p).lexically_normal().string();
}

double Site::time_of_day(Time t) const {
  double secs = start_epoch_ + time_to_seconds(t);
  return std::fmod(secs, 86400.0);
}

void Site::run_start_hooks() {
  for (auto& f : start_hooks_) f();
  start_hooks_.clear();
}

void Site::report_fault(std::string source, std::string message) {
  Fault f{reg_.now(), std::move(source), std::move(message)};
  log(LogLevel::Error, f.source, f.message);
  faults_.push_back(std::move(f));
  sc_core::sc_stop();
}

void Site::log(LogLevel lvl, std::string_view source, std::string_view msg) {
  static const char* names[] = {"debug", "info", "warn", "error"};
  // Built by appending: GCC 12 at -O3 reports a false -Wrestrict for `"[" + std::string`
  // (GCC bug 105329).
  std::string line;
  line.append("[").append(format_time(reg_.now())).append("] ").append(names[static_cast<int>(lvl)]).append(" ");
  line.append(source).append(": ").append(msg);
  if (echo_) std::cerr << line << "\n";
  log_.push_back(std::move(line));
}

}  // namespace lmsim
