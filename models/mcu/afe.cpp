#include "models/mcu/afe.h"

#include <algorithm>
#include <cmath>

#include "models/mcu/power_reset.h"

// The register table uses designated initializers that leave hooks empty on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace lmsim::mcu {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kSqrt2 = 1.4142135623730951;

std::uint32_t u32(double v) {
  return static_cast<std::uint32_t>(std::clamp(std::llround(v), 0LL, 0xFFFFFFFFLL));
}
std::uint32_t i32(double v) {
  return static_cast<std::uint32_t>(
      static_cast<std::int32_t>(std::clamp(std::llround(v), -0x7FFFFFFFLL, 0x7FFFFFFFLL)));
}
double wrap_deg(double d) {
  d = std::fmod(d, 360.0);
  if (d <= -180) d += 360;
  if (d > 180) d -= 360;
  return d;
}

// Channel register names: the table wants stable C strings.
constexpr const char* kChNames[3][11] = {
    {"CH1_VRMS_MV", "CH1_IRMS_MA", "CH1_P_MW", "CH1_Q_MVAR", "CH1_S_MVA", "CH1_PF_E4", "CH1_ANGLE_CDEG",
     "CH1_IMP_MWH_LO", "CH1_IMP_MWH_HI", "CH1_EXP_MWH_LO", "CH1_EXP_MWH_HI"},
    {"CH2_VRMS_MV", "CH2_IRMS_MA", "CH2_P_MW", "CH2_Q_MVAR", "CH2_S_MVA", "CH2_PF_E4", "CH2_ANGLE_CDEG",
     "CH2_IMP_MWH_LO", "CH2_IMP_MWH_HI", "CH2_EXP_MWH_LO", "CH2_EXP_MWH_HI"},
    {"CH3_VRMS_MV", "CH3_IRMS_MA", "CH3_P_MW", "CH3_Q_MVAR", "CH3_S_MVA", "CH3_PF_E4", "CH3_ANGLE_CDEG",
     "CH3_IMP_MWH_LO", "CH3_IMP_MWH_HI", "CH3_EXP_MWH_LO", "CH3_EXP_MWH_HI"},
};

}  // namespace

