#include "models/plant/ripple_receiver.h"

#include <algorithm>

namespace lmsim::plant {
namespace {
// Sentinel relay index of a queued mode change (the receiver's reaction delay has passed).
constexpr int kModeChange = -1;
}  // namespace

std::vector<RippleReceiver::Relay> RippleReceiver::default_relays() {
  Relay k1;
  k1.name = "K1";
  k1.input = 1;
  k1.active = {false, false, true};
  Relay k2;
  k2.name = "K2";
  k2.input = 2;
  k2.active = {false, true, false};
  return {k1, k2};
}

RippleReceiver::RippleReceiver(sc_core::sc_module_name name, Site& site, Config cfg)
    : sc_module(name), site_(site), cfg_(std::move(cfg)), rng_(site.rng("site.ripple")) {
  auto& reg = site.registry();
  mode_ = &reg.add_enum("site.ripple.mode", {"normal", "reduced", "blocked"}, cfg_.mode)
               .as_knob()
               .describe("mode the utility sends (the receiver switches its relays after its delay)");
  mode_->on_write = [this](Signal& s) {
    queue_.emplace(now() + cfg_.delay, Action{kModeChange, static_cast<int>(s.value())});
    wake_.notify(sc_core::SC_ZERO_TIME);
  };
  for (int k = 0; k < 2; ++k)
    in_sig_[k] = &reg.add_bool("site.ripple.in" + std::to_string(k + 1))
                      .describe("24 V at the device's input " + std::to_string(k + 1) + " from the receiver");
  for (std::size_t r = 0; r < cfg_.relays.size(); ++r) {
    const Relay& rl = cfg_.relays[r];
    std::string b = "site.ripple." + rl.name;
    bool closed = rest_closed(r, energised(r, cfg_.mode));
    contact_.push_back(closed);
    target_.push_back(closed);
    contact_sig_.push_back(&reg.add_bool(b + ".contact", closed).describe("relay contact closed"));
    Signal& br = reg.add_bool(b + ".wire_break").as_knob().describe("wire from the contact to the device input broken");
    br.on_write = [this](Signal&) { wake_.notify(sc_core::SC_ZERO_TIME); };
    break_sig_.push_back(&br);
    Signal& gl = reg.add_number(b + ".glitch", "s", 0)
                     .as_knob()
                     .describe("write a duration: the contact changes over for that long (spurious pulse)");
    gl.on_write = [this, r](Signal& s) {
      double d = s.value();
      if (d <= 0) return;
      Time t = now();
      queue_.emplace(t, Action{static_cast<int>(r), target_[r] ? 0 : 1});
      queue_.emplace(t + seconds_to_time(d), Action{static_cast<int>(r), target_[r] ? 1 : 0});
      s.set(0);
      wake_.notify(sc_core::SC_ZERO_TIME);
    };
    glitch_sig_.push_back(&gl);
    glitch_at_.push_back(0);
    if (cfg_.glitch_rate > 0) schedule_glitch(r, 0);
  }
  SC_METHOD(run);
}

void RippleReceiver::start_of_simulation() {
  // The device (and its GPIO knobs) is built after the plant.
  for (int k = 0; k < 2; ++k) dev_in_[k] = site_.registry().find("device.ripple.in" + std::to_string(k + 1));
}

bool RippleReceiver::input(int n) const {
  bool v = false;
  for (std::size_t r = 0; r < cfg_.relays.size(); ++r)
    if (cfg_.relays[r].input == n && contact_[r] && !break_sig_[r]->as_bool()) v = true;
  return v;
}

void RippleReceiver::schedule_glitch(std::size_t r, Time from) {
  glitch_at_[r] = from + seconds_to_time(rng_.exponential(3600.0 / cfg_.glitch_rate));
}

void RippleReceiver::switch_contact(std::size_t r, bool closed, Time t) {
  target_[r] = closed;
  queue_.emplace(t, Action{static_cast<int>(r), closed ? 1 : 0});
  if (!closed || cfg_.bounces <= 0) return;
  // A closing contact bounces: it opens and closes again `bounces` times within bounce_time
  // (instants seeded), then stays closed.
  std::vector<Time> at;
  for (int k = 0; k < 2 * cfg_.bounces; ++k)
    at.push_back(t + 1 + static_cast<Time>(rng_.uniform() * static_cast<double>(cfg_.bounce_time - 1)));
  std::sort(at.begin(), at.end());
  for (std::size_t k = 0; k < at.size(); ++k) queue_.emplace(at[k], Action{static_cast<int>(r), k % 2 ? 1 : 0});
}

void RippleReceiver::apply_inputs() {
  for (int k = 0; k < 2; ++k) {
    bool v = input(k + 1);
    in_sig_[k]->set(v ? 1 : 0);
    Signal* d = dev_in_[k];
    if (d && d->as_bool() != v) {
      d->set(v ? 1 : 0);
      if (d->on_write) d->on_write(*d);
    }
  }
}

void RippleReceiver::run() {
  const Time t = now();
  while (!queue_.empty() && queue_.begin()->first <= t) {
    Action a = queue_.begin()->second;
    queue_.erase(queue_.begin());
    if (a.relay == kModeChange) {
      mode_applied_ = a.value;
      for (std::size_t r = 0; r < cfg_.relays.size(); ++r) {
        bool c = rest_closed(r, energised(r, mode_applied_));
        if (c != target_[r]) switch_contact(r, c, t);
      }
      continue;
    }
    auto r = static_cast<std::size_t>(a.relay);
    contact_[r] = a.value != 0;
    contact_sig_[r]->set(a.value);
  }
  for (std::size_t r = 0; r < glitch_at_.size(); ++r) {
    if (cfg_.glitch_rate <= 0 || glitch_at_[r] > t) continue;
    queue_.emplace(t, Action{static_cast<int>(r), target_[r] ? 0 : 1});
    queue_.emplace(t + cfg_.glitch_length, Action{static_cast<int>(r), target_[r] ? 1 : 0});
    schedule_glitch(static_cast<std::size_t>(r), t);
    wake_.notify(sc_core::SC_ZERO_TIME);
  }
  apply_inputs();
  Time next = kNever;
  if (!queue_.empty()) next = queue_.begin()->first;
  for (Time g : glitch_at_)
    if (cfg_.glitch_rate > 0) next = std::min(next, g);
  if (next == kNever)
    next_trigger(wake_);
  else
    next_trigger(sc_core::sc_time::from_value(next > t ? next - t : 0), wake_);
}

}  // namespace lmsim::plant
