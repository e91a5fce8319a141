// A current sensor on one AFE channel and its wiring: which conductor it clamps, the direction
// of its arrow, which voltage input its channel is paired with, and whether the clamp is shut.
// CT: ratio error, phase displacement, saturation. Rogowski coil: the electronic integrator's
// high-pass corner (frequency-dependent phase lead) and position sensitivity.
// Wiring faults are wiring: a reversed arrow is gain -1, a wrong pairing takes another voltage.
#pragma once
#include <array>
#include <string>

#include "models/plant/meter_tap.h"
#include "sim/registry.h"

namespace lmsim::plant {

enum class SensorType { Ct, Rogowski };

class CurrentSensor {
 public:
  struct Config {
    SensorType type = SensorType::Ct;
    double ratio = 2000;             // nominal turns ratio (documentation; the AFE is calibrated to it)
    double amplitude_error = 0;      // fraction, e.g. 0.005 reads 0.5 % high
    double phase_error = 0;          // rad, current leads (CT only; Rogowski: from the integrator)
    double saturation = 0;           // A primary RMS where a CT saturates (0 = never)
    double integrator_corner = 0.5;  // Hz, Rogowski integrator high-pass corner
    double position_error = 0;       // fraction, Rogowski conductor off-centre
    double open_coupling = 0.01;     // gain left when the clamp is open / not clicked shut
    int clamps = 0;                  // conductor: 0..2 = L1..L3, 3 = N
    int pairs_with = 0;              // voltage input 0..2 = L1..L3
    bool reversed = false;           // arrow points to the grid instead of the loads
    bool open = false;
    // IEC 61869-2 accuracy class with the CT's rated primary current: ratio error and phase
    // displacement follow the class's limits over the current (5/20/100/120 % of rated), this
    // unit sitting at `band_position` (0..1) of the limits, reading low and leading (the
    // magnetising current's effect). 0: constant errors above.
    double accuracy_class = 0;
    double rated = 0;  // A primary
    double band_position = 0;
  };
  // IEC 61869-2 limits for a class at a primary current (fraction of rated): ratio error
  // (fraction) and phase displacement (rad). False for a class without a table.
  static bool class_limits(double accuracy_class, double fraction_of_rated, double& ratio, double& phase);
  CurrentSensor(Registry& reg, int channel, Config cfg);
  // Channel k clamps phase k and pairs with voltage input k (the correct installation).
  static std::array<Config, 3> per_phase_defaults() {
    std::array<Config, 3> c{};
    for (int k = 0; k < 3; ++k) c[k].clamps = c[k].pairs_with = k;
    return c;
  }

  // Secondary reading (primary-referred A) per A of primary current at harmonic `order` of the
  // grid frequency `f`, given the primary RMS current (for saturation).
  Complex transfer(int order, double f, double primary_rms) const;
  int clamps() const { return static_cast<int>(clamps_->value()); }
  int pairs_with() const { return static_cast<int>(pairs_->value()); }
  const Config& config() const { return cfg_; }
  // Bumped by every wiring knob write (the plant rebuilds the meter frame).
  unsigned version() const { return version_; }

 private:
  Config cfg_;
  Complex ct_gain_;  // (1 + amplitude error) * exp(j * phase error)
  unsigned version_ = 0;
  Signal* open_ = nullptr;
  Signal* reversed_ = nullptr;
  Signal* clamps_ = nullptr;
  Signal* pairs_ = nullptr;
};

}  // namespace lmsim::plant
