#include "models/mcu/provisioning.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "app/settings/schema.h"
#include "app/store/layout.h"
#include "app/store/provisioning.h"
#include "models/mcu/device.h"

namespace lmsim::mcu {
namespace {

namespace fs = lmc::settings;

// True when `key` names a setting of the schema ("lm.fuse", "station.3.max_current").
bool known_key(const std::string& key, std::string* why) {
  const std::string st = "station.";
  if (key.compare(0, st.size(), st) == 0) {
    std::size_t dot = key.find('.', st.size());
    std::string num = key.substr(st.size(), dot == std::string::npos ? std::string::npos : dot - st.size());
    if (dot == std::string::npos || num.empty() || num.size() > 2 ||
        num.find_first_not_of("0123456789") != std::string::npos) {
      *why = "expected station.<1-50>.<field>";
      return false;
    }
    int n = std::stoi(num);
    if (n < 1 || n > fs::kMaxStations) {
      *why = "station number must be 1.." + std::to_string(fs::kMaxStations);
      return false;
    }
    std::string field = key.substr(dot + 1);
    if (fs::find_field(field.data(), field.size(), nullptr)) return true;
    *why = "unknown station field '" + field + "' (fields:";
    for (std::size_t i = 0; i < fs::kFieldCount; ++i)
      *why += std::string(" ") + fs::def(static_cast<fs::Field>(i)).name;
    *why += ")";
    return false;
  }
  fs::Id id;
  const fs::Def* d = fs::find_global(key.data(), key.size(), &id);
  if (d && d->writers & fs::kProvisioning) return true;
  if (d) {
    *why = "setting '" + key + "' cannot be provisioned";
    return false;
  }
  *why = "unknown setting '" + key + "' (settings:";
  for (std::size_t i = 0; i < fs::kGlobalCount; ++i) {
    const fs::Def& g = fs::def(static_cast<fs::Id>(i));
    if (g.writers & fs::kProvisioning) *why += std::string(" ") + g.name;
  }
  *why += ", station.N.<field>)";
  return false;
}

std::string value_text(const YNode& v) {
  if (!v.is_scalar()) v.fail("expected a single value (number with unit, name, true/false or address)");
  const std::string& s = v.scalar();
  if (s.find_first_of("\r\n") != std::string::npos) v.fail("a value is one line");
  return s;
}

void station_lines(const YNode& stations, std::string& out) {
  if (!stations.is_seq()) stations.fail("expected a list of stations");
  int index = 0;
  for (const YNode& s : stations.items()) {
    ++index;
    if (index > fs::kMaxStations)
      s.fail("the controller manages at most " + std::to_string(fs::kMaxStations) + " stations (A35)");
    std::string p = "station." + std::to_string(index) + ".";
    const YNode* model = s.get("model");
    std::string m = model ? model->str() : "generic";
    std::string drv = driver_for_model(m);
    if (drv.empty())
      (model ? *model : s)
          .fail("station model '" + m +
                "' has no controller driver (CFG-04); configure it with device.config "
                "station.N.* keys instead of stations: from_scenario");
    std::string name = s.get("name") ? s.get("name")->str() : "";
    if (name.size() > 24) s["name"].fail("a station name for the controller is at most 24 characters");
    out += p + "driver=" + drv + "\n";
    if (!name.empty()) out += p + "name=" + name + "\n";
    const YNode* port = s.get("port");
    if (port) out += p + "port=" + port->str() + "\n";
    // The station model's own default address (docs/stations.md): 192.168.1.(50 + index).
    std::string ip = s.get("ip") ? s.get("ip")->str() : "192.168.1." + std::to_string(50 + index - 1);
    if (drv != "zaptec") out += p + "ip=" + ip + "\n";
    if (const YNode* u = s.get("unit_id"))
      if (u->is_scalar() && u->scalar() != "any") out += p + "unit_id=" + u->str() + "\n";
    if (const YNode* ph = s.get("phases")) {
      if (!ph->is_seq() || (ph->size() != 1 && ph->size() != 3))
        ph->fail("the controller knows 1- and 3-phase stations (CFG-05): phases must list 1 or 3 grid phases");
      // Rotation: the grid phases in order, unused station phases on the remaining ones.
      std::vector<std::string> rot;
      for (const YNode& g : ph->items()) rot.push_back(g.str());
      for (const char* g : {"L1", "L2", "L3"})
        if (rot.size() < 3 && std::find(rot.begin(), rot.end(), g) == rot.end()) rot.push_back(g);
      out += p + "rotation=" + rot[0] + "-" + rot[1] + "-" + rot[2] + "\n";
      out += p + "phases=" + std::to_string(ph->size()) + "\n";
    }
  }
}

}  // namespace

std::string driver_for_model(const std::string& model) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"abb-terra-ac", "abb_terra_ac"},
      {"mennekes-amtron-ecu", "mennekes_amtron"},
      {"webasto-live-ebee", "webasto_ebee"},
      {"webasto-live-tq", "webasto_tq"},
      {"webasto-next", "webasto_next"},
      {"webasto-unite", "webasto_unite"},
      {"weidmueller-ac-smart", "weidmueller"},
      {"generic", "generic"},
      {"zaptec-home", "zaptec"},
      {"zaptec-pro", "zaptec"},
  };
  for (const auto& [m, d] : kMap)
    if (model == m) return d;
  return "";
}

std::string provisioning_page(const YNode& config, const YNode* stations, std::uint32_t page_size) {
  if (!config.is_map()) config.fail("expected a map of setting: value (names of docs/firmware.md)");
  // Globals first (lm.fuse before any station, CFG-01), then generated stations, then explicit
  // station keys, which may refine the generated ones.
  std::string globals, gen, explicit_st;
  for (const auto& [key, v] : config.entries()) {
    if (key == "stations") {
      if (!v.is_scalar() || v.scalar() != "from_scenario") v.fail("stations: only 'from_scenario' is supported");
      if (!stations) v.fail("stations: from_scenario needs a top-level stations: list");
      station_lines(*stations, gen);
      continue;
    }
    std::string why;
    if (!known_key(key, &why)) v.fail(why);
    std::string line = key + "=" + value_text(v) + "\n";
    (key.compare(0, 8, "station.") == 0 ? explicit_st : globals) += line;
  }
  std::string text = std::string(lmc::store::kProvisionHeader) + "\n" + globals + gen + explicit_st;
  char crc[16];
  std::snprintf(crc, sizeof crc, "crc=%08X\n", lmc::store::crc32(text.data(), text.size()));
  text += crc;
  if (text.size() > page_size)
    config.fail("the provisioning page holds " + std::to_string(page_size) + " bytes; this config needs " +
                std::to_string(text.size()));
  return text;
}

void write_provisioning(Device& dev, const YNode& config, const YNode* stations) {
  std::string page = provisioning_page(config, stations, Device::kFlashPage);
  // Page 0 of the config area (the last 64 KiB of the flash, docs/firmware.md).
  constexpr std::uint32_t kConfigBase = Device::kFlashSize - (64u << 10);
  std::memcpy(dev.flash() + (kConfigBase - Device::kFlashBase), page.data(), page.size());
  std::size_t lines = static_cast<std::size_t>(std::count(page.begin(), page.end(), '\n'));
  dev.site().log(LogLevel::Info, "device", "provisioning page written (" + std::to_string(lines) + " lines)");
}

}  // namespace lmsim::mcu
