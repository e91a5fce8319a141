// The vendor table (settings driver -> Profile) and the decoding helpers of profile.h.
#include "app/stations/profile.h"

namespace lmc::stations {

int words(Format f) {
  return f == Format::U16 ? 1 : 2;
}

std::uint32_t get_u32(const std::uint16_t* regs, Format f) {
  const bool lo_first = f == Format::U32LoHi || f == Format::F32LoHi;
  const std::uint32_t hi = lo_first ? regs[1] : regs[0];
  const std::uint32_t lo = lo_first ? regs[0] : regs[1];
  return (hi << 16) | lo;
}

lm::Iec iec_from_letter(std::uint16_t ascii) {
  const unsigned c = ascii & 0xFF;
  if (c >= 'A' && c <= 'F') return static_cast<lm::Iec>(static_cast<int>(lm::Iec::A) + static_cast<int>(c - 'A'));
  return lm::Iec::Unknown;
}

lm::Iec iec_from_index(std::uint16_t v) {
  if (v >= 1 && v <= 6) return static_cast<lm::Iec>(static_cast<int>(lm::Iec::A) + v - 1);
  return lm::Iec::Unknown;
}

bool profile_for(const settings::Settings& s, int i, Profile& out, const char** why) {
  using settings::Driver;
  if (why) *why = "no_modbus_driver";
  switch (static_cast<Driver>(s.station(i, settings::Field::Driver))) {
    case Driver::AbbTerraAc: out = abb_terra_ac(); break;
    case Driver::MennekesAmtron: out = mennekes_amtron(); break;
    case Driver::WebastoEbee: out = webasto_live_ebee(); break;
    case Driver::WebastoTq: out = webasto_tq_dm100(); break;
    case Driver::Weidmueller: out = weidmueller_ac_smart(); break;
    case Driver::WebastoNext: out = webasto_next(); break;
    case Driver::WebastoUnite: out = webasto_unite(); break;
    case Driver::Zaptec: out = zaptec(); break;
    case Driver::Generic:
      if (!generic_profile(s, i, out, why)) return false;
      break;
    default: return false;
  }
  out.unit = static_cast<std::uint8_t>(s.station_unit_id(i));
  return true;
}

}  // namespace lmc::stations
