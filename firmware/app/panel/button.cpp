#include "app/panel/button.h"

namespace lmc {

const char* gesture_name(Gesture g) {
  switch (g) {
    case Gesture::None: return "none";
    case Gesture::Hotspot: return "hotspot";
    case Gesture::Restart: return "restart";
    case Gesture::EraseWifi: return "erase-wifi";
    case Gesture::Stuck: return "stuck";
  }
  return "?";
}

Gesture Button::classify(std::uint32_t held_ms) {
  if (held_ms < kHotspotMs) return Gesture::None;
  if (held_ms < kRestartMs) return Gesture::Hotspot;
  if (held_ms <= kEraseMs) return Gesture::Restart;
  if (held_ms <= kStuckMs) return Gesture::EraseWifi;
  return Gesture::Stuck;
}

Feedback Button::feedback_for(std::uint32_t held_ms) {
  // The LED changes where the classification does, so what the installer sees at release is
  // what happens.
  if (held_ms < kHotspotMs) return Feedback::None;
  if (held_ms < kRestartMs) return Feedback::FastBlink;
  if (held_ms <= kEraseMs) return Feedback::On;
  return Feedback::Off;
}

void Button::begin(bool raw_pressed, std::uint64_t now_ms) {
  stable_ = candidate_ = raw_pressed;
  candidate_since_ = now_ms;
  press_at_ = now_ms;
  ignore_ = raw_pressed;
  stuck_reported_ = false;
  last_ms_ = now_ms;
}

ButtonEvent Button::update(bool raw, std::uint64_t now) {
  ButtonEvent ev;
  last_ms_ = now;
  if (raw != candidate_) {
    candidate_ = raw;
    candidate_since_ = now;
  }
  if (candidate_ != stable_ && now - candidate_since_ >= kDebounceMs) {
    stable_ = candidate_;
    ev.at_ms = candidate_since_;
    if (stable_) {
      press_at_ = candidate_since_;
      stuck_reported_ = false;
      ev.kind = ButtonEvent::kPressed;
    } else if (ignore_) {
      ignore_ = false;
      ev.kind = ButtonEvent::kIgnoredAtBoot;
      ev.held_ms = static_cast<std::uint32_t>(candidate_since_ - press_at_);
    } else {
      ev.kind = ButtonEvent::kReleased;
      ev.held_ms = static_cast<std::uint32_t>(candidate_since_ - press_at_);
      ev.gesture = classify(ev.held_ms);
    }
    return ev;
  }
  if (held() && !stuck_reported_ && now - press_at_ > kStuckMs) {
    stuck_reported_ = true;
    ev.kind = ButtonEvent::kStuck;
    ev.held_ms = static_cast<std::uint32_t>(now - press_at_);
    ev.at_ms = now;
  }
  return ev;
}

std::uint64_t Button::next_deadline() const {
  std::uint64_t next = kNever;
  if (candidate_ != stable_) next = candidate_since_ + kDebounceMs;
  if (held()) {
    // Thresholds where the feedback or the stuck state changes.
    const std::uint64_t marks[] = {press_at_ + kHotspotMs, press_at_ + kRestartMs, press_at_ + kEraseMs + 1,
                                   press_at_ + kStuckMs + 1};
    for (std::uint64_t m : marks) {
      if (m > last_ms_) {
        if (m < next) next = m;
        break;
      }
    }
  }
  return next;
}

}  // namespace lmc
