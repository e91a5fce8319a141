// Time as the application sees it: the monotonic millisecond clock since boot, and calendar
// time (UTC) once something trustworthy has set it (the NTP client, part 3). Until then
// utc_known() is false: nothing may stamp records with a guessed date.
#pragma once
#include <cstdint>

#include "app/ports.h"

namespace lmc {

class Time {
 public:
  explicit Time(const Clock& clock) : clock_(&clock) {}
  std::uint64_t ms() const { return clock_->now_ms(); }
  // Sets calendar time: unix_ms is the UTC time (ms since 1970) at this very moment.
  void set_utc(std::int64_t unix_ms) {
    offset_ms_ = unix_ms - static_cast<std::int64_t>(ms());
    known_ = true;
  }
  bool utc_known() const { return known_; }
  // UTC in ms since 1970; 0 while unknown.
  std::int64_t utc_ms() const { return known_ ? offset_ms_ + static_cast<std::int64_t>(ms()) : 0; }

 private:
  const Clock* clock_;
  std::int64_t offset_ms_ = 0;
  bool known_ = false;
};

}  // namespace lmc
