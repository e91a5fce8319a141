// Webasto Live (behaviours.md ST-04; chargers.md §3): a Bender/ebee box whose register set is
// chosen in its web UI. "Ebee" = the MENNEKES ECU map (mennekes_amtron.cpp) without the DLM
// check; "TQ-DM100" = the layout Webasto NEXT also uses (§3.1): state 1000, currents 1008/1010/
// 1012 (u16 mA, not contiguous: read one by one), safeCurrent 2000 (A), comTimeout 2002 (s),
// current 5004 (A), life bit 6000 (master writes 1, the station clears it; A21: every 10 s).
#include "app/stations/profile.h"

namespace lmc::stations {

namespace {

void decode_tq(const Profile&, int block, const std::uint16_t* r, Reading& out) {
  if (block == 0) {
    out.have_state = true;
    switch (r[0]) {
      case 0: out.state = lm::Iec::A; break;
      case 3: out.state = lm::Iec::C; break;
      case 7: out.state = lm::Iec::F; break;   // charging error
      default: out.state = lm::Iec::B; break;  // attached, authorised, paused, finished, ...
    }
    return;
  }
  out.currents = static_cast<std::uint8_t>(1u << (block - 1));
  out.current_ma[block - 1] = r[0];
}

Profile make_tq() {
  Profile p;
  p.name = "webasto_tq";
  p.unit = 255;
  p.single_client = true;  // NEXT: one client (§3.1); harmless for the Live
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
  p.decode = decode_tq;
  return p;
}

Profile make_ebee() {
  Profile p = ecu_profile("webasto_ebee");
  p.check = Check::None;  // the DLM role is a MENNEKES set-up step (ST-03)
  return p;
}

}  // namespace

const Profile& webasto_live_ebee() {
  static const Profile p = make_ebee();
  return p;
}

const Profile& webasto_tq_dm100() {
  static const Profile p = make_tq();
  return p;
}

}  // namespace lmc::stations