Afe::Afe(sc_core::sc_module_name name, Site& site, const YNode* /*device_cfg*/)
    : Peripheral(name, 0x1000), site_(site) {
  using R = RegisterBank;
  regs.add({.name = "ID", .offset = ID, .access = R::RO, .reset = kId});
  regs.add({.name = "CTRL", .offset = CTRL, .reset = CTRL_EN, .write = [this](std::uint32_t v, Time) {
              if (v & CTRL_ENERGY_CLR) imp_wh_ = exp_wh_ = {};
              regs.find(CTRL)->value = v & CTRL_EN;
            }});
  regs.add({.name = "STATUS",
            .offset = STATUS,
            .read = [this](Time t) { return status(t); },
            .write =
                [this](std::uint32_t v, Time t) {
                  status(t);
                  status_ &= ~(v & ST_W1C);
                  update_irq();
                }});
  regs.add({.name = "IRQ_EN", .offset = IRQ_EN, .write = [this](std::uint32_t v, Time) {
              regs.find(IRQ_EN)->value = v & ST_W1C;
              update_irq();
            }});
  regs.add({.name = "WINDOW_MS", .offset = WINDOW_MS, .reset = 200, .write = [this](std::uint32_t v, Time) {
              regs.find(WINDOW_MS)->value = std::clamp<std::uint32_t>(v, 20, 10000);
            }});
  regs.add({.name = "WINDOWS", .offset = WINDOWS, .access = R::RO, .read = [this](Time) { return windows_; }});
  regs.add(
      {.name = "FREQ_MHZ", .offset = FREQ_MHZ, .access = R::RO, .read = [this](Time) { return u32(freq_ * 1000); }});
  regs.add({.name = "IN_MA", .offset = IN_MA, .access = R::RO, .read = [this](Time) { return u32(in_ * 1000); }});
  regs.add({.name = "CAP_CTRL", .offset = CAP_CTRL, .access = R::RW, .write = [this](std::uint32_t v, Time t) {
              if (v & 1u) start_capture(t);
            }});
  regs.add({.name = "CAP_LEN", .offset = CAP_LEN, .reset = 256, .write = [this](std::uint32_t v, Time) {
              if (!cap_busy_) regs.find(CAP_LEN)->value = std::clamp<std::uint32_t>(v, 1, kMaxCapture);
            }});
  regs.add({.name = "CAP_RATE_HZ", .offset = CAP_RATE_HZ, .reset = 6400, .write = [this](std::uint32_t v, Time) {
              if (!cap_busy_) regs.find(CAP_RATE_HZ)->value = std::clamp<std::uint32_t>(v, 1000, 25600);
            }});
  regs.add({.name = "CAP_DMA", .offset = CAP_DMA, .write_mask = ~3u});
  regs.add({.name = "CAP_INDEX", .offset = CAP_INDEX});
  regs.add({.name = "CAP_DATA", .offset = CAP_DATA, .access = R::RO, .read = [this](Time) {
              auto& idx = regs.find(CAP_INDEX)->value;
              std::uint32_t v = idx < cap_.size() ? static_cast<std::uint32_t>(cap_[idx]) : 0;
              ++idx;
              return v;
            }});
  regs.add({.name = "CAP_TIME_LO", .offset = CAP_TIME_LO, .access = R::RO, .read = [this](Time) {
              std::uint64_t us = cap_start_ / kUs;
              hi_latch_ = static_cast<std::uint32_t>(us >> 32);
              return static_cast<std::uint32_t>(us);
            }});
  regs.add({.name = "CAP_TIME_HI", .offset = CAP_TIME_HI, .access = R::RO, .read = [this](Time) { return hi_latch_; }});
  for (int c = 0; c < 3; ++c) {
    const std::uint32_t b = CH_BASE + CH_STRIDE * static_cast<std::uint32_t>(c);
    const Result& r = res_[c];
    const char* const* n = kChNames[c];
    regs.add({.name = n[0], .offset = b + VRMS_MV, .access = R::RO, .read = [&r](Time) { return u32(r.vrms * 1e3); }});
    regs.add({.name = n[1], .offset = b + IRMS_MA, .access = R::RO, .read = [&r](Time) { return u32(r.irms * 1e3); }});
    regs.add({.name = n[2], .offset = b + P_MW, .access = R::RO, .read = [&r](Time) { return i32(r.p * 1e3); }});
    regs.add({.name = n[3], .offset = b + Q_MVAR, .access = R::RO, .read = [&r](Time) { return i32(r.q * 1e3); }});
    regs.add({.name = n[4], .offset = b + S_MVA, .access = R::RO, .read = [&r](Time) { return u32(r.s * 1e3); }});
    regs.add({.name = n[5], .offset = b + PF_E4, .access = R::RO, .read = [&r](Time) { return i32(r.pf * 1e4); }});
    regs.add(
        {.name = n[6], .offset = b + ANGLE_CDEG, .access = R::RO, .read = [&r](Time) { return i32(r.angle * 100); }});
    // 64-bit energy in mWh: reading LO latches HI.
    auto energy = [this](const std::array<double, 3>& wh, int ch, std::uint32_t off, const char* lo, const char* hi) {
      regs.add({.name = lo, .offset = off, .access = R::RO, .read = [this, &wh, ch](Time) {
                  auto mwh = static_cast<std::uint64_t>(std::max(0.0, wh[ch] * 1e3));
                  hi_latch_ = static_cast<std::uint32_t>(mwh >> 32);
                  return static_cast<std::uint32_t>(mwh);
                }});
      regs.add({.name = hi, .offset = off + 4, .access = R::RO, .read = [this](Time) { return hi_latch_; }});
    };
    energy(imp_wh_, c, b + IMP_MWH_LO, n[7], n[8]);
    energy(exp_wh_, c, b + EXP_MWH_LO, n[9], n[10]);
  }
  SC_METHOD(capture_done_method);
  sensitive << cap_ev_;
  dont_initialize();
}

