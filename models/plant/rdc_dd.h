// Residual direct current detecting device (RDC-DD, IEC 62955) of a charging station: it opens
// the station's supply when a smooth DC residual current of 6 mA or more flows, so that an
// upstream type A RCD (which withstands only 6 mA DC, IEC 61008-1) is not blinded. Break time
// as data over the DC residual current (see kBreakTimes in rdc_dd.cpp and docs/plant.md).
#pragma once
#include <functional>
#include <string>

#include "sim/registry.h"

namespace lmsim::plant {

class RdcDd {
 public:
  // prefix: signal names (prefix + ".tripped", ".residual_dc", ".reset").
  RdcDd(Registry& reg, const std::string& prefix);
  // Maximum break time at a constant smooth DC residual current (s); infinity below 6 mA.
  static double break_time(double dc_amps);
  // Integrates [t - dt, t] at the DC residual current; true if it opened now.
  bool integrate(double dt, double dc_amps);
  // Seconds until it opens if the DC residual stays as it is (infinity: never).
  double time_to_trip(double dc_amps) const;
  bool tripped() const { return tripped_->as_bool(); }
  void publish(double dc_amps) {
    if (residual_->value() != dc_amps) residual_->set(dc_amps);
  }
  unsigned version() const { return version_; }
  std::function<void()> poke;

 private:
  double progress_ = 0;
  unsigned version_ = 0;
  Signal* tripped_ = nullptr;
  Signal* residual_ = nullptr;
  Signal* reset_ = nullptr;
};

}  // namespace lmsim::plant
