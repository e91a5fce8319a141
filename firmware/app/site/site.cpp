#include "app/site/site.h"

namespace lmc::site {
namespace {

using settings::Field;
using settings::Id;

const char* kPhaseName[3] = {"L1", "L2", "L3"};

const char* mode_name(lm::RippleMode m) {
  switch (m) {
    case lm::RippleMode::Normal: return "normal";
    case lm::RippleMode::Reduced: return "reduced";
    case lm::RippleMode::Blocked: return "blocked";
  }
  return "?";
}

const char* source_name(lm::RippleSource s) {
  switch (s) {
    case lm::RippleSource::Di: return "di";
    case lm::RippleSource::Cloud: return "cloud";
    default: return "none";
  }
}

lm::Priority priority(std::int32_t v) {
  switch (static_cast<settings::Priority>(v)) {
    case settings::Priority::High: return lm::Priority::High;
    case settings::Priority::Low: return lm::Priority::Low;
    default: return lm::Priority::Normal;
  }
}

std::int32_t to_ma(float a) {
  if (!(a == a)) return 0;  // NaN: the meter marks the phase invalid anyway
  if (a > 2000.f) a = 2000.f;
  if (a < -2000.f) a = -2000.f;
  return static_cast<std::int32_t>(a * 1000.f);
}

}  // namespace

Site::Site(const Clock& clock, Log& log, Gpio& gpio, Sockets& sockets, const settings::Settings& settings)
    : clock_(clock), log_(log), gpio_(gpio), sockets_(sockets), settings_(settings) {
  pool_.configure(sockets_, sockets::kStations, sockets::kStationCount, &log_);
  for (auto& v : evse_ma_) v = lm::kNoLimit;
}

void Site::cloud_ripple(std::uint64_t now_ms, lm::RippleMode mode, std::uint64_t duration_ms) {
  ripple_.cloud_command(now_ms, mode, duration_ms);
  log_.event("ripple", "cloud-command").kv("mode", mode_name(mode)).kv("duration_ms", duration_ms);
}

bool Site::direct_evse(int station, std::int32_t current_ma, std::uint32_t duration_s, std::uint64_t now_ms) {
  if (!configured_ || station < 0 || station >= n_) return false;
  if (duration_s == 0) {  // DELETE: back to normal load management
    if (evse_ma_[station] != lm::kNoLimit) log_.event("lm", "evse-target-cleared").kv("station", station_name(station));
    evse_ma_[station] = lm::kNoLimit;
    evse_until_ms_[station] = 0;
    return true;
  }
  if (current_ma < 0 || current_ma > lm::kExtLimitMax_ma) return false;
  evse_ma_[station] = current_ma;
  evse_until_ms_[station] = now_ms + std::uint64_t{duration_s} * 1000u;
  log_.event("lm", "evse-target")
      .kv("station", station_name(station))
      .kv("current_ma", current_ma)
      .kv("duration_s", duration_s);
  return true;
}

bool Site::direct_evse_target(int station, std::int32_t& current_ma, std::uint64_t& until_ms) const {
  if (station < 0 || station >= n_ || evse_ma_[station] == lm::kNoLimit) return false;
  current_ma = evse_ma_[station];
  until_ms = evse_until_ms_[station];
  return true;
}

void Site::start(Loop& loop) {
  loop.add_poller("stations", Callback::of<&Site::poll_now>(this));
}

const char* Site::station_name(int i) const {
  if (i < 0 || i >= n_) return "?";
  return drivers_[i].name();
}

// Settings -> allocator, ripple, drivers (CFG-12: within one cycle, without a reboot).
void Site::configure(std::uint64_t now_ms) {
  const settings::Settings& s = settings_;
  configured_ = s.fuse_configured();

  lm::SiteConfig sc;
  for (int p = 0; p < lm::kPhases; ++p) sc.phase_limit_ma[p] = s.phase_limit_da(p) * 100;
  if (s.is_set(Id::LmMaxPower)) sc.max_building_power_w = s.get(Id::LmMaxPower) * 10;  // kW, 2 decimals

  lm::RippleConfig rc;
  rc.mapping = static_cast<settings::RippleMapping>(s.get(Id::RippleMapping)) == settings::RippleMapping::NormallyOpen
                   ? lm::DiMapping::NormallyOpen
                   : lm::DiMapping::NormallyClosed;
  rc.on_signal = static_cast<settings::OnSignal>(s.get(Id::RippleMode)) == settings::OnSignal::Reduced
                     ? lm::RippleMode::Reduced
                     : lm::RippleMode::Blocked;
  rc.reduced_power_w = s.get(Id::RippleReducedPower) * 10;
  ripple_.configure(rc);

  // Stations: the used settings slots, in order, compacted.
  int old_slot[lm::kMaxStations];
  const int old_n = n_;
  for (int i = 0; i < old_n; ++i) old_slot[i] = slot_[i];
  lm::StationConfig st[lm::kMaxStations];
  int n = 0;
  for (int i = 0; i < settings::kMaxStations && n < lm::kMaxStations; ++i) {
    if (!s.station_used(i)) continue;
    stations::Profile prof;
    const char* why = nullptr;
    if (!stations::profile_for(s, i, prof, &why)) {
      log_.event("station", "unsupported").kv("index", i + 1).kv("name", s.station_name(i)).kv("reason", why);
      continue;
    }
    if (!prof.cloud && !s.station_is_set(i, Field::Ip)) {
      log_.event("station", "unsupported").kv("index", i + 1).kv("name", s.station_name(i)).kv("reason", "no_ip");
      continue;
    }
    lm::StationConfig& c = st[n];
    c.enabled = s.station(i, Field::MaxCurrent) > 0;  // CFG-06: 0 = disabled
    c.phases = static_cast<std::uint8_t>(s.station(i, Field::Phases));
    for (int k = 0; k < lm::kPhases; ++k)
      c.rotation[k] = static_cast<std::uint8_t>(settings::grid_phase(s.station(i, Field::Rotation), k));
    c.min_ma = s.station(i, Field::MinCurrent) * 100;
    c.max_ma = s.station(i, Field::MaxCurrent) * 100;
    c.priority = priority(s.station(i, Field::Priority));
    c.fallback_ma = s.station(i, Field::FallbackCurrent) * 100;
    c.timeout_ms = static_cast<std::uint32_t>(s.station(i, Field::Timeout)) * 1000u;
    c.slow = prof.cloud;  // LM-13 / A34: Zaptec through its cloud

    stations::DriverConfig dc;
    dc.name = s.station_name(i);
    dc.fallback_a = s.station(i, Field::FallbackCurrent) / 10;
    dc.timeout_s = s.station(i, Field::Timeout);
    dc.min_a = (s.station(i, Field::MinCurrent) + 9) / 10;
    dc.max_a = s.station(i, Field::MaxCurrent) / 10;
    // A station that moved to another settings slot, or a new one, starts from scratch.
    if (n >= old_n || old_slot[n] != i) drivers_[n] = stations::Driver{};
    drivers_[n].configure(prof, dc, &log_);
    peers_[n] = Endpoint{static_cast<std::uint32_t>(s.station(i, Field::Ip)),
                         static_cast<std::uint16_t>(s.station(i, Field::Port))};
    slot_[n] = i;
    ++n;
  }
  // Direct EVSE targets follow their station's settings slot.
  std::int32_t old_evse[lm::kMaxStations];
  std::uint64_t old_until[lm::kMaxStations];
  for (int i = 0; i < old_n; ++i) old_evse[i] = evse_ma_[i], old_until[i] = evse_until_ms_[i];
  for (int i = 0; i < lm::kMaxStations; ++i) evse_ma_[i] = lm::kNoLimit, evse_until_ms_[i] = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < old_n; ++j)
      if (old_slot[j] == slot_[i]) evse_ma_[i] = old_evse[j], evse_until_ms_[i] = old_until[j];
  bool moved = n != old_n;
  for (int i = 0; i < n && !moved; ++i) moved = old_slot[i] != slot_[i];
  if (moved) pool_.reset(drivers_, old_n, now_ms);
  for (int i = n; i < lm::kMaxStations; ++i) drivers_[i] = stations::Driver{};
  n_ = n;
  alloc_.configure(sc, st, n);
  log_.event("lm", "config")
      .kv("stations", n)
      .kv("limit_l1_ma", sc.phase_limit_ma[0])
      .kv("limit_l2_ma", sc.phase_limit_ma[1])
      .kv("limit_l3_ma", sc.phase_limit_ma[2])
      .kv("ripple", rc.mapping == lm::DiMapping::NormallyOpen ? "no" : "nc");
}

