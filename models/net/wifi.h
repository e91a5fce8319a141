// The radio environment at the fuse box: the site's Wi-Fi access points (SSID, password,
// bands, signal level at the device, up/down) and the "cabinet door closed" attenuation.
// The device's own hotspot is registered here too while it beacons, so phones can find it.
//
// Receiver model (ESP32-class, 2.4 GHz only): an AP is heard when it is up, offers 2.4 GHz
// and its level at the device is at least kSensitivity; joins fail below kJoinFloor; packet
// loss grows linearly from 0 % at kCleanLevel to kMaxLoss at the sensitivity limit.
#pragma once
#include <string>
#include <vector>

#include "sim/site.h"

namespace lmsim::net {

struct AccessPoint {
  std::string ssid;
  std::string password;  // empty = open network
  std::vector<double> bands_hz{2.4e9};
  int channel = 6;
  int max_clients = 32;
  int clients = 0;
  Signal* signal = nullptr;  // knob, dBm at the device
  Signal* up = nullptr;      // knob
  bool hotspot = false;      // the device's own AP
  bool has_24() const {
    for (double b : bands_hz)
      if (b > 2.3e9 && b < 2.6e9) return true;
    return false;
  }
};

class Wifi {
 public:
  static constexpr double kSensitivity = -92;  // dBm: below, the AP is not heard at all
  static constexpr double kJoinFloor = -85;    // dBm: below, authentication frames get lost
  static constexpr double kCleanLevel = -75;   // dBm: above, no extra loss
  static constexpr double kMaxLoss = 0.30;

  explicit Wifi(Site& site);
  AccessPoint& add_ap(const std::string& ssid, const std::string& password, std::vector<double> bands,
                      double signal_dbm, int channel);
  AccessPoint* find(const std::string& ssid);
  const std::vector<std::unique_ptr<AccessPoint>>& aps() const { return aps_; }
  // Level at the device, after the cabinet door.
  double level(const AccessPoint& ap) const;
  bool heard(const AccessPoint& ap) const { return ap.up->as_bool() && ap.has_24() && level(ap) >= kSensitivity; }
  static double loss_at(double dbm);
  // Runs `f` whenever any radio knob changes (levels, APs up/down, cabinet door).
  void on_change(std::function<void()> f) { watchers_.push_back(std::move(f)); }
  void changed();

  // The device's hotspot: beaconing or not.
  void set_hotspot(const std::string& ssid, const std::string& password, bool on);
  AccessPoint* hotspot() { return hotspot_ && hotspot_->up->as_bool() ? hotspot_ : nullptr; }

 private:
  Site& site_;
  std::vector<std::unique_ptr<AccessPoint>> aps_;
  Signal* cabinet_;
  Signal* cabinet_db_;
  AccessPoint* hotspot_ = nullptr;
  std::vector<std::function<void()>> watchers_;
};

}  // namespace lmsim::net
