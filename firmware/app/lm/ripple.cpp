#include "app/lm/ripple.h"

namespace lmc::lm {

void Ripple::emit(RippleEventType t, RippleSource s, std::int32_t v, std::int32_t aux) {
  if (out_.n_events < kMaxRippleEvents) out_.events[out_.n_events++] = RippleEvent{t, s, v, aux};
}

void Ripple::cloud_command(std::uint64_t now_ms, RippleMode mode, std::uint64_t duration_ms) {
  cloud_mode_ = mode;
  cloud_active_ = mode != RippleMode::Normal;
  cloud_until_ms_ = cloud_active_ && duration_ms ? now_ms + duration_ms : 0;
}

const AuditRecord& Ripple::audit_at(int i) const {
  int first = (audit_head_ - n_audit_ + kAuditRecords) % kAuditRecords;
  return audit_[(first + (i < 0 ? 0 : i)) % kAuditRecords];
}

void Ripple::open_audit(std::uint64_t now_ms, RippleMode m, RippleSource s, std::int32_t power_w) {
  AuditRecord& r = audit_[audit_head_];
  r = AuditRecord{now_ms, 0, m, s, power_w, -1};
  emit(RippleEventType::AuditStart, s, audit_head_, static_cast<std::int32_t>(m));
  audit_head_ = (audit_head_ + 1) % kAuditRecords;
  if (n_audit_ < kAuditRecords) ++n_audit_;
  audit_open_ = true;
}

void Ripple::close_audit(std::uint64_t now_ms) {
  if (!audit_open_) return;
  int last = (audit_head_ - 1 + kAuditRecords) % kAuditRecords;
  audit_[last].end_ms = now_ms;
  audit_open_ = false;
  emit(RippleEventType::AuditEnd, audit_[last].source, last, static_cast<std::int32_t>(audit_[last].mode));
}

const RippleOutput& Ripple::step(std::uint64_t now_ms, bool di_24v, bool cloud_up, std::int32_t station_power_w) {
  out_.n_events = 0;
  out_.reduced_power_w = cfg_.reduced_power_w;
  // RC-10: debounce. A level must hold debounce_ms to count; one that returns earlier is a glitch.
  if (!started_) {
    started_ = true;
    raw_ = di_24v;
    raw_since_ms_ = now_ms;
    link_down_since_ms_ = now_ms;
    link_was_up_ = cloud_up;
  } else if (di_24v != raw_) {
    if (out_.di_settled && di_24v == deb_ && raw_ != deb_)
      emit(RippleEventType::Glitch, RippleSource::Di, static_cast<std::int32_t>(now_ms - raw_since_ms_), deb_ ? 1 : 0);
    raw_ = di_24v;
    raw_since_ms_ = now_ms;
  }
  if (now_ms >= raw_since_ms_ + cfg_.debounce_ms && (!out_.di_settled || raw_ != deb_)) {
    deb_ = raw_;
    out_.di_settled = true;  // RC-12
    bool active = cfg_.mapping == DiMapping::NormallyClosed ? deb_ : !deb_;
    emit(RippleEventType::DiChanged, RippleSource::Di, active ? 1 : 0, deb_ ? 1 : 0);
  }
  bool di_active = out_.di_settled && (cfg_.mapping == DiMapping::NormallyClosed ? deb_ : !deb_);
  out_.di_mode = di_active ? cfg_.on_signal : RippleMode::Normal;

  // RC-11: a cloud mode ends at its validity, or 2 h after the cloud link was lost.
  if (cloud_up) {
    link_was_up_ = true;
  } else if (link_was_up_) {
    link_was_up_ = false;
    link_down_since_ms_ = now_ms;
  }
  if (cloud_active_ && ((cloud_until_ms_ && now_ms >= cloud_until_ms_) ||
                        (!cloud_up && now_ms >= link_down_since_ms_ + cfg_.cloud_hold_ms))) {
    cloud_active_ = false;
    cloud_mode_ = RippleMode::Normal;
    cloud_until_ms_ = 0;
    emit(RippleEventType::CloudExpired, RippleSource::Cloud, 0, 0);
  }
  out_.cloud_mode = cloud_active_ ? cloud_mode_ : RippleMode::Normal;

  // Most restrictive wins; on a tie the DI is named (it is the utility's own signal).
  RippleMode m = out_.di_mode;
  RippleSource src = m != RippleMode::Normal ? RippleSource::Di : RippleSource::None;
  if (static_cast<int>(out_.cloud_mode) > static_cast<int>(m)) {
    m = out_.cloud_mode;
    src = RippleSource::Cloud;
  }
  if (m != out_.mode || src != out_.source) {
    emit(RippleEventType::ModeChanged, src, static_cast<std::int32_t>(m), static_cast<std::int32_t>(out_.mode));
    close_audit(now_ms);
    if (m != RippleMode::Normal) open_audit(now_ms, m, src, station_power_w);
    out_.mode = m;
    out_.source = src;
  }
  // RC-13: EV power "after" = 60 s into the command (the RC-07 end-to-end window).
  if (audit_open_) {
    int last = (audit_head_ - 1 + kAuditRecords) % kAuditRecords;
    AuditRecord& r = audit_[last];
    if (r.power_after_w < 0 && now_ms >= r.start_ms + 60000) {
      r.power_after_w = station_power_w;
      emit(RippleEventType::AuditUpdate, r.source, last, station_power_w);
    }
  }
  return out_;
}

}  // namespace lmc::lm
