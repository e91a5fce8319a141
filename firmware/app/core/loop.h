// The one cooperative event loop (firmware.md rules): no RTOS, no threads. Work is done by
// pollers, run after every wake-up (cheap checks of I/O: a byte, an edge, a socket event), and
// by timers. When nothing is due the loop sleeps in Idle::wait_until (WFI on the device) until
// the earliest timer, or until an interrupt brings news. Handlers run to completion and must
// not block. Capacities are fixed (kMaxTimers, kMaxPollers); registering one more is refused
// with a log line.
#pragma once
#include <cstdint>

#include "app/core/log.h"
#include "app/ports.h"

namespace lmc {

class Loop;

// A callback without heap or std::function: a plain function and its context.
struct Callback {
  using Fn = void (*)(void* ctx);
  Fn fn = nullptr;
  void* ctx = nullptr;
  void operator()() const { fn(ctx); }
  // Callback::of<&T::method>(obj)
  template <auto M, class T>
  static Callback of(T* obj) {
    return {[](void* p) { (static_cast<T*>(p)->*M)(); }, obj};
  }
};

class Timer {
 public:
  Timer(const char* name, Callback cb) : name_(name), cb_(cb) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  bool armed() const { return armed_; }
  std::uint64_t due_ms() const { return due_; }
  const char* name() const { return name_; }

 private:
  friend class Loop;
  const char* name_;
  Callback cb_;
  std::uint64_t due_ = 0;
  std::uint32_t period_ = 0;  // 0: one-shot
  bool armed_ = false;
  bool added_ = false;
  std::uint64_t ran_pass_ = 0;
};

class Loop {
 public:
  static constexpr int kMaxTimers = 32;
  static constexpr int kMaxPollers = 16;
  // The longest sleep without any timer armed (a safety net; nothing depends on it).
  static constexpr std::uint32_t kMaxSleepMs = 60000;

  Loop(const Clock& clock, Idle& idle, Log& log) : clock_(clock), idle_(idle), log_(log) {}

  // Registration (at start-up). False, with a log line, beyond the capacity.
  bool add(Timer& t);
  bool add_poller(const char* name, Callback cb);

  // Timers: arm once after delay_ms, periodically (first after period_ms, or first_ms), stop.
  void start(Timer& t, std::uint32_t delay_ms);
  void start_at(Timer& t, std::uint64_t at_ms);
  void every(Timer& t, std::uint32_t period_ms);
  void every(Timer& t, std::uint32_t period_ms, std::uint32_t first_ms);
  void stop(Timer& t) { t.armed_ = false; }

  // Asks for another pass without sleeping (a handler left work for a poller).
  void wake() { wake_ = true; }
  std::uint64_t now_ms() const { return clock_.now_ms(); }

  // One pass: pollers, then due timers in due order, then sleep until the next deadline.
  void run_once();
  // Passes until the clock has reached t (host tests, with a fake Idle advancing the clock).
  void run_until(std::uint64_t t_ms);
  // Earliest armed timer, or now + kMaxSleepMs.
  std::uint64_t next_due() const;
  std::uint64_t passes() const { return passes_; }

 private:
  const Clock& clock_;
  Idle& idle_;
  Log& log_;
  Timer* timers_[kMaxTimers] = {};
  int n_timers_ = 0;
  struct Poller {
    const char* name;
    Callback cb;
  };
  Poller pollers_[kMaxPollers] = {};
  int n_pollers_ = 0;
  bool wake_ = false;
  std::uint64_t passes_ = 0;
};

}  // namespace lmc
