#include "drivers/watchdog.h"

namespace drivers {

void Watchdog::start(std::uint32_t timeout_ms, std::uint32_t warn_ms) {
  r(LOAD) = ms_to_ticks(timeout_ms);
  r(EWARN) = ms_to_ticks(warn_ms);
  r(STATUS) = EWF | BADKEY;
  r(CTRL) = CTRL_EN | (warn_ms ? CTRL_EWIE : 0u);
}

}  // namespace drivers
