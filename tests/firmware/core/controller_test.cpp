// The controller's wiring on fakes: boot banner and reset causes (PWR-05), POWER LED (PWR-02),
// unconfigured device (CFG-01), metering ready (PWR-01), gestures (BTN-01..05), the
// watchdog policy (FW-03) with the `debug hang` knob, and link state on the STATUS LED.
#include "app/controller.h"

#include <gtest/gtest.h>

#include <memory>

#include "app/core/reset_note.h"
#include "fakes/fakes.h"

namespace lmc {
namespace {

using fake::FakeGpio;

struct Device {
  fake::Rig rig;
  std::unique_ptr<Controller> c;
  void boot() {
    rig.console.out.clear();
    c = std::make_unique<Controller>(rig.ports(), rig.config);
    c->start();
  }
  // A warm reset: RAM notes survive, the cause register says what happened.
  void reboot(std::uint32_t cause) {
    rig.system.cause = cause;
    rig.wdt.reset();
    boot();
  }
  // The button pressed at `at` for `ms`, as the GPIO edge interrupt would deliver it.
  void press(std::uint64_t at, std::uint64_t ms) {
    rig.idle.at(at, [this] { rig.gpio.button = true; });
    rig.idle.at(at + ms, [this] { rig.gpio.button = false; });
  }
  void feed_afe_every_200ms(std::uint64_t until) {
    for (std::uint64_t t = 200; t <= until; t += 200)
      rig.idle.at(t, [this] { rig.afe.windows.push_back(fake::FakeAfe::window(5000)); });
  }
};

TEST(Controller, BootBannerNamesVersionSerialAndCause) {
  Device d;
  d.boot();
  auto l = d.rig.console.grep("lmc: system boot ");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0], "lmc: system boot version=0.1.0 serial=SE12345678 reset=power-on cause=0x1");
  EXPECT_EQ(d.rig.config.loads, 1);
}

TEST(Controller, ResetCauseNamesOfPwr05) {
  struct Case {
    std::uint32_t bits, note;
    const char* name;
  } cases[] = {{1, 0, "power-on"},
               {2, 0, "brown-out"},
               {4, 0, "watchdog"},
               {1 | 4, 0, "watchdog"},  // a watchdog reset after power-on keeps both bits
               {8, 0, "software"},
               {8, reset_note::make(reset_note::kButton), "button"},
               {8, reset_note::make(reset_note::kCommand), "software"},
               {16, 0, "pin"},
               {32, 0, "lockup"}};
  for (auto& k : cases) {
    Device d;
    d.rig.system.cause = k.bits;
    d.rig.system.note = k.note;
    d.boot();
    EXPECT_STREQ(d.c->reset_name(), k.name) << k.bits;
    EXPECT_TRUE(d.rig.console.has(std::string("reset=") + k.name + " ")) << d.rig.console.out;
  }
}

TEST(Controller, PowerLedOnAtBootAndAttentionWhenUnconfigured) {
  Device d;
  d.boot();
  EXPECT_TRUE(d.rig.gpio.power);  // PWR-02: within 1 s of supply-on (here: at once)
  EXPECT_TRUE(d.rig.console.has("lmc: lm configured fuse_a=40.0"));

  Device u;
  u.rig.config.fuse_da_ = 0;  // CFG-01: no main fuse rating
  u.boot();
  EXPECT_TRUE(u.rig.console.has("lmc: lm unconfigured reason=no-main-fuse action=manage-nothing\n"));
  u.c->run_until(10000);
  // The POWER LED still says "powered" (lit 90 %) but blinks off briefly every 2 s.
  auto periods = FakeGpio::periods(u.rig.gpio.power_log, 0, 10000);
  ASSERT_GE(periods.size(), 3u);
  for (auto p : periods) EXPECT_EQ(p, 2000u);
  EXPECT_EQ(u.rig.console.grep("lm unconfigured").size(), 1u);  // said once, not every cycle
}

TEST(Controller, MeteringReadyWithinTenSeconds) {
  Device d;
  d.feed_afe_every_200ms(20000);
  d.boot();
  d.c->run_until(20000);
  auto l = d.rig.console.grep("lmc: metering ready ");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0], "lmc: metering ready after_ms=200 hz=50.00 phases=3");
  EXPECT_TRUE(d.c->metering_ready());
}

TEST(Controller, WatchdogFedWhileAllTasksRunAndStarvedByDebugHang) {
  Device d;
  d.feed_afe_every_200ms(60000);
  d.boot();
  d.c->run_until(30000);
  EXPECT_FALSE(d.rig.wdt.expired());
  EXPECT_GE(d.rig.wdt.feeds, 28);
  EXPECT_FALSE(d.rig.console.has("wdt starved")) << d.rig.console.out;
  d.rig.console.input("debug hang lm\n");
  std::uint64_t at = d.rig.clock.t;
  while (!d.rig.wdt.expired() && d.rig.clock.t < at + 20000) d.c->run_once();
  ASSERT_TRUE(d.rig.wdt.expired());
  EXPECT_LE(d.rig.clock.t - at, 8000u);  // SAFE-03
  EXPECT_TRUE(d.rig.console.has("lmc: debug hang task=lm\n"));
  EXPECT_TRUE(d.rig.console.has("lmc: wdt starved task=lm timeout_ms=4000\n"));
  // The watchdog resets the device: the next boot names the cause and the task.
  d.reboot(4);
  EXPECT_TRUE(d.rig.console.has("reset=watchdog"));
  EXPECT_TRUE(d.rig.console.has("lmc: system watchdog-reset task=lm\n"));
}

