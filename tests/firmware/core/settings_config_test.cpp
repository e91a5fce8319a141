// The controller's configuration view over the settings, the config store and the
// provisioning page: a provisioned fuse rating makes the device configured (CFG-01) and
// survives a reboot (PWR-03); the Wi-Fi erase of BTN-04 keeps everything else.
#include "app/settings_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "app/store/layout.h"
#include "fakes/fakes.h"

namespace lmc {
namespace {

// Writes a provisioning page as a flashing tool would (format: app/store/provisioning.h).
void provision(fake::FakeFlash& flash, const std::string& body) {
  std::string text = "lmc-provision 1\n" + body;
  char crc[32];
  std::snprintf(crc, sizeof crc, "crc=%08X\n", store::crc32(text.data(), text.size()));
  text += crc;
  while (text.size() % 4) text += '\xFF';
  ASSERT_TRUE(flash.erase_page(store::kLayout.provision_page));
  ASSERT_TRUE(flash.program(store::kLayout.provision_page * flash.page_size(), text.data(), text.size()));
}

TEST(SettingsConfig, FactoryFreshDeviceIsUnconfigured) {
  fake::FakeFlash flash;
  fake::FakeConsole con;
  Log log(con);
  settings::Settings s;
  SettingsConfig cfg(s, flash);
  cfg.attach_log(log);
  cfg.load();
  EXPECT_FALSE(cfg.fuse_configured());
  EXPECT_EQ(cfg.fuse_da(), 0u);
  EXPECT_FALSE(cfg.wifi_configured());
}

TEST(SettingsConfig, ProvisionedFuseAndWifiSurviveARebootAndButtonEraseKeepsTheFuse) {
  fake::FakeFlash flash;
  fake::FakeConsole con;
  Log log(con);
  provision(flash, "lm.fuse=40 A\nwifi.ssid=home\nwifi.password=secret123\n");
  {
    settings::Settings s;
    SettingsConfig cfg(s, flash);
    cfg.attach_log(log);
    cfg.load();
    EXPECT_TRUE(cfg.fuse_configured());
    EXPECT_EQ(cfg.fuse_da(), 400u);  // 40 A in 0.1 A
    EXPECT_TRUE(cfg.wifi_configured());
  }
  {  // the next boot: the same page is not imported again, the store has it
    settings::Settings s;
    SettingsConfig cfg(s, flash);
    cfg.attach_log(log);
    cfg.load();
    EXPECT_EQ(cfg.fuse_da(), 400u);
    std::uint32_t g = cfg.generation();
    cfg.erase_wifi();
    EXPECT_FALSE(cfg.wifi_configured());
    EXPECT_NE(cfg.generation(), g);
  }
  {  // BTN-04: only the Wi-Fi is gone, also after another reboot
    settings::Settings s;
    SettingsConfig cfg(s, flash);
    cfg.attach_log(log);
    cfg.load();
    EXPECT_EQ(cfg.fuse_da(), 400u);
    EXPECT_FALSE(cfg.wifi_configured());
  }
  // Everything the store said went to the console with the log prefix.
  for (const auto& l : con.lines()) EXPECT_EQ(l.rfind("lmc: ", 0), 0u) << l;
}

}  // namespace
}  // namespace lmc
