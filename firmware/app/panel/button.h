// The RESET button as a pure state machine (BTN-01..05, A02): debounce, classification on
// release, feedback while held, stuck key, pressed at boot. Fed with raw samples and times;
// the panel samples on every wake-up (edge interrupt) and at next_deadline().
#pragma once
#include <cstdint>

namespace lmc {

enum class Gesture : std::uint8_t { None, Hotspot, Restart, EraseWifi, Stuck };
// What the STATUS LED shows while the button is held (BTN-05): nothing yet, fast blink from
// 1 s, steady on from 5 s, off from 10 s.
enum class Feedback : std::uint8_t { None, FastBlink, On, Off };

const char* gesture_name(Gesture g);

struct ButtonEvent {
  enum Kind : std::uint8_t {
    kNone,
    kPressed,        // a debounced press began (at `at_ms`, the first edge of the stable level)
    kReleased,       // a classified release: gesture, held_ms
    kIgnoredAtBoot,  // released after being pressed at boot: ignored
    kStuck,          // held for more than kStuckMs: will be ignored at release
  };
  Kind kind = kNone;
  Gesture gesture = Gesture::None;
  std::uint32_t held_ms = 0;
  std::uint64_t at_ms = 0;
};

class Button {
 public:
  static constexpr std::uint32_t kDebounceMs = 50;
  static constexpr std::uint32_t kHotspotMs = 1000;  // [1 s, 5 s): hotspot
  static constexpr std::uint32_t kRestartMs = 5000;  // [5 s, 10 s]: restart
  static constexpr std::uint32_t kEraseMs = 10000;   // (10 s, 60 s]: erase Wi-Fi
  static constexpr std::uint32_t kStuckMs = 60000;   // > 60 s: stuck, ignored
  static constexpr std::uint64_t kNever = ~std::uint64_t{0};

  static Gesture classify(std::uint32_t held_ms);
  static Feedback feedback_for(std::uint32_t held_ms);

  // The level at boot: a button already pressed is ignored until released.
  void begin(bool raw_pressed, std::uint64_t now_ms);
  // A raw sample. Returns at most one event per call; call again at next_deadline().
  ButtonEvent update(bool raw_pressed, std::uint64_t now_ms);
  // The next time a sample can change something (debounce expiry, a feedback/stuck threshold).
  std::uint64_t next_deadline() const;
  bool held() const { return stable_ && !ignore_; }
  std::uint32_t held_ms(std::uint64_t now_ms) const {
    return held() ? static_cast<std::uint32_t>(now_ms - press_at_) : 0;
  }
  Feedback feedback(std::uint64_t now_ms) const { return held() ? feedback_for(held_ms(now_ms)) : Feedback::None; }

 private:
  bool stable_ = false;     // the debounced level
  bool candidate_ = false;  // the raw level last seen
  std::uint64_t candidate_since_ = 0;
  std::uint64_t press_at_ = 0;
  bool ignore_ = false;  // pressed at boot, not yet released
  bool stuck_reported_ = false;
  std::uint64_t last_ms_ = 0;  // time of the last sample
};

}  // namespace lmc
