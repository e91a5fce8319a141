// Power profiles for loads: a CSV time series (interpolated) and stochastic daily profiles
// (residential evening peak, office, heat-pump cycling), all driven only by simulated time,
// the scenario's calendar (Site::start_epoch) and the load's own seeded generator.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "sim/rng.h"
#include "sim/units.h"

namespace lmsim {
class Site;
class YNode;
}  // namespace lmsim

namespace lmsim::plant {

class Profile {
 public:
  virtual ~Profile() = default;
  // Active power (W) at time t and the time the value should next be re-evaluated.
  struct Sample {
    double watts = 0;
    Time next = 0;
  };
  virtual Sample at(Time t) = 0;
};

// Time series from a CSV file: `time,power` rows. Time as seconds from the start of the run or
// as HH:MM[:SS] time of day (the profile then repeats daily). Power in W, or kW if the header
// says so ("power_kw"). Linear interpolation between rows, re-evaluated every `resolution`.
class CsvProfile : public Profile {
 public:
  CsvProfile(const Site& site, const YNode& where, const std::string& path, Time resolution, double scale);
  Sample at(Time t) override;
  std::size_t rows() const { return t_.size(); }

 private:
  const Site& site_;
  std::vector<double> t_, w_;  // seconds (run time or time of day), W
  bool daily_ = false;
  Time resolution_;
};

// Stochastic daily shapes scaled to `peak` (W). Same seed, same draws, same curve.
enum class StochasticKind { Residential, Office, HeatPump, Base };

class StochasticProfile : public Profile {
 public:
  StochasticProfile(const Site& site, StochasticKind kind, double peak, Rng rng, Time resolution);
  Sample at(Time t) override;
  // Heat pump compressor start: `factor` x the running power for `duration` at each start
  // (direct-on-line scroll compressors draw several times their running current while starting).
  void set_start(double factor, Time duration) {
    start_factor_ = factor;
    start_time_ = duration;
  }
  // Mean of the residential daily shape (fraction of the peak) for sizing base loads.
  static double residential_mean();

 private:
  double shape(double hour, int weekday) const;
  const Site& site_;
  StochasticKind kind_;
  double peak_;
  Rng rng_;
  Time resolution_;
  // Residential/office: slow multiplicative noise (AR(1) per minute) plus appliance bursts.
  double noise_ = 0;
  Time noise_next_ = 0;
  double burst_w_ = 0;
  Time burst_end_ = 0;
  Time burst_next_ = 0;
  // Heat pump: compressor on/off cycling.
  bool hp_on_ = false;
  Time hp_switch_ = 0;
  Time hp_start_end_ = 0;
  double start_factor_ = 3.0;
  Time start_time_ = 200 * kMs;
};

// Parses a profile name ("residential", "office", "heat-pump").
bool parse_stochastic_kind(const std::string& s, StochasticKind& out);

}  // namespace lmsim::plant
