// The ConfigView of the controller over the settings (app/settings) and their power-loss-safe
// store and provisioning page (app/store). Their event lines go to the console log.
#pragma once
#include <cstdint>

#include "app/config_view.h"
#include "app/core/log.h"
#include "app/ports.h"
#include "app/settings/settings.h"
#include "app/store/config_store.h"

namespace lmc {

class SettingsConfig final : public ConfigView, private settings::Reporter {
 public:
  SettingsConfig(settings::Settings& s, Flash& flash) : s_(s), flash_(flash), store_(flash) {}
  void attach_log(Log& log) { log_ = &log; }

  void load() override;
  bool fuse_configured() const override { return s_.fuse_configured(); }
  std::uint32_t fuse_da() const override;
  bool wifi_configured() const override;
  void erase_wifi() override;
  std::uint32_t generation() const override { return s_.generation(); }

  settings::Settings& settings() { return s_; }
  store::ConfigStore& store() { return store_; }

 private:
  void report(const char* line) override {
    if (log_) log_->text(line);
  }
  settings::Settings& s_;
  Flash& flash_;
  store::ConfigStore store_;
  Log* log_ = nullptr;
};

}  // namespace lmc
