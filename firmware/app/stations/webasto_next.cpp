// Webasto NEXT / Ampure NEXT (behaviours.md ST-09, ST-10; chargers.md §3.1, "Modbus Specification
// Webasto NEXT" rev 3.00): the TQ-DM100 layout on unit 255. Holding 1000 charge point state,
// 1008/1010/1012 currents (u16 mA, not contiguous: one read each), 2000 safeCurrent (A), 2002
// comTimeout (s), 5004 charge current (A, 0 = pause), 6000 life bit: the energy manager writes 1
// every half comTimeout and the NEXT clears it (the driver writes it every min(10 s, 2002 / 2):
// A21). Only one Modbus TCP client at a time: one persistent connection (ST-10).
#include "app/stations/profile.h"

namespace lmc::stations {
namespace {

// §3.1 register 1000 (with the Live document's full list of codes, §3).
lm::Iec next_state(std::uint16_t v) {
  switch (v) {
    case 0: return lm::Iec::A;  // no vehicle (available / unavailable)
    case 1:                     // attached, no permission (preparing)
    case 2:                     // authorised
    case 4:                     // paused (suspended EVSE / EV, finishing)
    case 5:                     // charge successful, car attached
    case 6:                     // stopped by user, car attached
    case 9: return lm::Iec::B;  // user not authorised, car attached
    case 3: return lm::Iec::C;  // charging
    case 7: return lm::Iec::F;  // charging error
    case 8: return lm::Iec::A;  // reserved
    default: return lm::Iec::Unknown;
  }
}

}  // namespace

const Profile& webasto_next() {
  static const Profile p = tq_dm100_profile("webasto_next", tq_dm100_decode<next_state>, false);
  return p;
}

}  // namespace lmc::stations
