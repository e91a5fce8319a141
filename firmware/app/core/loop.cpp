#include "app/core/loop.h"

namespace lmc {

bool Loop::add(Timer& t) {
  if (t.added_) return true;
  if (n_timers_ == kMaxTimers) {
    log_.event("core", "refused").kv("what", "timer").kv("name", t.name_).kv("capacity", kMaxTimers);
    return false;
  }
  timers_[n_timers_++] = &t;
  t.added_ = true;
  return true;
}

bool Loop::add_poller(const char* name, Callback cb) {
  if (n_pollers_ == kMaxPollers) {
    log_.event("core", "refused").kv("what", "poller").kv("name", name).kv("capacity", kMaxPollers);
    return false;
  }
  pollers_[n_pollers_++] = {name, cb};
  return true;
}

void Loop::start(Timer& t, std::uint32_t delay_ms) {
  start_at(t, clock_.now_ms() + delay_ms);
}

void Loop::start_at(Timer& t, std::uint64_t at_ms) {
  if (!add(t)) return;
  t.due_ = at_ms;
  t.period_ = 0;
  t.armed_ = true;
}

void Loop::every(Timer& t, std::uint32_t period_ms) {
  every(t, period_ms, period_ms);
}

void Loop::every(Timer& t, std::uint32_t period_ms, std::uint32_t first_ms) {
  if (!add(t)) return;
  t.due_ = clock_.now_ms() + first_ms;
  t.period_ = period_ms ? period_ms : 1;
  t.armed_ = true;
}

std::uint64_t Loop::next_due() const {
  std::uint64_t next = clock_.now_ms() + kMaxSleepMs;
  for (int i = 0; i < n_timers_; ++i)
    if (timers_[i]->armed_ && timers_[i]->due_ < next) next = timers_[i]->due_;
  return next;
}

void Loop::run_once() {
  ++passes_;
  wake_ = false;
  for (int i = 0; i < n_pollers_; ++i) pollers_[i].cb();
  // Due timers, earliest first (ties: registration order), each at most once per pass so a
  // periodic timer that fell behind cannot starve the pollers.
  std::uint64_t now = clock_.now_ms();
  for (;;) {
    Timer* first = nullptr;
    for (int i = 0; i < n_timers_; ++i) {
      Timer* t = timers_[i];
      if (t->armed_ && t->due_ <= now && t->ran_pass_ != passes_ && (!first || t->due_ < first->due_)) first = t;
    }
    if (!first) break;
    if (first->period_) {
      first->due_ += first->period_;
      // Fell behind by more than a period (a long flash erase): skip the missed runs.
      if (first->due_ <= now) first->due_ = now + first->period_;
    } else {
      first->armed_ = false;
    }
    first->ran_pass_ = passes_;
    first->cb_();
  }
  if (wake_) return;
  std::uint64_t next = next_due();
  if (next > clock_.now_ms()) idle_.wait_until(next);
}

void Loop::run_until(std::uint64_t t_ms) {
  while (clock_.now_ms() < t_ms) run_once();
}

}  // namespace lmc
