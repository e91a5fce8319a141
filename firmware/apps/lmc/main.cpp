// lmc.elf: the load-management controller. Brings up the board, loads the configuration and
// runs the controller's event loop for ever (docs/firmware.md).
#include "app/controller.h"
#include "app/settings_config.h"
#include "app/site/site.h"
#include "board/ports_mcu.h"

namespace {
lmc::settings::Settings settings;
}

int main() {
  board::McuBoard& b = board::McuBoard::instance();
  b.init();
  static lmc::SettingsConfig config(settings, b.flash);
  static lmc::Controller controller(
      lmc::Ports{b.clock, b.idle, b.console, b.flash, b.afe, b.gpio, b.wdt, b.system, b.sockets, b.link}, config);
  config.attach_log(controller.log());
  static lmc::site::Site site(b.clock, controller.log(), b.gpio, b.sockets, settings);
  controller.attach_site(site);
  controller.start();
  for (;;) controller.run_once();
}
