#include "sim/stimulus.h"

#include <algorithm>
#include <cmath>

namespace lmsim {

void declare_user_signals(Site& site, const YNode* signals) {
  if (!signals) return;
  auto& reg = site.registry();
  for (const auto& s : signals->items()) {
    if (!s.is_map()) s.fail("a signal is a map such as {name: test.x, unit: A}");
    std::string name = s["name"].scalar();
    std::string type = s.str_or("type", "number");
    try {
      Signal* sig = nullptr;
      if (type == "number") {
        std::string unit = s.str_or("unit", "");
        if (!is_known_unit(unit)) s["unit"].fail("unknown unit '" + unit + "'");
        double init = s.qty_or("initial", unit, 0);
        sig = &reg.add_number(name, unit, init);
      } else if (type == "bool") {
        sig = &reg.add_bool(name, s.bool_or("initial", false));
      } else if (type == "enum") {
        std::vector<std::string> states;
        for (const auto& st : s["states"].items()) states.push_back(st.scalar());
        if (states.empty()) s["states"].fail("an enum needs at least one state");
        int init = 0;
        if (const YNode* i = s.get("initial")) {
          auto it = std::find(states.begin(), states.end(), i->scalar());
          if (it == states.end()) i->fail("'" + i->scalar() + "' is not one of the states");
          init = static_cast<int>(it - states.begin());
        }
        sig = &reg.add_enum(name, states, init);
      } else if (type == "string") {
        sig = &reg.add_string(name, s.str_or("initial", ""));
      } else {
        s["type"].fail("type must be number, bool, enum or string");
      }
      sig->as_knob().describe(s.str_or("description", "scenario-defined signal"));
    } catch (const SignalError& e) {
      s.fail(e.what());
    }
    s.finish();
  }
}

Stimulus::Stimulus(sc_core::sc_module_name n, Site& site, const YNode& cfg)
    : sc_module(n), rng_(site.rng(std::string("stimulus.") + cfg["signal"].scalar())) {
  const YNode& sn = cfg["signal"];
  sig_ = site.registry().find(sn.scalar());
  if (!sig_) {
    try {
      (void)site.registry().at(sn.scalar());
    } catch (const SignalError& e) {
      sn.fail(e.what());
    }
  }
  if (sig_->type() != SignalType::Number) sn.fail("stimuli drive number signals only");
  const std::string& u = sig_->unit();
  std::string k = cfg["kind"].scalar();
  period_ = cfg["period"].duration();
  if (period_ == 0) cfg["period"].fail("period must be > 0");
  step_ = period_;
  if (k == "random") {
    kind_ = Kind::Random;
    a_ = cfg["mean"].quantity(u).value;
    b_ = cfg.qty_or("sd", u, 0);
  } else if (k == "sine") {
    kind_ = Kind::Sine;
    a_ = cfg["amplitude"].quantity(u).value;
    b_ = cfg.qty_or("offset", u, 0);
    step_ = cfg["step"].duration();
    if (step_ == 0) cfg["step"].fail("step must be > 0");
  } else if (k == "square") {
    kind_ = Kind::Square;
    a_ = cfg["low"].quantity(u).value;
    b_ = cfg["high"].quantity(u).value;
    step_ = period_ / 2;
  } else {
    cfg["kind"].fail("kind must be random, sine or square");
  }
  cfg.finish();
  SC_HAS_PROCESS(Stimulus);
  SC_METHOD(tick);
}

void Stimulus::tick() {
  Time now = static_cast<Time>(sc_core::sc_time_stamp().value());
  double v = 0;
  switch (kind_) {
    case Kind::Random: v = rng_.normal(a_, b_); break;
    case Kind::Sine: v = b_ + a_ * std::sin(6.283185307179586 * time_to_seconds(now) / time_to_seconds(period_)); break;
    case Kind::Square: v = ((now / step_) % 2 == 0) ? a_ : b_; break;
  }
  sig_->set(v, now);
  next_trigger(sc_core::sc_time::from_value(step_));
}

void build_stimuli(Site& site, const YNode* stimuli) {
  if (!stimuli) return;
  int i = 0;
  for (const auto& s : stimuli->items()) {
    if (!s.is_map()) s.fail("a stimulus is a map such as {signal: test.x, kind: random, ...}");
    site.make<Stimulus>(sc_core::sc_module_name(("stimulus" + std::to_string(i++)).c_str()), site, s);
  }
}

}  // namespace lmsim
