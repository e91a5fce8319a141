// The generic Modbus driver (behaviours.md ST-01): the register map comes from the station's
// settings (reg.setpoint, reg.scale, reg.format, reg.fallback, reg.timeout, reg.heartbeat,
// reg.heartbeat_period, reg.currents, reg.state). Conventions where the schema has no field:
// fall-back (A) and timeout (s) are u16; the state register holds 1 = A .. 6 = F; the three
// phase currents are consecutive u16 registers in 0.1 A (the simulated generic station's map,
// docs/stations.md).
#include "app/stations/profile.h"

namespace lmc::stations {
namespace {

void decode(const Profile& p, int block, const std::uint16_t* r, Reading& out) {
  const Block& b = p.poll[block];
  if (b.addr == p.state_reg && b.count == 1) {
    out.have_state = true;
    out.state = iec_from_index(r[0]);
    return;
  }
  out.currents = 0x7;
  for (int i = 0; i < lm::kPhases; ++i) out.current_ma[i] = r[i] * 100;
}

}  // namespace

bool generic_profile(const settings::Settings& s, int i, Profile& p, const char** why) {
  using settings::Field;
  p = Profile{};
  p.name = "generic";
  if (!s.station_is_set(i, Field::RegSetpoint)) {
    if (why) *why = "reg.setpoint_missing";
    return false;
  }
  p.setpoint_reg = static_cast<std::uint16_t>(s.station(i, Field::RegSetpoint));
  p.setpoint_per_a = s.station(i, Field::RegScale);
  p.setpoint_format = static_cast<Format>(s.station(i, Field::RegFormat));
  p.setpoint_fc16 = true;
  if (s.station_is_set(i, Field::RegFallback))
    p.fallback_reg = static_cast<std::uint16_t>(s.station(i, Field::RegFallback));
  if (s.station_is_set(i, Field::RegTimeout))
    p.timeout_reg = static_cast<std::uint16_t>(s.station(i, Field::RegTimeout));
  if (s.station_is_set(i, Field::RegHeartbeat)) {
    p.heartbeat = Heartbeat::Register;
    p.heartbeat_reg = static_cast<std::uint16_t>(s.station(i, Field::RegHeartbeat));
    p.heartbeat_ms = static_cast<std::uint32_t>(s.station(i, Field::RegHeartbeatPeriod)) * 1000u;
  }
  if (s.station_is_set(i, Field::RegState)) {
    p.state_reg = static_cast<std::uint16_t>(s.station(i, Field::RegState));
    p.poll[p.n_poll++] = {p.state_reg, 1, false};
  }
  if (s.station_is_set(i, Field::RegCurrents)) {
    p.currents_reg = static_cast<std::uint16_t>(s.station(i, Field::RegCurrents));
    p.poll[p.n_poll++] = {p.currents_reg, 3, false};
  }
  p.decode = decode;
  return true;
}

}  // namespace lmc::stations
