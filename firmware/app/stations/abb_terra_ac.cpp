// ABB Terra AC wallbox (behaviours.md ST-02; chargers.md §1, ABB TAC Modbus Communication v1.11).
// u32 values high word first; set-point 0x4100 in mA by FC 16 only; timeout 0x4106 (s), fall-back
// 0x4109 (A), read back at 0x4020 / 0x4022 / 0x4024. Any read feeds the watchdog, so the
// every-cycle poll is the heartbeat. One poll of 0x400C..0x4025 (26 registers, all listed in the
// map) brings state, currents and the three read-backs: a station that rebooted and reads back
// fall-back 256 / limit 32 A (the reboot quirk, §1.4) is noticed within one cycle.
#include "app/stations/profile.h"

namespace lmc::stations {
namespace {

constexpr std::uint16_t kPollBase = 0x400C;

void decode(const Profile&, int, const std::uint16_t* r, Reading& out) {
  // Charging state: bits 0-6 of the high byte of 0x400D (§1.3).
  const unsigned code = (r[1] >> 8) & 0x7F;
  out.have_state = true;
  switch (code) {
    case 0: out.state = lm::Iec::A; break;
    case 1:
    case 2:
    case 3: out.state = lm::Iec::B; break;
    case 4: out.state = lm::Iec::C; break;
    default: out.state = lm::Iec::B; break;  // 5 "other": session paused/stopped, EV still there
  }
  for (int p = 0; p < lm::kPhases; ++p) {
    const std::uint32_t ma = get_u32(r + (0x4010 - kPollBase) + 2 * p, Format::U32HiLo);
    out.current_ma[p] = ma > 100000 ? -1 : static_cast<std::int32_t>(ma);  // > 100 A: garbage
  }
  out.currents = 0x7;
  out.rb_timeout_s = r[0x4020 - kPollBase];
  out.rb_setpoint_ma = static_cast<std::int32_t>(get_u32(r + (0x4022 - kPollBase), Format::U32HiLo) & 0x7FFFFFFF);
  out.rb_fallback_a = r[0x4024 - kPollBase];
}

Profile make() {
  Profile p;
  p.name = "abb_terra_ac";
  p.unit = 1;
  p.single_client = true;
  p.setpoint_reg = 0x4100;
  p.setpoint_format = Format::U32HiLo;
  p.setpoint_per_a = 1000;
  p.setpoint_fc16 = true;
  p.fallback_reg = 0x4109;
  p.fallback_rb_reg = 0x4024;
  p.timeout_reg = 0x4106;
  p.timeout_rb_reg = 0x4020;
  p.heartbeat = Heartbeat::AnyRead;
  p.poll[0] = {kPollBase, 26, false};
  p.n_poll = 1;
  p.decode = decode;
  p.check = Check::AbbFirmware;
  return p;
}

}  // namespace

const Profile& abb_terra_ac() {
  static const Profile p = make();
  return p;
}

}  // namespace lmc::stations
