// The network test firmware (firmware/apps/nettest) on the virtual MCU with the whole network:
// the controller as the CPU sees it, end to end.
#include <cstdlib>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <systemc>

#include "models/models.h"
#include "sim/site.h"

using namespace lmsim;

namespace {

struct FwSite {
  std::unique_ptr<Site> site;
  explicit FwSite(const std::string& net_yaml) {
    std::string y = std::string("start: \"2026-11-25T16:00\"\ndevice:\n  firmware: ") + LMSIM_FIRMWARE_DIR +
                    "/nettest.elf\n  serial: SE12345678\n" + net_yaml;
    YNode root = YNode::load_string(y, "test.yaml");
    site = std::make_unique<Site>(root, "test.yaml", 1);
    plant::build(*site, root);
    mcu::build(*site, root);
    evse::build(*site, root);
    net::build(*site, root);
    site->run_start_hooks();
  }
  void run(double s) { sc_core::sc_start(sc_core::sc_time(s, sc_core::SC_SEC)); }
  std::string uart() const { return site->registry().at("device.uart0.tx").text(); }
  Signal& sig(const std::string& n) const { return site->registry().at(n); }
};

}  // namespace

TEST(NetFirmware, EthernetNtpStationReadAndPageForThePhone) {
  FwSite r(R"(
stations:
  - {name: abb1, model: abb-terra-ac, phases: [L1, L2, L3], ip: 192.168.1.20, boot_time: 1s}
network:
  ethernet: {plugged: true}
  wifi: [{ssid: garage, password: secret123, signal: -55dBm}]
)");
  r.run(8);
  std::string out = r.uart();
  EXPECT_NE(out.find("net: ethernet ip 192.168.1.100"), std::string::npos) << out;
  // 2026-11-25T16:00 (scenario start) plus about two seconds of boot and DHCP.
  auto p = out.find("ntp: unix time ");
  ASSERT_NE(p, std::string::npos) << out;
  double unix_s = std::atof(out.c_str() + p + 15);
  EXPECT_NEAR(unix_s, r.site->start_epoch() + 2, 3) << out;
  EXPECT_NE(out.find("station: reg 0x4000 = 0x5422"), std::string::npos) << out;
  EXPECT_NE(out.find("http: serving on ports 80 and 4000"), std::string::npos) << out;
  // A phone on the site Wi-Fi fetches the page.
  r.sig("net.phone.password").set_text("secret123");
  r.site->registry().write("net.phone.join", "garage");
  r.run(2);
  ASSERT_EQ(r.sig("net.phone.link").render(), "up");
  r.site->registry().write("net.phone.get", "http://192.168.1.100:80/");
  r.run(1);
  EXPECT_EQ(r.sig("net.phone.status").value(), 200);
  EXPECT_NE(r.sig("net.phone.body").text().find("lmsim nettest"), std::string::npos);
}

TEST(NetFirmware, WifiWrongPasswordIsReportedByTheFirmware) {
  FwSite r(R"(
network:
  wifi: [{ssid: garage, password: other-password, signal: -55dBm}]
)");
  r.run(12);
  std::string out = r.uart();
  EXPECT_NE(out.find("net: joining 'garage'"), std::string::npos) << out;
  EXPECT_NE(out.find("net: wifi failed, reason 15"), std::string::npos) << out;
}

TEST(NetFirmware, WifiJoinFromDefaults) {
  FwSite r(R"(
network:
  wifi: [{ssid: garage, password: secret123, signal: -67dBm}]
)");
  r.run(8);
  std::string out = r.uart();
  EXPECT_NE(out.find("net: wifi rssi -67 ip 192.168.1.100"), std::string::npos) << out;
  EXPECT_EQ(r.sig("net.wifi.link").render(), "up");
}

TEST(NetFirmware, NoNetworkOpensHotspotAndThePhoneFetchesThePage) {
  FwSite r("network:\n  wifi: [{ssid: other, password: secret123, signal: -55dBm}]\n");
  r.run(8);
  std::string out = r.uart();
  ASSERT_NE(out.find("net: hotspot clemap78 at 192.168.4.1"), std::string::npos) << out;
  EXPECT_EQ(r.sig("net.ap.ssid").text(), "clemap78");
  r.sig("net.phone.password").set_text("sensorsetup");
  r.site->registry().write("net.phone.join", "clemap78");
  r.run(2);
  ASSERT_EQ(r.sig("net.phone.link").render(), "up");
  EXPECT_EQ(r.sig("net.ap.clients").value(), 1);
  r.site->registry().write("net.phone.get", "http://192.168.4.1/");
  r.run(1);
  EXPECT_EQ(r.sig("net.phone.status").value(), 200);
  EXPECT_NE(r.sig("net.phone.body").text().find("lmsim nettest"), std::string::npos);
}
