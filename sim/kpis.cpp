#include "sim/kpis.h"

#include <algorithm>

namespace lmsim {

LoadKpis::LoadKpis(const std::vector<Signal*>& phases, double rating, Time now) : phases_(phases), rating_(rating) {
  for (auto* s : phases_) {
    peak_ = std::max(peak_, s->value());
    s->add_listener(this);
  }
  is_above_ = above();
  above_since_ = now;
}

bool LoadKpis::above() const {
  return std::any_of(phases_.begin(), phases_.end(), [&](const Signal* s) { return s->value() > rating_; });
}

void LoadKpis::on_change(const Signal& s, Time t) {
  peak_ = std::max(peak_, s.value());
  bool a = above();
  if (a == is_above_) return;
  if (is_above_) above_ps_ += t - above_since_;
  above_since_ = t;
  is_above_ = a;
}

nlohmann::json LoadKpis::figures(Time now) const {
  Time total = above_ps_ + (is_above_ ? now - above_since_ : 0);
  return {{"fuse_rating_a", rating_},
          {"peak_phase_current_a", peak_},
          {"peak_phase_current_over_rating", peak_ / rating_},
          {"seconds_above_rating", time_to_seconds(total)}};
}

}  // namespace lmsim
