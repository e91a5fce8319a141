#include "app/settings/schema.h"

#include <cstring>

namespace lmc::settings {
namespace {

constexpr std::uint8_t P = kPersisted;
constexpr std::uint8_t D = kHasDefault | kPersisted;
constexpr std::uint8_t O = kOptional | kPersisted;
constexpr std::uint8_t LM = kInstaller | kCloud | kProvisioning;  // LM settings: UI, portal push
constexpr std::uint8_t EXT = kRest | kModbus | kProvisioning;     // shared control state (MB-05)
constexpr std::uint8_t VENDOR = kCloud | kProvisioning;           // features the vendor enables
constexpr std::uint8_t NET = kInstaller | kProvisioning;
constexpr std::int32_t kIpMin = 0, kIpMax = -1;  // any address (range not checked for Ip)

// Order must match enum Id.
constexpr Def kGlobal[] = {
    {"lm.fuse", 1, Type::Int, "A", 0, 1, 4000, 0, P, LM, nullptr},
    {"lm.margin", 2, Type::Int, "A", 1, 0, 10000, 0, O, LM, nullptr},
    {"lm.limit_l1", 3, Type::Int, "A", 1, 0, 40000, 0, O, LM, nullptr},
    {"lm.limit_l2", 4, Type::Int, "A", 1, 0, 40000, 0, O, LM, nullptr},
    {"lm.limit_l3", 5, Type::Int, "A", 1, 0, 40000, 0, O, LM, nullptr},
    {"lm.max_power", 6, Type::Int, "kW", 2, 1, 1000000, 0, O, LM, nullptr},
    {"lm.unbalance_limit", 7, Type::Int, "A", 0, 1, 4000, 0, O, LM, nullptr},
    {"meter.sensor", 8, Type::Enum, "", 0, 0, 1, 0, D, LM, "ct|rogowski"},
    {"ripple.mapping", 9, Type::Enum, "", 0, 0, 1, 0, D, LM, "nc|no"},
    {"ripple.mode", 10, Type::Enum, "", 0, 0, 1, 0, D, LM, "blocked|reduced"},
    {"ripple.reduced_power", 11, Type::Int, "kW", 2, 0, 100000, 420, D, LM, nullptr},
    {"ext.active", 12, Type::Bool, "", 0, 0, 1, 0, D, EXT, nullptr},
    {"ext.current_limit", 13, Type::Int, "A", 1, 0, 40000, 0, O, EXT, nullptr},
    {"ext.fallback_limit", 14, Type::Int, "A", 1, 0, 40000, 0, O, EXT, nullptr},
    {"ext.timeout", 15, Type::Int, "s", 0, 10, 3600, 120, D, VENDOR, nullptr},
    {"wifi.ssid", 16, Type::Text, "", 0, 0, 32, 0, D, NET, nullptr},
    {"wifi.password", 17, Type::Text, "", 0, 0, 64, 0, D | kSecret, NET, nullptr},
    {"net.static", 18, Type::Bool, "", 0, 0, 1, 0, D, NET, nullptr},
    {"net.ip", 19, Type::Ip, "", 0, kIpMin, kIpMax, 0, O, NET, nullptr},
    {"net.mask", 20, Type::Ip, "", 0, kIpMin, kIpMax, 0, O, NET, nullptr},
    {"net.gateway", 21, Type::Ip, "", 0, kIpMin, kIpMax, 0, O, NET, nullptr},
    {"net.dns", 22, Type::Ip, "", 0, kIpMin, kIpMax, 0, O, NET, nullptr},
    {"feature.modbus_server", 23, Type::Bool, "", 0, 0, 1, 0, D, VENDOR, nullptr},
    {"feature.modbus_write", 24, Type::Bool, "", 0, 0, 1, 0, D, VENDOR, nullptr},
    {"feature.rest_server", 25, Type::Bool, "", 0, 0, 1, 0, D, VENDOR, nullptr},
    {"feature.cascading", 26, Type::Bool, "", 0, 0, 1, 0, D, VENDOR, nullptr},
    {"cascade.master_ip", 27, Type::Ip, "", 0, kIpMin, kIpMax, 0, O, LM, nullptr},
    {"cloud.activated", 28, Type::Bool, "", 0, 0, 1, 0, D, VENDOR, nullptr},
    {"cloud.activation_code", 29, Type::Text, "", 0, 0, 32, 0, D | kSecret, kProvisioning, nullptr},
    {"cloud.ripple_mode", 30, Type::Enum, "", 0, 0, 2, 0, D, VENDOR, "normal|reduced|blocked"},
    {"cloud.ripple_until", 31, Type::Int, "s", 0, 0, 2147483647, 0, D, VENDOR, nullptr},
    {"config.timestamp", 32, Type::Int, "s", 0, 0, 2147483647, 0, D, LM | EXT, nullptr},
    {"sys.provision_crc", 33, Type::Int, "", 0, -2147483647 - 1, 2147483647, 0, D, 0, nullptr},
    {"zaptec.username", 60, Type::Text, "", 0, 0, 64, 0, D, NET, nullptr},
    {"zaptec.password", 61, Type::Text, "", 0, 0, 64, 0, D | kSecret, NET, nullptr},
};
static_assert(sizeof kGlobal / sizeof kGlobal[0] == kGlobalCount, "kGlobal must list every Id in order");

constexpr std::uint8_t ST = kInstaller | kCloud | kProvisioning;
// Order must match enum Field. Keys < 64 (a record key is 0x1000 + station * 64 + key).
constexpr Def kStation[] = {
    {"name", 1, Type::Text, "", 0, 0, 24, 0, D, ST, nullptr},
    {"driver", 2, Type::Enum, "", 0, 0, 10, 0, D, ST,
     "none|abb_terra_ac|mennekes_amtron|webasto_ebee|webasto_tq|weidmueller|generic|zaptec|easee|webasto_next|webasto_"
     "unite"},
    {"port", 4, Type::Int, "", 0, 1, 65535, 502, D, ST, nullptr},
    {"ip", 3, Type::Ip, "", 0, kIpMin, kIpMax, 0, O, ST, nullptr},
    {"unit_id", 5, Type::Int, "", 0, 0, 255, 0, O, ST, nullptr},
    {"rotation", 6, Type::Enum, "", 0, 0, 5, 0, D, ST, "L1-L2-L3|L2-L3-L1|L3-L1-L2|L1-L3-L2|L3-L2-L1|L2-L1-L3"},
    {"phases", 7, Type::Int, "", 0, 1, 3, 3, D, ST, nullptr},
    {"max_current", 9, Type::Int, "A", 1, 0, 320, 160, D, ST, nullptr},
    {"min_current", 8, Type::Int, "A", 1, 60, 320, 60, D, ST, nullptr},
    {"priority", 10, Type::Enum, "", 0, 0, 2, 1, D, ST, "low|normal|high"},
    {"fallback_current", 11, Type::Int, "A", 1, 0, 320, 60, D, ST, nullptr},
    {"timeout", 12, Type::Int, "s", 0, 10, 65535, 90, D, ST, nullptr},
    {"reg.setpoint", 13, Type::Int, "", 0, 0, 65535, 0, O, ST, nullptr},
    {"reg.scale", 14, Type::Int, "", 0, 1, 1000, 1, D, ST, nullptr},
    {"reg.format", 15, Type::Enum, "", 0, 0, 4, 0, D, ST, "u16|u32_hi_lo|u32_lo_hi|f32_hi_lo|f32_lo_hi"},
    {"reg.fallback", 16, Type::Int, "", 0, 0, 65535, 0, O, ST, nullptr},
    {"reg.timeout", 17, Type::Int, "", 0, 0, 65535, 0, O, ST, nullptr},
    {"reg.heartbeat", 18, Type::Int, "", 0, 0, 65535, 0, O, ST, nullptr},
    {"reg.heartbeat_period", 19, Type::Int, "s", 0, 1, 3600, 10, D, ST, nullptr},
    {"reg.currents", 20, Type::Int, "", 0, 0, 65535, 0, O, ST, nullptr},
    {"reg.state", 21, Type::Int, "", 0, 0, 65535, 0, O, ST, nullptr},
};
static_assert(sizeof kStation / sizeof kStation[0] == kFieldCount, "kStation must list every Field in order");

bool same(const char* a, const char* b, std::size_t len) {
  return std::strlen(a) == len && std::memcmp(a, b, len) == 0;
}

// Station phase -> grid phase for each rotation (enum order of "rotation").
constexpr std::int8_t kRot[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}, {2, 1, 0}, {1, 0, 2}};

}  // namespace