void Site::cycle(std::uint64_t now_ms) {
  ++cycles_;
  if (!have_generation_ || settings_.generation() != generation_) {
    have_generation_ = true;
    generation_ = settings_.generation();
    configure(now_ms);
  }
  meter_.tick(now_ms);
  metering::MeterEvent mev[metering::kMaxMeterEvents];
  const int nmev = meter_.take_events(mev, metering::kMaxMeterEvents);
  for (int k = 0; k < nmev; ++k) {
    if (mev[k].type == metering::MeterEventType::Lost)
      log_.event("metering", "lost").kv("phase", mev[k].phase < 0 ? "all" : kPhaseName[mev[k].phase % 3]);
    else if (mev[k].type == metering::MeterEventType::Restored)
      log_.event("metering", "restored").kv("phase", mev[k].phase < 0 ? "all" : kPhaseName[mev[k].phase % 3]);
  }
  if (!configured_) return;  // CFG-01: without a main fuse the device manages nothing

  // Ripple (RC-03/04/10/12): the 24 V input as the GPIO reads it, every cycle.
  std::int32_t station_w = 0;
  for (int i = 0; i < n_; ++i)
    for (int k = 0; k < lm::kPhases; ++k) station_w += drivers_[i].current_ma(k) * 230 / 1000;
  station_w_ = station_w;
  last_di_ = gpio_.input_24v(1);
  const lm::RippleOutput& rip = ripple_.step(now_ms, last_di_, cloud_up_, station_w);
  log_ripple(rip);

  // The allocator's inputs.
  in_.now_ms = now_ms;
  const metering::Measurement& m = meter_.last();
  in_.meter.valid_mask = meter_.valid_mask();
  for (int p = 0; p < lm::kPhases; ++p) {
    in_.meter.current_ma[p] = to_ma(m.ph[p].i_signed);
    const float v = m.ph[p].v;
    in_.meter.voltage_mv[p] = v > 50.f && v < 400.f ? static_cast<std::int32_t>(v * 1000.f) : 230000;
  }
  in_.meter.power_w = static_cast<std::int32_t>(m.p_total);
  in_.caps.ripple = rip.mode;
  in_.caps.reduced_power_w = rip.reduced_power_w;
  in_.caps.boot_hold = !rip.di_settled;  // RC-12
  // EXT-02/06: the external limit caps the stations' sum on every phase (kNoLimit when inactive).
  const std::int32_t ext = ext_.step(now_ms);
  log_external();
  for (int p = 0; p < lm::kPhases; ++p) in_.caps.external_ma[p] = ext;
  for (int i = 0; i < n_; ++i) {
    const stations::Driver& d = drivers_[i];
    lm::StationInput& si = in_.station[i];
    si.online = d.online();
    si.state = d.state();
    for (int k = 0; k < lm::kPhases; ++k) si.current_ma[k] = d.current_ma(k);
    si.session_wh = d.session_wh();
    si.slow_alloc_ma = d.slow_alloc_ma();
    // CL-06: the Direct EVSE target ends at its valid-until time, with or without the cloud.
    if (evse_ma_[i] != lm::kNoLimit && now_ms >= evse_until_ms_[i]) {
      evse_ma_[i] = lm::kNoLimit;
      log_.event("lm", "evse-target-expired").kv("station", station_name(i));
    }
    si.cloud_target_ma = evse_ma_[i];
  }
  const lm::Output& out = alloc_.step(in_);
  log_events(out);

  for (int i = 0; i < n_; ++i) {
    drivers_[i].set_setpoint(out.setpoint_ma[i]);
    drivers_[i].cycle(now_ms);
  }
  pool_.service(drivers_, peers_, n_, now_ms);
  zaptec_.set_account(settings_.text(Id::ZaptecUser), settings_.text(Id::ZaptecPassword));
  zaptec_.service(drivers_, n_, &out, now_ms);

  if (now_ms - status_at_ >= 60000 || status_at_ == 0) {
    status_at_ = now_ms;
    log_.event("lm", "status")
        .kv("l1_ma", in_.meter.current_ma[0])
        .kv("l2_ma", in_.meter.current_ma[1])
        .kv("l3_ma", in_.meter.current_ma[2])
        .kv("budget_l1_ma", out.budget_ma[0])
        .kv("budget_l2_ma", out.budget_ma[1])
        .kv("budget_l3_ma", out.budget_ma[2])
        .kv("planned_w", out.planned_power_w)
        .kv("ripple", mode_name(rip.mode))
        .kv("valid", static_cast<unsigned>(in_.meter.valid_mask));
  }
}

