#include "models/plant/grid.h"

#include <string>

namespace lmsim::plant {

Grid::Grid(Registry& reg, const Config& cfg) : harmonics_(cfg.harmonics) {
  auto bump = [this](Signal&) {
    ++version_;
    if (poke) poke();
  };
  all_ = &reg.add_number("site.grid.voltage", "V", cfg.voltage)
              .as_knob()
              .describe("nominal phase voltage of all three phases (writes set L1..L3 nominal)");
  for (int p = 0; p < 3; ++p) {
    std::string ph = "site.grid.L" + std::to_string(p + 1);
    nominal_[p] = &reg.add_number(ph + ".nominal", "V", cfg.voltage).as_knob().describe("source voltage of this phase");
    nominal_[p]->on_write = bump;
    loss_[p] = &reg.add_bool(ph + ".loss").as_knob().describe("phase lost upstream (0 V on this phase)");
    loss_[p]->on_write = bump;
  }
  all_->on_write = [this](Signal& s) {
    for (auto* n : nominal_) n->set(s.value());
    ++version_;
    if (poke) poke();
  };
  freq_ = &reg.add_number("site.grid.frequency", "Hz", cfg.frequency).as_knob().describe("grid frequency");
  freq_->on_write = bump;
  sag_ =
      &reg.add_number("site.grid.sag", "%", 0).as_knob().describe("voltage sag depth on all phases (negative = swell)");
  sag_->on_write = bump;
  outage_ = &reg.add_bool("site.grid.outage").as_knob().describe("utility outage: all phases dead");
  outage_->on_write = bump;
}

}  // namespace lmsim::plant