void Afe::attach(plant::MeterSource* src) {
  if (src_ || !src) return;
  src_ = src;
  src_->add_step_listener(this);
}

void Afe::end_of_elaboration() {
  attach(site_.service<plant::MeterSource>("plant.meter"));
  if (auto* pwr = site_.service<PowerReset>(PowerReset::kService)) {
    powered_ = pwr->powered();
    pwr->add_power_listener([this](bool on, Time) {
      powered_ = on;
      if (!on) {
        acc_t_ = 0;
        acc_ = {};
        in2_ = 0;
      }
      update_irq();
    });
  }
}

void Afe::reset(ResetCause cause) {
  Peripheral::reset(cause);
  status_ = 0;
  windows_ = 0;
  acc_t_ = 0;
  acc_ = {};
  in2_ = 0;
  res_ = {};
  freq_ = in_ = 0;
  inst_version_ = ~0ull;
  imp_wh_ = exp_wh_ = {};
  cap_.clear();
  cap_busy_ = false;
  cap_ev_.cancel();
  irq.set(false);
}

void Afe::on_plant_step(Time t, double dt) {
  if (!powered_ || !(regs.find(CTRL)->value & CTRL_EN) || dt <= 0 || !src_) return;
  const plant::MeterFrame& f = src_->meter_frame();
  if (f.version != inst_version_) {
    inst_version_ = f.version;
    inst_in2_ = 0;
    for (int k = 0; k < f.orders; ++k) inst_in2_ += std::norm(f.ch[0].i[k] + f.ch[1].i[k] + f.ch[2].i[k]);
    for (int c = 0; c < 3; ++c) {
      const auto& ch = f.ch[c];
      Inst& x = inst_[c];
      x = Inst{};
      for (int k = 0; k < f.orders; ++k) {
        x.v2 += std::norm(ch.v[k]);
        x.i2 += std::norm(ch.i[k]);
        x.p += (ch.v[k] * std::conj(ch.i[k])).real();
      }
      x.vi1 = ch.v[0] * std::conj(ch.i[0]);
    }
  }
  in2_ += inst_in2_ * dt;
  for (int c = 0; c < 3; ++c) {
    const Inst& x = inst_[c];
    Acc& a = acc_[c];
    a.v2 += x.v2 * dt;
    a.i2 += x.i2 * dt;
    a.p += x.p * dt;
    a.q += x.vi1.imag() * dt;  // fundamental reactive power
    a.vi1 += x.vi1 * dt;
    (x.p >= 0 ? imp_wh_[c] : exp_wh_[c]) += std::fabs(x.p) * dt / 3600.0;
  }
  acc_t_ += dt;
  double window = regs.find(WINDOW_MS)->value * 1e-3;
  if (acc_t_ >= window - 1e-9) {
    freq_ = f.frequency;
    latch();
  }
}

