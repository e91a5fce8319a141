#include "app/core/supervisor.h"

#include <cstring>

#include "app/core/reset_note.h"

namespace lmc {

int Supervisor::add_task(const char* name) {
  if (n_ == kMaxTasks) {
    log_.event("core", "refused").kv("what", "task").kv("name", name).kv("capacity", kMaxTasks);
    return -1;
  }
  names_[n_] = name;
  return n_++;
}

int Supervisor::find(const char* name) const {
  for (int i = 0; i < n_; ++i)
    if (std::strcmp(names_[i], name) == 0) return i;
  return -1;
}

bool Supervisor::hang(const char* name) {
  int id = find(name);
  if (id < 0) return false;
  hung_[id] = true;
  reported_[id] = false;
  return true;
}

void Supervisor::start(bool own_timer) {
  // The first check comes one period after start: tasks armed at the same time may run just
  // after it, so it counts every task as reported (a grace period, not a free pass later).
  for (int i = 0; i < n_; ++i) reported_[i] = !hung_[i];
  wdt_.start(kWdtTimeoutMs);
  if (own_timer) loop_.every(check_, kCheckMs);
}

void Supervisor::check() {
  int missing = -1;
  for (int i = 0; i < n_; ++i)
    if (!reported_[i]) {
      missing = i;
      break;
    }
  if (missing < 0) {
    wdt_.feed();
    ++feeds_;
    for (int i = 0; i < n_; ++i) reported_[i] = false;
    if (starving_ >= 0) {
      log_.event("wdt", "recovered").kv("task", names_[starving_]);
      system_.set_reset_note(0);
      starving_ = -1;
    }
    return;
  }
  if (missing != starving_) {
    // One line per starving task, not one per second while the watchdog runs out.
    log_.event("wdt", "starved").kv("task", names_[missing]).kv("timeout_ms", kWdtTimeoutMs);
    system_.set_reset_note(reset_note::make(reset_note::kWatchdog, static_cast<std::uint32_t>(missing)));
    starving_ = missing;
  }
}

}  // namespace lmc
