// A station vendor as the driver sees it (behaviours.md ST-01..ST-05, ST-09, ST-14;
// shared/reference/chargers.md): where the set-point, the fall-back current and the
// communication timeout live, how the station is kept alive, which registers are polled every
// cycle and how they decode. One Profile per vendor file (abb_terra_ac.cpp, ...); the generic
// driver builds its Profile from the station's settings (ST-01). Plain data plus one decode
// function, so that 50 drivers need no heap and no virtual dispatch.
#pragma once
#include <cstdint>

#include "app/lm/allocator.h"
#include "app/settings/settings.h"

namespace lmc::stations {

inline constexpr std::uint16_t kNoReg = 0xFFFF;
inline constexpr int kMaxPoll = 4;

// Encoding of a value in one or two registers.
enum class Format : std::uint8_t { U16, U32HiLo, U32LoHi, F32HiLo, F32LoHi };
int words(Format f);

// How the station's communication watchdog is fed (ST-09).
enum class Heartbeat : std::uint8_t {
  AnyRead,    // any read resets it (ABB; the ECU counts any request)
  LifeBit,    // write 1 to hb_reg; the station clears it (TQ-DM100 6000)
  Countdown,  // the timeout register counts down and is rewritten (Weidmueller 11050)
  Register,   // generic: write 1 to hb_reg every period
};

// Vendor set-up checks (ST-02, ST-03, ST-05) run at connect.
enum class Check : std::uint8_t { None, AbbFirmware, EcuDlmMode };

// One register run read every cycle.
struct Block {
  std::uint16_t addr = 0;
  std::uint16_t count = 0;
  bool input = false;  // FC 4 instead of FC 3
};

// What one cycle's poll found. Fields not in this vendor's poll keep their "unknown" value.
struct Reading {
  bool have_state = false;
  lm::Iec state = lm::Iec::Unknown;
  std::uint8_t currents = 0;  // bit p: current_ma[p] was read (-1 there = the station has none)
  std::int32_t current_ma[lm::kPhases] = {0, 0, 0};
  // Read-backs that this vendor serves inside the polled block (ABB 0x4020..0x4024): -1 = none.
  std::int32_t rb_timeout_s = -1;
  std::int32_t rb_fallback_a = -1;
  std::int32_t rb_setpoint_ma = -1;
};

struct Profile;
using Decode = void (*)(const Profile& p, int block, const std::uint16_t* regs, Reading& r);

struct Profile {
  const char* name = "";
  std::uint8_t unit = 1;
  bool single_client = false;  // ST-10: one persistent connection
  // Set-point register: value = amperes × setpoint_per_a (0 = pause, LM-04).
  std::uint16_t setpoint_reg = kNoReg;
  Format setpoint_format = Format::U16;
  std::int32_t setpoint_per_a = 1;
  bool setpoint_fc16 = true;  // ABB accepts 0x4100 only with FC 16
  // Fall-back current (A, u16) and its read-back (ST-09); kNoReg = the station has none.
  std::uint16_t fallback_reg = kNoReg;
  std::uint16_t fallback_rb_reg = kNoReg;  // kNoReg: read fallback_reg back
  // Communication timeout: value = seconds × timeout_per_s.
  std::uint16_t timeout_reg = kNoReg;
  std::uint16_t timeout_rb_reg = kNoReg;
  Format timeout_format = Format::U16;
  std::int32_t timeout_per_s = 1;
  bool timeout_counts_down = false;  // the read-back is what is left (Weidmueller)
  Heartbeat heartbeat = Heartbeat::AnyRead;
  std::uint16_t heartbeat_reg = kNoReg;
  std::uint32_t heartbeat_ms = 10000;  // A21: heartbeat period <= 10 s
  Block poll[kMaxPoll] = {};
  int n_poll = 0;
  Decode decode = nullptr;
  Check check = Check::None;
  // ST-05: a car left in state B without ever charging hints at RFID still enabled (DIP 10).
  bool rfid_hint = false;
  // Generic driver (ST-01): where its state and currents are.
  std::uint16_t state_reg = kNoReg;
  std::uint16_t currents_reg = kNoReg;
  // Unite (chargers.md §3.2): 0 written while no car is connected becomes 6 A. The driver
  // writes 0 again as soon as a car is seen, before the EV can start (it reacts in >= 1 s).
  bool zero_needs_car = false;
  // Cloud-controlled (Zaptec, ST-06): no Modbus; zaptec.h feeds state and currents, and the
  // load management treats it as a slow actuator (LM-13, A34).
  bool cloud = false;
};

// The built-in vendors (one file each).
const Profile& abb_terra_ac();
const Profile& mennekes_amtron();
const Profile& webasto_live_ebee();
const Profile& webasto_tq_dm100();  // Webasto Live (TQ-DM100 set) and Webasto NEXT
const Profile& weidmueller_ac_smart();
const Profile& webasto_next();   // chargers.md §3.1 (TQ-DM100 layout, one client)
const Profile& webasto_unite();  // chargers.md §3.2 (Vestel EVC04, input-register telemetry)
const Profile& zaptec();         // chargers.md §5: cloud only (zaptec.h)
// ST-01: a Profile from station i's reg.* settings. False (with *why set) when the map is
// incomplete (no set-point register).
// The ECU map (MENNEKES AMTRON, Webasto Live "Ebee" set) under a driver name.
Profile ecu_profile(const char* name);
bool generic_profile(const settings::Settings& s, int i, Profile& out, const char** why);
// The TQ-DM100 layout (chargers.md §3, §3.1, §3.2) under a driver name: Webasto Live's TQ set,
// NEXT and Unite. Unit 255, one client; holding 5004 current (A, 0 = pause), 2000 safe current
// (A), 2002 timeout (s), 6000 life bit; polls 1000 state and 1008/1010/1012 currents (u16 mA, not
// contiguous: one read each), from input registers on the Unite. Only the state codes differ.
Profile tq_dm100_profile(const char* name, Decode decode, bool input_registers);
template <lm::Iec (*State)(std::uint16_t)>
void tq_dm100_decode(const Profile&, int block, const std::uint16_t* r, Reading& out) {
  if (block == 0) {
    out.have_state = true;
    out.state = State(r[0]);
    return;
  }
  out.currents = static_cast<std::uint8_t>(1u << (block - 1));
  out.current_ma[block - 1] = r[0];
}

// The Profile of station i's driver, with its unit id (settings or the driver's default).
// False for drivers without a profile (none, easee) or a bad generic map. Zaptec's profile is a
// cloud one (Profile::cloud): no IP, no Modbus.
bool profile_for(const settings::Settings& s, int i, Profile& out, const char** why);

// Decoding helpers shared by the vendor files.
std::uint32_t get_u32(const std::uint16_t* regs, Format f);
lm::Iec iec_from_letter(std::uint16_t ascii);  // 'A'..'F' in the low byte
lm::Iec iec_from_index(std::uint16_t v);       // 1 = A .. 6 = F

}  // namespace lmc::stations
