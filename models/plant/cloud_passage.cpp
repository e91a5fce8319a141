#include "models/plant/cloud_passage.h"

#include <algorithm>

namespace lmsim::plant {

CloudPassage::CloudPassage(Config cfg, Rng rng) : cfg_(cfg), rng_(rng) {
  if (cfg_.per_hour > 0) draw_from(0);
}

void CloudPassage::draw_from(Time after) {
  // Poisson arrivals: exponential gaps between the end of one passage and the next start.
  start_ = after + seconds_to_time(rng_.exponential(3600.0 / cfg_.per_hour));
  ramp_ = seconds_to_time(rng_.uniform(cfg_.ramp_min, cfg_.ramp_max));
  dark_end_ = start_ + ramp_ + seconds_to_time(rng_.exponential(cfg_.mean_length));
  depth_ = rng_.uniform(cfg_.depth_min, cfg_.depth_max);
}

double CloudPassage::factor(Time t) {
  if (start_ == kNever) return 1.0;
  while (t >= dark_end_ + ramp_) draw_from(dark_end_ + ramp_);
  if (t < start_) return 1.0;
  double r = time_to_seconds(ramp_);
  if (t < start_ + ramp_) return 1.0 - depth_ * time_to_seconds(t - start_) / r;
  if (t < dark_end_) return 1.0 - depth_;
  return 1.0 - depth_ * (1.0 - time_to_seconds(t - dark_end_) / r);
}

Time CloudPassage::next(Time t) const {
  if (start_ == kNever) return kNever;
  if (t < start_) return start_;
  if (t < start_ + ramp_) return std::min(t + kRampStep, start_ + ramp_);
  if (t < dark_end_) return dark_end_;
  return std::min(t + kRampStep, dark_end_ + ramp_);
}

}  // namespace lmsim::plant
