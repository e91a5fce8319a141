#include "models/plant/meter_chain.h"

#include <cmath>

namespace lmsim::plant {
namespace {
Complex quantise(Complex x, double step) {
  double m = std::abs(x);
  if (step <= 0 || m == 0) return x;
  return x * (std::round(m / step) * step / m);
}
}  // namespace

void MeterChain::distort(MeterFrame& f) {
  for (auto& ch : f.ch) {
    if (per_step()) {
      // Gaussian noise on the reading's magnitude (relative and absolute parts independent).
      double rel = cfg_.noise > 0 ? rng_.normal(0, cfg_.noise) : 0.0;
      double abs_n = cfg_.noise_floor > 0 ? rng_.normal(0, cfg_.noise_floor) : 0.0;
      double m = std::abs(ch.i[0]);
      if (m > 0)
        ch.i[0] *= (m * (1 + rel) + abs_n) / m;
      else
        ch.i[0] = abs_n;  // in phase with the fundamental reference
    }
    for (int k = 0; k < f.orders; ++k) {
      ch.i[k] = quantise(ch.i[k], cfg_.quant_i);
      ch.v[k] = quantise(ch.v[k], cfg_.quant_v);
    }
  }
}

double MeterChain::measure_frequency(Time t, double phase, bool present, double nominal) {
  if (!present) {
    phases_.clear();
    last_f_ = 0;
    return 0;
  }
  if (!phases_.empty() && phases_.back().t == t) {
    phases_.back().phase = phase;
  } else {
    phases_.push_back({t, phase});
  }
  while (phases_.size() > 2 && phases_[1].t <= t - kFreqWindow) phases_.pop_front();
  const Phase& a = phases_.front();
  if (t - a.t <= 0) return last_f_ = nominal;  // first sample: nothing measured yet
  // The phase at the window's start, linear between the samples around it (exact while the
  // phase advances at a constant frequency between evaluations).
  double pa = a.phase;
  Time ta = a.t;
  const Time tw = t > kFreqWindow ? t - kFreqWindow : 0;
  if (phases_.size() > 1 && a.t < tw && phases_[1].t > tw) {
    const Phase& b = phases_[1];
    pa = a.phase + (b.phase - a.phase) * time_to_seconds(tw - a.t) / time_to_seconds(b.t - a.t);
    ta = tw;
  }
  double f = (phase - pa) / (2 * 3.14159265358979323846 * time_to_seconds(t - ta));
  if (cfg_.freq_steps_per_hz > 0) f = std::round(f * cfg_.freq_steps_per_hz) / cfg_.freq_steps_per_hz;
  return last_f_ = f;
}

double MeterChain::steady(Time t, double phase, double f) {
  if (phases_.size() != 2) phases_.resize(2);
  phases_[0] = {t - kFreqWindow, phase - 2 * 3.14159265358979323846 * f * time_to_seconds(kFreqWindow)};
  phases_[1] = {t, phase};
  if (f != steady_f_) {
    steady_f_ = f;
    steady_q_ = cfg_.freq_steps_per_hz > 0 ? std::round(f * cfg_.freq_steps_per_hz) / cfg_.freq_steps_per_hz : f;
  }
  return last_f_ = steady_q_;
}

void MeterChain::push(const MeterFrame& f) {
  queue_.push_back(f);
}

bool MeterChain::deliver(Time t, MeterFrame& out) {
  bool got = false;
  while (!queue_.empty() && queue_.front().time + cfg_.latency <= t) {
    out = queue_.front();
    queue_.pop_front();
    got = true;
  }
  return got;
}

Time MeterChain::next_due() const {
  return queue_.empty() ? kNever : queue_.front().time + cfg_.latency;
}

}  // namespace lmsim::plant
