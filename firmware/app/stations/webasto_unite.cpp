// Webasto / Ampure Unite = Vestel EVC04 (behaviours.md ST-09, ST-10; chargers.md §3.2): unit 255,
// identity and telemetry in input registers (FC 4), control in holding registers. IR 1000
// chargepoint state (OCPP-like 0..8), IR 1008/1010/1012 currents (u16 mA, not contiguous), HR
// 2000 failsafe current (A), HR 2002 failsafe timeout (s), HR 5004 charging current (A), HR 6000
// alive: the master writes 1, the EVSE resets it every timeout / 2 (driver: every min(10 s,
// 2002 / 2), A21). One master connection; on a missed alive the box drops the socket and
// refuses new ones for the timeout (the driver's reconnect retries every 5 s).
// Quirks (§3.2): 5004 reads back 6 after 0 is written, so 5004 is never read back; and 0
// written while no car is connected becomes 6 A: the driver writes 0 again when a car appears.
#include "app/stations/profile.h"

namespace lmc::stations {
namespace {

// §3.2 IR 1000: 0 Available, 1 Preparing, 2 Charging, 3 SuspendedEVSE, 4 SuspendedEV,
// 5 Finishing, 6 Reserved, 7 Unavailable, 8 Faulted.
lm::Iec unite_state(std::uint16_t v) {
  switch (v) {
    case 0:
    case 6: return lm::Iec::A;
    case 1:
    case 3:
    case 4:
    case 5: return lm::Iec::B;
    case 2: return lm::Iec::C;
    case 7: return lm::Iec::E;
    case 8: return lm::Iec::F;
    default: return lm::Iec::Unknown;
  }
}

Profile make() {
  Profile p = tq_dm100_profile("webasto_unite", tq_dm100_decode<unite_state>, true);
  p.zero_needs_car = true;
  return p;
}

}  // namespace

const Profile& webasto_unite() {
  static const Profile p = make();
  return p;
}

}  // namespace lmc::stations
