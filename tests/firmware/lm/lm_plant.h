// A small host plant for the allocator's tests: a building load per phase, stations wired to the
// grid by their rotation, EVs that follow the offered current with delays (late ramps), station
// watchdogs, a meter that can be lost. One tick() = one 1 s control cycle:
// EVs react to what was offered, the meter reads the grid, the allocator steps, commands land.
#pragma once
#include <cstdint>

#include "app/lm/allocator.h"

namespace lmtest {

using lmc::lm::Allocator;
using lmc::lm::Iec;
using lmc::lm::Input;
using lmc::lm::kMaxStations;
using lmc::lm::kPhases;
using lmc::lm::Output;
using lmc::lm::SiteConfig;
using lmc::lm::StationConfig;

struct Ev {
  bool present = false;
  std::uint8_t station_phases = 0x7;  // bit k: draws on station Lk
  std::int32_t max_ma = 32000;        // the EV's own maximum
  std::uint32_t up_delay_s = 0;       // before it follows an increase (late ramp)
  std::uint32_t down_delay_s = 1;     // before it follows a decrease
  std::int32_t fixed_ma = -1;         // >= 0: ignores the offer and draws this (SAFE-08)
  std::int32_t draw_ma = 0;
  std::int32_t pending_ma = 0;
  std::uint64_t pending_since_ms = 0;
  double wh = 0;
};

struct Plant {
  SiteConfig site{};
  StationConfig cfg[kMaxStations]{};
  Ev ev[kMaxStations]{};
  bool online[kMaxStations] = {};
  std::int32_t offered[kMaxStations] = {};  // what the station offers the EV
  std::uint64_t last_contact_ms[kMaxStations] = {};
  std::int32_t building_ma[kPhases] = {0, 0, 0};
  bool meter_valid = true;
  int n = 0;
  Allocator alloc;
  Input in{};
  std::uint64_t now_ms = 0;

  explicit Plant(std::int32_t limit_a = 32) {
    for (int p = 0; p < kPhases; ++p) site.phase_limit_ma[p] = limit_a * 1000;
  }
  int add(StationConfig c = {}) {
    c.enabled = true;
    cfg[n] = c;
    online[n] = true;
    return n++;
  }
  void configure() { alloc.configure(site, cfg, n); }
  void plug(int i, std::uint8_t station_phases = 0x7, std::int32_t ev_max_ma = 32000) {
    ev[i] = Ev{};
    ev[i].present = true;
    ev[i].station_phases = station_phases;
    ev[i].max_ma = ev_max_ma;
  }
  void unplug(int i) { ev[i] = Ev{}; }
  std::int32_t station_phase_ma(int i, int k) const {
    return ev[i].present && ((ev[i].station_phases >> k) & 1u) ? ev[i].draw_ma : 0;
  }
  std::int32_t grid_ma(int p) const {
    std::int32_t g = building_ma[p];
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < kPhases; ++k)
        if (cfg[i].rotation[k] == p) g += station_phase_ma(i, k);
    return g;
  }
  void advance_evs() {
    for (int i = 0; i < n; ++i) {
      Ev& e = ev[i];
      if (!e.present) continue;
      // A station whose controller went silent falls back to its fallback current (its watchdog).
      if (!online[i] && now_ms >= last_contact_ms[i] + cfg[i].timeout_ms) offered[i] = cfg[i].fallback_ma;
      std::int32_t target = offered[i] >= 6000 ? (offered[i] < e.max_ma ? offered[i] : e.max_ma) : 0;
      if (e.fixed_ma >= 0) target = e.fixed_ma;
      if (target != e.pending_ma) {
        e.pending_ma = target;
        e.pending_since_ms = now_ms;
      }
      std::uint32_t delay = target < e.draw_ma ? e.down_delay_s : e.up_delay_s;
      if (now_ms >= e.pending_since_ms + delay * 1000ull) e.draw_ma = e.pending_ma;
      int nph = 0;
      for (int k = 0; k < kPhases; ++k) nph += (e.station_phases >> k) & 1;
      e.wh += e.draw_ma / 1000.0 * 230.0 * nph / 3600.0;
    }
  }
  void fill_input() {
    in.now_ms = now_ms;
    in.meter.valid_mask = meter_valid ? 0x7 : 0;
    std::int64_t pw = 0;
    for (int p = 0; p < kPhases; ++p) {
      in.meter.current_ma[p] = grid_ma(p);
      in.meter.voltage_mv[p] = 230000;
      pw += std::int64_t{grid_ma(p)} * 230;
    }
    in.meter.power_w = static_cast<std::int32_t>(pw / 1000);
    for (int i = 0; i < n; ++i) {
      auto& s = in.station[i];
      s.online = online[i];
      s.state = !ev[i].present ? Iec::A : (ev[i].draw_ma > 0 ? Iec::C : Iec::B);
      for (int k = 0; k < kPhases; ++k) s.current_ma[k] = online[i] ? station_phase_ma(i, k) : 0;
      s.session_wh = ev[i].present ? static_cast<std::uint32_t>(ev[i].wh) : 0;
    }
  }
  const Output& tick() {
    advance_evs();
    fill_input();
    const Output& o = alloc.step(in);
    for (int i = 0; i < n; ++i)
      if (online[i] && !cfg[i].slow) {
        offered[i] = o.setpoint_ma[i];
        last_contact_ms[i] = now_ms;
      }
    now_ms += 1000;
    return o;
  }
  const Output& run_s(int seconds) {
    for (int s = 1; s < seconds; ++s) tick();
    return tick();
  }
};

inline int count_events(const Output& o, lmc::lm::EventType t, int station = -2) {
  int k = 0;
  for (int e = 0; e < o.n_events; ++e)
    if (o.events[e].type == t && (station == -2 || o.events[e].station == station)) ++k;
  return k;
}

}  // namespace lmtest
