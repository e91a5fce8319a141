#include "drivers/power.h"

namespace drivers {

std::uint32_t Power::take_reset_cause() {
  std::uint32_t c = r(RESET_CAUSE);
  r(RESET_CAUSE) = c;
  return c;
}

const char* Power::cause_name(std::uint32_t c) {
  // Later causes are more specific: a watchdog reset after power-on keeps both bits.
  if (c & LOCKUP) return "lockup";
  if (c & PIN) return "pin";
  if (c & SOFTWARE) return "software";
  if (c & WATCHDOG) return "watchdog";
  if (c & BROWN_OUT) return "brown-out";
  if (c & POWER_ON) return "power-on";
  return "none";
}

void Power::serial(char* out) const {
  for (std::uint32_t i = 0; i < 4; ++i) {
    std::uint32_t w = r(SERIAL0 + 4 * i);
    for (std::uint32_t b = 0; b < 4; ++b) out[4 * i + b] = static_cast<char>((w >> (8 * b)) & 0xFF);
  }
  out[16] = '\0';
}

std::uint64_t Power::uptime_us() const {
  std::uint32_t lo = r(UPTIME_LO);  // latches HI
  return (static_cast<std::uint64_t>(r(UPTIME_HI)) << 32) | lo;
}

}  // namespace drivers
