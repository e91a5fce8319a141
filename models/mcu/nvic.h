// NVIC state and exception arbitration (ARMv7-M ARM B1.5, B3.4): pending, active and
// enable bits, 4-bit priorities with PRIGROUP grouping, execution priority with
// PRIMASK/BASEPRI/FAULTMASK boosting. Plain data so that a site can be snapshotted.
#pragma once
#include <array>
#include <cstdint>

namespace lmsim::mcu {

namespace exc {
enum : int {
  Reset = 1,
  NMI = 2,
  HardFault = 3,
  MemManage = 4,
  BusFault = 5,
  UsageFault = 6,
  SVCall = 11,
  DebugMonitor = 12,
  PendSV = 14,
  SysTick = 15,
  Irq0 = 16,
};
}

class Nvic {
 public:
  static constexpr int kIrqs = 32;
  static constexpr int kCount = 16 + kIrqs;
  static constexpr std::uint8_t kPrioMask = 0xF0;  // 4 implemented priority bits
  static constexpr int kThread = 256;              // execution priority with nothing active

  void reset() {
    prio_.fill(0);
    pending_ = active_ = enabled_ = 0;
    prigroup_ = 0;
    fault_enable_ = 0;
    levels_ = 0;
    pend_events_ = 0;
  }

  // Priority of an exception: fixed for Reset/NMI/HardFault, else configured.
  int priority(int e) const {
    if (e == exc::Reset) return -3;
    if (e == exc::NMI) return -2;
    if (e == exc::HardFault) return -1;
    return prio_[e];
  }
  int group(int p) const {
    if (p < 0) return p;
    return p & static_cast<int>((0xFFu << (prigroup_ + 1)) & 0xFFu);
  }
  void set_priority(int e, std::uint8_t p) { prio_[e] = p & kPrioMask; }
  std::uint8_t raw_priority(int e) const { return prio_[e]; }
  void set_prigroup(unsigned g) { prigroup_ = g & 7; }
  unsigned prigroup() const { return prigroup_; }

  bool pending(int e) const { return (pending_ >> e) & 1; }
  bool active(int e) const { return (active_ >> e) & 1; }
  void set_pending(int e, bool v) {
    if (v && !(pending_ & bit(e))) ++pend_events_;
    v ? pending_ |= bit(e) : pending_ &= ~bit(e);
  }
  // Software clear (ICPR, ICSR PENDSTCLR/PENDSVCLR): an interrupt line that is high while its
  // interrupt is inactive stays pending, the level is sampled again (ARMv7-M B3.4.1: a
  // level-sensitive interrupt is pending while asserted; Cortex-M4 TRM 6.3).
  void clear_pending(int e) {
    pending_ &= ~bit(e);
    if (e >= exc::Irq0 && level(e - exc::Irq0) && !active(e)) pending_ |= bit(e);
  }
  // The exception `e` is taken: pending -> active.
  void activate(int e) {
    pending_ &= ~bit(e);
    active_ |= bit(e);
  }
  // Exceptions that entered the pending state so far (SEVONPEND wakes WFE on a change).
  std::uint64_t pend_events() const { return pend_events_; }
  void set_active(int e, bool v) { v ? active_ |= bit(e) : active_ &= ~bit(e); }
  std::uint64_t active_mask() const { return active_; }
  std::uint64_t pending_mask() const { return pending_; }

  // External interrupt enables (ISER/ICER).
  bool irq_enabled(int irq) const { return (enabled_ >> irq) & 1; }
  void set_irq_enabled(int irq, bool v) { v ? enabled_ |= (1u << irq) : enabled_ &= ~(1u << irq); }
  std::uint32_t irq_enable_bits() const { return enabled_; }
  // SHCSR MEMFAULTENA/BUSFAULTENA/USGFAULTENA as bits 0..2.
  void set_fault_enables(unsigned bits) { fault_enable_ = bits & 7; }
  unsigned fault_enables() const { return fault_enable_; }
  bool fault_enabled(int e) const { return (fault_enable_ >> (e - exc::MemManage)) & 1; }

  // Interrupt line levels: a rising level pends (also while active: a pulse is latched); a
  // level still high at exception exit re-pends.
  void set_level(int irq, bool level) {
    std::uint32_t b = 1u << irq;
    bool was = levels_ & b;
    level ? levels_ |= b : levels_ &= ~b;
    if (level && !was) set_pending(exc::Irq0 + irq, true);
  }
  bool level(int irq) const { return (levels_ >> irq) & 1; }

  bool enabled(int e) const {
    if (e >= exc::Irq0) return irq_enabled(e - exc::Irq0);
    if (e >= exc::MemManage && e <= exc::UsageFault) return fault_enabled(e);
    return true;
  }

  // Execution priority (B1.5.4): the highest group priority among active exceptions,
  // boosted by BASEPRI, PRIMASK and FAULTMASK.
  int execution_priority(bool primask, unsigned basepri, bool faultmask) const {
    int p = kThread;
    for (std::uint64_t a = active_; a; a &= a - 1) {
      int e = __builtin_ctzll(a);
      int g = group(priority(e));
      if (g < p) p = g;
    }
    int boost = kThread;
    if (basepri & kPrioMask) boost = group(static_cast<int>(basepri & kPrioMask));
    if (primask) boost = 0;
    if (faultmask) boost = -1;
    return boost < p ? boost : p;
  }
  // Priority without the PRIMASK/BASEPRI/FAULTMASK boost (WFI wakes on what could preempt it).
  int active_priority() const { return execution_priority(false, 0, false); }

  // The pending enabled exception that would be taken next (lowest priority value, then
  // lowest number), or 0.
  int highest_pending() const {
    std::uint64_t cand = pending_;
    int best = 0, best_p = 1 << 20;
    for (; cand; cand &= cand - 1) {
      int e = __builtin_ctzll(cand);
      if (!enabled(e)) continue;
      int p = priority(e);
      if (p < best_p) {
        best_p = p;
        best = e;
      }
    }
    return best;
  }
  // The exception to take now at execution priority `exec_prio`, or 0.
  int should_take(int exec_prio) const {
    int e = highest_pending();
    return (e && group(priority(e)) < exec_prio) ? e : 0;
  }
  int current_active_count() const { return __builtin_popcountll(active_); }

 private:
  static std::uint64_t bit(int e) { return std::uint64_t{1} << e; }
  std::array<std::uint8_t, kCount> prio_{};
  std::uint64_t pending_ = 0, active_ = 0;
  std::uint32_t enabled_ = 0, levels_ = 0;
  unsigned prigroup_ = 0, fault_enable_ = 0;
  std::uint64_t pend_events_ = 0;
};

}  // namespace lmsim::mcu
