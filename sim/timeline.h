// The scenario's timeline: knob writes (and log marks) at absolute or relative times.
//   timeline:
//     - {at: 90s, set: {site.ripple.mode: blocked}}
//     - {at: "18:20", set: {net.wifi.link: false}}     # clock time, from the scenario `start`
//     - {after: 10s, set: {site.load.oven.on: true}}   # relative to the previous entry
//     - {at: 2h, log: "evening peak"}
#pragma once
#include <string>
#include <vector>

#include <systemc>

#include "sim/site.h"

namespace lmsim {

class Timeline : public sc_core::sc_module {
 public:
  struct Entry {
    Time at = 0;
    std::vector<std::pair<std::string, std::string>> sets;  // name, value text
    std::string log;
    std::string origin;
  };
  // Validates every entry against the registry (names, knob, types, units) with file:line.
  Timeline(sc_core::sc_module_name n, Site& site, const YNode* timeline);
  // Adds writes at time 0 (CLI --set overrides of knobs); validated like timeline entries.
  void add_at_start(const std::string& name, const std::string& value, const std::string& origin);
  std::size_t size() const { return entries_.size(); }
  std::size_t applied() const { return next_; }

 private:
  void fire();
  void arm();
  Site& site_;
  std::vector<Entry> entries_;
  std::size_t next_ = 0;
  sc_core::sc_event ev_;
};

// Parses a point in time (timeline `at:`, assertion `from:`/`until:`): a duration from the start
// ("90s", "3h10min", "PT3H10M"), a clock time "HH:MM[:SS]" (the first such time at or after the
// scenario start) or an ISO 8601 date and time "2026-11-25T18:00[:SS]" (UTC, as `start:`).
Time parse_at(const YNode& n, const Site& site);

}  // namespace lmsim
