// The RESET button state machine against behaviours.md BTN-01..05 and A02: debounce 50 ms;
// classification at release [1, 5) s hotspot, [5, 10] s restart, (10, 60] s erase Wi-Fi,
// > 60 s stuck; feedback fast blink from 1 s, on from 5 s, off from 10 s; pressed at boot is
// ignored until released.
#include "app/panel/button.h"

#include <gtest/gtest.h>

namespace lmc {
namespace {

TEST(Button, ClassificationBoundariesOfBtn05) {
  EXPECT_EQ(Button::classify(0), Gesture::None);
  EXPECT_EQ(Button::classify(999), Gesture::None);  // BTN-01: < 1 s does nothing
  EXPECT_EQ(Button::classify(1000), Gesture::Hotspot);
  EXPECT_EQ(Button::classify(4999), Gesture::Hotspot);
  EXPECT_EQ(Button::classify(5000), Gesture::Restart);
  EXPECT_EQ(Button::classify(10000), Gesture::Restart);  // [5.0, 10.0] closed
  EXPECT_EQ(Button::classify(10001), Gesture::EraseWifi);
  EXPECT_EQ(Button::classify(60000), Gesture::EraseWifi);  // (10, 60] closed at 60
  EXPECT_EQ(Button::classify(60001), Gesture::Stuck);
}

TEST(Button, FeedbackWhileHeld) {
  EXPECT_EQ(Button::feedback_for(999), Feedback::None);
  EXPECT_EQ(Button::feedback_for(1000), Feedback::FastBlink);
  EXPECT_EQ(Button::feedback_for(4999), Feedback::FastBlink);
  EXPECT_EQ(Button::feedback_for(5000), Feedback::On);
  EXPECT_EQ(Button::feedback_for(10000), Feedback::On);
  EXPECT_EQ(Button::feedback_for(10001), Feedback::Off);
}

// Drives a button with a list of raw edges, sampling at every edge and every deadline.
struct Driver {
  Button b;
  std::vector<ButtonEvent> events;
  std::uint64_t now = 0;
  void run_to(std::uint64_t t, bool level) {
    while (b.next_deadline() <= t) {
      now = b.next_deadline();
      push(b.update(last, now));
    }
    now = t;
    last = level;
    push(b.update(level, now));
  }
  void push(ButtonEvent e) {
    if (e.kind != ButtonEvent::kNone) events.push_back(e);
  }
  bool last = false;
};

TEST(Button, PressIsMeasuredFromTheFirstEdgeOfTheStableLevel) {
  Driver d;
  d.b.begin(false, 0);
  d.run_to(1000, true);
  d.run_to(4200, false);
  d.run_to(6000, false);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[0].kind, ButtonEvent::kPressed);
  EXPECT_EQ(d.events[0].at_ms, 1000u);
  EXPECT_EQ(d.events[1].kind, ButtonEvent::kReleased);
  EXPECT_EQ(d.events[1].held_ms, 3200u);
  EXPECT_EQ(d.events[1].gesture, Gesture::Hotspot);
  EXPECT_EQ(d.events[1].at_ms, 4200u);  // classified when the release had been stable 50 ms
}

TEST(Button, BouncesShorterThan50msAreIgnored) {
  Driver d;
  d.b.begin(false, 0);
  // A 30 ms blip: not a press.
  d.run_to(1000, true);
  d.run_to(1030, false);
  d.run_to(2000, false);
  EXPECT_TRUE(d.events.empty());
  // A 6 s hold with a 40 ms dropout in the middle and contact chatter at the release: one
  // press, one release, measured from 3000 to the release edge that stayed (9045).
  d.run_to(3000, true);
  d.run_to(5000, false);
  d.run_to(5040, true);
  d.run_to(9000, false);
  d.run_to(9040, true);
  d.run_to(9045, false);
  d.run_to(12000, false);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[1].kind, ButtonEvent::kReleased);
  EXPECT_EQ(d.events[1].gesture, Gesture::Restart);
  EXPECT_EQ(d.events[1].held_ms, 9045u - 3000u);
}

TEST(Button, BounceAtThePressCountsFromTheLastEdge) {
  // Debounce = the level stable for 50 ms: a press that chatters 3000/3010/3015 began at 3015.
  Driver d;
  d.b.begin(false, 0);
  d.run_to(3000, true);
  d.run_to(3010, false);
  d.run_to(3015, true);
  d.run_to(4515, false);
  d.run_to(6000, false);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[0].at_ms, 3015u);
  EXPECT_EQ(d.events[1].held_ms, 1500u);
}

TEST(Button, ExactlyFiftyMsIsAcceptedFortyNineIsNot) {
  Driver d;
  d.b.begin(false, 0);
  d.run_to(100, true);
  d.run_to(149, false);
  d.run_to(1000, false);
  EXPECT_TRUE(d.events.empty());
  d.run_to(2000, true);
  d.run_to(2050, false);
  d.run_to(3000, false);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[1].gesture, Gesture::None);
  EXPECT_EQ(d.events[1].held_ms, 50u);
}

TEST(Button, FeedbackDeadlinesFollowTheHold) {
  Button b;
  b.begin(false, 0);
  b.update(true, 1000);
  EXPECT_EQ(b.next_deadline(), 1050u);  // debounce
  b.update(true, 1050);
  EXPECT_TRUE(b.held());
  EXPECT_EQ(b.next_deadline(), 2000u);  // 1 s after the press: fast blink starts
  EXPECT_EQ(b.feedback(1999), Feedback::None);
  b.update(true, 2000);
  EXPECT_EQ(b.feedback(2000), Feedback::FastBlink);
  EXPECT_EQ(b.next_deadline(), 6000u);
  b.update(true, 6000);
  EXPECT_EQ(b.feedback(6000), Feedback::On);
  EXPECT_EQ(b.next_deadline(), 11001u);
  b.update(true, 11001);
  EXPECT_EQ(b.feedback(11001), Feedback::Off);
  EXPECT_EQ(b.next_deadline(), 61001u);
}

TEST(Button, StuckKeyIsReportedOnceAndIgnoredAtRelease) {
  Driver d;
  d.b.begin(false, 0);
  d.run_to(1000, true);
  d.run_to(200000, false);
  d.run_to(201000, false);
  ASSERT_EQ(d.events.size(), 3u);
  EXPECT_EQ(d.events[1].kind, ButtonEvent::kStuck);
  EXPECT_EQ(d.events[1].at_ms, 61001u);
  EXPECT_EQ(d.events[2].gesture, Gesture::Stuck);
}

TEST(Button, PressedAtBootIsIgnoredUntilReleased) {
  Driver d;
  d.b.begin(true, 0);
  d.last = true;
  EXPECT_FALSE(d.b.held());
  EXPECT_EQ(d.b.feedback(7000), Feedback::None);  // no feedback for an ignored press
  d.run_to(7000, false);                          // released after 7 s: would be "restart", but it began before boot
  d.run_to(8000, false);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].kind, ButtonEvent::kIgnoredAtBoot);
  // The next press works normally.
  d.run_to(9000, true);
  d.run_to(11000, false);
  d.run_to(12000, false);
  ASSERT_EQ(d.events.size(), 3u);
  EXPECT_EQ(d.events[2].gesture, Gesture::Hotspot);
}

}  // namespace
}  // namespace lmc