void Site::poll(std::uint64_t now_ms) {
  if (n_ > 0) pool_.service(drivers_, peers_, n_, now_ms);
  if (n_ > 0) zaptec_.service(drivers_, n_, nullptr, now_ms);
  // RC-10: sample the ripple input on every wake-up too, so that a pulse shorter than the
  // cycle is seen (and logged as a glitch) rather than missed.
  const bool di = gpio_.input_24v(1);
  if (configured_ && di != last_di_) {
    last_di_ = di;
    log_ripple(ripple_.step(now_ms, di, cloud_up_, station_w_));
  }
}

void Site::log_events(const lm::Output& out) {
  for (int k = 0; k < out.n_events; ++k) {
    const lm::Event& e = out.events[k];
    LogLine line = log_.event("lm", lm::event_name(e.type));
    if (e.station >= 0) line.kv("station", station_name(e.station));
    if (e.phase >= 0) line.kv("phase", kPhaseName[e.phase % 3]);
    switch (e.type) {
      case lm::EventType::OverloadCut: line.kv("grid_ma", e.value).kv("limit_ma", e.aux); break;
      case lm::EventType::BuildingOverload:
        line.kv("building_ma", e.value).kv("limit_ma", e.aux).kv("cause", "overload not caused by EV charging");
        break;
      case lm::EventType::Rotated: line.kv("for", station_name(e.aux)); break;
      default: line.kv("value", e.value).kv("aux", e.aux); break;
    }
  }
  if (out.dropped_events > 0) log_.event("lm", "events-dropped").kv("count", out.dropped_events);
}

