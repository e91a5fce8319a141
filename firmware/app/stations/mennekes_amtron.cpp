// MENNEKES AMTRON Professional(+) with the ECU (Bender CC612/613) controller (behaviours.md ST-03;
// chargers.md §2.1, ECU Modbus TCP server spec rev 1.07). Holding registers, 32-bit values high
// word first. HEMS current 1000 (A, 0 = pause), SAFE_CURRENT 131 (A), COMM_TIMEOUT 132 (s); no
// heartbeat register: any request feeds the watchdog. CP state 122 (A=1..E=5); currents
// 212/214/216 in mA, 0xFFFFFFFF = not available. DLM_MODE 600 must be 1 (checked at connect).
#include "app/stations/profile.h"

namespace lmc::stations {
namespace {

void decode(const Profile&, int block, const std::uint16_t* r, Reading& out) {
  if (block == 0) {
    out.have_state = true;
    out.state = iec_from_index(r[0]);
    return;
  }
  out.currents = 0x7;
  for (int p = 0; p < lm::kPhases; ++p) {
    const std::uint32_t ma = get_u32(r + 2 * p, Format::U32HiLo);
    // 0xFFFFFFFF: no meter (or a transient gap, chargers.md §2.1): unknown, not zero.
    out.current_ma[p] = ma > 100000 ? -1 : static_cast<std::int32_t>(ma);
  }
}

}  // namespace

Profile ecu_profile(const char* name) {
  Profile p;
  p.name = name;
  p.unit = 1;  // any unit id is answered
  p.single_client = false;
  p.setpoint_reg = 1000;
  p.setpoint_format = Format::U16;
  p.setpoint_per_a = 1;
  p.fallback_reg = 131;
  p.timeout_reg = 132;
  p.heartbeat = Heartbeat::AnyRead;
  p.poll[0] = {122, 1, false};
  p.poll[1] = {212, 6, false};
  p.n_poll = 2;
  p.decode = decode;
  p.check = Check::EcuDlmMode;
  return p;
}

const Profile& mennekes_amtron() {
  static const Profile p = ecu_profile("mennekes_amtron");
  return p;
}

}  // namespace lmc::stations
