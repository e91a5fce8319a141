#include "app/metering/installation_check.h"

namespace lmc::metering {
namespace {
float fabs_(float x) {
  return x < 0 ? -x : x;
}
}  // namespace

int InstallationCheck::take_events(InstallEvent* dst, int max) {
  int k = n_ev_ < max ? n_ev_ : max;
  for (int i = 0; i < k; ++i) dst[i] = ev_[i];
  n_ev_ = 0;
  return k;
}

std::uint8_t InstallationCheck::fault_mask() const {
  std::uint8_t m = 0;
  for (int p = 0; p < kPhases; ++p)
    if (open_[p]) m |= static_cast<std::uint8_t>(1u << p);
  return m;
}

void InstallationCheck::set(bool* flags, InstallWarning w, int p, bool on) {
  if (flags[p] == on) return;
  flags[p] = on;
  if (n_ev_ < kMaxInstallEvents) ev_[n_ev_++] = InstallEvent{w, static_cast<std::int8_t>(p), on};
}

// A condition that must hold for hold_ms to raise a warning, and its opposite as long to clear it.
// `timing` marks that `since` counts the current run of evidence for a change.
static bool held(bool want_change, bool& timing, std::uint64_t& since, std::uint64_t now, std::uint32_t hold) {
  if (!want_change) {
    timing = false;
    return false;
  }
  if (!timing) {
    timing = true;
    since = now;
  }
  return now >= since + hold;
}

void InstallationCheck::step(std::uint64_t now_ms, const Measurement& m, const float station_a[kPhases], bool fresh) {
  if (!fresh) return;
  for (int p = 0; p < kPhases; ++p) {
    const PhaseValues& ph = m.ph[p];
    bool loaded = ph.plausible && !ph.voltage_missing && ph.i >= cfg_.min_current_a;
    float a = fabs_(ph.angle_deg);
    bool normal = loaded && a < 90.0f;  // import, whatever the load's PF

    // INS-02 (1): angle at 180° ± 30° for 30 s with >= 2 A, only without PV (INS-08).
    bool rev_now = loaded && !cfg_.pv_configured && a >= 180.0f - cfg_.reversed_window_deg;
    bool rev_change = reversed_[p] ? normal : rev_now;
    if (held(rev_change, rev_timing_[p], rev_since_[p], now_ms, cfg_.hold_ms)) {
      set(reversed_, InstallWarning::Reversed, p, !reversed_[p]);
      rev_timing_[p] = false;
      votes_[p] = 0;
    }

    // INS-02 (2): a station step of >= 4 A on this phase moves the measured active current the
    // opposite way (by at least half the step). Two such steps in a row raise the warning, so a
    // building load changing at the same moment does not.
    if (ph.plausible && !ph.voltage_missing && ph.v > 0) {
      float active = ph.p / ph.v;
      if (!ref_set_[p] || now_ms >= ref_ms_[p] + cfg_.step_window_ms) {
        ref_set_[p] = true;
        ref_ms_[p] = now_ms;
        ref_station_[p] = station_a[p];
        ref_active_[p] = active;
      } else {
        float ds = station_a[p] - ref_station_[p];
        if (fabs_(ds) >= cfg_.step_a) {
          float dm = active - ref_active_[p];
          if (fabs_(dm) >= 0.5f * fabs_(ds)) {
            if ((dm < 0) != (ds < 0)) {
              if (++votes_[p] >= 2) set(reversed_, InstallWarning::Reversed, p, true);
            } else {
              votes_[p] = 0;
            }
          }
          ref_ms_[p] = now_ms;
          ref_station_[p] = station_a[p];
          ref_active_[p] = active;
        }
      }
    }

    // INS-03: angle at ±120° ± 30° for 30 s with >= 2 A.
    bool mis_now = loaded && a >= cfg_.mismatch_center_deg - cfg_.mismatch_window_deg &&
                   a < cfg_.mismatch_center_deg + cfg_.mismatch_window_deg;
    bool mis_change = mismatch_[p] ? normal : mis_now;
    if (held(mis_change, mis_timing_[p], mis_since_[p], now_ms, cfg_.hold_ms)) {
      set(mismatch_, InstallWarning::Mismatch, p, !mismatch_[p]);
      mis_timing_[p] = false;
    }

    // INS-04: the stations report > 3 A more than the sensor measures, for 30 s. With PV, export can
    // cancel the stations' current, so only a sensor reading about 0 A counts then.
    bool open_now = station_a[p] - ph.i > cfg_.open_excess_a && (!cfg_.pv_configured || ph.i < 0.5f);
    bool open_change = open_[p] ? !open_now : open_now;
    if (held(open_change, open_timing_[p], open_since_[p], now_ms, cfg_.hold_ms)) {
      set(open_, InstallWarning::OpenClamp, p, !open_[p]);
      open_timing_[p] = false;
    }
  }
}

}  // namespace lmc::metering