void Site::log_external() {
  lm::ExtEvent ev[lm::ExternalControl::kMaxExtEvents];
  const int n = ext_.take_events(ev, lm::ExternalControl::kMaxExtEvents);
  for (int k = 0; k < n; ++k) {
    const char* what = "?";
    switch (ev[k].type) {
      case lm::ExtEventType::Activated: what = "activated"; break;
      case lm::ExtEventType::Deactivated: what = "deactivated"; break;
      case lm::ExtEventType::TimedOut: what = "timeout"; break;
      case lm::ExtEventType::Restored: what = "restored"; break;
      case lm::ExtEventType::LimitChanged: what = "limit"; break;
    }
    log_.event("external", what).kv("limit_ma", ev[k].value);
  }
}

void Site::log_ripple(const lm::RippleOutput& r) {
  for (int k = 0; k < r.n_events; ++k) {
    const lm::RippleEvent& e = r.events[k];
    switch (e.type) {
      case lm::RippleEventType::DiChanged: log_.event("ripple", "input").kv("active", e.value != 0); break;
      case lm::RippleEventType::Glitch: log_.event("ripple", "glitch").kv("ms", e.value).kv("action", "ignored"); break;
      case lm::RippleEventType::ModeChanged:
        log_.event("ripple", "mode")
            .kv("mode", mode_name(static_cast<lm::RippleMode>(e.value)))
            .kv("was", mode_name(static_cast<lm::RippleMode>(e.aux)))
            .kv("source", source_name(e.source));
        break;
      case lm::RippleEventType::CloudExpired: log_.event("ripple", "cloud-expired"); break;
      case lm::RippleEventType::AuditStart:
      case lm::RippleEventType::AuditUpdate:
      case lm::RippleEventType::AuditEnd: {
        // e.value is the ring slot; the record concerned is always the newest one.
        if (ripple_.audit_count() == 0) break;
        const lm::AuditRecord& a = ripple_.audit_at(ripple_.audit_count() - 1);
        const char* what = e.type == lm::RippleEventType::AuditStart    ? "audit-start"
                           : e.type == lm::RippleEventType::AuditUpdate ? "audit-update"
                                                                        : "audit-end";
        log_.event("ripple", what)
            .kv("mode", mode_name(a.mode))
            .kv("source", source_name(a.source))
            .kv("start_ms", a.start_ms)
            .kv("end_ms", a.end_ms)
            .kv("power_before_w", a.power_before_w)
            .kv("power_after_w", a.power_after_w);
        break;
      }
    }
  }
}

}  // namespace lmc::site
