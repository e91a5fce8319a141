#include "app/lm/allocator.h"

namespace lmc::lm {
namespace {

constexpr std::int64_t kUnlimited = INT64_MAX / 4;

bool ev_present(Iec s) {
  return s == Iec::B || s == Iec::C || s == Iec::D;
}

std::int32_t round_down(std::int32_t v, std::int32_t res) {
  return res > 1 ? v - v % res : v;
}

int prio_rank(Priority p) {
  return static_cast<int>(p);
}  // 0 = high

std::uint8_t config_mask(const StationConfig& c) {
  std::uint8_t m = 0;
  int n = c.phases < 1 ? 1 : (c.phases > kPhases ? kPhases : c.phases);
  for (int k = 0; k < n; ++k) m |= static_cast<std::uint8_t>(1u << (c.rotation[k] % kPhases));
  return m;
}

bool elapsed(std::uint64_t now, std::uint64_t since, std::uint64_t span) {
  return now >= since + span;
}

}  // namespace

const char* event_name(EventType t) {
  switch (t) {
    case EventType::OverloadCut: return "overload";
    case EventType::BuildingOverload: return "overload-not-ev";
    case EventType::BuildingOverloadEnd: return "overload-not-ev-end";
    case EventType::Overshoot: return "overshoot";
    case EventType::OvershootPaused: return "overshoot-paused";
    case EventType::Paused: return "paused";
    case EventType::Resumed: return "resumed";
    case EventType::Rotated: return "rotated";
    case EventType::PhasesDetected: return "phases";
    case EventType::MeterFrozen: return "meter-frozen";
    case EventType::MeterFallback: return "meter-fallback";
    case EventType::MeterRecovered: return "meter-recovered";
    case EventType::StationOffline: return "station-offline";
    case EventType::StationFallback: return "station-fallback";
    case EventType::SlowOverBudget: return "slow-over-budget";
    case EventType::StationReleased: return "station-released";
  }
  return "?";
}

std::uint8_t fallback_overload_mask(const SiteConfig& site, const StationConfig* stations, int count) {
  std::int64_t sum[kPhases] = {0, 0, 0};
  for (int i = 0; i < count && i < kMaxStations; ++i) {
    if (!stations[i].enabled) continue;
    std::uint8_t m = config_mask(stations[i]);
    for (int p = 0; p < kPhases; ++p)
      if ((m >> p) & 1u) sum[p] += stations[i].fallback_ma;
  }
  std::uint8_t out = 0;
  for (int p = 0; p < kPhases; ++p)
    if (sum[p] * 2 > site.phase_limit_ma[p]) out |= static_cast<std::uint8_t>(1u << p);
  return out;
}

void Allocator::configure(const SiteConfig& site, const StationConfig* stations, int count) {
  if (count < 0) count = 0;
  if (count > kMaxStations) count = kMaxStations;
  site_ = site;
  if (site_.resolution_ma < 1) site_.resolution_ma = 1;
  for (int i = 0; i < kMaxStations; ++i) {
    StationConfig c = i < count ? stations[i] : StationConfig{};
    const StationConfig& o = cfg_[i];
    bool same = c.enabled == o.enabled && c.phases == o.phases && c.rotation[0] == o.rotation[0] &&
                c.rotation[1] == o.rotation[1] && c.rotation[2] == o.rotation[2] && c.slow == o.slow;
    if (!same) tr_[i] = Track{};
    cfg_[i] = c;
  }
  count_ = count;
}

void Allocator::emit(EventType t, int station, int phase, std::int32_t value, std::int32_t aux) {
  if (out_.n_events >= kMaxEvents) {
    ++out_.dropped_events;
    return;
  }
  out_.events[out_.n_events++] =
      Event{t, static_cast<std::int8_t>(station), static_cast<std::int8_t>(phase), value, aux};
}

const Output& Allocator::step(const Input& in) {
  const std::uint64_t now = in.now_ms;
  const SiteConfig& S = site_;
  const std::int32_t res = S.resolution_ma;
  out_.n_events = 0;
  out_.dropped_events = 0;

  // ---- SAFE-01: meter state per grid phase -------------------------------------------------
  std::uint8_t invalid_mask = 0, fallback_mask = 0;
  for (int p = 0; p < kPhases; ++p) {
    PhaseMeter& m = pm_[p];
    bool valid = (in.meter.valid_mask >> p) & 1u;
    if (valid) {
      if (!m.ever_valid) {
        m.ever_valid = true;  // boot: nothing was wrong, no recovery wait
        m.fallback = false;
        m.invalid = false;
      }
      if (m.invalid) {
        m.invalid = false;
        m.valid_since_ms = now;
        if (!m.fallback) emit(EventType::MeterRecovered, -1, p, 0, 0);
      }
      if (m.fallback && elapsed(now, m.valid_since_ms, S.meter_recover_ms)) {
        m.fallback = false;
        emit(EventType::MeterRecovered, -1, p, 0, 0);
      }
    } else {
      if (!m.ever_valid) {
        m.fallback = true;  // boot without a reading: nothing to go by but the error-case budget
      } else if (!m.invalid) {
        m.invalid = true;
        m.invalid_since_ms = now;
        if (!m.fallback) emit(EventType::MeterFrozen, -1, p, 0, 0);
      }
      if (m.ever_valid && !m.fallback && elapsed(now, m.invalid_since_ms, S.meter_fallback_ms)) {
        m.fallback = true;
        emit(EventType::MeterFallback, -1, p, S.error_budget_ma, 0);
      }
      if (m.ever_valid) m.valid_since_ms = now;
    }
    if (m.fallback)
      fallback_mask |= static_cast<std::uint8_t>(1u << p);
    else if (m.invalid)
      invalid_mask |= static_cast<std::uint8_t>(1u << p);
  }
  out_.frozen = invalid_mask != 0;

  // Voltage per phase for power caps: the measured one when plausible, else nominal.
  std::int64_t volt_mv[kPhases];
  for (int p = 0; p < kPhases; ++p) {
    std::int32_t v = in.meter.voltage_mv[p];
    bool ok = ((in.meter.valid_mask >> p) & 1u) && v >= S.nominal_voltage_mv / 2;
    volt_mv[p] = ok ? v : S.nominal_voltage_mv;
  }
  auto power_w = [&](const std::int64_t* per_phase_ma) {
    std::int64_t mw = 0;
    for (int p = 0; p < kPhases; ++p) mw += volt_mv[p] * per_phase_ma[p] / 1000;
    return mw / 1000;
  };

  // ---- Stations: sessions, phases, offline, overshoot ---------------------------------------
  const int n = count_;
  std::int32_t meas[kMaxStations][kPhases];  // station-reported current per grid phase
  std::uint8_t cmask[kMaxStations], amask[kMaxStations];
  std::int64_t online_meas[kPhases] = {0, 0, 0};
  // What offline stations last drew (capped at their reservation): their draw is still in the
  // measured grid current, so the building estimate leaves it out and the reservation stands in
  // for it, not on top of it.
  std::int64_t offline_credit[kPhases] = {0, 0, 0};
  for (int i = 0; i < n; ++i) {
    const StationConfig& c = cfg_[i];
    const StationInput& s = in.station[i];
    Track& t = tr_[i];
    for (int p = 0; p < kPhases; ++p) meas[i][p] = 0;
    cmask[i] = config_mask(c);
    amask[i] = cmask[i];
    if (!c.enabled) continue;
    for (int k = 0; k < kPhases; ++k) {
      // Clamped: a garbage register must not overflow the sums below (1000 A is beyond any station).
      std::int32_t a = s.current_ma[k] > 0 ? (s.current_ma[k] < 1000000 ? s.current_ma[k] : 1000000) : 0;
      meas[i][c.rotation[k] % kPhases] += a;
    }
    if (s.online) {
      if (!t.was_online) t.offline_fallback = false;
      t.was_online = true;
      t.released = false;
      for (int p = 0; p < kPhases; ++p) {
        online_meas[p] += meas[i][p];
        t.last_meas_ma[p] = meas[i][p];
      }
      bool ev = ev_present(s.state);
      if (!ev) {  // session over: forget what we learned about this EV
        t.phases_seen = 0;
        t.overshoots = 0;
        t.overshoot_paused = false;
        t.demand_cap_ma = 0;
        t.rotation_paused = false;
      }
      if (ev && !t.ev) t.last_increase_ms = now;  // LM-09: an EV on a parked station starts at its min
      t.ev = ev;
      // LM-07: an EV phase counts above 1 A (A25); the EV is accounted on the phases it used.
      std::uint8_t seen = 0;
      int nk = c.phases < 1 ? 1 : (c.phases > kPhases ? kPhases : c.phases);
      for (int k = 0; k < nk; ++k)
        if (s.current_ma[k] > S.phase_active_ma) seen |= static_cast<std::uint8_t>(1u << (c.rotation[k] % kPhases));
      if (ev && (seen | t.phases_seen) != t.phases_seen) {
        if (t.phases_seen == 0 && seen != cmask[i]) ++epoch_;  // fewer phases than assumed: room freed
        t.phases_seen |= seen;
        emit(EventType::PhasesDetected, i, -1, t.phases_seen, 0);
      }
      if (t.phases_seen) amask[i] = t.phases_seen;
    } else {
      if (t.was_online) {
        t.was_online = false;
        t.offline_since_ms = now;
        t.offline_fallback = false;
        t.offline_reserve_ma = t.setpoint_ma > c.fallback_ma ? t.setpoint_ma : c.fallback_ma;
        t.released = false;
        for (int p = 0; p < kPhases; ++p) {
          std::int32_t ref = in.meter.current_ma[p];
          for (int h = 0; h < grid_hist_n_; ++h)
            if (grid_hist_[h][p] > ref) ref = grid_hist_[h][p];
          t.drop_ref_ma[p] = ref;
        }
        emit(EventType::StationOffline, i, -1, t.offline_reserve_ma, 0);
      }
      if (!t.offline_fallback && elapsed(now, t.offline_since_ms, std::uint64_t{c.timeout_ms} + S.offline_grace_ms)) {
        t.offline_fallback = true;
        t.offline_reserve_ma = c.fallback_ma;
        emit(EventType::StationFallback, i, -1, c.fallback_ma, 0);
      }
      // SAFE-06: has its draw visibly left the grid (an RCD trip)? On every phase it drew on, the
      // grid current is down by most of that draw from its level before the silence. No
      // measurable draw before: nothing can confirm, it stays reserved.
      bool drew = false, dropped = !t.released;
      for (int p = 0; p < kPhases && dropped; ++p) {
        if (!((cmask[i] >> p) & 1u) || t.last_meas_ma[p] < 2000) continue;
        drew = true;
        const bool valid = (in.meter.valid_mask >> p) & 1u;
        const std::int64_t drop = std::int64_t{t.drop_ref_ma[p]} - in.meter.current_ma[p];
        if (!valid || drop * 100 < std::int64_t{t.last_meas_ma[p]} * S.drop_confirm_pct) dropped = false;
      }
      dropped = dropped && drew;
      // ... and once its watchdog window has passed too, its reservation is released (latched
      // until it answers again).
      if (dropped && t.offline_fallback) {
        t.released = true;
        emit(EventType::StationReleased, i, -1, t.offline_reserve_ma, 0);
      }
      // While its last draw is still in the grid current, the reservation stands in for it rather
      // than on top of it (SAFE-02). Once the draw has gone, the full reservation counts again:
      // its EV may come back.
      if (!t.released && !dropped)
        for (int p = 0; p < kPhases; ++p)
          if ((cmask[i] >> p) & 1u) {
            std::int32_t cr = t.last_meas_ma[p] < t.offline_reserve_ma ? t.last_meas_ma[p] : t.offline_reserve_ma;
            offline_credit[p] += cr > 0 ? cr : 0;
          }
    }
  }

  // ---- Capacity per grid phase for all our stations, and the power cap -----------------------
  std::int64_t cap[kPhases], raise_cap[kPhases];
  bool building_over = false;
  const int window = static_cast<int>(S.raise_window_ms / 1000u) < kGridHistory - 1
                         ? static_cast<int>(S.raise_window_ms / 1000u)
                         : kGridHistory - 1;
  for (int p = 0; p < kPhases; ++p) {
    PhaseMeter& m = pm_[p];
    bool valid = (in.meter.valid_mask >> p) & 1u;
    // Offline stations' draw stays in the building load (it is unknown), and they are reserved too.
    if (valid) m.building_ma = std::int64_t{in.meter.current_ma[p]} - online_meas[p] - offline_credit[p];
    std::int64_t limit = S.phase_limit_ma[p];
    cap[p] = m.fallback ? S.error_budget_ma : limit - m.building_ma;
    std::int64_t bmax = m.building_ma;
    for (int h = 1; h <= window && h <= grid_hist_n_; ++h) {
      std::int64_t b = bld_hist_[(grid_hist_head_ - h + kGridHistory) % kGridHistory][p];
      if (b > bmax) bmax = b;
    }
    if (bmax > m.building_ma + S.raise_band_ma) bmax = m.building_ma + S.raise_band_ma;
    bld_hist_[grid_hist_head_][p] = m.building_ma;  // the head advances below, with the grid ring
    raise_cap[p] = m.fallback ? S.error_budget_ma : limit - bmax;
    if (in.caps.external_ma[p] >= 0 && in.caps.external_ma[p] < cap[p]) cap[p] = in.caps.external_ma[p];
    if (in.caps.master_ma[p] >= 0 && in.caps.master_ma[p] < cap[p]) cap[p] = in.caps.master_ma[p];
    if (in.caps.ripple == RippleMode::Blocked) cap[p] = 0;
    if (raise_cap[p] > cap[p]) raise_cap[p] = cap[p];
    if (valid && !m.fallback) {
      bool over = in.meter.current_ma[p] > limit;
      if (over && !overload_[p]) emit(EventType::OverloadCut, -1, p, in.meter.current_ma[p], S.phase_limit_ma[p]);
      overload_[p] = over;
      if (m.building_ma > limit) {
        building_over = true;
        if (!phase_building_over_[p])
          emit(EventType::BuildingOverload, -1, p, static_cast<std::int32_t>(m.building_ma), S.phase_limit_ma[p]);
        phase_building_over_[p] = true;
      } else if (phase_building_over_[p]) {
        phase_building_over_[p] = false;
        emit(EventType::BuildingOverloadEnd, -1, p, static_cast<std::int32_t>(m.building_ma), S.phase_limit_ma[p]);
      }
    }
  }
  (void)building_over;
  for (int p = 0; p < kPhases; ++p) grid_hist_[grid_hist_head_][p] = in.meter.current_ma[p];
  grid_hist_head_ = (grid_hist_head_ + 1) % kGridHistory;
  if (grid_hist_n_ < kGridHistory) ++grid_hist_n_;
  std::int64_t wcap = kUnlimited;
  if (in.caps.ripple == RippleMode::Reduced) wcap = in.caps.reduced_power_w;
  if (S.max_building_power_w > 0 && in.meter.valid_mask == 0x7 && fallback_mask == 0) {
    std::int64_t building_w = in.meter.power_w - power_w(online_meas);
    std::int64_t w = S.max_building_power_w - building_w;
    if (w < wcap) wcap = w;
  }

  // Relaxed caps let stations paused for budget restart without the LM-05 minimum pause.
  {
    bool relaxed = static_cast<int>(in.caps.ripple) < static_cast<int>(last_ripple_) ||
                   (in.caps.ripple == RippleMode::Reduced && in.caps.reduced_power_w > last_reduced_w_) ||
                   (last_boot_hold_ && !in.caps.boot_hold) || (last_fallback_mask_ & ~fallback_mask);
    for (int p = 0; p < kPhases; ++p) {
      auto up = [](std::int32_t now_v, std::int32_t was) { return was >= 0 && (now_v < 0 || now_v > was); };
      relaxed = relaxed || up(in.caps.external_ma[p], last_external_[p]) || up(in.caps.master_ma[p], last_master_[p]);
      last_external_[p] = in.caps.external_ma[p];
      last_master_[p] = in.caps.master_ma[p];
    }
    if (relaxed) ++epoch_;
    last_ripple_ = in.caps.ripple;
    last_reduced_w_ = in.caps.reduced_power_w;
    last_boot_hold_ = in.caps.boot_hold;
    last_fallback_mask_ = fallback_mask;
  }

  // ---- Reservations: offline stations (SAFE-02), slow actuators (LM-13), overshoot (SAFE-08) --
  std::int64_t reserved[kPhases] = {0, 0, 0};
  std::int32_t lo[kMaxStations], hi[kMaxStations];  // allowed [min, max]; hi < lo: cannot run
  bool candidate[kMaxStations], idle[kMaxStations];
  for (int i = 0; i < n; ++i) {
    const StationConfig& c = cfg_[i];
    const StationInput& s = in.station[i];
    Track& t = tr_[i];
    candidate[i] = idle[i] = false;
    lo[i] = c.min_ma;
    hi[i] = -1;
    if (!c.enabled) continue;
    if (!s.online) {
      for (int p = 0; p < kPhases; ++p)
        if (((cmask[i] >> p) & 1u) && !t.released) reserved[p] += t.offline_reserve_ma;
      continue;
    }
    if (c.slow) {
      for (int p = 0; p < kPhases; ++p)
        if ((cmask[i] >> p) & 1u) reserved[p] += s.slow_alloc_ma > 0 ? s.slow_alloc_ma : 0;
      continue;
    }
    // SAFE-08: an EV drawing above its set-point + margin is compensated after the grace time
    // (it had time to follow a cut) and reported after overshoot_ms.
    std::int64_t drawn = 0;
    for (int k = 0; k < kPhases; ++k)
      if (s.current_ma[k] > drawn) drawn = s.current_ma[k];
    bool over = drawn > std::int64_t{t.setpoint_ma} + S.overshoot_margin_ma;
    if (over && !t.overshooting) {
      t.overshooting = true;
      t.overshoot_since_ms = now;
      t.overshoot_reported = false;
    } else if (!over) {
      t.overshooting = false;
    }
    if (t.overshooting) {
      if (elapsed(now, t.overshoot_since_ms, S.overshoot_grace_ms))
        for (int p = 0; p < kPhases; ++p) {
          std::int64_t excess = meas[i][p] - t.setpoint_ma;
          if (excess > 0) reserved[p] += excess;
        }
      if (!t.overshoot_reported && elapsed(now, t.overshoot_since_ms, S.overshoot_ms)) {
        t.overshoot_reported = true;
        emit(EventType::Overshoot, i, -1, static_cast<std::int32_t>(drawn), t.setpoint_ma);
        if (++t.overshoots >= S.overshoot_pause_count && !t.overshoot_paused) {
          t.overshoot_paused = true;
          emit(EventType::OvershootPaused, i, -1, t.overshoots, 0);
        }
      }
    }
    // The station's own allowed range this cycle: config, cloud target, boot hold, meter fallback.
    std::int32_t mx = c.max_ma;
    if (s.cloud_target_ma >= 0 && s.cloud_target_ma < mx) mx = s.cloud_target_ma;
    if (in.caps.boot_hold && c.fallback_ma < mx) mx = c.fallback_ma;
    if ((cmask[i] & fallback_mask) && c.min_ma < mx) mx = c.min_ma;  // SAFE-01: min current only
    // An EV that has taken well below its offer for a while is capped near its draw, so the
    // others can use the rest; the cap lifts as soon as it draws close to it.
    if (t.ev && t.running) {
      if (t.demand_cap_ma && drawn >= t.demand_cap_ma - 1000) t.demand_cap_ma = 0;
      if (!t.demand_cap_ma && t.setpoint_ma > c.min_ma && elapsed(now, t.last_change_ms, S.unused_offer_ms) &&
          drawn + 2000 < t.setpoint_ma) {
        std::int32_t capv = static_cast<std::int32_t>(drawn) + 2000;
        capv = round_down(capv + res - 1, res);
        t.demand_cap_ma = capv < c.min_ma ? c.min_ma : capv;
      }
      if (t.demand_cap_ma && t.demand_cap_ma < mx) mx = t.demand_cap_ma;
    }
    mx = round_down(mx, res);
    hi[i] = mx;
    if (t.ev && !t.overshoot_paused && mx >= c.min_ma) candidate[i] = true;
    if (!t.ev) idle[i] = true;
  }

  // ---- Running set (LM-05, LM-06, LM-07) -----------------------------------------------------
  // need: reservations + every running station at its min. top[r]: what running stations of
  // priority rank r still want above their min. A station may run only if, with everyone at min,
  // the higher priorities can still be filled to their max (LM-06, scenario 9).
  std::int64_t need[kPhases];
  std::int64_t need_w = 0;
  std::int64_t top[3][kPhases] = {};
  std::int64_t top_w[3] = {0, 0, 0};
  auto add_need = [&](int i, int sign) {
    std::int64_t per[kPhases] = {0, 0, 0}, up[kPhases] = {0, 0, 0};
    int r = prio_rank(cfg_[i].priority);
    std::int64_t extra = hi[i] > lo[i] ? hi[i] - lo[i] : 0;
    for (int p = 0; p < kPhases; ++p)
      if ((amask[i] >> p) & 1u) {
        need[p] += sign * std::int64_t{lo[i]};
        top[r][p] += sign * extra;
        per[p] = lo[i];
        up[p] = extra;
      }
    need_w += sign * power_w(per);
    top_w[r] += sign * power_w(up);
  };
  // Would station i (at min, plus `add` of its own min) leave its higher priorities their max?
  auto ok_for = [&](int i, bool add, std::int64_t margin = 0) {
    int r = prio_rank(cfg_[i].priority);
    std::int64_t self = add ? lo[i] + margin : 0;
    for (int p = 0; p < kPhases; ++p) {
      if (!((amask[i] >> p) & 1u)) continue;
      std::int64_t x = need[p] + self;
      for (int q = 0; q < r; ++q) x += top[q][p];
      if (x > cap[p]) return false;
    }
    std::int64_t per[kPhases] = {0, 0, 0};
    for (int p = 0; p < kPhases; ++p)
      if (add && ((amask[i] >> p) & 1u)) per[p] = lo[i];
    std::int64_t w = need_w + power_w(per);
    for (int q = 0; q < r; ++q) w += top_w[q];
    return w <= wcap;
  };
  auto fits = [&](int i) { return ok_for(i, true); };
  // "Worse" = paused first: lower priority, then more session energy, then higher index.
  auto worse = [&](int a, int b) {
    if (cfg_[a].priority != cfg_[b].priority) return prio_rank(cfg_[a].priority) > prio_rank(cfg_[b].priority);
    if (in.station[a].session_wh != in.station[b].session_wh)
      return in.station[a].session_wh > in.station[b].session_wh;
    return a > b;
  };
  // Does every EV's minimum fit, with a margin? Then nobody has to wait for a rotation.
  {
    std::int64_t all[kPhases] = {reserved[0], reserved[1], reserved[2]};
    std::int64_t all_w = 0;
    for (int i = 0; i < n; ++i) {
      if (!candidate[i]) continue;
      std::int64_t per[kPhases] = {0, 0, 0};
      for (int p = 0; p < kPhases; ++p)
        if ((amask[i] >> p) & 1u) per[p] = lo[i];
      for (int p = 0; p < kPhases; ++p) all[p] += per[p];
      all_w += power_w(per);
    }
    bool fit = all_w <= wcap;
    for (int p = 0; p < kPhases; ++p) fit = fit && all[p] + S.resume_margin_ma <= cap[p];
    if (fit && !all_fit_) all_fit_since_ms_ = now;
    all_fit_ = fit;
  }
  const bool early_resume = all_fit_ && elapsed(now, all_fit_since_ms_, S.resume_settle_ms);
  for (int p = 0; p < kPhases; ++p) need[p] = reserved[p];
  bool run[kMaxStations];
  for (int i = 0; i < n; ++i) {
    Track& t = tr_[i];
    run[i] = candidate[i] && t.running;
    if (t.running && !run[i]) {
      // Left for a reason other than the budget (EV gone, cap, overshoot): capacity freed.
      t.running = false;
      t.rotation_paused = false;
      ++epoch_;
    }
    if (run[i]) add_need(i, +1);
  }
  // Forced pauses, worst first: the minimums must fit, and lower priorities give way to the
  // higher ones' max (safety and priority override LM-05's timing).
  auto force_pauses = [&]() {
    for (;;) {
      int victim = -1;
      for (int i = 0; i < n; ++i)
        if (run[i] && (victim < 0 || worse(i, victim)) && !ok_for(i, false)) victim = i;
      if (victim < 0) return;
      run[victim] = false;
      add_need(victim, -1);
      Track& t = tr_[victim];
      t.running = false;
      t.rotation_paused = true;
      t.pause_since_ms = now;
      t.pause_epoch = epoch_;
      emit(EventType::Paused, victim, -1, static_cast<std::int32_t>(in.station[victim].session_wh), 0);
    }
  };
  force_pauses();
  // Waiting EVs, best first: start those that fit; higher priority displaces lower (LM-06).
  int order[kMaxStations];
  int nw = 0;
  for (int i = 0; i < n; ++i)
    if (candidate[i] && !run[i]) order[nw++] = i;
  for (int a = 1; a < nw; ++a)  // insertion sort: best (not worse) first
    for (int b = a; b > 0 && worse(order[b - 1], order[b]); --b) {
      int x = order[b];
      order[b] = order[b - 1];
      order[b - 1] = x;
    }
  for (int w = 0; w < nw; ++w) {
    int i = order[w];
    Track& t = tr_[i];
    // Room for its minimum (with the margin) without stopping anyone, held for the settle time:
    // starting it is no rotation, so the 15 min do not apply (LM-05).
    const bool fit_now = ok_for(i, true, S.resume_margin_ma);
    if (fit_now && !t.fit) t.fit_since_ms = now;
    t.fit = fit_now;
    const bool free_room = fit_now && elapsed(now, t.fit_since_ms, S.resume_settle_ms);
    bool may_start = !t.rotation_paused || t.pause_epoch != epoch_ || early_resume || free_room ||
                     elapsed(now, t.pause_since_ms, S.min_run_pause_ms);
    if (!may_start) continue;
    if (!fits(i)) {
      // Displace strictly lower priorities, worst first, if that makes room.
      int victims[kMaxStations];
      int nv = 0;
      for (;;) {
        int v = -1;
        for (int j = 0; j < n; ++j)
          if (run[j] && prio_rank(cfg_[j].priority) > prio_rank(cfg_[i].priority) && (amask[j] & amask[i]) &&
              (v < 0 || worse(j, v))) {
            bool taken = false;
            for (int q = 0; q < nv; ++q) taken = taken || victims[q] == j;
            if (!taken) v = j;
          }
        if (v < 0) break;
        victims[nv++] = v;
        add_need(v, -1);
        if (fits(i)) break;
      }
      if (!fits(i)) {
        for (int q = 0; q < nv; ++q) add_need(victims[q], +1);
        if (!t.rotation_paused) {
          t.rotation_paused = true;
          t.pause_since_ms = now;
          t.pause_epoch = epoch_;
          emit(EventType::Paused, i, -1, static_cast<std::int32_t>(in.station[i].session_wh), 0);
        }
        continue;
      }
      for (int q = 0; q < nv; ++q) {
        Track& tv = tr_[victims[q]];
        run[victims[q]] = false;
        tv.running = false;
        tv.rotation_paused = true;
        tv.pause_since_ms = now;
        tv.pause_epoch = epoch_;
        emit(EventType::Paused, victims[q], -1, static_cast<std::int32_t>(in.station[victims[q]].session_wh), 0);
      }
    }
    run[i] = true;
    add_need(i, +1);
    t.running = true;
    t.rotation_paused = false;
    t.run_since_ms = now;
    emit(EventType::Resumed, i, -1, lo[i], 0);
  }
  // LM-05 rotation among equals: a station paused >= 15 min replaces the running one of its
  // priority with the most session energy that has run >= 15 min (one swap per cycle).
  for (int w = 0; w < nw; ++w) {
    int i = order[w];
    Track& t = tr_[i];
    if (run[i] || !t.rotation_paused || !elapsed(now, t.pause_since_ms, S.min_run_pause_ms)) continue;
    int v = -1;
    for (int j = 0; j < n; ++j)
      if (run[j] && cfg_[j].priority == cfg_[i].priority && elapsed(now, tr_[j].run_since_ms, S.min_run_pause_ms) &&
          in.station[j].session_wh > in.station[i].session_wh && (v < 0 || worse(j, v)))
        v = j;
    if (v < 0) continue;
    add_need(v, -1);
    if (!fits(i)) {
      add_need(v, +1);
      continue;
    }
    Track& tv = tr_[v];
    run[v] = false;
    tv.running = false;
    tv.rotation_paused = true;
    tv.pause_since_ms = now;
    tv.pause_epoch = epoch_;
    run[i] = true;
    add_need(i, +1);
    t.running = true;
    t.rotation_paused = false;
    t.run_since_ms = now;
    emit(EventType::Rotated, v, -1, static_cast<std::int32_t>(in.station[v].session_wh), i);
    break;
  }

  force_pauses();  // a started higher priority may leave lower ones no room

  // ---- Fill (LM-06): everyone running at min, then priority levels water-filled ------------
  std::int32_t alloc[kMaxStations];
  std::int64_t used[kPhases] = {reserved[0], reserved[1], reserved[2]};
  std::int64_t used_w = 0;
  auto station_w = [&](int i, std::int64_t ma, std::uint8_t mask) {
    std::int64_t per[kPhases] = {0, 0, 0};
    for (int p = 0; p < kPhases; ++p)
      if ((mask >> p) & 1u) per[p] = ma;
    (void)i;
    return power_w(per);
  };
  for (int i = 0; i < n; ++i) {
    alloc[i] = 0;
    if (!run[i]) continue;
    alloc[i] = lo[i];
    for (int p = 0; p < kPhases; ++p)
      if ((amask[i] >> p) & 1u) used[p] += lo[i];
    used_w += station_w(i, lo[i], amask[i]);
  }
  bool frozen_fill[kMaxStations];
  for (int level = 0; level < 3; ++level) {
    int members = 0;
    for (int i = 0; i < n; ++i) {
      frozen_fill[i] = !(run[i] && prio_rank(cfg_[i].priority) == level && alloc[i] < hi[i]);
      if (!frozen_fill[i]) ++members;
    }
    while (members > 0) {
      // The lowest allocation gets the next step. Ties: the one already holding more (so the
      // odd ampere does not wander between stations, cutting and re-raising them), then less
      // energy, then the lower index.
      int best = -1;
      for (int i = 0; i < n; ++i) {
        if (frozen_fill[i]) continue;
        if (best < 0 || alloc[i] < alloc[best]) {
          best = i;
        } else if (alloc[i] == alloc[best]) {
          std::int32_t hi_i = tr_[i].setpoint_ma, hi_b = tr_[best].setpoint_ma;
          if (hi_i > hi_b || (hi_i == hi_b && in.station[i].session_wh < in.station[best].session_wh)) best = i;
        }
      }
      std::int32_t step_ma = res - alloc[best] % res;
      if (alloc[best] + step_ma > hi[best]) step_ma = hi[best] - alloc[best];
      bool ok = step_ma > 0;
      for (int p = 0; ok && p < kPhases; ++p)
        if (((amask[best] >> p) & 1u) && used[p] + step_ma > cap[p]) ok = false;
      std::int64_t dw = station_w(best, step_ma, amask[best]);
      if (ok && used_w + dw > wcap) ok = false;
      if (!ok) {
        frozen_fill[best] = true;
        --members;
        continue;
      }
      alloc[best] += step_ma;
      for (int p = 0; p < kPhases; ++p)
        if ((amask[best] >> p) & 1u) used[p] += step_ma;
      used_w += dw;
      if (alloc[best] >= hi[best]) {
        frozen_fill[best] = true;
        --members;
      }
    }
  }

  // ---- LM-03 ramp: cut at once; raise at most once per interval, start at min (LM-09) -------
  // Pass 1: cuts and holds. Pass 2: increases, only into what is left once every EV has come down
  // to its new set-point: an EV still above it (it has ~5 s to follow a cut) keeps its current,
  // so a start never coincides with a pending cut (break before make).
  std::int64_t planned[kPhases] = {reserved[0], reserved[1], reserved[2]};
  std::int64_t soft[kPhases] = {0, 0, 0};
  std::int64_t planned_w = 0;
  std::int32_t next[kMaxStations], target[kMaxStations];
  for (int i = 0; i < n; ++i) {
    const StationConfig& c = cfg_[i];
    Track& t = tr_[i];
    next[i] = t.setpoint_ma;
    target[i] = 0;
    if (!c.enabled || !in.station[i].online || c.slow) continue;
    target[i] = run[i] ? alloc[i] : 0;
    if (idle[i] || target[i] < next[i]) next[i] = idle[i] ? 0 : target[i];
    for (int p = 0; p < kPhases; ++p) {
      if ((amask[i] >> p) & 1u) planned[p] += next[i];
      std::int64_t excess = meas[i][p] - next[i];
      bool compensated = t.overshooting && elapsed(now, t.overshoot_since_ms, S.overshoot_grace_ms);
      if (excess > 0 && !compensated) soft[p] += excess;
    }
    planned_w += station_w(i, next[i], amask[i]);
  }
  auto room_for = [&](int i, std::uint8_t mask, std::int32_t delta) {
    for (int p = 0; p < kPhases; ++p)
      if (((mask >> p) & 1u) && planned[p] + soft[p] + delta > raise_cap[p]) return false;
    return planned_w + station_w(i, delta, mask) <= wcap;
  };
  auto commit_increase = [&](int i, std::uint8_t mask, std::int32_t delta) {
    for (int p = 0; p < kPhases; ++p)
      if ((mask >> p) & 1u) planned[p] += delta;
    planned_w += station_w(i, delta, mask);
  };
  // Increases in fill order: priority, then the lowest set-point first.
  int inc[kMaxStations];
  int ninc = 0;
  for (int i = 0; i < n; ++i)
    if (!idle[i] && target[i] > next[i] && !(amask[i] & invalid_mask)) inc[ninc++] = i;
  for (int a = 1; a < ninc; ++a)
    for (int b = a; b > 0; --b) {
      int x = inc[b], y = inc[b - 1];
      bool before = prio_rank(cfg_[x].priority) < prio_rank(cfg_[y].priority) ||
                    (cfg_[x].priority == cfg_[y].priority && next[x] < next[y]);
      if (!before) break;
      inc[b] = y;
      inc[b - 1] = x;
    }
  for (int q = 0; q < ninc; ++q) {
    int i = inc[q];
    Track& t = tr_[i];
    if (next[i] == 0) {
      // LM-09: a newly allowed station starts at its min, if its min is really free now.
      if (room_for(i, amask[i], lo[i])) {
        next[i] = lo[i];
        commit_increase(i, amask[i], lo[i]);
        t.last_increase_ms = now;
      }
    } else if (elapsed(now, t.last_increase_ms, S.increase_interval_ms)) {
      std::int32_t want = target[i] - next[i];
      std::int32_t d = want;
      while (d > 0 && !room_for(i, amask[i], d)) d = d > res ? round_down(d - 1, res) : 0;
      if (d > 0) {
        next[i] += d;
        commit_increase(i, amask[i], d);
        t.last_increase_ms = now;
      }
    }
  }
  // LM-08 / A13: idle stations parked at min while every phase has room for it, high priority
  // first; otherwise 0. Parking is an increase like any other (frozen meter: stays).
  int idle_order[kMaxStations];
  int ni = 0;
  for (int i = 0; i < n; ++i)
    if (idle[i]) idle_order[ni++] = i;
  for (int a = 1; a < ni; ++a)
    for (int b = a; b > 0 && prio_rank(cfg_[idle_order[b]].priority) < prio_rank(cfg_[idle_order[b - 1]].priority);
         --b) {
      int x = idle_order[b];
      idle_order[b] = idle_order[b - 1];
      idle_order[b - 1] = x;
    }
  for (int q = 0; q < ni; ++q) {
    int i = idle_order[q];
    const StationConfig& c = cfg_[i];
    Track& t = tr_[i];
    std::int32_t park = hi[i] >= c.min_ma ? c.min_ma : 0;
    bool ok = park > 0;
    if (ok && !room_for(i, cmask[i], park)) ok = false;
    if (ok && park > t.setpoint_ma && (invalid_mask & cmask[i])) ok = false;
    next[i] = ok ? park : 0;
    if (next[i] > t.setpoint_ma) t.last_increase_ms = now;
    for (int p = 0; p < kPhases; ++p)
      if ((cmask[i] >> p) & 1u) planned[p] += next[i];
    planned_w += station_w(i, next[i], cmask[i]);
  }

  // ---- Slow actuators (LM-13, A34): desired allocation from what is left; over-budget flag ---
  for (int i = 0; i < n; ++i) {
    const StationConfig& c = cfg_[i];
    const StationInput& s = in.station[i];
    if (!c.enabled || !c.slow || !s.online) continue;
    std::int64_t room = kUnlimited;
    bool over = false;
    for (int p = 0; p < kPhases; ++p)
      if ((cmask[i] >> p) & 1u) {
        std::int64_t r = cap[p] - planned[p] + (s.slow_alloc_ma > 0 ? s.slow_alloc_ma : 0);
        if (r < room) room = r;
        if (planned[p] > cap[p]) over = true;
      }
    std::int32_t mx = c.max_ma;
    if (s.cloud_target_ma >= 0 && s.cloud_target_ma < mx) mx = s.cloud_target_ma;
    if (in.caps.ripple == RippleMode::Blocked || !ev_present(s.state)) mx = 0;
    std::int64_t want = room < mx ? room : mx;
    want = round_down(static_cast<std::int32_t>(want < 0 ? 0 : want), res);
    if (want < c.min_ma) want = 0;
    next[i] = static_cast<std::int32_t>(want);
    if (over && want < s.slow_alloc_ma) emit(EventType::SlowOverBudget, i, -1, next[i], s.slow_alloc_ma);
  }

  // ---- Commit -------------------------------------------------------------------------------
  for (int i = 0; i < kMaxStations; ++i) {
    out_.setpoint_ma[i] = 0;
    out_.status[i] = StationStatus::Disabled;
    out_.phase_mask[i] = 0;
  }
  for (int i = 0; i < n; ++i) {
    const StationConfig& c = cfg_[i];
    Track& t = tr_[i];
    if (!c.enabled) continue;
    out_.phase_mask[i] = amask[i];
    if (!in.station[i].online) {
      out_.setpoint_ma[i] = t.setpoint_ma;
      out_.status[i] = StationStatus::Offline;
      continue;
    }
    if (next[i] != t.setpoint_ma) t.last_change_ms = now;
    // LM-05 counts a run from the moment current is really offered (a start may wait for a
    // paused EV to come down first).
    if (t.setpoint_ma == 0 && next[i] > 0) t.run_since_ms = now;
    t.setpoint_ma = next[i];
    out_.setpoint_ma[i] = next[i];
    if (c.slow)
      out_.status[i] = StationStatus::SlowFixed;
    else if (!t.ev)
      out_.status[i] = StationStatus::Idle;
    else
      out_.status[i] = next[i] > 0 ? StationStatus::Charging : StationStatus::Paused;
  }
  for (int p = 0; p < kPhases; ++p) {
    out_.budget_ma[p] = static_cast<std::int32_t>(cap[p] < -2000000000 ? -2000000000 : cap[p]);
    out_.planned_ma[p] = static_cast<std::int32_t>(planned[p]);
  }
  out_.planned_power_w = static_cast<std::int32_t>(planned_w);
  return out_;
}

}  // namespace lmc::lm
