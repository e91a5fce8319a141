#include "app/api/control.h"

#include "app/store/config_store.h"

namespace lmc::api {

using settings::Id;

namespace {
// A at 0.1 A resolution, as the schema stores ext.* limits (decimals 1).
std::int32_t to_da(double a) {
  return static_cast<std::int32_t>(a * 10.0 + 0.5);
}
bool in_schema(Id id, std::int32_t v, std::uint8_t writer) {
  const settings::Def& d = settings::def(id);
  return v >= d.min && v <= d.max && (d.writers & writer) != 0;
}
}  // namespace

std::int32_t Control::to_ma(const settings::Settings& s, Id id) {
  // Unset: no cap (the largest limit ExternalControl knows).
  return s.is_set(id) ? s.get(id) * 100 : lm::kExtLimitMax_ma;
}

void Control::boot(std::uint64_t now_ms) {
  lm::ExternalSettings es;
  es.activation = s_.get(Id::ExtActive) != 0;
  es.current_limit_ma = to_ma(s_, Id::ExtCurrentLimit);
  es.fallback_limit_ma = to_ma(s_, Id::ExtFallbackLimit);
  es.timeout_s = static_cast<std::uint32_t>(s_.get(Id::ExtTimeout));
  ext_.boot(es, now_ms);
  last_msg_ms_ = now_ms;
}

bool Control::valid_limit(double a) const {
  if (!(a == a) || a < 0 || a > 1e6) return false;  // NaN, negative, absurd
  const std::int32_t da = to_da(a);
  const settings::Def& d = settings::def(Id::ExtCurrentLimit);
  if (da > d.max) return false;
  if (s_.fuse_configured()) {
    std::int32_t hi = 0;
    for (int p = 0; p < 3; ++p) hi = s_.phase_limit_da(p) > hi ? s_.phase_limit_da(p) : hi;
    if (da > hi) return false;  // RS-07: above the phase limit
  }
  return true;
}

ControlError Control::apply(const ControlUpdate& u, std::uint8_t writer, const char* by, std::uint64_t now_ms) {
  // All or nothing (RS-07): check every field against the schema first.
  if (u.has_activation && !in_schema(Id::ExtActive, u.activation ? 1 : 0, writer)) return ControlError::NotWritable;
  if (u.has_current && (!valid_limit(u.current_a) || !in_schema(Id::ExtCurrentLimit, to_da(u.current_a), writer)))
    return ControlError::BadValue;
  if (u.has_fallback && (!valid_limit(u.fallback_a) || !in_schema(Id::ExtFallbackLimit, to_da(u.fallback_a), writer)))
    return ControlError::BadValue;

  const std::uint32_t before = s_.generation();
  if (u.has_fallback) {
    s_.set(Id::ExtFallbackLimit, to_da(u.fallback_a), writer);
    ext_.set_fallback_limit(to_ma(s_, Id::ExtFallbackLimit), now_ms);
  }
  if (u.has_current) {
    s_.set(Id::ExtCurrentLimit, to_da(u.current_a), writer);
    ext_.set_current_limit(to_ma(s_, Id::ExtCurrentLimit), now_ms);
  }
  if (u.has_activation) {
    s_.set(Id::ExtActive, u.activation ? 1 : 0, writer);
    ext_.set_activation(u.activation, now_ms);
  }
  ext_.keepalive(now_ms);  // EXT-03: any write resets the timer
  last_msg_ms_ = now_ms;
  if (s_.generation() != before) {
    log_.event("api", "control")
        .kv("by", by)
        .kv("active", s_.get(Id::ExtActive) != 0)
        .kv_fixed("current_a", s_.is_set(Id::ExtCurrentLimit) ? s_.get(Id::ExtCurrentLimit) : -10, 1)
        .kv_fixed("fallback_a", s_.is_set(Id::ExtFallbackLimit) ? s_.get(Id::ExtFallbackLimit) : -10, 1);
    if (store_) store_->save(s_);  // EXT-07: persisted; only real changes wear the flash
  }
  return ControlError::None;
}

void Control::keepalive(const char*, std::uint64_t now_ms) {
  ext_.keepalive(now_ms);
  last_msg_ms_ = now_ms;
}

bool Control::current_limit(double& a) const {
  if (!s_.is_set(Id::ExtCurrentLimit)) return false;
  a = s_.get(Id::ExtCurrentLimit) / 10.0;
  return true;
}

bool Control::fallback_limit(double& a) const {
  if (!s_.is_set(Id::ExtFallbackLimit)) return false;
  a = s_.get(Id::ExtFallbackLimit) / 10.0;
  return true;
}

std::uint32_t Control::seconds_to_fallback(std::uint64_t now_ms) const {
  if (ext_.state() != lm::ExtState::Active) return 0;
  const std::uint64_t due = last_msg_ms_ + std::uint64_t{ext_.settings().timeout_s} * 1000u;
  return due > now_ms ? static_cast<std::uint32_t>((due - now_ms + 999) / 1000) : 0;
}

}  // namespace lmc::api
