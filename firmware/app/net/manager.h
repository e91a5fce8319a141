// The network manager (issue 14, spec rows NET-*, AP-*, LED-01..04): which link the device
// uses and what the STATUS LED says about it.
//  - Ethernet first (NET-02, A05): Wi-Fi is joined only while Ethernet has no address; after a
//    loss Wi-Fi takes over at once; after 30 s of stable Ethernet the device leaves Wi-Fi.
//  - Wi-Fi station with the stored credentials (AP-13), re-joined after every failure or drop
//    with back-off 5 s doubling to 60 s (AP-12); after 3 min without success the hotspot opens
//    (AP-07, AP-11, A04) and STA retries go on every 60 s. New credentials: joined at once (AP-10).
//  - Addressing from the settings: DHCP, or the static address/mask/gateway/DNS (NET-06, A06).
//  - Hotspot `clemapXX` (XX = the serial's last two digits, AP-01) / `sensorsetup` (AP-02) at
//    192.168.1.100 (AP-03): at a boot without Wi-Fi credentials and without Ethernet (A04), on
//    the RESET gesture (AP-06), after 3 min of failed joins (AP-07). It closes when an Ethernet
//    cable brings carrier (AP-04), 30 s after a STA join succeeded (AP-10, A03), and after
//    10 min without an associated client (AP-05; restarts when the last client leaves).
//  - STATUS LED (LED-01..04, LED-06): on = cloud link up (set_cloud_up, the cloud task);
//    blinking = on a network; slow blink = Wi-Fi credentials set and trying; off otherwise
//    (hotspot mode).
//  - NTP (ntp.h) runs while the device has an address.
// Log lines (docs/firmware.md): `lmc: net addressing ...`, `net wifi-join ...`, `net wifi-up ...`,
// `net wifi-failed ...`, `net wifi-leave ...`, `net switch from=... to=...`, `net hotspot-start ...`,
// `net hotspot-up ...`, `net hotspot-clients ...`, `net hotspot-off reason=...`; the link line
// itself (`lmc: net link ...`) stays the controller's.
#pragma once
#include <cstdint>

#include "app/core/log.h"
#include "app/core/loop.h"
#include "app/core/time.h"
#include "app/net/ntp.h"
#include "app/net/resolver.h"
#include "app/panel/panel.h"
#include "app/ports.h"
#include "app/settings/settings.h"

namespace lmc::net {

class Manager {
 public:
  static constexpr std::uint32_t kEthGraceMs = 3000;  // boot: a plugged cable has carrier after 1 s
  static constexpr std::uint32_t kRetryMinMs = 5000, kRetryMaxMs = 60000;  // AP-12
  static constexpr std::uint32_t kDiscoveryMs = 180000;                    // AP-07, A04: 3 min
  static constexpr std::uint32_t kDiscoveryRetryMs = 60000;                // A04: STA retries every 60 s
  static constexpr std::uint32_t kHotspotIdleMs = 600000;                  // AP-05: 10 min
  static constexpr std::uint32_t kHotspotAfterJoinMs = 30000;              // AP-10, A03
  static constexpr std::uint32_t kFailbackMs = 30000;                      // NET-02, A05
  static constexpr std::uint32_t kHotspotIp = 0xC0A80164;                  // 192.168.1.100 (AP-03)
  static constexpr const char* kHotspotPassword = "sensorsetup";           // AP-02

  Manager(const settings::Settings& settings, Link& link, Sockets& sockets, Log& log, Resolver& resolver, Panel& panel,
          Time& time, const char* serial);

  // Addressing, the first decisions, the timer and the NTP poller. After Link::enable(true).
  void start(Loop& loop);
  // Every link status the controller read after a LINK or AP event.
  void on_link(const Link::Status& s);
  // Once per control cycle: settings changes (CFG-12: within one cycle).
  void cycle();
  // Opens the hotspot (AP-06 gesture, BTN-04 after erasing Wi-Fi). False (logged) when it
  // cannot: the device is connected (BTN-02), or the NETC refused.
  bool open_hotspot(const char* by);
  // LED-04 / CL-04: the cloud task says whether its session is up with recent traffic.
  void set_cloud_up(bool up);

  NetLed led() const;
  const char* hotspot_ssid() const { return ap_ssid_; }
  bool hotspot_on() const { return st_.ap; }
  const Link::Status& status() const { return st_; }
  Ntp& ntp() { return ntp_; }

 private:
  enum class Sta : std::uint8_t { Off, Joining, Up, Waiting };
  void tick();
  void poll();
  void decide();
  void reschedule();
  void apply_addressing();
  void join();
  void leave(const char* why);
  void sta_failed(std::uint16_t reason);
  void close_hotspot(const char* reason);
  bool wifi_wanted() const;
  void update_led();
  std::uint64_t now() const { return time_.ms(); }

  const settings::Settings& set_;
  Link& link_;
  Log& log_;
  Resolver& resolver_;
  Panel& panel_;
  Time& time_;
  Ntp ntp_;
  Loop* loop_ = nullptr;
  Timer timer_;
  char ap_ssid_[9] = "clemap00";
  Link::Status st_{};
  bool known_ = false;
  std::uint64_t started_ms_ = 0;
  bool boot_decided_ = false;
  // Wi-Fi station
  Sta sta_ = Sta::Off;
  char ssid_[33] = {}, password_[65] = {};
  std::uint64_t retry_at_ = 0;
  std::uint32_t backoff_ = kRetryMinMs;
  std::uint64_t failing_since_ = 0;  // first failure since the last success (0: none)
  std::uint64_t eth_up_since_ = 0;   // Ethernet address held since (0: none)
  bool on_eth_ = false;              // which link was in use at the last decision
  bool on_wifi_ = false;
  // Hotspot
  bool ap_requested_ = false;
  bool discovery_ = false;         // the hotspot opened for this failure episode
  std::uint64_t ap_idle_at_ = 0;   // close when reached (no client), 0: not running
  std::uint64_t ap_close_at_ = 0;  // close after a STA join
  std::uint8_t ap_clients_ = 0;
  // Settings
  std::uint32_t generation_ = 0;
  bool dhcp_ = true;  // the addressing applied last
  std::uint32_t static_ip_ = 0, static_mask_ = 0, static_gw_ = 0, static_dns_ = 0;
  std::uint64_t ntp_due_ = 0;
  bool cloud_up_ = false;
  NetLed led_ = NetLed::Offline;
};

}  // namespace lmc::net
