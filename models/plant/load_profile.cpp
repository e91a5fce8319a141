#include "models/plant/load_profile.h"

#include "models/plant/element.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/site.h"
#include "sim/ynode.h"

namespace lmsim::plant {
namespace {

constexpr double kDay = 86400.0;

double seconds(Time t) {
  return time_to_seconds(t);
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// Hourly fractions of the peak, interpolated linearly; index = hour of day.
constexpr double kResidential[24] = {0.30, 0.25, 0.22, 0.21, 0.21, 0.25, 0.40, 0.55, 0.50, 0.42, 0.40, 0.45,
                                     0.50, 0.45, 0.40, 0.40, 0.48, 0.65, 0.85, 0.95, 0.90, 0.75, 0.55, 0.40};
constexpr double kOfficeWeekday[24] = {0.15, 0.15, 0.15, 0.15, 0.15, 0.15, 0.20, 0.35, 0.75, 0.95, 0.95, 0.95,
                                       0.85, 0.95, 0.95, 0.95, 0.95, 0.70, 0.40, 0.25, 0.15, 0.15, 0.15, 0.15};

double interp_hours(const double (&tab)[24], double hour) {
  int h0 = static_cast<int>(std::floor(hour)) % 24;
  double f = hour - std::floor(hour);
  return tab[h0] * (1 - f) + tab[(h0 + 1) % 24] * f;
}

}  // namespace

CsvProfile::CsvProfile(const Site& site, const YNode& where, const std::string& path, Time resolution, double scale)
    : site_(site), resolution_(resolution) {
  std::ifstream in(path);
  if (!in) where.fail("cannot open profile file '" + path + "'");
  std::string line;
  int lineno = 0;
  double unit_scale = 1;
  auto bad = [&](const std::string& what) {
    throw InputError(path + ":" + std::to_string(lineno) + ": " + what + " (profile for " + where.path() + ")");
  };
  int kinds = 0;  // 1 = seconds, 2 = time of day
  while (std::getline(in, line)) {
    ++lineno;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto comma = line.find(',');
    if (comma == std::string::npos) bad("expected 'time,power'");
    std::string ts = trim(line.substr(0, comma));
    std::string ps = trim(line.substr(comma + 1));
    if (auto c2 = ps.find(','); c2 != std::string::npos) ps = trim(ps.substr(0, c2));
    if (t_.empty() && !ts.empty() && !std::isdigit(static_cast<unsigned char>(ts[0]))) {  // header
      std::string h = ps;
      std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
      if (h.find("kw") != std::string::npos) unit_scale = 1000;
      continue;
    }
    double tsec = 0;
    if (ts.find(':') != std::string::npos) {
      int h = 0, m = 0, s = 0;
      if (std::sscanf(ts.c_str(), "%d:%d:%d", &h, &m, &s) < 2 || h < 0 || h > 24 || m < 0 || m > 59 || s < 0 || s > 59)
        bad("bad time of day '" + ts + "'");
      tsec = h * 3600.0 + m * 60.0 + s;
      kinds |= 2;
    } else {
      auto q = parse_quantity(ts);
      if (!q || !(q->unit.empty() || q->unit == "s")) bad("bad time '" + ts + "'");
      tsec = q->value;
      kinds |= 1;
    }
    auto pq = parse_quantity(ps);
    if (!pq || !(pq->unit.empty() || pq->unit == "W")) bad("bad power '" + ps + "'");
    if (!t_.empty() && tsec <= t_.back()) bad("times must increase");
    t_.push_back(tsec);
    w_.push_back(pq->value * (pq->unit.empty() ? unit_scale : 1) * scale);
  }
  if (t_.empty()) where.fail("profile file '" + path + "' has no rows");
  if (kinds == 3) where.fail("profile file '" + path + "' mixes times of day and seconds");
  daily_ = kinds == 2;
}

Profile::Sample CsvProfile::at(Time t) {
  double x = daily_ ? site_.time_of_day(t) : seconds(t);
  double w;
  if (t_.size() == 1) {
    w = w_[0];
  } else if (daily_) {
    // Wraps around midnight: the segment after the last row leads to the first row of the next day.
    auto it = std::upper_bound(t_.begin(), t_.end(), x);
    std::size_t i1 = static_cast<std::size_t>(it - t_.begin());
    double ta, tb, wa, wb;
    if (i1 == 0) {
      ta = t_.back() - kDay, wa = w_.back(), tb = t_[0], wb = w_[0];
    } else if (i1 == t_.size()) {
      ta = t_.back(), wa = w_.back(), tb = t_[0] + kDay, wb = w_[0];
    } else {
      ta = t_[i1 - 1], wa = w_[i1 - 1], tb = t_[i1], wb = w_[i1];
    }
    w = wa + (wb - wa) * (x - ta) / (tb - ta);
  } else if (x <= t_.front()) {
    w = w_.front();
  } else if (x >= t_.back()) {
    return {w_.back(), kNever};
  } else {
    auto it = std::upper_bound(t_.begin(), t_.end(), x);
    std::size_t i1 = static_cast<std::size_t>(it - t_.begin());
    w = w_[i1 - 1] + (w_[i1] - w_[i1 - 1]) * (x - t_[i1 - 1]) / (t_[i1] - t_[i1 - 1]);
  }
  return {w, t + resolution_};
}

bool parse_stochastic_kind(const std::string& s, StochasticKind& out) {
  if (s == "residential")
    out = StochasticKind::Residential;
  else if (s == "office")
    out = StochasticKind::Office;
  else if (s == "heat-pump" || s == "heatpump")
    out = StochasticKind::HeatPump;
  else
    return false;
  return true;
}

StochasticProfile::StochasticProfile(const Site& site, StochasticKind kind, double peak, Rng rng, Time resolution)
    : site_(site), kind_(kind), peak_(peak), rng_(rng), resolution_(resolution) {
  // Start each process at a random point of its cycle so that loads do not switch in lock-step.
  noise_ = rng_.normal(0, 0.1);
  burst_next_ = seconds_to_time(rng_.exponential(1800.0));
  hp_on_ = rng_.chance(0.4);
  hp_switch_ = seconds_to_time(rng_.uniform(0, 900.0));
}

double StochasticProfile::shape(double hour, int weekday) const {
  bool weekend = weekday == 0 || weekday == 6;
  switch (kind_) {
    case StochasticKind::Residential: return interp_hours(kResidential, hour) * (weekend ? 1.05 : 1.0);
    case StochasticKind::Office: return weekend ? 0.15 : interp_hours(kOfficeWeekday, hour);
    case StochasticKind::HeatPump: return 1.0;
    case StochasticKind::Base: return interp_hours(kResidential, hour);
  }
  return 1.0;
}

double StochasticProfile::residential_mean() {
  double s = 0;
  for (double x : kResidential) s += x;
  return s / 24.0;
}

Profile::Sample StochasticProfile::at(Time t) {
  double abs_s = site_.start_epoch() + seconds(t);
  double hour = site_.time_of_day(t) / 3600.0;
  int weekday = static_cast<int>(std::fmod(std::floor(abs_s / kDay) + 4, 7.0));  // 1970-01-01 was a Thursday
  if (kind_ == StochasticKind::HeatPump) {
    while (hp_switch_ <= t) {
      hp_on_ = !hp_on_;
      if (hp_on_) hp_start_end_ = hp_switch_ + start_time_;
      // Cold nights: longer runs, shorter pauses.
      bool night = hour < 6 || hour >= 21;
      double mean = hp_on_ ? (night ? 1500.0 : 900.0) : (night ? 600.0 : 1500.0);
      hp_switch_ += seconds_to_time(std::max(300.0, rng_.normal(mean, mean * 0.25)));
    }
    double w = hp_on_ ? peak_ : 0.02 * peak_;  // circulation pump while the compressor rests
    if (hp_on_ && t < hp_start_end_) return {peak_ * start_factor_, hp_start_end_};
    return {w, hp_switch_};
  }
  while (noise_next_ <= t) {  // slow variation, one step per minute
    noise_ = 0.9 * noise_ + rng_.normal(0, 0.05);
    noise_next_ += 60 * kSec;
  }
  double s = shape(hour, weekday);
  if (kind_ == StochasticKind::Base) {
    // Fridge, standby, lighting: the smooth remainder of a household (appliances are separate).
    double w = std::clamp(peak_ * s * (1 + noise_), 0.0, 2 * peak_);
    return {w, std::min(t + resolution_, noise_next_)};
  }
  while (burst_next_ <= t) {  // appliances: kettle, oven, washing machine ...
    if (burst_end_ <= burst_next_) burst_w_ = 0;
    if (rng_.chance(std::min(1.0, s))) {
      burst_w_ = rng_.uniform(0.1, 0.3) * peak_;
      burst_end_ = burst_next_ + seconds_to_time(std::max(30.0, rng_.exponential(300.0)));
    }
    burst_next_ += seconds_to_time(std::max(10.0, rng_.exponential(kind_ == StochasticKind::Office ? 1200.0 : 1800.0)));
  }
  double burst = t < burst_end_ ? burst_w_ : 0;
  double w = std::clamp(peak_ * 0.7 * s * (1 + noise_) + burst, 0.0, peak_);
  Time next = std::min({t + resolution_, noise_next_, burst_next_, t < burst_end_ ? burst_end_ : kNever});
  return {w, next};
}

}  // namespace lmsim::plant
