#include "app/panel/led.h"

namespace lmc {

const char* pattern_name(Pattern p) {
  switch (p) {
    case Pattern::Off: return "off";
    case Pattern::On: return "on";
    case Pattern::Slow: return "slow-blink";
    case Pattern::Blink: return "blink";
    case Pattern::Fast: return "fast-blink";
    case Pattern::Attention: return "attention";
  }
  return "?";
}

std::uint32_t pattern_on_ms(Pattern p) {
  switch (p) {
    case Pattern::Slow: return 1000;
    case Pattern::Blink: return 500;
    case Pattern::Fast: return 125;
    case Pattern::Attention: return 1800;
    default: return 0;
  }
}

std::uint32_t pattern_off_ms(Pattern p) {
  switch (p) {
    case Pattern::Slow: return 1000;
    case Pattern::Blink: return 500;
    case Pattern::Fast: return 125;
    case Pattern::Attention: return 200;
    default: return 0;
  }
}

const char* netled_name(NetLed n) {
  switch (n) {
    case NetLed::Offline: return "offline";
    case NetLed::Joining: return "joining";
    case NetLed::Searching: return "searching";
    case NetLed::Online: return "online";
  }
  return "?";
}

Pattern status_pattern(Feedback fb, bool hotspot_starting, NetLed net) {
  switch (fb) {
    case Feedback::FastBlink: return Pattern::Fast;
    case Feedback::On: return Pattern::On;
    case Feedback::Off: return Pattern::Off;
    case Feedback::None: break;
  }
  if (hotspot_starting) return Pattern::Fast;
  switch (net) {
    case NetLed::Online: return Pattern::On;
    case NetLed::Searching: return Pattern::Blink;
    case NetLed::Joining: return Pattern::Slow;
    case NetLed::Offline: return Pattern::Off;
  }
  return Pattern::Off;
}

bool BlinkLed::set(Pattern p) {
  if (applied_ && p == p_) return false;
  applied_ = true;
  p_ = p;
  loop_.stop(timer_);
  if (p == Pattern::Off) {
    level(false);
  } else {
    level(true);
    if (p != Pattern::On) loop_.start(timer_, pattern_on_ms(p));
  }
  return true;
}

void BlinkLed::tick() {
  level(!on_);
  // From the previous due time, not from now: a late wake-up must not stretch the period.
  loop_.start_at(timer_, timer_.due_ms() + (on_ ? pattern_on_ms(p_) : pattern_off_ms(p_)));
}

}  // namespace lmc
