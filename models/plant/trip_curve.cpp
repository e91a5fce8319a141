#include "models/plant/trip_curve.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lmsim::plant {
namespace {

// Gates for the pre-arcing time of gG fuse links (IEC 60269-1 Table 3 / IEC 60269-2; 10 A
// from the D-system table of IEC 60269-3): rated current, Imin(10 s), Imax(5 s), Imin(0.1 s),
// Imax(0.1 s), all in A. Imin(t): the fuse must not melt in less than t; Imax(t): it must melt
// within t.
struct GgRow {
  double in, imin10, imax5, imin01, imax01;
};
constexpr GgRow kGg[] = {
    {10, 22, 46.5, 58, 111},       {16, 33, 65, 85, 150},        {20, 42, 85, 110, 200},
    {25, 52, 110, 150, 260},       {32, 75, 150, 200, 350},      {40, 95, 190, 260, 450},
    {50, 125, 250, 350, 610},      {63, 160, 320, 450, 820},     {80, 215, 425, 610, 1100},
    {100, 290, 580, 820, 1450},    {125, 355, 715, 1100, 1910},  {160, 460, 950, 1450, 2590},
    {200, 610, 1250, 1910, 3420},  {250, 750, 1650, 2590, 4500}, {315, 1050, 2200, 3420, 6000},
    {400, 1420, 2840, 4500, 8060},
};

// Conventional non-fusing / fusing current (multiples of In) and conventional time
// (IEC 60269-1 Table 2).
struct Conventional {
  double inf, i_f, seconds;
};
Conventional gg_conventional(double in) {
  if (in <= 4) return {1.5, 2.1, 3600};
  if (in < 16) return {1.5, 1.9, 3600};
  if (in <= 63) return {1.25, 1.6, 3600};
  if (in <= 160) return {1.25, 1.6, 7200};
  if (in <= 400) return {1.25, 1.6, 10800};
  return {1.25, 1.6, 14400};
}

// The slowest device of a band still trips at the conventional fusing/tripping current within
// the conventional time; its never-trip current sits 3 % below it. That point fixes the body's
// thermal time constant, shared by the whole band.
constexpr double kSlowIminShare = 0.97;

double tau_for(double i_min, double amps, double seconds) {
  double g = (amps / i_min) * (amps / i_min);
  return seconds / std::log(g / (g - 1));
}

double body_tau(double i_f_amps, double seconds) {
  return tau_for(kSlowIminShare * i_f_amps, i_f_amps, seconds);
}

}  // namespace

const char* band_name(Band b) {
  return b == Band::Fastest ? "fastest" : b == Band::Slowest ? "slowest" : "nominal";
}

bool parse_band(const std::string& s, Band& out) {
  if (s == "fastest")
    out = Band::Fastest;
  else if (s == "nominal")
    out = Band::Nominal;
  else if (s == "slowest")
    out = Band::Slowest;
  else
    return false;
  return true;
}

TripCurve::TripCurve(double i_min, double tau_low, std::vector<Point> points, double inst_current, double inst_seconds)
    : i_min_(i_min), tau_low_(tau_low), inst_current_(inst_current), inst_seconds_(inst_seconds) {
  ln_i_.push_back(std::log(i_min_));
  ln_tau_.push_back(std::log(tau_low_));
  for (const auto& p : points) {
    if (p.current <= i_min_ * (1 + 1e-9)) continue;  // at or below the asymptote: never trips
    ln_i_.push_back(std::log(p.current));
    ln_tau_.push_back(std::log(tau_for(i_min_, p.current, p.seconds)));
  }
}

const std::vector<double>& TripCurve::gg_ratings() {
  static const std::vector<double> r = [] {
    std::vector<double> v;
    for (const auto& row : kGg) v.push_back(row.in);
    return v;
  }();
  return r;
}

