// The one place that wires the application's parts and tasks (docs/firmware.md): the loop,
// the log, the watchdog supervisor, the installer console, the panel and the supervised tasks
// (metering, lm, net). Everything is allocated at construction (static on the device); start()
// prints the boot banner and arms the tasks; run_once() is one pass of the event loop.
#pragma once
#include <cstdint>

#include "app/config_view.h"
#include "app/core/commands.h"
#include "app/core/log.h"
#include "app/core/loop.h"
#include "app/core/supervisor.h"
#include "app/core/time.h"
#include "app/net/resolver.h"
#include "app/panel/panel.h"
#include "app/ports.h"

namespace lmc {

namespace site {
class Site;
}
namespace net {
class Manager;
}
namespace cloud {
class CloudTask;
}

struct Ports {
  Clock& clock;
  Idle& idle;
  Console& console;
  Flash& flash;
  Afe& afe;
  Gpio& gpio;
  Wdt& wdt;
  System& system;
  Sockets& sockets;
  Link& link;
};

class Controller final : private PanelActions {
 public:
  // The control cycle follows the AFE's 1 s windows (one wake-up per second for both); when
  // windows stop coming, a fallback timer keeps the cycle (and the watchdog feeding) going.
  static constexpr std::uint32_t kCycleMs = 1000;
  static constexpr std::uint32_t kCycleFallbackMs = 1500;
  static constexpr std::uint32_t kCycleSlackMs = 100;

  Controller(const Ports& ports, ConfigView& config);
  void start();
  void run_once() { loop_.run_once(); }
  void run_until(std::uint64_t t_ms) { loop_.run_until(t_ms); }

  Loop& loop() { return loop_; }
  Log& log() { return log_; }
  Time& time() { return time_; }
  Panel& panel() { return panel_; }
  Supervisor& supervisor() { return supervisor_; }
  Commands& commands() { return commands_; }
  // The one DNS client (app/net/resolver.h): cloud, Zaptec and NTP resolve names through it.
  net::Resolver& resolver() { return resolver_; }
  // The network manager (app/net/manager.h: links, hotspot, NTP, the STATUS LED), before start.
  // Without one (host tests of other parts) the controller only logs the link.
  void attach_net(net::Manager& m) { net_ = &m; }
  net::Manager* net() { return net_; }
  // The load-management task (app/site): fed the AFE windows, run in the lm cycle (before start).
  void attach_site(site::Site& s) { site_ = &s; }
  // The cloud link (app/cloud/cloud_task.h), before start: its poller and its 1 s tick in net.
  void attach_cloud(cloud::CloudTask& c) { cloud_ = &c; }
  bool metering_ready() const { return metering_ready_; }
  // The reset-cause name of this boot's banner (PWR-05).
  const char* reset_name() const { return reset_name_; }

 private:
  void on_gesture(Gesture g, std::uint32_t held_ms) override;
  void request_hotspot(const char* by);
  void restart(std::uint32_t note, const char* reason);
  void banner();
  void cycle();
  void poll_afe();
  void poll_link();
  void metering_cycle();
  void lm_cycle();
  void net_cycle();
  NetLed net_led(const Link::Status& s) const;
  static bool cmd_debug(void* ctx, int argc, const char* const* argv);
  static bool cmd_restart(void* ctx, int argc, const char* const* argv);
  static bool cmd_version(void* ctx, int argc, const char* const* argv);

  Ports p_;
  ConfigView& config_;
  Log log_;
  Time time_;
  Loop loop_;
  Supervisor supervisor_;
  Commands commands_;
  Panel panel_;
  net::Resolver resolver_;
  net::Manager* net_ = nullptr;
  cloud::CloudTask* cloud_ = nullptr;
  Timer cycle_timer_;
  int task_metering_ = -1, task_lm_ = -1, task_net_ = -1;
  const char* reset_name_ = "none";
  std::uint32_t boot_note_ = 0;
  // metering
  bool metering_ready_ = false;
  std::uint32_t windows_ = 0;
  bool cycled_ = false;
  std::uint64_t last_cycle_ms_ = 0;
  // lm
  int configured_ = -1;  // -1: not yet decided
  site::Site* site_ = nullptr;
  // net
  Link::Status link_{};
  bool link_known_ = false;
};

}  // namespace lmc
