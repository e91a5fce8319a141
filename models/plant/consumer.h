// The contract between the plant and anything that draws current from the site's grid
// connection (charging stations, and the plant's own loads). Written by the lead so that the
// plant and the stations can be built in parallel; the plant engineer owns it from here.
#pragma once
#include <array>

#include "sim/units.h"

namespace lmsim::plant {

// Per grid phase L1, L2, L3 (index 0..2).
struct PhaseSet {
  std::array<double, 3> v{};  // RMS values in the base unit of the quantity
};

// A current sink on the site, evaluated once per plant step (and when its state changes).
class Consumer {
 public:
  virtual ~Consumer() = default;
  // Fills the RMS current drawn on each grid phase (A, >= 0 draws from the grid, < 0 feeds in)
  // and the displacement power factor per phase (cos phi, 1 for resistive/EV chargers), given
  // the phase voltages (V RMS; 0 on a dead phase) at time t.
  virtual void draw(Time t, const PhaseSet& volts, PhaseSet& amps, PhaseSet& cos_phi) = 0;
  // Which side of the RCD it is wired on (a trip disconnects what is behind it).
  virtual bool behind_rcd() const { return true; }
  // Smooth DC residual current (A) it leaks to PE now (a station's rectifier fault); the RCDs in
  // front of it see it. A station wired to a `site.circuits` entry with `rdc_dd: true` has its
  // RDC-DD (IEC 62955, 6 mA) modelled there (models/plant/rdc_dd.h).
  virtual double dc_residual() const { return 0; }
};

// What the plant offers to other areas (service name "plant").
class PlantApi {
 public:
  virtual ~PlantApi() = default;
  virtual void attach(Consumer* c) = 0;
  // Phase voltage as seen by a consumer on the given side of the RCD (0 when disconnected).
  virtual double phase_voltage(int phase, bool behind_rcd) const = 0;
  // Ask for an extra evaluation at the current time (a consumer's current changed between steps).
  virtual void request_update() = 0;
};

}  // namespace lmsim::plant
