// LED patterns (A01: slow blink 0.5 Hz, blinking 1 Hz, fast blink 4 Hz, all 50 % duty) and the
// STATUS LED's precedence (LED-06): button feedback > hotspot-start fast blink > network state.
#pragma once
#include <cstdint>

#include "app/core/loop.h"
#include "app/panel/button.h"

namespace lmc {

enum class Pattern : std::uint8_t {
  Off,
  On,
  Slow,       // 1 s on, 1 s off (LED-02: joining Wi-Fi)
  Blink,      // 0.5 s on, 0.5 s off (LED-03: on a network, looking for the server)
  Fast,       // 125 ms on, 125 ms off (LED-05: button feedback, hotspot starting)
  Attention,  // POWER only: 1.8 s on, 0.2 s off: powered but not configured (our default)
};
const char* pattern_name(Pattern p);
std::uint32_t pattern_on_ms(Pattern p);  // 0 for Off/On
std::uint32_t pattern_off_ms(Pattern p);

// The network state as the STATUS LED shows it (LED-01..04).
enum class NetLed : std::uint8_t {
  Offline,    // no LAN/WLAN connection (hotspot mode): off
  Joining,    // Wi-Fi credentials set, trying to join: slow blink
  Searching,  // on a network, looking for the server: blinking
  Online,     // cloud link up: on
};
const char* netled_name(NetLed n);

Pattern status_pattern(Feedback fb, bool hotspot_starting, NetLed net);

// One LED driven by a pattern with a loop timer; the phase restarts (LED on) at each change.
class BlinkLed {
 public:
  using Set = void (*)(void* ctx, bool on);
  BlinkLed(const char* name, Loop& loop, Set setter, void* ctx)
      : loop_(loop), set_(setter), ctx_(ctx), timer_(name, Callback::of<&BlinkLed::tick>(this)) {}
  // True when the pattern changed.
  bool set(Pattern p);
  Pattern pattern() const { return p_; }
  bool lit() const { return on_; }

 private:
  void tick();
  void level(bool on) {
    on_ = on;
    set_(ctx_, on);
  }
  Loop& loop_;
  Set set_;
  void* ctx_;
  Timer timer_;
  Pattern p_ = Pattern::Off;
  bool on_ = false;
  bool applied_ = false;
};

}  // namespace lmc
