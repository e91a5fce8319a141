// The watchdog policy (FW-03, SAFE-03): the hardware watchdog is fed only when every
// supervised task has reported since the previous check. The check runs on its own timer
// (start(true)) or at the end of the owner's control cycle (start(false), then check()). A task that stops reporting
// (hung, or stuck waiting) lets the watchdog reset the device within kWdtTimeoutMs + kCheckMs; the starving task is
// named in the reset note so the next boot logs it. A hang of the loop itself stops the feeding just the same.
#pragma once
#include <cstdint>

#include "app/core/log.h"
#include "app/core/loop.h"
#include "app/ports.h"

namespace lmc {

class Supervisor {
 public:
  static constexpr int kMaxTasks = 8;
  static constexpr std::uint32_t kCheckMs = 1000;
  static constexpr std::uint32_t kWdtTimeoutMs = 4000;  // <= 8 s after a hang (SAFE-03)

  Supervisor(Loop& loop, Wdt& wdt, System& system, Log& log)
      : loop_(loop), wdt_(wdt), system_(system), log_(log), check_("wdt", Callback::of<&Supervisor::check>(this)) {}

  // Registers a task that must report at least once per kCheckMs. -1 (logged) when full.
  int add_task(const char* name);
  void report(int id) {
    if (id >= 0 && id < n_ && !hung_[id]) reported_[id] = true;
  }
  // Starts the watchdog and, with own_timer, the periodic check every kCheckMs.
  void start(bool own_timer = true);
  // Feeds the watchdog if every task reported since the last check (else logs once, notes).
  void check();
  // Fault injection (installer console `debug hang <task>`): from now on the task's reports
  // are lost, as if it were stuck. False if there is no such task.
  bool hang(const char* name);
  int find(const char* name) const;
  const char* name(int id) const { return id >= 0 && id < n_ ? names_[id] : "?"; }
  std::uint32_t feeds() const { return feeds_; }

 private:
  Loop& loop_;
  Wdt& wdt_;
  System& system_;
  Log& log_;
  Timer check_;
  const char* names_[kMaxTasks] = {};
  bool reported_[kMaxTasks] = {};
  bool hung_[kMaxTasks] = {};
  int n_ = 0;
  int starving_ = -1;  // the task named in the last "starved" line
  std::uint32_t feeds_ = 0;
};

}  // namespace lmc
