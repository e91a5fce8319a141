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

void decode(const Profile&, int block, const std::uint16_t* r, Reading& out) {
  if (block == 0) {
    out.have_state = true;
    out.state = next_state(r[0]);
    return;
  }
  out.currents = static_cast<std::uint8_t>(1u << (block - 1));
  out.current_ma[block - 1] = r[0];
}

Profile make() {
  Profile p;
  p.name = "webasto_next";
  p.unit = 255;
  p.single_client = true;
  p.setpoint_reg = 5004;
  p.setpoint_format = Format::U16;
  p.setpoint_per_a = 1;
  p.fallback_reg = 2000;
  p.timeout_reg = 2002;
  p.heartbeat = Heartbeat::LifeBit;
  p.heartbeat_reg = 6000;
  p.poll[0] = {1000, 1, false};
  p.poll[1] = {1008, 1, false};
  p.poll[2] = {1010, 1, false};
  p.poll[3] = {1012, 1, false};
  p.n_poll = 4;
  p.decode = decode;
  return p;
}

}  // namespace

const Profile& webasto_next() {
  static const Profile p = make();
  return p;
}

}  // namespace lmc::stations