void Afe::latch() {
  std::uint32_t vflags = 0;
  for (int c = 0; c < 3; ++c) {
    const Acc& a = acc_[c];
    Result& r = res_[c];
    r.vrms = std::sqrt(a.v2 / acc_t_);
    r.irms = std::sqrt(a.i2 / acc_t_);
    r.p = a.p / acc_t_;
    r.q = a.q / acc_t_;
    r.s = r.vrms * r.irms;
    r.pf = r.s > 1e-9 ? std::clamp(r.p / r.s, -1.0, 1.0) : 0.0;
    // V-I angle: positive when the current lags the voltage.
    r.angle = std::abs(a.vi1) > 1e-12 ? wrap_deg(std::arg(a.vi1) * 180.0 / kPi) : 0.0;
    if (r.vrms > kVPresent) vflags |= 1u << c;
  }
  in_ = std::sqrt(in2_ / acc_t_);
  if (!(vflags & 1u)) freq_ = vflags ? freq_ : 0.0;
  // Phase sequence from the fundamental voltage angles of the three channels.
  std::uint32_t seq = 0;
  if (vflags == 7u && src_) {
    const auto& f = src_->meter_frame();
    double d12 = wrap_deg(std::arg(f.ch[1].v[0] / f.ch[0].v[0]) * 180.0 / kPi);
    double d13 = wrap_deg(std::arg(f.ch[2].v[0] / f.ch[0].v[0]) * 180.0 / kPi);
    if (std::fabs(d12 + 120) < 30 && std::fabs(d13 - 120) < 30)
      seq = 1;
    else if (std::fabs(d12 - 120) < 30 && std::fabs(d13 + 120) < 30)
      seq = 2;
  }
  status_ = (status_ & ST_W1C) | ST_DRDY | (vflags << ST_VPRESENT_SHIFT) | (seq << ST_SEQ_SHIFT);
  ++windows_;
  acc_t_ = 0;
  acc_ = {};
  in2_ = 0;
  update_irq();
}

std::uint32_t Afe::status(Time now) {
  if (cap_busy_ && now >= cap_done_at_) finish_capture();
  return status_ | (cap_busy_ ? ST_CAP_BUSY : 0u);
}

void Afe::start_capture(Time t) {
  if (cap_busy_ || !powered_) {
    status_ |= ST_CAP_ERR;
    update_irq();
    return;
  }
  const std::uint32_t n = regs.find(CAP_LEN)->value;
  const double fs = regs.find(CAP_RATE_HZ)->value;
  cap_.assign(static_cast<std::size_t>(n) * 6, 0);
  if (src_) {
    // Synthesised now, from the state at the latest plant step (steady over the capture).
    const plant::MeterFrame& f = src_->meter_frame();
    const double w = 2 * kPi * f.frequency;
    const double th0 = f.theta + w * time_to_seconds(t >= f.time ? t - f.time : 0);
    for (std::uint32_t s = 0; s < n; ++s) {
      const double th = th0 + w * s / fs;
      double v[3] = {}, i[3] = {};
      for (int k = 0; k < f.orders; ++k) {
        const plant::Complex e = std::polar(kSqrt2, f.order[k] * th);
        for (int c = 0; c < 3; ++c) {
          v[c] += (f.ch[c].v[k] * e).real();
          i[c] += (f.ch[c].i[k] * e).real();
        }
      }
      for (int c = 0; c < 3; ++c) {
        cap_[6 * s + 2 * c] = static_cast<std::int32_t>(std::llround(v[c] * 1e3));      // mV
        cap_[6 * s + 2 * c + 1] = static_cast<std::int32_t>(std::llround(i[c] * 1e3));  // mA
      }
    }
  }
  cap_busy_ = true;
  cap_start_ = t;
  cap_done_at_ = t + seconds_to_time(n / fs);
  status_ &= ~(ST_CAP_DONE | ST_CAP_ERR);
  regs.find(CAP_INDEX)->value = 0;
  const Time now = static_cast<Time>(sc_core::sc_time_stamp().value());
  cap_ev_.cancel();
  cap_ev_.notify(sc_core::sc_time::from_value(cap_done_at_ > now ? cap_done_at_ - now : 0));
}

void Afe::finish_capture() {
  if (!cap_busy_) return;
  cap_busy_ = false;
  cap_ev_.cancel();
  status_ |= ST_CAP_DONE;
  if (std::uint32_t addr = regs.find(CAP_DMA)->value) {
    if (!mem_ || !mem_->write(addr, cap_.data(), cap_.size() * sizeof(std::int32_t))) {
      status_ |= ST_CAP_ERR;
      site_.log(LogLevel::Warn, name(), "capture DMA to guest memory failed");
    }
  }
  update_irq();
}

void Afe::capture_done_method() {
  finish_capture();
}

}  // namespace lmsim::mcu
