// Weidmueller AC SMART / "AC Wallbox Business" (behaviours.md ST-05; chargers.md §4, low
// confidence). u32 values low word first. Volatile current limit 11052 (A, 0 = disabled); the
// LCM timeout 11050 is a u32 ms countdown that the master rewrites (A21: 90 000 ms every 10 s);
// fall-back 11054 (reported as not applied: the budget must not rely on it). Car state 301 is
// ASCII in the low byte; currents 406..411 (u32 mA). Register 702 is the non-volatile user limit
// and is never written by this driver.
#include "app/stations/profile.h"

namespace lmc::stations {
namespace {

void decode(const Profile&, int block, const std::uint16_t* r, Reading& out) {
  if (block == 0) {
    out.have_state = true;
    out.state = iec_from_letter(r[0]);
    return;
  }
  out.currents = 0x7;
  for (int p = 0; p < lm::kPhases; ++p) {
    const std::uint32_t ma = get_u32(r + 2 * p, Format::U32LoHi);
    out.current_ma[p] = ma > 100000 ? -1 : static_cast<std::int32_t>(ma);
  }
}

Profile make() {
  Profile p;
  p.name = "weidmueller";
  p.unit = 255;
  p.single_client = false;
  p.setpoint_reg = 11052;
  p.setpoint_format = Format::U16;
  p.setpoint_per_a = 1;
  p.fallback_reg = 11054;
  p.timeout_reg = 11050;
  p.timeout_format = Format::U32LoHi;
  p.timeout_per_s = 1000;
  p.timeout_counts_down = true;
  p.heartbeat = Heartbeat::Countdown;
  p.poll[0] = {301, 1, false};
  p.poll[1] = {406, 6, false};
  p.n_poll = 2;
  p.decode = decode;
  p.rfid_hint = true;
  return p;
}

}  // namespace

const Profile& weidmueller_ac_smart() {
  static const Profile p = make();
  return p;
}

}  // namespace lmc::stations