TEST(Controller, DebugHangOfAnUnknownTaskIsRefused) {
  Device d;
  d.boot();
  d.rig.console.input("debug hang ui\ndebug\n");
  d.c->run_once();
  EXPECT_TRUE(d.rig.console.has("lmc: debug hang-refused task=ui reason=no-such-task\n"));
  EXPECT_TRUE(d.rig.console.has("lmc: console usage cmd=\"debug hang <metering|lm|net|loop>\"\n"));
}

TEST(Controller, ShortPressOnlyLogs) {
  Device d;
  d.boot();
  d.press(5000, 400);
  d.c->run_until(8000);
  EXPECT_TRUE(d.rig.console.has("lmc: panel button-up held_ms=400 gesture=none\n"));
  EXPECT_FALSE(d.rig.console.has("hotspot-requested"));
  EXPECT_EQ(d.rig.system.resets, 0);
}

TEST(Controller, HotspotGestureBlinksFastUntilTheHotspotBeacons) {
  Device d;
  d.boot();
  d.press(5000, 3000);
  d.c->run_until(9000);
  EXPECT_TRUE(d.rig.console.has("lmc: panel button-up held_ms=3000 gesture=hotspot\n"));
  EXPECT_TRUE(d.rig.console.has("lmc: net hotspot-requested by=button\n"));
  // Fast blink (0.25 s) from 1 s into the press, through the release, until the beacons.
  for (auto p : FakeGpio::periods(d.rig.gpio.status_log, 6000, 12000)) EXPECT_EQ(p, 250u);
  d.rig.idle.at(12000, [&] {
    auto s = d.rig.link.st;
    s.ap = true;
    d.rig.link.change(s);
  });
  d.c->run_until(20000);
  EXPECT_EQ(d.c->panel().status(), Pattern::Off);  // LED-01: hotspot mode = off
  EXPECT_FALSE(d.rig.gpio.status);
  EXPECT_TRUE(FakeGpio::periods(d.rig.gpio.status_log, 12100, 20000).empty());
}

TEST(Controller, HotspotFastBlinkEndsAfterThirtySecondsWithoutBeacons) {
  Device d;
  d.boot();
  d.press(1000, 2000);
  d.c->run_until(40000);
  // Released at 3 s: fast blink until 3 s + 30 s, then off.
  EXPECT_FALSE(FakeGpio::periods(d.rig.gpio.status_log, 30000, 33000).empty());
  EXPECT_TRUE(FakeGpio::periods(d.rig.gpio.status_log, 33100, 40000).empty());
}

TEST(Controller, HotspotGestureIgnoredWhileConnected) {
  Device d;
  d.rig.link.change(fake::FakeLink::ethernet());
  d.boot();
  d.press(5000, 2000);
  d.c->run_until(9000);
  EXPECT_TRUE(d.rig.console.has("lmc: panel hotspot-ignored reason=connected\n"));
  EXPECT_FALSE(d.rig.console.has("hotspot-requested"));
}

TEST(Controller, RestartGestureResetsOnceAndTheNextBootSaysButton) {
  Device d;
  d.boot();
  d.press(5000, 7000);
  d.c->run_until(13000);
  EXPECT_TRUE(d.rig.console.has("lmc: panel button-up held_ms=7000 gesture=restart\n"));
  EXPECT_TRUE(d.rig.console.has("lmc: system restart reason=button\n"));
  EXPECT_EQ(d.rig.system.resets, 1);
  EXPECT_GE(d.rig.console.flushes, 1);  // the line left the UART before the reset
  d.reboot(8);                          // software reset
  EXPECT_TRUE(d.rig.console.has("lmc: system boot version=0.1.0 serial=SE12345678 reset=button cause=0x8\n"));
  EXPECT_EQ(d.rig.config.wifi_erases, 0);  // BTN-03: settings unchanged
}

TEST(Controller, EraseWifiGestureErasesOnlyWifiThenHotspot) {
  Device d;
  d.rig.config.ssid = "home";
  d.boot();
  d.press(5000, 12000);
  d.c->run_until(20000);
  EXPECT_TRUE(d.rig.console.has("gesture=erase-wifi"));
  EXPECT_EQ(d.rig.config.wifi_erases, 1);
  EXPECT_TRUE(d.rig.console.has("lmc: config wifi-erased by=button\n"));
  EXPECT_TRUE(d.rig.console.has("lmc: net hotspot-requested by=button\n"));
  EXPECT_EQ(d.rig.system.resets, 0);
}

