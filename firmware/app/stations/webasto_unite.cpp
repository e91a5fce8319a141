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

void decode(const Profile&, int block, const std::uint16_t* r, Reading& out) {
  if (block == 0) {
    out.have_state = true;
    out.state = unite_state(r[0]);
    return;
  }
  out.currents = static_cast<std::uint8_t>(1u << (block - 1));
  out.current_ma[block - 1] = r[0];
}

Profile make() {
  Profile p;
  p.name = "webasto_unite";
  p.unit = 255;
  p.single_client = true;
  p.setpoint_reg = 5004;
  p.setpoint_format = Format::U16;
  p.setpoint_per_a = 1;
  p.fallback_reg = 2000;
  p.timeout_reg = 2002;
  p.heartbeat = Heartbeat::LifeBit;
  p.heartbeat_reg = 6000;
  p.poll[0] = {1000, 1, true};
  p.poll[1] = {1008, 1, true};
  p.poll[2] = {1010, 1, true};
  p.poll[3] = {1012, 1, true};
  p.n_poll = 4;
  p.decode = decode;
  p.zero_needs_car = true;
  return p;
}

}  // namespace

const Profile& webasto_unite() {
  static const Profile p = make();
  return p;
}

}  // namespace lmc::stations
