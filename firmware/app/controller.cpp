#include "app/controller.h"

#include <cstring>

#include "app/cloud/cloud_task.h"
#include "app/core/reset_note.h"
#include "app/core/version.h"
#include "app/net/manager.h"
#include "app/site/site.h"

namespace lmc {
namespace {
// Reset cause bits of System::reset_cause().
constexpr std::uint32_t kPowerOn = 1, kBrownOut = 2, kWatchdog = 4, kSoftware = 8, kPin = 16, kLockup = 32;

const char* cause_name(std::uint32_t bits, std::uint32_t note) {
  // The most specific cause first: a watchdog reset after power-on keeps both bits.
  if (bits & kLockup) return "lockup";
  if (bits & kPin) return "pin";
  if (bits & kSoftware) {
    if (reset_note::reason(note) == reset_note::kButton) return "button";
    return "software";
  }
  if (bits & kWatchdog) return "watchdog";
  if (bits & kBrownOut) return "brown-out";
  if (bits & kPowerOn) return "power-on";
  return "none";
}
}  // namespace

Controller::Controller(const Ports& ports, ConfigView& config)
    : p_(ports),
      config_(config),
      log_(ports.console),
      time_(ports.clock),
      loop_(ports.clock, ports.idle, log_),
      supervisor_(loop_, ports.wdt, ports.system, log_),
      commands_(ports.console, log_),
      panel_(loop_, ports.gpio, log_, *this),
      resolver_(ports.link, log_),
      cycle_timer_("cycle", Callback::of<&Controller::cycle>(this)) {
  // FW-03: the watchdog is fed only when these three have reported in the last check period.
  task_metering_ = supervisor_.add_task("metering");
  task_lm_ = supervisor_.add_task("lm");
  task_net_ = supervisor_.add_task("net");
}

void Controller::banner() {
  std::uint32_t bits = p_.system.reset_cause();
  boot_note_ = p_.system.take_reset_note();
  reset_name_ = cause_name(bits, boot_note_);
  log_.event("system", "boot")
      .kv("version", kFirmwareVersion)
      .kv("serial", p_.system.serial())
      .kv("reset", reset_name_)
      .kv_hex("cause", bits);
  if (reset_note::reason(boot_note_) == reset_note::kWatchdog && (bits & kWatchdog))
    log_.event("system", "watchdog-reset")
        .kv("task", supervisor_.name(static_cast<int>(reset_note::detail(boot_note_))));
}

void Controller::start() {
  banner();
  config_.load();
  commands_.add("debug", "debug hang <metering|lm|net|loop>", &Controller::cmd_debug, this);
  commands_.add("restart", "restart", &Controller::cmd_restart, this);
  commands_.add("version", "version", &Controller::cmd_version, this);
  loop_.add_poller("console", Callback::of<&Commands::poll>(&commands_));
  loop_.add_poller("afe", Callback::of<&Controller::poll_afe>(this));
  loop_.add_poller("link", Callback::of<&Controller::poll_link>(this));
  if (site_) site_->start(loop_);
  panel_.set_unconfigured(!config_.fuse_configured());
  panel_.start();
  p_.link.enable(true);
  if (net_) net_->start(loop_);
  if (cloud_) {
    cloud_->start(time_.ms());
    loop_.add_poller("cloud", Callback::of<&cloud::CloudTask::poll_now>(cloud_));
  }
  lm_cycle();                // says at once whether the device is configured
  supervisor_.start(false);  // checked at the end of every cycle
  loop_.start(cycle_timer_, kCycleFallbackMs);
}

void Controller::cycle() {
  cycled_ = true;
  last_cycle_ms_ = time_.ms();
  metering_cycle();
  lm_cycle();
  net_cycle();
  supervisor_.check();
  loop_.start(cycle_timer_, kCycleFallbackMs);
}

// ---- metering: AFE windows (the measurement itself is app/metering's) ----
void Controller::poll_afe() {
  AfeWindow w;
  bool got = false;
  while (p_.afe.poll(w)) {
    got = true;
    ++windows_;
    if (site_) site_->on_window(w, time_.ms());
    if (!metering_ready_ && w.freq_mhz > 0 && w.voltage_present != 0) {
      metering_ready_ = true;
      log_.event("metering", "ready")
          .kv("after_ms", time_.ms())
          .kv_fixed("hz", w.freq_mhz / 10, 2)
          .kv("phases",
              ((w.voltage_present & 1) ? 1 : 0) + ((w.voltage_present >> 1) & 1) + ((w.voltage_present >> 2) & 1));
    }
  }
  // A fresh window starts the control cycle (at most one per kCycleMs, less a little slack for
  // the window's timing), so the cycle works on the newest measurement without a wake-up of its own.
  if (got && (!cycled_ || time_.ms() - last_cycle_ms_ + kCycleSlackMs >= kCycleMs)) cycle();
}

void Controller::metering_cycle() {
  supervisor_.report(task_metering_);
}

// ---- lm: without a main fuse rating it manages nothing (CFG-01) ----
void Controller::lm_cycle() {
  int now = config_.fuse_configured() ? 1 : 0;
  if (now != configured_) {
    configured_ = now;
    if (now)
      log_.event("lm", "configured").kv_fixed("fuse_a", config_.fuse_da(), 1);
    else
      log_.event("lm", "unconfigured").kv("reason", "no-main-fuse").kv("action", "manage-nothing");
    panel_.set_unconfigured(!now);
  }
  if (site_) site_->cycle(time_.ms());
  supervisor_.report(task_lm_);
}

// ---- net: link state -> log lines and the STATUS LED ----
NetLed Controller::net_led(const Link::Status& s) const {
  // No cloud client yet (part 3): on a network the device is always still "looking".
  if (s.has_ip) return NetLed::Searching;
  if (s.wifi == Link::Wifi::Scanning || s.wifi == Link::Wifi::Connecting || s.wifi == Link::Wifi::GettingIp)
    return NetLed::Joining;
  if (config_.wifi_configured() && !s.eth_carrier) return NetLed::Joining;
  return NetLed::Offline;
}

void Controller::poll_link() {
  std::uint32_t ev = p_.link.take_events();
  if (ev & Link::kDnsDone) resolver_.poll(time_.ms());
  if (link_known_ && !(ev & (Link::kLinkChanged | Link::kApEvent))) return;
  Link::Status s = p_.link.status();
  resolver_.set_online(s.has_ip);
  bool changed = !link_known_ || s.eth_carrier != link_.eth_carrier || s.has_ip != link_.has_ip ||
                 s.wifi_up != link_.wifi_up || s.ap != link_.ap || s.ip != link_.ip;
  if (changed) {
    const char* via = s.eth_ip ? "ethernet" : s.wifi_up ? "wifi" : s.ap ? "hotspot" : "none";
    log_.event("net", "link")
        .kv("carrier", s.eth_carrier)
        .kv("wifi", s.wifi_up)
        .kv("hotspot", s.ap)
        .kv("via", via)
        .kv_ip("ip", s.has_ip ? s.ip : 0);
  }
  if (s.ap && !link_.ap) panel_.hotspot_up();
  link_ = s;
  link_known_ = true;
  if (net_)
    net_->on_link(s);  // it drives the STATUS LED
  else
    panel_.set_network(net_led(s));
}

void Controller::net_cycle() {
  if (net_) net_->cycle();
  if (cloud_) {
    cloud_->tick(time_.ms());
    if (net_) net_->set_cloud_up(cloud_->led_on(time_.ms()));
  }
  supervisor_.report(task_net_);
}

// ---- panel gestures (BTN-01..05) ----
void Controller::on_gesture(Gesture g, std::uint32_t held_ms) {
  switch (g) {
    case Gesture::None: break;  // BTN-01: the button-up line is all
    case Gesture::Hotspot:
      // BTN-02 / A02: ignored while Ethernet or Wi-Fi STA is connected.
      if (link_.eth_ip || link_.wifi_up) {
        log_.event("panel", "hotspot-ignored").kv("reason", "connected");
      } else {
        request_hotspot("button");
      }
      break;
    case Gesture::Restart: restart(reset_note::make(reset_note::kButton), "button"); break;
    case Gesture::EraseWifi:
      config_.erase_wifi();
      log_.event("config", "wifi-erased").kv("by", "button");
      request_hotspot("button");
      break;
    case Gesture::Stuck: log_.event("panel", "button-stuck-ignored").kv("held_ms", held_ms); break;
  }
}

void Controller::request_hotspot(const char* by) {
  // Opening the hotspot is the connectivity policy's (app/net, part 3); the panel shows the
  // fast blink until it beacons or 30 s pass (LED-05).
  log_.event("net", "hotspot-requested").kv("by", by);
  panel_.hotspot_starting();
  if (net_) net_->open_hotspot(by);
}

void Controller::restart(std::uint32_t note, const char* reason) {
  log_.event("system", "restart").kv("reason", reason);
  p_.system.set_reset_note(note);
  p_.console.flush();  // bytes still in the UART at a reset are lost
  p_.system.reset();
}

// ---- installer console ----
bool Controller::cmd_debug(void* ctx, int argc, const char* const* argv) {
  auto* c = static_cast<Controller*>(ctx);
  if (argc != 3 || std::strcmp(argv[1], "hang") != 0) return false;
  if (std::strcmp(argv[2], "loop") == 0) {
    // The whole loop stops: nothing feeds the watchdog any more.
    c->log_.event("debug", "hang").kv("task", "loop");
    c->p_.console.flush();
    volatile bool spin = true;  // volatile: an empty endless loop may legally be removed
    while (spin) {
    }
  }
  if (!c->supervisor_.hang(argv[2])) {
    c->log_.event("debug", "hang-refused").kv("task", argv[2]).kv("reason", "no-such-task");
    return true;
  }
  c->log_.event("debug", "hang").kv("task", argv[2]);
  return true;
}

bool Controller::cmd_restart(void* ctx, int argc, const char* const*) {
  if (argc != 1) return false;
  auto* c = static_cast<Controller*>(ctx);
  c->restart(reset_note::make(reset_note::kCommand), "console");
  return true;
}

bool Controller::cmd_version(void* ctx, int argc, const char* const*) {
  if (argc != 1) return false;
  auto* c = static_cast<Controller*>(ctx);
  c->log_.event("system", "version").kv("version", kFirmwareVersion).kv("serial", c->p_.system.serial());
  return true;
}

}  // namespace lmc
