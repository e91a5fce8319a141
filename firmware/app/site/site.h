// The load-management task: the site as the controller manages it (firmware.md "The control
// problem"; behaviours.md LM-*, RC-*, ST-*, SAFE-01/02, PWR-04). Every control cycle (1 s):
// metering -> ripple input (GPIO 24 V input 1, debounced by lm::Ripple) -> station states from
// the drivers -> lm::Allocator::step -> set-points to the drivers, which write them over Modbus.
// Between cycles a loop poller moves the stations' Modbus bytes (stations::Pool).
//
// Console lines (the interface scenarios assert on):
//   lmc: lm overload phase=L1 grid_ma=.. limit_ma=..        LM-03: cut in this cycle
//   lmc: lm building_overload phase=L2 building_ma=.. limit_ma=.. cause="overload not caused by EV charging"  LM-15
//   lmc: lm <event> station=<name> value=.. aux=..          the allocator's other events
//   lmc: lm status l1_ma=.. l2_ma=.. l3_ma=.. budget_l1_ma=.. ... every 60 s
//   lmc: ripple mode mode=blocked source=di / lmc: ripple glitch ms=200 / lmc: ripple input active=true
//   lmc: station ... (driver.h)
// Fixed capacity (A35): lm::kMaxStations stations; Modbus stations share the sockets of app/socket_plan.h.
#pragma once
#include <cstdint>

#include "app/core/log.h"
#include "app/core/loop.h"
#include "app/lm/allocator.h"
#include "app/lm/external_control.h"
#include "app/lm/ripple.h"
#include "app/metering/meter.h"
#include "app/ports.h"
#include "app/settings/settings.h"
#include "app/socket_plan.h"
#include "app/stations/driver.h"
#include "app/stations/pool.h"
#include "app/stations/zaptec.h"

namespace lmc::site {

// The stations' sockets: app/socket_plan.h.

class Site {
 public:
  Site(const Clock& clock, Log& log, Gpio& gpio, Sockets& sockets, const settings::Settings& settings);
  // Registers the poller that moves the stations' bytes (call once, before the loop runs).
  void start(Loop& loop);

  // An AFE window arrived (the controller polls the AFE).
  void on_window(const AfeWindow& w, std::uint64_t now_ms) { meter_.on_window(w, now_ms); }
  // The control cycle (1 s).
  void cycle(std::uint64_t now_ms);
  // Loop poller: Modbus bytes and connections of the stations.
  void poll(std::uint64_t now_ms);
  void poll_now() { poll(clock_.now_ms()); }
  // Zaptec stations (ST-06) reach their cloud through the device's resolver (stations/zaptec.h).
  void attach_zaptec(net::Resolver& dns) { zaptec_.configure(sockets_, sockets::kZaptec, dns, &log_); }

  // ---- commands from other parts (cloud, Modbus :5020, REST :7000), applied in the next cycle ----
  // RC-01/RC-11: the cloud's ripple command (duration_ms 0 = until replaced). The DI and the cloud
  // combine, the most restrictive wins.
  void cloud_ripple(std::uint64_t now_ms, lm::RippleMode mode, std::uint64_t duration_ms);
  // CL-06 / PUB §5.1 Direct EVSE control: a per-station cap of current_ma on all its phases for
  // duration_s (LM-12: a cap, the fuse budget and every other cap still win; below the station's
  // min it pauses, LM-04). station is the compact index (as driver(i)); duration_s 0 clears the
  // target (DELETE). Returns false (rejected, nothing changed) for an unknown station, a current
  // outside 0..1000 A or before the fuse is configured.
  bool direct_evse(int station, std::int32_t current_ma, std::uint32_t duration_s, std::uint64_t now_ms);
  // The Direct EVSE target in force (GET): false when none; until_ms is this boot's monotonic ms.
  bool direct_evse_target(int station, std::int32_t& current_ma, std::uint64_t& until_ms) const;
  // RC-11: whether the cloud link is up (the cloud task reports every change).
  void set_cloud_up(bool up) { cloud_up_ = up; }
  bool cloud_up() const { return cloud_up_; }
  // EXT-01..08: Modbus 19050-19056 and the REST settings write into it (with the time); the
  // cycle calls its step() and caps the stations' sum per phase with it (EXT-06).
  lm::ExternalControl& external() { return ext_; }
  const lm::ExternalControl& external() const { return ext_; }

  // ---- state for other parts (UI, REST, cloud: LM-14) and tests ----
  int station_count() const { return n_; }
  const stations::Driver& driver(int i) const { return drivers_[i]; }
  int settings_index(int i) const { return slot_[i]; }
  const lm::Output& output() const { return alloc_.output(); }
  const lm::RippleOutput& ripple() const { return ripple_.output(); }
  const metering::Meter& meter() const { return meter_; }
  const stations::Pool& pool() const { return pool_; }
  std::uint64_t cycles() const { return cycles_; }
  bool configured() const { return configured_; }

 private:
  void configure(std::uint64_t now_ms);
  void log_events(const lm::Output& out);
  void log_ripple(const lm::RippleOutput& r);
  void log_external();
  const char* station_name(int i) const;

  const Clock& clock_;
  Log& log_;
  Gpio& gpio_;
  Sockets& sockets_;
  const settings::Settings& settings_;

  metering::Meter meter_;
  lm::Ripple ripple_;
  lm::ExternalControl ext_;
  lm::Allocator alloc_;
  lm::Input in_{};
  stations::Driver drivers_[lm::kMaxStations];
  Endpoint peers_[lm::kMaxStations] = {};
  int slot_[lm::kMaxStations] = {};  // settings index of compact station i
  stations::Pool pool_;
  stations::Zaptec zaptec_;
  int n_ = 0;
  bool configured_ = false;
  bool have_generation_ = false;
  std::uint32_t generation_ = 0;
  std::uint64_t cycles_ = 0;
  std::uint64_t status_at_ = 0;
  bool last_di_ = false;
  std::int32_t station_w_ = 0;
  bool cloud_up_ = false;
  // Direct EVSE targets per compact station (CL-06): kNoLimit = none.
  std::int32_t evse_ma_[lm::kMaxStations];
  std::uint64_t evse_until_ms_[lm::kMaxStations] = {};
};

}  // namespace lmc::site
