#include "sim/timeline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace lmsim {

Time parse_at(const YNode& n, const Site& site) {
  const std::string& s = n.scalar();
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {  // ISO 8601 date and time, UTC like `start:`
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    int got = std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
    if (got < 5 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
      n.fail("expected a date and time like \"2026-11-25T18:00\", got '" + s + "'");
    std::tm tm{};
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
    double off = static_cast<double>(timegm(&tm)) - site.start_epoch();
    if (off < 0) n.fail("'" + s + "' is before the scenario's start");
    if (off > time_to_seconds(kMaxTime)) n.fail("'" + s + "' is more than 100 days after the scenario's start");
    return seconds_to_time(off);
  }
  if (s.find(':') != std::string::npos) {
    int h = 0, m = 0, sec = 0;
    int got = std::sscanf(s.c_str(), "%d:%d:%d", &h, &m, &sec);
    if (got < 2 || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59)
      n.fail("expected a clock time like \"18:20\" or a duration like 90s, got '" + s + "'");
    double tod = h * 3600.0 + m * 60.0 + sec;
    double start_tod = site.time_of_day(0);
    double d = tod - start_tod;
    if (d < 0) d += 86400.0;
    return seconds_to_time(d);
  }
  return n.duration();
}

Timeline::Timeline(sc_core::sc_module_name n, Site& site, const YNode* tl) : sc_module(n), site_(site) {
  SC_HAS_PROCESS(Timeline);
  SC_METHOD(fire);
  sensitive << ev_;
  dont_initialize();
  if (!tl) return;
  Time prev = 0;
  for (const auto& e : tl->items()) {
    if (!e.is_map()) e.fail("a timeline entry is a map such as {at: 10s, set: {name: value}}");
    Entry en;
    en.origin = e.file() + ":" + std::to_string(e.line());
    const YNode* at = e.get("at");
    const YNode* after = e.get("after");
    if (at && after) e.fail("use either 'at' or 'after', not both");
    if (at)
      en.at = parse_at(*at, site);
    else if (after)
      en.at = prev + after->duration();
    else
      e.fail("a timeline entry needs 'at' or 'after'");
    if (const YNode* set = e.get("set")) {
      if (!set->is_map()) set->fail("expected a map of signal: value");
      for (const auto& [k, v] : set->entries()) {
        std::string val = v.is_scalar() ? v.scalar() : "";
        if (!v.is_scalar()) v.fail("expected a single value");
        try {
          site.registry().check_write(k, val);
        } catch (const SignalError& err) {
          v.fail(err.what());
        }
        en.sets.emplace_back(k, val);
      }
      (void)set->keys();
    }
    if (const YNode* l = e.get("log")) en.log = l->scalar();
    if (en.sets.empty() && en.log.empty()) e.fail("a timeline entry needs 'set' or 'log'");
    e.finish();
    prev = en.at;
    entries_.push_back(std::move(en));
  }
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.at < b.at; });
  arm();
}

void Timeline::add_at_start(const std::string& name, const std::string& value, const std::string& origin) {
  try {
    site_.registry().check_write(name, value);
  } catch (const SignalError& err) {
    throw InputError(origin + ": " + err.what());
  }
  Entry en;
  en.at = 0;
  en.sets.emplace_back(name, value);
  en.origin = origin;
  entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(next_), std::move(en));
  arm();
}

void Timeline::arm() {
  if (next_ >= entries_.size()) return;
  Time now = static_cast<Time>(sc_core::sc_time_stamp().value());
  Time t = entries_[next_].at;
  ev_.cancel();
  ev_.notify(sc_core::sc_time::from_value(t > now ? t - now : 0));
}

void Timeline::fire() {
  Time now = static_cast<Time>(sc_core::sc_time_stamp().value());
  while (next_ < entries_.size() && entries_[next_].at <= now) {
    const Entry& e = entries_[next_++];
    for (const auto& [k, v] : e.sets) {
      site_.registry().write(k, v);
      site_.log(LogLevel::Info, "timeline", k + " = " + v);
    }
    if (!e.log.empty()) site_.log(LogLevel::Info, "timeline", e.log);
  }
  arm();
}

}  // namespace lmsim
