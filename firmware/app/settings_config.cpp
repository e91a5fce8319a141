#include "app/settings_config.h"

#include "app/store/provisioning.h"

namespace lmc {

void SettingsConfig::load() {
  store_.load(s_, this);
  // A new provisioning page (factory/installer tool, or the scenario's device.config) is
  // applied on top of the stored config and saved, so it survives the next power cut.
  if (store::import_provisioning(flash_, s_, this) == store::Provision::Imported) store_.save(s_, this);
}

std::uint32_t SettingsConfig::fuse_da() const {
  if (!s_.fuse_configured()) return 0;
  // The stored value is scaled by 10^decimals of the schema; we want 0.1 A.
  std::int64_t v = s_.get(settings::Id::LmFuse);
  int dec = settings::def(settings::Id::LmFuse).decimals;
  for (; dec < 1; ++dec) v *= 10;
  for (; dec > 1; --dec) v /= 10;
  return v > 0 ? static_cast<std::uint32_t>(v) : 0u;
}

bool SettingsConfig::wifi_configured() const {
  const char* ssid = s_.text(settings::Id::WifiSsid);
  return ssid && ssid[0] != '\0';
}

void SettingsConfig::erase_wifi() {
  std::uint32_t before = s_.generation();
  s_.erase_wifi();
  if (s_.generation() != before) store_.save(s_, this);  // nothing stored: no flash wear
}

}  // namespace lmc