TripCurve TripCurve::gg_fuse(double in, Band band) {
  const GgRow* row = nullptr;
  for (const auto& r : kGg)
    if (std::fabs(r.in - in) < 1e-9) row = &r;
  if (!row) throw std::invalid_argument("no gG data for this rating");
  Conventional c = gg_conventional(in);
  double tau = body_tau(c.i_f * in, c.seconds);
  switch (band) {
    case Band::Fastest: return TripCurve(c.inf * in, tau, {{row->imin10, 10}, {row->imin01, 0.1}});
    case Band::Slowest:
      return TripCurve(kSlowIminShare * c.i_f * in, tau,
                       {{c.i_f * in, c.seconds}, {row->imax5, 5}, {row->imax01, 0.1}});
    case Band::Nominal: break;
  }
  // Geometric middle of the band: never-trip current, and the gate pairs at the mean time.
  return TripCurve(
      std::sqrt(c.inf * c.i_f) * in, tau,
      {{std::sqrt(row->imin10 * row->imax5), std::sqrt(10.0 * 5.0)}, {std::sqrt(row->imin01 * row->imax01), 0.1}});
}

TripCurve TripCurve::mcb(char type, double in, Band band) {
  // IEC 60898-1 Table 7: 1.13 In no trip within 1 h (2 h above 63 A), 1.45 In trips within it,
  // 2.55 In trips in 1..60 s (1..120 s above 32 A); instantaneous release: no trip within 0.1 s
  // at the lower multiple, trip within 0.1 s at the upper one (B 3/5, C 5/10, D 10/20 In).
  double conv = in <= 63 ? 3600 : 7200;
  double t255_max = in <= 32 ? 60 : 120;
  double lo, hi;
  switch (type) {
    case 'B': lo = 3, hi = 5; break;
    case 'C': lo = 5, hi = 10; break;
    case 'D': lo = 10, hi = 20; break;
    default: throw std::invalid_argument("MCB type must be B, C or D");
  }
  double tau = body_tau(1.45 * in, conv);
  constexpr double kMagnetic = 0.01;  // s, the release's own opening time once above the threshold
  // The band's fastest release operates just above the lower limit, the slowest just below the
  // upper one (at the limits themselves the standard's hold/trip must still be met).
  constexpr double kMagLow = 1.01, kMagHigh = 0.99;
  switch (band) {
    case Band::Fastest: return TripCurve(1.13 * in, tau, {{2.55 * in, 1.0}}, kMagLow * lo * in, kMagnetic);
    case Band::Slowest:
      return TripCurve(kSlowIminShare * 1.45 * in, tau, {{1.45 * in, conv}, {2.55 * in, t255_max}}, kMagHigh * hi * in,
                       kMagnetic);
    case Band::Nominal: break;
  }
  return TripCurve(std::sqrt(1.13 * 1.45) * in, tau, {{2.55 * in, std::sqrt(1.0 * t255_max)}}, std::sqrt(lo * hi) * in,
                   kMagnetic);
}

double TripCurve::tau(double amps) const {
  if (amps <= i_min_ || ln_i_.size() == 1) return amps <= i_min_ ? tau_low_ : std::exp(ln_tau_.back());
  double x = std::log(amps);
  if (x >= ln_i_.back()) return std::exp(ln_tau_.back());
  std::size_t k = 1;
  while (x > ln_i_[k]) ++k;
  double f = (x - ln_i_[k - 1]) / (ln_i_[k] - ln_i_[k - 1]);
  return std::exp(ln_tau_[k - 1] + f * (ln_tau_[k] - ln_tau_[k - 1]));
}

double TripCurve::cold_time(double amps) const {
  double t = thermal_time_to_trip(0, amps);
  if (amps > inst_current_) t = std::min(t, inst_seconds_);
  return t;
}

double TripCurve::decay(double amps, double dt) const {
  return std::exp(-dt / tau(amps));
}

double TripCurve::advance(double theta, double amps, double dt) const {
  double g = (amps / i_min_) * (amps / i_min_);
  return g + (theta - g) * std::exp(-dt / tau(amps));
}

double TripCurve::thermal_time_to_trip(double theta, double amps) const {
  double g = (amps / i_min_) * (amps / i_min_);
  if (theta >= 1) return 0;
  if (g <= 1) return kInf;
  return tau(amps) * std::log((g - theta) / (g - 1));
}

}  // namespace lmsim::plant
