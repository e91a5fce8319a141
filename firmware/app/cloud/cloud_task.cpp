#include "app/cloud/cloud_task.h"

#include <cstring>

#include "app/site/site.h"
#include "app/socket_plan.h"

namespace lmc::cloud {
namespace {

std::uint32_t pages_of(Flash& f) {
  return f.page_size() ? f.size() / f.page_size() : 0;
}

template <class T>
T clamp_to(double v, double lo, double hi) {
  return static_cast<T>(v < lo ? lo : v > hi ? hi : v);
}

}  // namespace

CloudTask::CloudTask(Flash& ring_flash, Sockets& sockets, net::Resolver& resolver, Log& log, const Time& time,
                     site::Site& site, const settings::Settings& settings, const char* serial)
    : flash_(ring_flash),
      log_(log),
      time_(time),
      site_(site),
      settings_(settings),
      serial_(serial),
      ring_(ring_flash, 0, pages_of(ring_flash), kRecordBytes),
      link_(sockets, sockets::kCloud, resolver, ring_, log, *this) {}

void CloudTask::start(std::uint64_t now_ms) {
  const std::uint32_t pages = pages_of(flash_);
  struct Rep final : settings::Reporter {
    explicit Rep(Log& l) : log(l) {}
    void report(const char* line) override { log.text(line); }
    Log& log;
  } rep(log_);
  const auto st = ring_.mount(&rep);
  log_.event("cloud", "ring")
      .kv("mounted", st == store::TelemetryRing::Status::Ok)
      .kv("pages", pages)
      .kv("capacity", ring_.capacity())
      .kv("pending", ring_.pending())
      .kv("next_seq", ring_.next_seq());
  CloudLink::Config c;
  c.serial = serial_;
  c.credential = settings_.text(settings::Id::CloudActivationCode);
  link_.start(c, now_ms);
}

bool CloudTask::sample(Record* r, std::uint64_t) {
  const metering::Measurement& m = site_.meter().last();
  if (m.at_ms == 0) return false;  // no window yet: nothing measured to report
  if (time_.utc_known()) {
    r->t_s = static_cast<std::uint32_t>(time_.utc_ms() / 1000);
    r->flags |= Record::kSynced;
  } else {
    r->t_s = static_cast<std::uint32_t>(time_.ms() / 1000);  // CL-09: uptime, flagged unsynchronised
  }
  for (int p = 0; p < 3; ++p) {
    r->v_dv[p] = clamp_to<std::uint16_t>(m.ph[p].v * 10.0, 0, 65535);
    r->i_ma[p] = clamp_to<std::int32_t>(m.ph[p].i_signed * 1000.0, -2e9, 2e9);
    r->p_w[p] = clamp_to<std::int32_t>(m.ph[p].p, -2e9, 2e9);
    r->q_10var[p] = clamp_to<std::int16_t>(m.ph[p].q / 10.0, -32768, 32767);
  }
  r->ripple = static_cast<std::uint8_t>(site_.ripple().mode);
  const lm::Output& out = site_.output();
  const int n = site_.station_count();
  std::int64_t sum = 0;
  int charging = 0;
  for (int i = 0; i < n; ++i) {
    sum += out.setpoint_ma[i];
    if (out.status[i] == lm::StationStatus::Charging) ++charging;
  }
  r->stations = static_cast<std::uint8_t>(n);
  r->charging = static_cast<std::uint8_t>(charging);
  r->stations_ma = static_cast<std::int32_t>(sum);
  return true;
}

void CloudTask::ripple_command(std::uint8_t mode, std::uint64_t duration_ms, std::uint64_t now_ms) {
  site_.cloud_ripple(now_ms, static_cast<lm::RippleMode>(mode), duration_ms);
}

bool CloudTask::evse_command(const char* station, std::int32_t current_ma, std::uint32_t duration_s,
                             std::uint64_t now_ms) {
  for (int i = 0; i < site_.station_count(); ++i)
    if (std::strcmp(site_.driver(i).name(), station) == 0) return site_.direct_evse(i, current_ma, duration_s, now_ms);
  return false;
}

void CloudTask::cloud_up(bool up) {
  site_.set_cloud_up(up);
}

}  // namespace lmc::cloud
