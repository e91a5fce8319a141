// External control over Modbus 5020 / REST 7000 (behaviours.md EXT-01..EXT-08, A10, A19):
// ActivePowerActivation, CurrentLimit and FallbackCurrentLimit with a keep-alive timer. Pure:
// the caller forwards each write/keep-alive with the time, and calls step() every cycle; the
// resulting per-phase cap goes into Caps::external_ma (or the master limit when cascading).
#pragma once
#include <cstdint>

#include "app/lm/allocator.h"

namespace lmc::lm {

struct ExternalSettings {              // persisted across a reboot (EXT-07, A22)
  bool activation = false;             // 19050 ActivePowerActivation
  std::int32_t current_limit_ma = 0;   // 19054 CurrentLimit, A per phase (EXT-06)
  std::int32_t fallback_limit_ma = 0;  // 19052 FallbackCurrentLimit
  std::uint32_t timeout_s = 120;       // FLEX_CONTROL_MESSAGE_TIMEOUT (EXT-02), 10..3600
};

inline constexpr std::uint32_t kExtTimeoutMin_s = 10;
inline constexpr std::uint32_t kExtTimeoutMax_s = 3600;
inline constexpr std::int32_t kExtLimitMax_ma = 1000000;  // 1000 A: above any fuse this device serves

enum class ExtState : std::uint8_t { Inactive, Active, FallenBack };
enum class ExtEventType : std::uint8_t { Activated, Deactivated, TimedOut, Restored, LimitChanged };
struct ExtEvent {
  ExtEventType type;
  std::int32_t value;  // the limit now in force, mA
};

enum class ExtResult : std::uint8_t { Ok, OutOfRange };

class ExternalControl {
 public:
  // Boot (EXT-07): settings restored from flash; if active, the fallback applies until the first
  // keep-alive or write.
  void boot(const ExternalSettings& s, std::uint64_t now_ms);
  // Writes (each also counts as a keep-alive, EXT-03). Out-of-range values change nothing.
  ExtResult set_activation(bool on, std::uint64_t now_ms);
  ExtResult set_current_limit(std::int32_t ma, std::uint64_t now_ms);
  ExtResult set_fallback_limit(std::int32_t ma, std::uint64_t now_ms);
  ExtResult set_timeout_s(std::uint32_t s, std::uint64_t now_ms);
  void keepalive(std::uint64_t now_ms);  // 19056, the REST keep-alive, a REST settings POST
  // Per cycle: applies the timeout. Returns the cap per phase (kNoLimit when inactive).
  std::int32_t step(std::uint64_t now_ms);

  const ExternalSettings& settings() const { return s_; }
  ExtState state() const { return state_; }
  std::int32_t limit_ma() const;
  // Events since the last take_events() (at most kMaxExtEvents kept).
  static constexpr int kMaxExtEvents = 8;
  int take_events(ExtEvent* dst, int max);

 private:
  void touch(std::uint64_t now_ms);
  void emit(ExtEventType t);

  ExternalSettings s_{};
  ExtState state_ = ExtState::Inactive;
  std::uint64_t last_msg_ms_ = 0;
  ExtEvent ev_[kMaxExtEvents]{};
  int n_ev_ = 0;
};

}  // namespace lmc::lm
