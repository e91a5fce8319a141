#include "app/net/manager.h"

#include <cstring>

#include "app/socket_plan.h"

namespace lmc::net {

namespace {
void copy_text(char* dst, std::size_t cap, const char* src) {
  std::size_t n = 0;
  for (; src && src[n] && n + 1 < cap; ++n) dst[n] = src[n];
  dst[n] = 0;
}
}  // namespace

Manager::Manager(const settings::Settings& settings, Link& link, Sockets& sockets, Log& log, Resolver& resolver,
                 Panel& panel, Time& time, const char* serial)
    : set_(settings),
      link_(link),
      log_(log),
      resolver_(resolver),
      panel_(panel),
      time_(time),
      ntp_(sockets, sockets::kNtp, resolver, time, log),
      timer_("net", Callback::of<&Manager::tick>(this)) {
  // AP-01: XX = the last two digits of the serial (SE12345678 -> clemap78).
  char d[2] = {'0', '0'};
  int found = 0;
  for (std::size_t i = serial ? std::strlen(serial) : 0; i > 0 && found < 2; --i)
    if (serial[i - 1] >= '0' && serial[i - 1] <= '9') d[1 - found++] = serial[i - 1];
  if (found == 1) d[0] = '0';
  ap_ssid_[6] = d[0];
  ap_ssid_[7] = d[1];
}

void Manager::start(Loop& loop) {
  loop_ = &loop;
  loop.add(timer_);
  loop.add_poller("net", Callback::of<&Manager::poll>(this));
  started_ms_ = now();
  generation_ = set_.generation();
  copy_text(ssid_, sizeof ssid_, set_.text(settings::Id::WifiSsid));
  copy_text(password_, sizeof password_, set_.text(settings::Id::WifiPassword));
  apply_addressing();
  st_ = link_.status();
  decide();
  update_led();
  reschedule();
}

void Manager::apply_addressing() {
  Link::IpConfig c;
  c.dhcp = set_.get(settings::Id::NetStatic) == 0;
  if (!c.dhcp) {
    c.ip = static_cast<std::uint32_t>(set_.get(settings::Id::NetIp));
    c.netmask = static_cast<std::uint32_t>(set_.get(settings::Id::NetMask));
    c.gateway = static_cast<std::uint32_t>(set_.get(settings::Id::NetGateway));
    c.dns = static_cast<std::uint32_t>(set_.get(settings::Id::NetDns));
  }
  dhcp_ = c.dhcp;
  static_ip_ = c.ip;
  static_mask_ = c.netmask;
  static_gw_ = c.gateway;
  static_dns_ = c.dns;
  resolver_.command_issued();
  const bool ok = link_.set_ip(c);
  if (c.dhcp) {
    log_.event("net", "addressing").kv("mode", "dhcp").kv("ok", ok);
    return;
  }
  // The NETC refuses a static configuration without address or mask: it stays on DHCP.
  log_.event("net", "addressing")
      .kv("mode", "static")
      .kv_ip("ip", c.ip)
      .kv_ip("mask", c.netmask)
      .kv_ip("gateway", c.gateway)
      .kv_ip("dns", c.dns)
      .kv("ok", ok);
}

// ---- link events ----
void Manager::on_link(const Link::Status& s) {
  const Link::Status prev = st_;
  st_ = s;
  known_ = true;
  const std::uint64_t t = now();
  if (sta_ == Sta::Joining) {
    if (s.wifi_up) {
      sta_ = Sta::Up;
      backoff_ = kRetryMinMs;
      failing_since_ = 0;
      log_.event("net", "wifi-up").kv("ssid", ssid_).kv("rssi", static_cast<int>(s.rssi)).kv_ip("ip", s.ip);
      if (s.ap || ap_requested_) ap_close_at_ = t + kHotspotAfterJoinMs;  // AP-10: the phone sees the result
    } else if (s.wifi == Link::Wifi::Failed) {
      sta_failed(s.wifi_reason);
    }
  } else if (sta_ == Sta::Up && !s.wifi_up) {
    log_.event("net", "wifi-lost").kv("ssid", ssid_).kv("reason", s.wifi_reason);
    sta_failed(s.wifi_reason);
  }
  if (s.ap && !prev.ap) {
    ap_requested_ = false;
    ap_clients_ = s.ap_clients;
    if (!ap_clients_) ap_idle_at_ = t + kHotspotIdleMs;
    log_.event("net", "hotspot-up").kv("ssid", ap_ssid_).kv_ip("ip", kHotspotIp);
  } else if (s.ap && s.ap_clients != ap_clients_) {
    ap_clients_ = s.ap_clients;
    // AP-05: the countdown runs only while nobody is associated, from 10 min again.
    ap_idle_at_ = ap_clients_ ? 0 : t + kHotspotIdleMs;
    log_.event("net", "hotspot-clients").kv("clients", static_cast<unsigned>(ap_clients_));
  } else if (!s.ap && prev.ap) {
    ap_idle_at_ = ap_close_at_ = 0;
    ap_clients_ = 0;
  }
  ntp_.set_online(s.has_ip, t);
  decide();
  update_led();
  reschedule();
}

void Manager::sta_failed(std::uint16_t reason) {
  const std::uint64_t t = now();
  sta_ = Sta::Waiting;
  if (!failing_since_) failing_since_ = t;
  std::uint32_t delay = backoff_;
  if (st_.ap && delay < kDiscoveryRetryMs) delay = kDiscoveryRetryMs;  // A04: every 60 s in discovery
  retry_at_ = t + delay;
  backoff_ = backoff_ >= kRetryMaxMs / 2 ? kRetryMaxMs : backoff_ * 2;
  log_.event("net", "wifi-failed").kv("ssid", ssid_).kv("reason", reason).kv("retry_ms", delay);
}

// ---- decisions ----
bool Manager::wifi_wanted() const {
  if (!ssid_[0]) return false;
  if (!st_.eth_ip) return true;
  // NET-02: fail back to Ethernet only after 30 s of stable Ethernet.
  return sta_ == Sta::Up && now() - eth_up_since_ < kFailbackMs;
}

void Manager::decide() {
  const std::uint64_t t = now();
  if (st_.eth_ip && !eth_up_since_) eth_up_since_ = t;
  if (!st_.eth_ip) eth_up_since_ = 0;

  // Which link carries the traffic (the NETC prefers Ethernet when both have an address).
  const bool use_eth = st_.eth_ip, use_wifi = !use_eth && st_.wifi_up;
  if ((use_eth || use_wifi) && (on_eth_ || on_wifi_) && (use_eth != on_eth_ || use_wifi != on_wifi_))
    log_.event("net", "switch").kv("from", on_eth_ ? "ethernet" : "wifi").kv("to", use_eth ? "ethernet" : "wifi");
  if (use_eth || use_wifi) {  // remembered across a gap without any link
    on_eth_ = use_eth;
    on_wifi_ = use_wifi;
  }

  // AP-04: an Ethernet cable switches the hotspot off.
  if (st_.eth_carrier && (st_.ap || ap_requested_)) close_hotspot("ethernet");
  if (ap_close_at_ && t >= ap_close_at_) close_hotspot("wifi-joined");
  if (ap_idle_at_ && t >= ap_idle_at_ && st_.ap && !ap_clients_) close_hotspot("idle");

  // Boot (A04): without Wi-Fi credentials and without Ethernet the hotspot opens at once;
  // "at once" waits for a plugged cable's auto-negotiation (1 s) first.
  const bool booting = t - started_ms_ < kEthGraceMs;
  if (!boot_decided_ && !booting) {
    boot_decided_ = true;
    if (!ssid_[0] && !st_.eth_carrier && !st_.ap && !ap_requested_) open_hotspot("boot");
  }

  // Wi-Fi station.
  if (!wifi_wanted()) {
    if (sta_ != Sta::Off) leave(ssid_[0] ? "ethernet" : "no-credentials");
  } else if (!booting) {  // a plugged cable gets its address within the grace time
    if (sta_ == Sta::Off || (sta_ == Sta::Waiting && t >= retry_at_)) join();
  }
  // AP-07 / AP-11: 3 min of failed joins open the hotspot (once per failure episode).
  if (failing_since_ && t - failing_since_ >= kDiscoveryMs && !discovery_ && !st_.ap && !ap_requested_ &&
      !st_.eth_carrier) {
    discovery_ = true;
    open_hotspot("discovery");
  }
  if (!failing_since_) discovery_ = false;
}

void Manager::join() {
  resolver_.command_issued();
  sta_ = Sta::Joining;
  log_.event("net", "wifi-join").kv("ssid", ssid_);
  if (!link_.join(ssid_, password_)) sta_failed(0);
}

void Manager::leave(const char* why) {
  resolver_.command_issued();
  link_.leave();
  sta_ = Sta::Off;
  backoff_ = kRetryMinMs;
  failing_since_ = 0;
  log_.event("net", "wifi-leave").kv("reason", why);
}

bool Manager::open_hotspot(const char* by) {
  if (st_.eth_carrier) {  // AP-04: it would be switched off at once
    log_.event("net", "hotspot-refused").kv("by", by).kv("reason", "ethernet");
    return false;
  }
  if (st_.ap) {  // already beaconing: a fresh 10 minutes
    if (!ap_clients_) ap_idle_at_ = now() + kHotspotIdleMs;
    log_.event("net", "hotspot-extended").kv("by", by);
    reschedule();
    return true;
  }
  resolver_.command_issued();
  if (!link_.ap_start(ap_ssid_, kHotspotPassword, kHotspotIp)) {
    log_.event("net", "hotspot-refused").kv("by", by).kv("reason", "netc");
    return false;
  }
  ap_requested_ = true;
  log_.event("net", "hotspot-start").kv("ssid", ap_ssid_).kv("by", by);
  return true;
}

void Manager::close_hotspot(const char* reason) {
  resolver_.command_issued();
  link_.ap_stop();
  ap_requested_ = false;
  ap_idle_at_ = ap_close_at_ = 0;
  log_.event("net", "hotspot-off").kv("reason", reason);
}

void Manager::cycle() {
  if (set_.generation() == generation_) return;
  generation_ = set_.generation();
  const char* ssid = set_.text(settings::Id::WifiSsid);
  const char* pw = set_.text(settings::Id::WifiPassword);
  if (std::strcmp(ssid, ssid_) != 0 || std::strcmp(pw, password_) != 0) {
    if (sta_ != Sta::Off) leave("new-credentials");
    copy_text(ssid_, sizeof ssid_, ssid);
    copy_text(password_, sizeof password_, pw);
    backoff_ = kRetryMinMs;
    failing_since_ = 0;
  }
  Link::IpConfig want;
  want.dhcp = set_.get(settings::Id::NetStatic) == 0;
  if (want.dhcp != dhcp_ ||
      (!want.dhcp && (static_cast<std::uint32_t>(set_.get(settings::Id::NetIp)) != static_ip_ ||
                      static_cast<std::uint32_t>(set_.get(settings::Id::NetMask)) != static_mask_ ||
                      static_cast<std::uint32_t>(set_.get(settings::Id::NetGateway)) != static_gw_ ||
                      static_cast<std::uint32_t>(set_.get(settings::Id::NetDns)) != static_dns_)))
    apply_addressing();
  decide();
  update_led();
  reschedule();
}

void Manager::set_cloud_up(bool up) {
  if (up == cloud_up_) return;
  cloud_up_ = up;
  update_led();
}

NetLed Manager::led() const {
  if (st_.has_ip) return cloud_up_ ? NetLed::Online : NetLed::Searching;  // LED-04 / LED-03
  if (ssid_[0]) return NetLed::Joining;                                   // LED-02
  return NetLed::Offline;                                                 // LED-01
}

void Manager::update_led() {
  NetLed n = led();
  if (n == led_ && known_) return;
  led_ = n;
  panel_.set_network(n);
}

// ---- time ----
void Manager::tick() {
  decide();
  update_led();
  reschedule();
}

void Manager::poll() {
  ntp_.poll(now());
  if (ntp_.next_due() != ntp_due_) reschedule();
}

void Manager::reschedule() {
  if (!loop_) return;
  std::uint64_t next = 0;
  auto consider = [&next](std::uint64_t at) {
    if (at && (!next || at < next)) next = at;
  };
  if (!boot_decided_) consider(started_ms_ + kEthGraceMs);
  if (sta_ == Sta::Waiting) consider(retry_at_);
  if (sta_ == Sta::Up && st_.eth_ip && eth_up_since_) consider(eth_up_since_ + kFailbackMs);
  if (failing_since_ && !discovery_) consider(failing_since_ + kDiscoveryMs);
  consider(ap_idle_at_);
  consider(ap_close_at_);
  ntp_due_ = ntp_.next_due();
  consider(ntp_due_);
  if (next)
    loop_->start_at(timer_, next);
  else
    loop_->stop(timer_);
}

}  // namespace lmc::net
