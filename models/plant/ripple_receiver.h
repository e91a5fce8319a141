// The utility's ripple-control receiver / FNN control box (§14a EnWG) at the site: it decodes
// the utility's mode (normal, reduced, blocked; knob `site.ripple.mode`) after a reaction delay
// and switches its relays. Each relay's contact (NO or NC) switches the 24 V DC auxiliary
// supply onto one of the device's 24 V inputs (`device.ripple.in1/in2`, manual Figure 15).
// Contact bounce when a contact closes, spurious pulses (glitches, knob or seeded random) and a
// broken wire between contact and input are modelled; the device's debouncing (RC-10) is the
// firmware's job. Vendor mapping (behaviours RC-03/RC-04): "normally closed" = 0 V at rest and
// 24 V when the utility signals = an NO contact here; "normally open" = an NC contact.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <systemc>

#include "models/plant/element.h"
#include "sim/rng.h"
#include "sim/site.h"

namespace lmsim::plant {

class RippleReceiver : public sc_core::sc_module {
 public:
  enum Mode { kNormal, kReduced, kBlocked };
  struct Relay {
    std::string name = "K1";
    int input = 1;                                 // device input 1 or 2
    bool normally_closed = false;                  // contact type (NO: closes when energised)
    std::vector<bool> active{false, false, true};  // energised in normal/reduced/blocked
  };
  struct Config {
    int mode = kNormal;  // at time 0
    Time delay = 0;      // decoding/reaction time of the receiver
    std::vector<Relay> relays;
    int bounces = 3;             // openings while a contact closes
    Time bounce_time = 3 * kMs;  // window in which they happen
    double glitch_rate = 0;      // random spurious pulses per hour per relay
    Time glitch_length = 50 * kMs;
  };
  // K1 -> in1 energised on blocked, K2 -> in2 energised on reduced; NO contacts.
  static std::vector<Relay> default_relays();

  RippleReceiver(sc_core::sc_module_name name, Site& site, Config cfg);
  // 24 V present at device input 1/2 (what the device's input sees now).
  bool input(int n) const;

 private:
  SC_HAS_PROCESS(RippleReceiver);
  struct Action {
    int relay;
    int value;  // contact closed (0/1), or the mode of a mode change
  };
  void start_of_simulation() override;
  void run();
  bool energised(std::size_t r, int mode) const { return cfg_.relays[r].active[mode]; }
  bool rest_closed(std::size_t r, bool energised) const { return energised != cfg_.relays[r].normally_closed; }
  // Contact of relay r goes to `closed` at t, bouncing when it closes.
  void switch_contact(std::size_t r, bool closed, Time t);
  void schedule_glitch(std::size_t r, Time from);
  void apply_inputs();
  Time now() const { return static_cast<Time>(sc_core::sc_time_stamp().value()); }

  Site& site_;
  Config cfg_;
  Rng rng_;
  std::multimap<Time, Action> queue_;
  std::vector<bool> contact_;    // closed now
  std::vector<bool> target_;     // where each contact settles (without glitches)
  std::vector<Time> glitch_at_;  // next random glitch per relay
  std::vector<Signal*> contact_sig_, break_sig_, glitch_sig_;
  Signal* mode_ = nullptr;
  Signal* in_sig_[2] = {nullptr, nullptr};
  Signal* dev_in_[2] = {nullptr, nullptr};
  int mode_applied_ = kNormal;
  sc_core::sc_event wake_;
};

}  // namespace lmsim::plant
