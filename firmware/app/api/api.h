// The device's local interfaces (issue 14): Modbus TCP :5020 and REST :7000 over one shared
// external-control state (MB-05), fed by the site's meter and ExternalControl, and the web UI
// :4000 (app/web). docs/api.md. Wired in
// apps/lmc/main.cpp after the controller has loaded the configuration:
//   static lmc::api::Api api(controller.time(), controller.log(), b.sockets, settings, &config.store(), site,
//                            b.system.serial(), &b.link);
//   api.start(controller.loop());
#pragma once
#include <cstdint>

#include "app/api/auth_guard.h"
#include "app/api/control.h"
#include "app/api/modbus_api.h"
#include "app/api/rest_api.h"
#include "app/core/loop.h"
#include "app/site/site.h"
#include "app/web/web_ui.h"

namespace lmc::api {

class Api final : private LiveSource {
 public:
  Api(const Time& time, Log& log, Sockets& sockets, settings::Settings& s, store::ConfigStore* store, site::Site& site,
      const char* serial, const Link* link = nullptr);
  // Boots the control state from the settings (EXT-07) and registers the poller.
  void start(Loop& loop);
  void poll();

  Control& control() { return control_; }
  ModbusApi& modbus() { return modbus_; }
  RestApi& rest() { return rest_; }
  web::WebUi& web() { return web_; }

 private:
  const metering::Measurement& measurement() const override { return site_.meter().last(); }
  struct TimeClock final : Clock {
    explicit TimeClock(const Time& t) : time(t) {}
    std::uint64_t now_ms() const override { return time.ms(); }
    const Time& time;
  };
  TimeClock clock_;
  site::Site& site_;
  AuthGuard auth_;
  Control control_;
  HttpBuffers http_;  // one reply buffer set for REST and the web UI
  ModbusApi modbus_;
  RestApi rest_;
  LiveView view_;
  web::WebUi web_;
};

}  // namespace lmc::api
