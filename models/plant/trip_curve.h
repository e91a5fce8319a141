// Time-current characteristic of an overcurrent protective device (gG fuse link, MCB) with a
// thermal state, so that preload counts: a one-body heat balance
//   dθ/dt = ((I / I_min)^2 - θ) / τ(I),  trips at θ = 1,
// where I_min is the current that never trips (thermal asymptote). From cold at a constant I it
// trips after t = τ(I)·ln(g / (g - 1)), g = (I / I_min)^2; τ(I) is fitted per characteristic
// point so that this equals the cold curve exactly, interpolated log-log between points (τ at
// I_min is the body's cooling constant, constant above the last point, i.e. I²t = const).
// Data: gG fuses per IEC 60269-1/-2 (conventional currents and times, gate currents), MCBs
// per IEC 60898-1 (Table 7 time-current operating characteristic), each as a tolerance band.
#pragma once
#include <limits>
#include <string>
#include <vector>

namespace lmsim::plant {

enum class Band { Fastest, Nominal, Slowest };

class TripCurve {
 public:
  struct Point {
    double current;  // A
    double seconds;  // trip (pre-arcing) time from cold at that current
  };
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  // i_min: A, never trips at or below; tau_low: s, thermal constant at i_min and when cooling;
  // points with rising currents above i_min and falling times; magnetic release (MCB): trips
  // after inst_seconds whenever the current exceeds inst_current.
  TripCurve(double i_min, double tau_low, std::vector<Point> points, double inst_current = kInf,
            double inst_seconds = 0.01);
  TripCurve() = default;

  // gG fuse link of rating `in` (A, one of gg_ratings()); throws InputError-free
  // std::invalid_argument for other ratings.
  static TripCurve gg_fuse(double in, Band band);
  static const std::vector<double>& gg_ratings();
  // MCB per IEC 60898-1, type 'B', 'C' or 'D', rating in A (0.5..125).
  static TripCurve mcb(char type, double in, Band band);

  double i_min() const { return i_min_; }
  double inst_current() const { return inst_current_; }
  double inst_seconds() const { return inst_seconds_; }
  // Thermal time constant at current `amps`.
  double tau(double amps) const;
  // Trip time from cold at a constant current (kInf when it never trips).
  double cold_time(double amps) const;
  // Thermal state after dt seconds at a constant current, starting from theta:
  // target + (theta - target) * decay.
  double advance(double theta, double amps, double dt) const;
  double target(double amps) const { return (amps / i_min_) * (amps / i_min_); }
  double decay(double amps, double dt) const;
  // Time until the thermal release trips from state theta at a constant current (kInf: never).
  double thermal_time_to_trip(double theta, double amps) const;

 private:
  double i_min_ = 1;
  double tau_low_ = 1200;
  std::vector<double> ln_i_, ln_tau_;  // knots of ln τ over ln I, first = (i_min, tau_low)
  double inst_current_ = kInf;
  double inst_seconds_ = 0.01;
};

const char* band_name(Band b);
bool parse_band(const std::string& s, Band& out);

}  // namespace lmsim::plant