const Def& def(Id id) {
  return kGlobal[static_cast<std::size_t>(id)];
}
const Def& def(Field f) {
  return kStation[static_cast<std::size_t>(f)];
}

const Def* find_global(const char* name, std::size_t len, Id* id_out) {
  for (std::size_t i = 0; i < kGlobalCount; ++i)
    if (same(kGlobal[i].name, name, len)) {
      if (id_out) *id_out = static_cast<Id>(i);
      return &kGlobal[i];
    }
  return nullptr;
}

const Def* find_field(const char* name, std::size_t len, Field* f_out) {
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (same(kStation[i].name, name, len)) {
      if (f_out) *f_out = static_cast<Field>(i);
      return &kStation[i];
    }
  return nullptr;
}

int grid_phase(std::int32_t rotation, int sp) {
  if (rotation < 0 || rotation > 5 || sp < 0 || sp > 2) return sp < 0 || sp > 2 ? 0 : sp;
  return kRot[rotation][sp];
}

std::int32_t default_unit_id(Driver d) {
  switch (d) {
    case Driver::WebastoTq:
    case Driver::WebastoNext:
    case Driver::WebastoUnite:
    case Driver::Weidmueller: return 255;  // CHG §3, §3.1, §3.2, §4
    default: return 1;                     // ABB unit 1 (CHG §1); Bender accepts any
  }
}

std::size_t enum_name(const Def& d, std::int32_t v, char* buf, std::size_t n) {
  if (n) buf[0] = 0;
  if (d.type != Type::Enum || !d.enum_names || v < 0 || n == 0) return 0;
  const char* p = d.enum_names;
  for (std::int32_t i = 0; i < v; ++i) {
    p = std::strchr(p, '|');
    if (!p) return 0;
    ++p;
  }
  const char* e = std::strchr(p, '|');
  std::size_t len = e ? static_cast<std::size_t>(e - p) : std::strlen(p);
  if (len >= n) len = n - 1;
  std::memcpy(buf, p, len);
  buf[len] = 0;
  return len;
}

}  // namespace lmc::settings
