// A sub-distribution circuit: its own overcurrent device (gG fuse or MCB, one element per
// phase), optionally its own RCD, and behind them loads, PV and stations. A trip opens only
// this circuit: the device and the other circuits keep running. A station circuit may carry
// the station's RDC-DD (IEC 62955), which opens the circuit's downstream side (the station's
// contactor) on 6 mA smooth DC; `site.circuits.NAME.dc_fault` injects such a fault.
#pragma once
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/plant/main_fuse.h"
#include "models/plant/meter_tap.h"
#include "models/plant/rcd.h"
#include "models/plant/rdc_dd.h"

namespace lmsim::plant {

class Circuit {
 public:
  struct Config {
    std::string name;
    bool behind_rcd = true;  // hangs behind the site RCD (default) or in front of it
    MainFuse::Config device;
    std::optional<Rcd::Config> rcd;
    bool rdc_dd = false;
    std::vector<std::string> stations;  // stations wired to this circuit (by name)
  };
  Circuit(Registry& reg, Config cfg);

  const Config& config() const { return cfg_; }
  const std::string& name() const { return cfg_.name; }
  MainFuse& device() { return *device_; }
  const MainFuse& device() const { return *device_; }
  Rcd* rcd() { return rcd_.get(); }
  // Set by the plant: a knob of this circuit changed (re-evaluate now).
  std::function<void()> poke;
  RdcDd* rdc_dd() { return rdc_.get(); }
  double dc_fault() const { return std::max(0.0, dc_fault_->value()); }
  // Bumped when a knob changes the topology (RCD/RDC-DD trip or reset).
  unsigned version() const;
  // The downstream side of phase p is live (device element intact, RCD and RDC-DD closed),
  // given that the circuit's supply phase is live.
  bool passes(int p) const;

  // State the plant keeps per evaluation.
  std::array<bool, 3> live{};
  Complex i[3][kMaxOrders]{};
  std::array<double, 3> irms{};
  Complex cons_i[3]{};         // its stations' currents of this evaluation
  double leak[3] = {0, 0, 0};  // AC leakage of its elements per phase (A, in phase with V)
  double leak_dc = 0;
  Residual residual;    // what its own RCD (and the RDC-DD, DC part) sees
  Complex residual_ac;  // fundamental residual phasor (for the site RCD's sum)

 private:
  Config cfg_;
  std::unique_ptr<MainFuse> device_;
  std::unique_ptr<Rcd> rcd_;
  std::unique_ptr<RdcDd> rdc_;
  Signal* dc_fault_ = nullptr;
};

}  // namespace lmsim::plant
