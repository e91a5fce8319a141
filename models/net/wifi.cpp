#include "models/net/wifi.h"

#include <cctype>

#include <algorithm>

namespace lmsim::net {

Wifi::Wifi(Site& site) : site_(site) {
  auto& reg = site.registry();
  cabinet_ = &reg.add_bool("net.wifi.cabinet_closed", false)
                  .as_knob()
                  .describe("fuse-box door closed: every AP is heard weaker by net.wifi.cabinet_loss");
  cabinet_db_ = &reg.add_number("net.wifi.cabinet_loss", "", 15)
                     .as_knob()
                     .describe("attenuation of the closed cabinet door in dB");
  cabinet_->on_write = [this](Signal&) { changed(); };
  cabinet_db_->on_write = [this](Signal&) { changed(); };
  auto ap = std::make_unique<AccessPoint>();
  ap->hotspot = true;
  ap->signal =
      &reg.add_number("net.ap.signal", "dBm", -45).as_knob().describe("level of the device hotspot at the phone");
  ap->up = &reg.add_bool("net.ap.active", false).describe("the device's hotspot is beaconing");
  hotspot_ = ap.get();
  aps_.push_back(std::move(ap));
}

AccessPoint& Wifi::add_ap(const std::string& ssid, const std::string& password, std::vector<double> bands,
                          double signal_dbm, int channel) {
  auto ap = std::make_unique<AccessPoint>();
  ap->ssid = ssid;
  ap->password = password;
  ap->bands_hz = std::move(bands);
  ap->channel = channel;
  auto& reg = site_.registry();
  // SSIDs are free text ("My Home 2.4"); in signal names other characters than letters,
  // digits, '_' and '-' become '_' (net.wifi.ap.My_Home_2_4.signal).
  std::string seg = ssid;
  for (char& c : seg)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  std::string p = "net.wifi.ap." + seg;
  ap->signal =
      &reg.add_number(p + ".signal", "dBm", signal_dbm).as_knob().describe("level of " + ssid + " at the device");
  ap->up = &reg.add_bool(p + ".up", true).as_knob().describe("access point " + ssid + " powered and beaconing");
  ap->signal->on_write = [this](Signal&) { changed(); };
  ap->up->on_write = [this](Signal&) { changed(); };
  aps_.push_back(std::move(ap));
  return *aps_.back();
}

AccessPoint* Wifi::find(const std::string& ssid) {
  for (auto& a : aps_)
    if (a->ssid == ssid) return a.get();
  return nullptr;
}

double Wifi::level(const AccessPoint& ap) const {
  if (ap.hotspot) return ap.signal->value();
  return ap.signal->value() - (cabinet_->as_bool() ? cabinet_db_->value() : 0.0);
}

double Wifi::loss_at(double dbm) {
  if (dbm >= kCleanLevel) return 0;
  return std::clamp((kCleanLevel - dbm) / (kCleanLevel - kSensitivity), 0.0, 1.0) * kMaxLoss;
}

void Wifi::changed() {
  for (auto& f : watchers_) f();
}

void Wifi::set_hotspot(const std::string& ssid, const std::string& password, bool on) {
  hotspot_->ssid = ssid;
  hotspot_->password = password;
  hotspot_->up->set(on ? 1 : 0);
  if (!on) hotspot_->clients = 0;
  changed();
}

}  // namespace lmsim::net
