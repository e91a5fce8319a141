// The cloud task: the telemetry ring in its flash region, the MQTT link (cloud_link.h) and the
// adapter that turns the site's state into records and the cloud's commands into the site's
// calls (app/site: cloud_ripple, direct_evse, set_cloud_up). One instance, built by main()
// next to the site and attached to the controller, which runs it (poller + 1 s cycle).
#pragma once
#include <cstdint>

#include "app/cloud/cloud_link.h"
#include "app/core/time.h"
#include "app/settings/settings.h"
#include "app/store/telemetry_ring.h"

namespace lmc::site {
class Site;
}

namespace lmc::cloud {

class CloudTask final : private Hooks {
 public:
  // ring_flash: the whole telemetry region (every page of it is the ring's).
  CloudTask(Flash& ring_flash, Sockets& sockets, net::Resolver& resolver, Log& log, const Time& time, site::Site& site,
            const settings::Settings& settings, const char* serial);
  // Mounts the ring (a supply cut mid-write is recovered here) and arms the link.
  void start(std::uint64_t now_ms);
  void poll(std::uint64_t now_ms) { link_.poll(now_ms); }
  void poll_now() { link_.poll(time_.ms()); }  // the loop poller
  void tick(std::uint64_t now_ms) { link_.tick(now_ms); }
  bool led_on(std::uint64_t now_ms) const { return link_.led_on(now_ms); }
  const CloudLink& link() const { return link_; }
  const store::TelemetryRing& ring() const { return ring_; }

 private:
  bool sample(Record* r, std::uint64_t now_ms) override;
  void ripple_command(std::uint8_t mode, std::uint64_t duration_ms, std::uint64_t now_ms) override;
  bool evse_command(const char* station, std::int32_t current_ma, std::uint32_t duration_s,
                    std::uint64_t now_ms) override;
  void cloud_up(bool up) override;

  Flash& flash_;
  Log& log_;
  const Time& time_;
  site::Site& site_;
  const settings::Settings& settings_;
  const char* serial_;
  store::TelemetryRing ring_;
  CloudLink link_;
};

}  // namespace lmc::cloud
