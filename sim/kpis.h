// Load-management key figures of a run (issue 13): how close the site came to its main fuse.
// Peak phase current against the fuse rating and the time any phase was above the rating.
#pragma once
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/registry.h"

namespace lmsim {

class LoadKpis : public ChangeListener {
 public:
  // `phases`: the fuse phase currents (A); `rating`: the main fuse rating (A).
  LoadKpis(const std::vector<Signal*>& phases, double rating, Time now);
  void on_change(const Signal& s, Time t) override;
  nlohmann::json figures(Time now) const;

 private:
  bool above() const;
  std::vector<Signal*> phases_;
  double rating_, peak_ = 0;
  Time above_since_ = 0, above_ps_ = 0;
  bool is_above_ = false;
};

}  // namespace lmsim
