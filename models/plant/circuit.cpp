#include "models/plant/circuit.h"

#include <algorithm>

namespace lmsim::plant {

Circuit::Circuit(Registry& reg, Config cfg) : cfg_(std::move(cfg)) {
  const std::string base = "site.circuits." + cfg_.name;
  cfg_.device.prefix = base;
  cfg_.device.label = "circuit " + cfg_.name + " protection";
  device_ = std::make_unique<MainFuse>(reg, cfg_.device);
  if (cfg_.rcd) {
    cfg_.rcd->prefix = base + ".rcd";
    rcd_ = std::make_unique<Rcd>(reg, *cfg_.rcd);
  }
  if (cfg_.rdc_dd) rdc_ = std::make_unique<RdcDd>(reg, base + ".rdc_dd");
  dc_fault_ = &reg.add_number(base + ".dc_fault", "A", 0)
                   .as_knob()
                   .describe("smooth DC residual current of a station fault behind this circuit (e.g. 8mA)");
  dc_fault_->on_write = [this](Signal&) {
    if (poke) poke();
  };
  if (rcd_)
    rcd_->poke = [this] {
      if (poke) poke();
    };
  if (rdc_)
    rdc_->poke = [this] {
      if (poke) poke();
    };
}

unsigned Circuit::version() const {
  return (rcd_ ? rcd_->version() : 0u) * 65599u + (rdc_ ? rdc_->version() : 0u);
}

bool Circuit::passes(int p) const {
  return !device_->blown(p) && !(rcd_ && rcd_->tripped()) && !(rdc_ && rdc_->tripped());
}

}  // namespace lmsim::plant
