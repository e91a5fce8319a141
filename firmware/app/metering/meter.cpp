#include "app/metering/meter.h"

namespace lmc::metering {

void Meter::emit(MeterEventType t, int phase, std::int32_t value) {
  if (n_ev_ < kMaxMeterEvents) ev_[n_ev_++] = MeterEvent{t, static_cast<std::int8_t>(phase), value};
}

int Meter::take_events(MeterEvent* dst, int max) {
  int k = n_ev_ < max ? n_ev_ : max;
  for (int i = 0; i < k; ++i) dst[i] = ev_[i];
  n_ev_ = 0;
  return k;
}

void Meter::on_window(const AfeWindow& w, std::uint64_t now_ms) {
  if (have_window_) {
    std::uint32_t d = w.windows - last_windows_;  // the counter wraps
    if (d > 1)
      emit(MeterEventType::WindowSkipped, -1, static_cast<std::int32_t>(d - 1 > 0x7FFFFFFF ? 0x7FFFFFFF : d - 1));
  }
  last_windows_ = w.windows;
  last_window_ms_ = now_ms;
  have_window_ = true;
  if (stale_ && lost_reported_) emit(MeterEventType::Restored, -1, 0);
  stale_ = false;
  lost_reported_ = false;

  Measurement m{};
  m.at_ms = now_ms;
  m.freq_hz = static_cast<float>(w.freq_mhz) / 1000.0f;
  m.in_a = static_cast<float>(w.in_ma) / 1000.0f;
  m.phase_sequence = w.phase_sequence <= 2 ? w.phase_sequence : 0;
  bool any_voltage = false;
  for (int c = 0; c < kPhases; ++c)
    if (static_cast<float>(w.ch[c].vrms_mv) / 1000.0f >= cfg_.missing_fraction * cfg_.nominal_v) any_voltage = true;
  // A frequency outside what any grid runs at means the whole window is garbage.
  bool freq_bad = any_voltage && (m.freq_hz < 40.0f || m.freq_hz > 70.0f);

  std::uint8_t implausible = 0, missing = 0;
  for (int c = 0; c < kPhases; ++c) {
    const AfePhase& a = w.ch[c];
    PhaseValues& ph = m.ph[c];
    ph.v = static_cast<float>(a.vrms_mv) / 1000.0f;
    ph.i = static_cast<float>(a.irms_ma) / 1000.0f;
    ph.p = static_cast<float>(a.p_mw) / 1000.0f;
    ph.q = static_cast<float>(a.q_mvar) / 1000.0f;
    ph.s = static_cast<float>(a.s_mva) / 1000.0f;
    ph.pf = static_cast<float>(a.pf_e4) / 10000.0f;
    ph.angle_deg = static_cast<float>(a.angle_cdeg) / 100.0f;
    ph.import_wh = static_cast<double>(a.import_mwh) / 1000.0;
    ph.export_wh = static_cast<double>(a.export_mwh) / 1000.0;
    // Plausibility: physical bounds, |P| <= S (2 % + 1 W slack for window rounding), |PF| <= 1.
    float abs_p = ph.p < 0 ? -ph.p : ph.p;
    bool ok = !freq_bad && ph.v <= cfg_.max_voltage_v && ph.i <= cfg_.max_current_a && a.pf_e4 <= 10000 &&
              a.pf_e4 >= -10000 && a.angle_cdeg <= 18000 && a.angle_cdeg >= -18000 && abs_p <= ph.s * 1.02f + 1.0f;
    ph.plausible = ok;
    if (!ok) implausible |= static_cast<std::uint8_t>(1u << c);
    // INS-06: one tap below 50 % of nominal while another is present.
    ph.voltage_missing = any_voltage && ph.v < cfg_.missing_fraction * cfg_.nominal_v;
    if (ph.voltage_missing) {
      missing |= static_cast<std::uint8_t>(1u << c);
      ph.p = ph.q = ph.s = ph.pf = 0;
    }
    // LM-11: signed current. Import: Irms (>= |P/V|, so headroom is never overstated). Export:
    // the active current P/V, bounded by Irms. Without a voltage the sign is unknown: Irms.
    if (ph.voltage_missing || !any_voltage || ph.p >= 0 || ph.v <= 0) {
      ph.i_signed = ph.i;
    } else {
      float ia = ph.p / ph.v;
      ph.i_signed = ia < -ph.i ? -ph.i : ia;
    }
    m.p_total += ph.p;
    m.q_total += ph.q;
    m.s_total += ph.s;
  }
  for (int c = 0; c < kPhases; ++c) {
    std::uint8_t b = static_cast<std::uint8_t>(1u << c);
    if ((implausible & b) && !(implausible_mask_ & b)) emit(MeterEventType::Lost, c, 0);
    if (!(implausible & b) && (implausible_mask_ & b)) emit(MeterEventType::Restored, c, 0);
    if ((missing & b) && !(missing_mask_ & b)) emit(MeterEventType::VoltageMissing, c, 0);
    if (!(missing & b) && (missing_mask_ & b)) emit(MeterEventType::VoltageBack, c, 0);
  }
  implausible_mask_ = implausible;
  missing_mask_ = missing;
  m_ = m;
  valid_mask_ = static_cast<std::uint8_t>(~implausible_mask_ & 0x7u);
  tick(now_ms);
}

void Meter::tick(std::uint64_t now_ms) {
  if (!ticked_) {
    ticked_ = true;
    boot_ms_ = now_ms;
  }
  std::uint64_t since = have_window_ ? last_window_ms_ : boot_ms_;
  if (now_ms >= since + cfg_.stale_ms) {
    stale_ = true;
    if (!lost_reported_) {
      lost_reported_ = true;
      emit(MeterEventType::Lost, -1, 0);
    }
  }
  valid_mask_ = stale_ ? 0 : static_cast<std::uint8_t>(~implausible_mask_ & 0x7u);
  // INS-07 / A27: a present voltage outside 207-253 V for 10 s.
  for (int c = 0; c < kPhases; ++c) {
    const PhaseValues& ph = m_.ph[c];
    bool out = have_window_ && !stale_ && ph.plausible && !ph.voltage_missing &&
               ph.v >= cfg_.missing_fraction * cfg_.nominal_v && (ph.v < cfg_.band_low_v || ph.v > cfg_.band_high_v);
    if (!out) {
      if (band_mask_ & (1u << c)) emit(MeterEventType::VoltageBandEnd, c, static_cast<std::int32_t>(ph.v * 10.0f));
      band_mask_ &= static_cast<std::uint8_t>(~(1u << c));
      out_of_band_[c] = false;
      continue;
    }
    if (!out_of_band_[c]) {
      out_of_band_[c] = true;
      out_of_band_since_[c] = now_ms;
    }
    if (!(band_mask_ & (1u << c)) && now_ms >= out_of_band_since_[c] + cfg_.band_ms) {
      band_mask_ |= static_cast<std::uint8_t>(1u << c);
      emit(MeterEventType::VoltageBand, c, static_cast<std::int32_t>(ph.v * 10.0f));
    }
  }
}

}  // namespace lmc::metering
