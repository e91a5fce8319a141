// lmc.elf: the load-management controller. Brings up the board, loads the configuration and
// runs the controller's event loop for ever (docs/firmware.md).
#include "app/api/api.h"
#include "app/cloud/cloud_task.h"
#include "app/controller.h"
#include "app/net/manager.h"
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
  site.attach_zaptec(controller.resolver());
  static lmc::net::Manager net(settings, b.link, b.sockets, controller.log(), controller.resolver(), controller.panel(),
                               controller.time(), b.system.serial());
  controller.attach_net(net);
  static lmc::cloud::CloudTask cloud(b.telemetry_flash, b.sockets, controller.resolver(), controller.log(),
                                     controller.time(), site, settings, b.system.serial());  // MQTT :8883
  controller.attach_cloud(cloud);
  controller.start();
  static lmc::api::Api api(controller.time(), controller.log(), b.sockets, settings, &config.store(), site,
                           b.system.serial(), &b.link);  // :5020, :7000, :4000 (docs/api.md)
  api.start(controller.loop());
  for (;;) controller.run_once();
}
