// The front panel: POWER and STATUS LEDs and the RESET button (PWR-02, LED-01..06,
// BTN-01..05). The panel decides what the LEDs show and classifies gestures; what a gesture
// does is the controller's business (PanelActions). Every state change is logged (MISC-03):
//   lmc: panel led led=status pattern=fast-blink
//   lmc: panel button-down
//   lmc: panel button-up held_ms=3210 gesture=hotspot
//   lmc: panel button-stuck held_ms=60001
//   lmc: panel button-ignored reason=pressed-at-boot held_ms=...
#pragma once
#include <cstdint>

#include "app/core/log.h"
#include "app/core/loop.h"
#include "app/panel/button.h"
#include "app/panel/led.h"
#include "app/ports.h"

namespace lmc {

class PanelActions {
 public:
  virtual void on_gesture(Gesture g, std::uint32_t held_ms) = 0;

 protected:
  ~PanelActions() = default;
};

class Panel {
 public:
  // LED-05: the fast blink after a hotspot gesture lasts until the hotspot beacons, <= 30 s.
  static constexpr std::uint32_t kHotspotStartMaxMs = 30000;

  Panel(Loop& loop, Gpio& gpio, Log& log, PanelActions& actions);
  // POWER LED on (PWR-02), the button's level at boot, the poller and timers.
  void start();
  void set_network(NetLed n);
  // The hotspot is being started (after a gesture): fast blink until hotspot_up() or 30 s.
  void hotspot_starting();
  void hotspot_up();
  // Powered but without the configuration to manage anything: POWER shows `attention`.
  void set_unconfigured(bool on);

  Pattern status() const { return status_.pattern(); }
  Pattern power() const { return power_.pattern(); }
  NetLed network() const { return net_; }

 private:
  void poll();
  void on_button_timer();
  void on_hotspot_timeout();
  void sample();
  void update_status();
  void arm_button_timer();
  static void set_power(void* ctx, bool on) { static_cast<Panel*>(ctx)->gpio_.led_power(on); }
  static void set_status(void* ctx, bool on) { static_cast<Panel*>(ctx)->gpio_.led_status(on); }

  Loop& loop_;
  Gpio& gpio_;
  Log& log_;
  PanelActions& actions_;
  Button button_;
  BlinkLed power_;
  BlinkLed status_;
  Timer button_timer_;
  Timer hotspot_timer_;
  NetLed net_ = NetLed::Offline;
  bool hotspot_starting_ = false;
  bool unconfigured_ = false;
  bool last_raw_ = false;
};

}  // namespace lmc
