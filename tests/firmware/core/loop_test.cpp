// The event loop: timers at their times, no drift, sleeping until the next deadline, capacity.
#include "app/core/loop.h"

#include <gtest/gtest.h>

#include <vector>

#include "fakes/fakes.h"

namespace lmc {
namespace {

struct LoopRig {
  fake::FakeClock clock;
  fake::FakeIdle idle{clock};
  fake::FakeConsole con;
  Log log{con};
  Loop loop{clock, idle, log};
};

struct Recorder {
  std::vector<std::uint64_t> at;
  const fake::FakeClock* clock;
  void hit() { at.push_back(clock->t); }
};

TEST(Loop, OneShotFiresOnceAtItsTime) {
  LoopRig r;
  Recorder rec{{}, &r.clock};
  Timer t("t", Callback::of<&Recorder::hit>(&rec));
  r.loop.start(t, 250);
  r.loop.run_until(10000);
  EXPECT_EQ(rec.at, (std::vector<std::uint64_t>{250}));
  EXPECT_FALSE(t.armed());
}

TEST(Loop, PeriodicTimerDoesNotDrift) {
  LoopRig r;
  Recorder rec{{}, &r.clock};
  Timer t("t", Callback::of<&Recorder::hit>(&rec));
  r.loop.every(t, 1000);
  r.loop.run_until(24ull * 3600 * 1000);
  ASSERT_EQ(rec.at.size(), 24u * 3600 - 1);  // 1 s ... 86399 s (86400 is where we stopped)
  for (std::size_t i = 0; i < rec.at.size(); ++i) ASSERT_EQ(rec.at[i], (i + 1) * 1000);
}

TEST(Loop, IdleLoopSleepsUntilTheNextTimerOnly) {
  // Nothing but a 1 s timer for 24 h: one sleep per second, never a busy pass in between.
  LoopRig r;
  Recorder rec{{}, &r.clock};
  Timer t("t", Callback::of<&Recorder::hit>(&rec));
  r.loop.every(t, 1000);
  r.loop.run_until(86400ull * 1000);
  EXPECT_LE(r.idle.waits, 86400u + 1);
  EXPECT_LE(r.loop.passes(), 86400u + 1);
}

TEST(Loop, WithoutTimersSleepsTheLongestSafetyNap) {
  LoopRig r;
  r.loop.run_once();
  EXPECT_EQ(r.clock.t, Loop::kMaxSleepMs);
}

TEST(Loop, ExternalEventEndsTheSleepAndPollersSeeIt) {
  LoopRig r;
  struct P {
    int seen = 0;
    bool* flag;
    void poll() {
      if (*flag) {
        ++seen;
        *flag = false;
      }
    }
  };
  bool flag = false;
  P p{0, &flag};
  r.loop.add_poller("p", Callback::of<&P::poll>(&p));
  r.idle.at(1234, [&] { flag = true; });
  r.loop.run_once();  // sleeps until 1234 (the event), not 60 s
  EXPECT_EQ(r.clock.t, 1234u);
  r.loop.run_once();
  EXPECT_EQ(p.seen, 1);
}

TEST(Loop, DueTimersRunEarliestFirst) {
  LoopRig r;
  std::vector<int> order;
  struct H {
    std::vector<int>* o;
    int id;
    void hit() { o->push_back(id); }
  };
  H a{&order, 1}, b{&order, 2}, c{&order, 3};
  Timer ta("a", Callback::of<&H::hit>(&a)), tb("b", Callback::of<&H::hit>(&b)), tc("c", Callback::of<&H::hit>(&c));
  r.loop.start(ta, 30);
  r.loop.start(tb, 10);
  r.loop.start(tc, 20);
  r.clock.t = 100;  // all three are late: they still run in due order
  r.loop.run_once();
  EXPECT_EQ(order, (std::vector<int>{2, 3, 1}));
}

TEST(Loop, TimerRearmedForNowRunsInTheNextPassNotForever) {
  LoopRig r;
  struct Again {
    Loop* loop;
    Timer* t;
    int n = 0;
    void hit() {
      // Bounded, so that a loop that re-runs it within one pass fails instead of hanging.
      if (++n < 1000) loop->start(*t, 0);
    }
  } again{&r.loop, nullptr};
  Timer t("again", Callback::of<&Again::hit>(&again));
  again.t = &t;
  r.loop.start(t, 0);
  r.loop.run_once();
  EXPECT_EQ(again.n, 1);
  r.loop.run_once();
  EXPECT_EQ(again.n, 2);
}

TEST(Loop, CapacityExceededIsALoggedRefusal) {
  LoopRig r;
  struct N {
    void hit() {}
  } n;
  std::vector<std::unique_ptr<Timer>> timers;
  for (int i = 0; i < Loop::kMaxTimers; ++i) {
    timers.push_back(std::make_unique<Timer>("x", Callback::of<&N::hit>(&n)));
    EXPECT_TRUE(r.loop.add(*timers.back()));
  }
  Timer extra("one-too-many", Callback::of<&N::hit>(&n));
  EXPECT_FALSE(r.loop.add(extra));
  EXPECT_TRUE(r.con.has("lmc: core refused what=timer name=one-too-many capacity=32\n"));
  r.loop.start(extra, 5);  // refused: never armed, never run
  EXPECT_FALSE(extra.armed());
}

}  // namespace
}  // namespace lmc