TEST(Controller, StatusLedFeedbackWhileHeld) {
  Device d;
  d.boot();
  d.press(10000, 15000);
  d.c->run_until(40000);
  // BTN-05: fast blink from 1 s, steady on from 5 s, off after 10 s.
  for (auto p : FakeGpio::periods(d.rig.gpio.status_log, 11000, 15000)) EXPECT_EQ(p, 250u);
  EXPECT_TRUE(FakeGpio::level_at(d.rig.gpio.status_log, 15500));
  EXPECT_TRUE(FakeGpio::level_at(d.rig.gpio.status_log, 19900));
  EXPECT_TRUE(FakeGpio::periods(d.rig.gpio.status_log, 15001, 20000).empty());
  EXPECT_FALSE(FakeGpio::level_at(d.rig.gpio.status_log, 20100));
  EXPECT_FALSE(FakeGpio::level_at(d.rig.gpio.status_log, 24900));
}

TEST(Controller, ButtonHeldAtBootIsIgnored) {
  Device d;
  d.rig.gpio.button = true;
  d.boot();
  d.rig.idle.at(7000, [&] { d.rig.gpio.button = false; });
  d.c->run_until(10000);
  EXPECT_TRUE(d.rig.console.has("lmc: panel button-held-at-boot action=ignored-until-released\n"));
  EXPECT_TRUE(d.rig.console.has("lmc: panel button-ignored reason=pressed-at-boot held_ms=7000\n"));
  EXPECT_EQ(d.rig.system.resets, 0);
}

TEST(Controller, StuckButtonIsLoggedAndIgnored) {
  Device d;
  d.rig.config.ssid = "home";
  d.boot();
  d.press(1000, 90000);
  d.c->run_until(100000);
  EXPECT_TRUE(d.rig.console.has("lmc: panel button-stuck held_ms=60001\n"));
  EXPECT_TRUE(d.rig.console.has("lmc: panel button-stuck-ignored held_ms=90000\n"));
  EXPECT_EQ(d.rig.config.wifi_erases, 0);
  EXPECT_EQ(d.rig.system.resets, 0);
}

TEST(Controller, LinkStateDrivesTheStatusLedAndIsLogged) {
  Device d;
  d.boot();
  d.c->run_until(2000);
  EXPECT_EQ(d.c->panel().status(), Pattern::Off);  // LED-01: no connection
  d.rig.idle.at(3000, [&] { d.rig.link.change(fake::FakeLink::ethernet()); });
  d.c->run_until(10000);
  // LED-03: on a network, looking for the server (no cloud client yet): 1 Hz.
  EXPECT_EQ(d.c->panel().status(), Pattern::Blink);
  EXPECT_TRUE(d.rig.console.has("lmc: net link carrier=true wifi=false hotspot=false via=ethernet ip=192.168.1.50\n"));
  for (auto p : FakeGpio::periods(d.rig.gpio.status_log, 3000, 10000)) EXPECT_EQ(p, 1000u);
}

TEST(Controller, IdleDayIsOneWakeUpPerSecond) {
  // Configured, no network, no stations: the AFE's 1 s window is the only thing that wakes the
  // controller; the control cycle and the watchdog check ride on it (bench: firmware.idle_day_s).
  Device d;
  for (std::uint64_t t = 1000; t <= 86400ull * 1000; t += 1000)
    d.rig.idle.at(t, [&d] { d.rig.afe.windows.push_back(fake::FakeAfe::window(0)); });
  d.boot();
  d.c->run_until(86400ull * 1000);
  EXPECT_LE(d.rig.idle.waits, 86400u + 10);
  EXPECT_GE(d.rig.wdt.feeds, 86400 - 10);
  EXPECT_FALSE(d.rig.wdt.expired());
}

TEST(Controller, CycleFallsBackToItsTimerWhenWindowsStop) {
  Device d;
  for (std::uint64_t t = 1000; t <= 10000; t += 1000)
    d.rig.idle.at(t, [&d] { d.rig.afe.windows.push_back(fake::FakeAfe::window(0)); });
  d.boot();
  d.c->run_until(10500);
  int feeds = d.rig.wdt.feeds;
  EXPECT_GE(feeds, 9);
  d.c->run_until(40000);  // no more windows: cycles every 1.5 s keep the watchdog fed
  EXPECT_FALSE(d.rig.wdt.expired());
  EXPECT_GE(d.rig.wdt.feeds - feeds, 19);
  EXPECT_FALSE(d.rig.console.has("wdt starved"));
}

TEST(Controller, FastWindowsDoNotSpeedUpTheCycle) {
  // Windows every 200 ms (another AFE setting): still one control cycle per second.
  Device d;
  d.feed_afe_every_200ms(20000);
  d.boot();
  d.c->run_until(20000);
  EXPECT_GE(d.rig.wdt.feeds, 18);
  EXPECT_LE(d.rig.wdt.feeds, 21);
}

}  // namespace
}  // namespace lmc
