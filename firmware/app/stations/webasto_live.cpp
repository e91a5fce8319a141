// Webasto Live (behaviours.md ST-04; chargers.md §3): a Bender/ebee box whose register set is
// chosen in its web UI. "Ebee" = the MENNEKES ECU map (mennekes_amtron.cpp) without the DLM
// check; "TQ-DM100" = the layout Webasto NEXT also uses (§3.1): state 1000, currents 1008/1010/
// 1012 (u16 mA, not contiguous: read one by one), safeCurrent 2000 (A), comTimeout 2002 (s),
// current 5004 (A), life bit 6000 (master writes 1, the station clears it; A21: every 10 s).
#include "app/stations/profile.h"

namespace lmc::stations {

namespace {

lm::Iec tq_state(std::uint16_t v) {
  switch (v) {
    case 0: return lm::Iec::A;
    case 3: return lm::Iec::C;
    case 7: return lm::Iec::F;   // charging error
    default: return lm::Iec::B;  // attached, authorised, paused, finished, ...
  }
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
  static const Profile p = tq_dm100_profile("webasto_tq", tq_dm100_decode<tq_state>, false);
  return p;
}

Profile tq_dm100_profile(const char* name, Decode decode, bool input_registers) {
  Profile p;
  p.name = name;
  p.unit = 255;
  p.single_client = true;  // NEXT, Unite: one client (§3.1, §3.2); harmless for the Live
  p.setpoint_reg = 5004;
  p.setpoint_format = Format::U16;
  p.setpoint_per_a = 1;
  p.fallback_reg = 2000;
  p.timeout_reg = 2002;
  p.heartbeat = Heartbeat::LifeBit;
  p.heartbeat_reg = 6000;
  p.poll[0] = {1000, 1, input_registers};
  p.poll[1] = {1008, 1, input_registers};
  p.poll[2] = {1010, 1, input_registers};
  p.poll[3] = {1012, 1, input_registers};
  p.n_poll = 4;
  p.decode = decode;
  return p;
}

}  // namespace lmc::stations
