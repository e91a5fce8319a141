#include "app/lm/external_control.h"

namespace lmc::lm {

void ExternalControl::emit(ExtEventType t) {
  if (n_ev_ < kMaxExtEvents) ev_[n_ev_++] = ExtEvent{t, limit_ma()};
}

int ExternalControl::take_events(ExtEvent* dst, int max) {
  int k = n_ev_ < max ? n_ev_ : max;
  for (int i = 0; i < k; ++i) dst[i] = ev_[i];
  n_ev_ = 0;
  return k;
}

void ExternalControl::boot(const ExternalSettings& s, std::uint64_t now_ms) {
  s_ = s;
  if (s_.timeout_s < kExtTimeoutMin_s || s_.timeout_s > kExtTimeoutMax_s) s_.timeout_s = 120;
  if (s_.current_limit_ma < 0 || s_.current_limit_ma > kExtLimitMax_ma) s_.current_limit_ma = 0;
  if (s_.fallback_limit_ma < 0 || s_.fallback_limit_ma > kExtLimitMax_ma) s_.fallback_limit_ma = 0;
  // EXT-07 / A19: the controller may be gone; the fallback applies until it speaks.
  state_ = s_.activation ? ExtState::FallenBack : ExtState::Inactive;
  last_msg_ms_ = now_ms;
  n_ev_ = 0;
}

void ExternalControl::touch(std::uint64_t now_ms) {
  last_msg_ms_ = now_ms;
  if (state_ == ExtState::FallenBack) {  // EXT-05: the next keep-alive or write restores CurrentLimit
    state_ = ExtState::Active;
    emit(ExtEventType::Restored);
  }
}

ExtResult ExternalControl::set_activation(bool on, std::uint64_t now_ms) {
  if (on && !s_.activation) {
    s_.activation = true;
    state_ = ExtState::Active;
    last_msg_ms_ = now_ms;
    emit(ExtEventType::Activated);
  } else if (!on && s_.activation) {
    s_.activation = false;  // EXT-04: limits ignored, timer stopped
    state_ = ExtState::Inactive;
    emit(ExtEventType::Deactivated);
  } else if (on) {
    touch(now_ms);
  }
  return ExtResult::Ok;
}

ExtResult ExternalControl::set_current_limit(std::int32_t ma, std::uint64_t now_ms) {
  if (ma < 0 || ma > kExtLimitMax_ma) return ExtResult::OutOfRange;
  bool changed = ma != s_.current_limit_ma;
  s_.current_limit_ma = ma;
  if (s_.activation) touch(now_ms);
  if (changed && state_ == ExtState::Active) emit(ExtEventType::LimitChanged);
  return ExtResult::Ok;
}

ExtResult ExternalControl::set_fallback_limit(std::int32_t ma, std::uint64_t now_ms) {
  if (ma < 0 || ma > kExtLimitMax_ma) return ExtResult::OutOfRange;
  s_.fallback_limit_ma = ma;
  if (s_.activation) touch(now_ms);
  return ExtResult::Ok;
}

ExtResult ExternalControl::set_timeout_s(std::uint32_t s, std::uint64_t now_ms) {
  if (s < kExtTimeoutMin_s || s > kExtTimeoutMax_s) return ExtResult::OutOfRange;
  s_.timeout_s = s;
  if (s_.activation) touch(now_ms);
  return ExtResult::Ok;
}

void ExternalControl::keepalive(std::uint64_t now_ms) {
  if (s_.activation) touch(now_ms);
}

std::int32_t ExternalControl::step(std::uint64_t now_ms) {
  if (state_ == ExtState::Active && now_ms >= last_msg_ms_ + std::uint64_t{s_.timeout_s} * 1000u) {
    state_ = ExtState::FallenBack;  // EXT-02
    emit(ExtEventType::TimedOut);
  }
  return limit_ma();
}

std::int32_t ExternalControl::limit_ma() const {
  switch (state_) {
    case ExtState::Inactive: return kNoLimit;
    case ExtState::Active: return s_.current_limit_ma;
    case ExtState::FallenBack: return s_.fallback_limit_ma;
  }
  return kNoLimit;
}

}  // namespace lmc::lm
