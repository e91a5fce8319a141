// Ripple control (behaviours.md RC-01..RC-13, CFG-09, A14): the utility's 24 V input and the
// cloud's ripple command combined into one mode. Pure: time and the input level are passed in;
// what happened comes back as events and audit records for the caller to log and send.
#pragma once
#include <cstdint>

#include "app/lm/allocator.h"

namespace lmc::lm {

// RC-03/RC-04, implemented by voltage because the vendor's names are inverted (section D):
// NormallyClosed (default): 24 V = signal active. NormallyOpen: 0 V = active (a cut wire blocks).
enum class DiMapping : std::uint8_t { NormallyClosed, NormallyOpen };
enum class RippleSource : std::uint8_t { None, Di, Cloud };

struct RippleConfig {
  DiMapping mapping = DiMapping::NormallyClosed;
  RippleMode on_signal = RippleMode::Blocked;        // CFG-09: mode entered on an active DI
  std::int32_t reduced_power_w = 4200;               // RC-08
  std::uint32_t debounce_ms = 1000;                  // RC-10
  std::uint32_t cloud_hold_ms = 2u * 3600u * 1000u;  // RC-11: cloud mode held this long after link loss
};

// RC-13: one grid command, start to end, with the stations' power before and after it.
struct AuditRecord {
  std::uint64_t start_ms = 0;
  std::uint64_t end_ms = 0;  // 0 while active
  RippleMode mode = RippleMode::Normal;
  RippleSource source = RippleSource::None;
  std::int32_t power_before_w = 0;  // stations' power when the command began
  std::int32_t power_after_w = -1;  // 60 s after the start (RC-07 window), -1 not yet
};

enum class RippleEventType : std::uint8_t {
  DiChanged,     // debounced input changed: value = 1 active, 0 inactive
  Glitch,        // RC-10: a pulse shorter than the debounce, ignored: value = its length in ms
  ModeChanged,   // effective mode changed: value = new RippleMode, aux = old, source
  CloudExpired,  // RC-11: the cloud mode ended (validity or 2 h hold after link loss)
  AuditStart,    // RC-13: record index `value` started
  AuditUpdate,   // RC-13: power_after filled in
  AuditEnd,      // RC-13: record index `value` ended
};

struct RippleEvent {
  RippleEventType type;
  RippleSource source;
  std::int32_t value;
  std::int32_t aux;
};

inline constexpr int kAuditRecords = 16;  // ring of the latest grid commands
inline constexpr int kMaxRippleEvents = 8;

struct RippleOutput {
  RippleMode mode = RippleMode::Normal;  // effective: most restrictive of DI and cloud (RC-11)
  RippleSource source = RippleSource::None;
  RippleMode di_mode = RippleMode::Normal;
  RippleMode cloud_mode = RippleMode::Normal;
  bool di_settled = false;  // RC-12: false until the DI has been read and debounced after boot
  std::int32_t reduced_power_w = 4200;
  RippleEvent events[kMaxRippleEvents];
  int n_events = 0;
};

class Ripple {
 public:
  void configure(const RippleConfig& c) { cfg_ = c; }
  // Boot: the first sample starts the debounce (RC-12). A cloud mode persisted with its validity
  // (A22) is restored by calling cloud_command() with the remaining duration.
  // Cloud command (RC-01 ripple API): mode for duration_ms (0 = until replaced).
  void cloud_command(std::uint64_t now_ms, RippleMode mode, std::uint64_t duration_ms);
  // Called each cycle (and as often as the DI is sampled): the input level, whether the cloud link
  // is up, the stations' total power now (for the audit record).
  const RippleOutput& step(std::uint64_t now_ms, bool di_24v, bool cloud_up, std::int32_t station_power_w);
  const RippleOutput& output() const { return out_; }
  // The audit ring, newest last: count() records, at(0) the oldest kept.
  int audit_count() const { return n_audit_; }
  const AuditRecord& audit_at(int i) const;
  // Validity end of the cloud mode in this boot's ms (0: none), for persisting it (A22).
  std::uint64_t cloud_valid_until_ms() const { return cloud_until_ms_; }

 private:
  void emit(RippleEventType t, RippleSource s, std::int32_t v, std::int32_t aux);
  void open_audit(std::uint64_t now_ms, RippleMode m, RippleSource s, std::int32_t power_w);
  void close_audit(std::uint64_t now_ms);

  RippleConfig cfg_{};
  RippleOutput out_{};
  bool started_ = false;
  bool raw_ = false;  // last sampled level (true = 24 V)
  std::uint64_t raw_since_ms_ = 0;
  bool deb_ = false;  // debounced level
  RippleMode cloud_mode_ = RippleMode::Normal;
  std::uint64_t cloud_until_ms_ = 0;  // 0: no expiry
  bool cloud_active_ = false;
  bool link_was_up_ = true;
  std::uint64_t link_down_since_ms_ = 0;
  AuditRecord audit_[kAuditRecords]{};
  int audit_head_ = 0;  // next slot
  int n_audit_ = 0;
  bool audit_open_ = false;
};

}  // namespace lmc::lm
