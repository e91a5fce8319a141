// Scenario-defined signals and stimulus generators, for tests of the core and for driving
// models from synthetic inputs:
//   signals:
//     - {name: test.current, unit: A, initial: 0A}      # number knob
//     - {name: test.flag, type: bool}
//     - {name: test.mode, type: enum, states: [normal, reduced, blocked]}
//   stimuli:
//     - {signal: test.current, kind: random, period: 10ms, mean: 20A, sd: 5A}
//     - {signal: test.current, kind: sine, period: 1s, step: 10ms, amplitude: 10A, offset: 0A}
//     - {signal: test.current, kind: square, period: 2s, low: 0A, high: 10A}
// Random stimuli draw from site.rng("stimulus.<signal>"): seeded and repeatable.
#pragma once
#include <vector>

#include <systemc>

#include "sim/site.h"

namespace lmsim {

// Publishes the `signals:` section as knobs.
void declare_user_signals(Site& site, const YNode* signals);

class Stimulus : public sc_core::sc_module {
 public:
  Stimulus(sc_core::sc_module_name n, Site& site, const YNode& cfg);

 private:
  enum class Kind { Random, Sine, Square };
  void tick();
  Signal* sig_;
  Kind kind_;
  Rng rng_;
  Time period_, step_;
  double a_ = 0, b_ = 0;  // random: mean, sd; sine: amplitude, offset; square: low, high
};

void build_stimuli(Site& site, const YNode* stimuli);

}  // namespace lmsim
