#include "models/net/device_link.h"

#include <algorithm>

namespace lmsim::net {

namespace {
const std::vector<std::string> kWifiStates = {"idle", "scanning", "connecting", "getting_ip", "connected", "failed"};
}

DeviceLink::DeviceLink(Lan& lan, Wifi& wifi, Router& router, RogueServer* rogue, bool eth_plugged)
    : lan_(lan), wifi_(wifi), router_(router), rogue_(rogue) {
  auto& reg = lan.site().registry();
  lan_host_ = &lan.add_host("device", Segment::Lan);
  lan_host_->add_knobs(reg, "net.device", 0, 0);
  lan_host_->powered = [this] { return enabled_; };
  lan_host_->hostnames = {"clemap", "clemap.lan"};
  lan_host_->udp_bind(kDnsPort, this);
  ap_host_ = &lan.add_host("device.ap", Segment::Hotspot);
  ap_host_->powered = [this] { return enabled_ && ap_on_; };

  eth_link_ = &reg.add_bool("net.eth.link", eth_plugged).as_knob().describe("Ethernet cable plugged into the device");
  eth_carrier_ = &reg.add_bool("net.eth.carrier", false).describe("Ethernet carrier (after auto-negotiation)");
  wifi_link_ = &reg.add_enum("net.wifi.link", {"down", "up"}, 0)
                    .as_knob()
                    .describe("device Wi-Fi connected with an address; writing down drops the radio link (reason 200)");
  wifi_state_ = &reg.add_enum("net.wifi.state", kWifiStates, 0).describe("device Wi-Fi station state");
  wifi_reason_ = &reg.add_number("net.wifi.reason", "", 0).describe("last Wi-Fi disconnect reason (ESP32 codes)");
  wifi_rssi_ = &reg.add_number("net.wifi.rssi", "dBm", 0).describe("RSSI of the joined access point");
  wifi_ssid_ = &reg.add_string("net.wifi.ssid").describe("SSID the device joins or joined");
  ip_sig_ = &reg.add_string("net.device.ip").describe("the device's LAN address (Ethernet first, then Wi-Fi)");
  iface_sig_ = &reg.add_enum("net.device.iface", {"none", "ethernet", "wifi"}, 0).describe("interface in use");
  ap_clients_sig_ = &reg.add_number("net.ap.clients", "", 0).describe("clients on the device hotspot");
  ap_ssid_sig_ = &reg.add_string("net.ap.ssid").describe("SSID of the device hotspot");
  lan_host_->attach_ip_signal(ip_sig_);

  eth_link_->on_write = [this](Signal&) { eth_changed(Scheduler::now()); };
  wifi_link_->on_write = [this](Signal&) {
    Time t = Scheduler::now();
    bool want_down = wifi_link_->value() == 0;
    if (want_down && (state_ == WifiState::Connected || state_ == WifiState::GettingIp))
      wifi_disconnect(kReasonBeaconTimeout, t);
    publish(t);  // the knob always shows the real state
  };
  wifi_.on_change([this] { radio_changed(); });
  if (eth_plugged) eth_changed(0);  // powered up with the cable in: carrier after negotiation
}

// ---------------------------------------------------------------------------------------
// Enable, addressing

void DeviceLink::set_enabled(bool on, Time t) {
  if (on == enabled_ && on) return;
  ++eth_gen_;
  ++wifi_gen_;
  ++ap_gen_;
  if (!on) {
    // Everything volatile is gone: connections, bindings, the radio, the hotspot, leases.
    lan_.forget(*lan_host_, t);
    lan_.forget(*ap_host_, t);
    for (Host* h : {lan_host_, ap_host_}) {
      h->listeners_.clear();
      h->udp_.clear();
    }
    lan_host_->udp_bind(kDnsPort, this);
    dns_.clear();
    if (ap_ && ap_->clients > 0) --ap_->clients;
    ap_ = nullptr;
    state_ = WifiState::Idle;
    reason_ = 0;
    wifi_ip_ = {};
    eth_ = {};
    beacon_check_ = false;
    if (ap_on_) ap_stop(t);
  }
  enabled_ = on;
  if (on && carrier_) dhcp(true, t);
  update_address(t);
  publish(t);
}

void DeviceLink::set_ip_config(const IpConfig& c, Time t) {
  ipcfg_ = c;
  if (!c.dhcp) {
    Iface st{c.ip, c.mask, c.gateway, c.dns};
    if (carrier_ && enabled_) eth_ = st;
    if (state_ == WifiState::GettingIp || state_ == WifiState::Connected) {
      wifi_ip_ = st;
      state_ = WifiState::Connected;
    }
    update_address(t);
    publish(t);
  }
}

Host& DeviceLink::host_for(Ip dst) {
  if (ap_on_ && ap_ip_ && same_subnet(dst, ap_ip_, 0xFFFFFF00)) return *ap_host_;
  return *lan_host_;
}

void DeviceLink::update_address(Time t) {
  Iface use;
  int iface = 0;
  if (enabled_ && eth_.ip) {
    use = eth_;
    iface = 1;
    lan_host_->extra_latency = kEthLatency;
    lan_host_->extra_loss = 0;
  } else if (enabled_ && wifi_ip_.ip && state_ == WifiState::Connected && ap_) {
    use = wifi_ip_;
    iface = 2;
    lan_host_->extra_latency = kWifiLatency;
    lan_host_->extra_loss = Wifi::loss_at(wifi_.level(*ap_));
  }
  const bool moved = static_cast<int>(iface_sig_->value()) != iface;
  iface_sig_->set(iface, t);
  if (use.ip == lan_host_->ip() && use.mask == lan_host_->mask() && use.gw == lan_host_->gateway()) {
    lan_host_->set_address(use.ip, use.mask, use.gw, use.dns);
    // Same lease on the other interface (Wi-Fi -> Ethernet): LINK still changed (ETH_IP).
    if (moved && ev_) ev_->link_changed(t);
    return;
  }
  // The address went away or changed: sockets on the old one are closed (as ESP-AT does);
  // their remote ends are not told.
  if (lan_host_->ip()) lan_.drop_local(*lan_host_, TcpError::NoLink, t);
  lan_host_->set_address(use.ip, use.mask, use.gw, use.dns);
  if (ev_) ev_->link_changed(t);
}

void DeviceLink::publish(Time t) {
  eth_carrier_->set(carrier_ ? 1 : 0, t);
  bool up = state_ == WifiState::Connected && wifi_ip_.ip;
  wifi_link_->set(up ? 1 : 0, t);
  wifi_state_->set(static_cast<double>(state_), t);
  wifi_reason_->set(reason_, t);
  wifi_rssi_->set(ap_ ? std::round(wifi_.level(*ap_)) : 0, t);
  if (wifi_ssid_->text() != ssid_) wifi_ssid_->set_text(ssid_, t);
  if (ap_ssid_sig_->text() != (ap_on_ ? ap_ssid_ : std::string())) ap_ssid_sig_->set_text(ap_on_ ? ap_ssid_ : "", t);
  ap_clients_sig_->set(static_cast<double>(ap_clients_.size()), t);
}

void DeviceLink::dhcp(bool eth, Time t) {
  unsigned gen = eth ? eth_gen_ : wifi_gen_;
  if (!ipcfg_.dhcp) {
    Iface st{ipcfg_.ip, ipcfg_.mask, ipcfg_.gateway, ipcfg_.dns};
    (eth ? eth_ : wifi_ip_) = st;
    if (!eth) state_ = WifiState::Connected;
    update_address(t);
    publish(t);
    return;
  }
  // DISCOVER, OFFER, REQUEST, ACK: four one-way trips plus the server's turnaround. A rogue
  // server on the LAN answers first.
  bool rogue = rogue_ && rogue_->active() && rogue_->host().link_up();
  Host& server = rogue ? rogue_->host() : router_.host();
  Time hop = (eth ? kEthLatency : kWifiLatency) + server.latency();
  lan_.sched().at(t + 4 * hop + kDhcpTurnaround, [this, eth, gen, rogue] {
    Time now = Scheduler::now();
    if (gen != (eth ? eth_gen_ : wifi_gen_) || !enabled_) return;
    if (eth ? !carrier_ : !(state_ == WifiState::GettingIp || state_ == WifiState::Connected)) return;
    std::string client = "device";
    Iface got;
    if (rogue) {
      got = {rogue_->lease(client), 0xFFFFFF00, rogue_->ip(), rogue_->ip()};
    } else if (router_.host().link_up()) {
      Ip ip = router_.lease(client, false);
      if (ip) got = {ip, router_.mask(), router_.ip(), router_.ip()};
    }
    if (!got.ip) {  // no answer: DHCP client retries
      lan_.sched().at(now + kDhcpRetry, [this, eth, gen] {
        if (gen == (eth ? eth_gen_ : wifi_gen_)) dhcp(eth, Scheduler::now());
      });
      return;
    }
    (eth ? eth_ : wifi_ip_) = got;
    if (!eth) state_ = WifiState::Connected;
    update_address(now);
    publish(now);
  });
}

// ---------------------------------------------------------------------------------------
// Ethernet

void DeviceLink::eth_changed(Time t) {
  bool plugged = eth_link_->as_bool();
  ++eth_gen_;
  ++carrier_gen_;
  if (!plugged) {
    carrier_ = false;
    eth_ = {};
    update_address(t);
    publish(t);
    if (ev_) ev_->link_changed(t);
    return;
  }
  if (carrier_) return;
  unsigned gen = carrier_gen_;
  lan_.sched().at(t + kEthNegotiation, [this, gen] {
    if (gen != carrier_gen_) return;
    Time now = Scheduler::now();
    carrier_ = true;
    publish(now);
    if (ev_) ev_->link_changed(now);
    if (enabled_) dhcp(true, now);
  });
}

// ---------------------------------------------------------------------------------------
// Wi-Fi station

void DeviceLink::wifi_scan(Time t) {
  if (!enabled_) return;
  lan_.sched().at(t + kScanTime, [this, gen = wifi_gen_] {
    (void)gen;
    std::vector<ScanEntry> r;
    for (auto& ap : wifi_.aps())
      if (!ap->hotspot && wifi_.heard(*ap))
        r.push_back(
            {ap->ssid, static_cast<int>(std::round(wifi_.level(*ap))), ap->channel, !ap->password.empty(), 2.4e9});
    std::stable_sort(r.begin(), r.end(), [](auto& a, auto& b) { return a.rssi > b.rssi; });
    if (ev_ && enabled_) ev_->scan_done(r, Scheduler::now());
  });
}

void DeviceLink::wifi_join(const std::string& ssid, const std::string& password, Time t) {
  if (!enabled_) return;
  if (ap_) wifi_disconnect(kReasonAssocLeave, t);
  ++wifi_gen_;
  state_ = WifiState::Connecting;
  reason_ = 0;
  ssid_ = ssid;
  pass_ = password;
  publish(t);
  if (ev_) ev_->link_changed(t);
  unsigned gen = wifi_gen_;
  lan_.sched().at(t + kScanTime, [this, gen] { join_step(gen, Scheduler::now()); });
}

void DeviceLink::join_step(unsigned gen, Time t) {
  if (gen != wifi_gen_) return;
  AccessPoint* ap = wifi_.find(ssid_);
  if (ap && ap->hotspot) ap = nullptr;
  if (!ap || !wifi_.heard(*ap)) return wifi_fail(kReasonNoApFound, t);
  auto later = [this, gen](Time at, std::uint8_t reason) {
    lan_.sched().at(at, [this, gen, reason] {
      if (gen == wifi_gen_) wifi_fail(reason, Scheduler::now());
    });
  };
  if (wifi_.level(*ap) < Wifi::kJoinFloor) return later(t + kWeakAuth, kReasonAuthExpire);
  if (ap->clients >= ap->max_clients) return later(t + kAuthTime, kReasonAuthFail);
  if (ap->password != pass_) return later(t + kAuthTime + kWrongPassword, kReason4WayHandshakeTimeout);
  lan_.sched().at(t + kAuthTime + kHandshake, [this, gen, ap] {
    if (gen != wifi_gen_) return;
    Time now = Scheduler::now();
    if (!wifi_.heard(*ap)) return wifi_fail(kReasonNoApFound, now);
    ap_ = ap;
    ++ap->clients;
    state_ = WifiState::GettingIp;
    publish(now);
    if (ev_) ev_->link_changed(now);
    dhcp(false, now);
  });
}

void DeviceLink::wifi_fail(std::uint8_t reason, Time t) {
  state_ = WifiState::Failed;
  reason_ = reason;
  publish(t);
  lan_.site().log(LogLevel::Info, "net.wifi", "join '" + ssid_ + "' failed, reason " + std::to_string(reason));
  if (ev_) ev_->link_changed(t);
}

void DeviceLink::wifi_disconnect(std::uint8_t reason, Time t) {
  ++wifi_gen_;
  if (ap_ && ap_->clients > 0) --ap_->clients;
  ap_ = nullptr;
  wifi_ip_ = {};
  beacon_check_ = false;
  state_ = reason == kReasonAssocLeave ? WifiState::Idle : WifiState::Failed;
  reason_ = reason;
  update_address(t);
  publish(t);
  if (reason != kReasonAssocLeave)
    lan_.site().log(LogLevel::Info, "net.wifi", "disconnected from '" + ssid_ + "', reason " + std::to_string(reason));
  if (ev_) ev_->link_changed(t);
}

void DeviceLink::wifi_leave(Time t) {
  if (!enabled_) return;
  if (ap_) {
    wifi_disconnect(kReasonAssocLeave, t);
    return;
  }
  ++wifi_gen_;
  state_ = WifiState::Idle;
  publish(t);
  if (ev_) ev_->link_changed(t);
}

void DeviceLink::radio_changed() {
  Time t = Scheduler::now();
  if (!ap_) {
    publish(t);
    return;
  }
  lan_host_->extra_loss = Wifi::loss_at(wifi_.level(*ap_));
  publish(t);
  if (wifi_.heard(*ap_) || beacon_check_) return;
  // Beacons stopped: the station notices after the beacon timeout unless they return.
  beacon_check_ = true;
  unsigned gen = wifi_gen_;
  lan_.sched().at(t + kBeaconTimeout, [this, gen] {
    if (gen != wifi_gen_) return;
    beacon_check_ = false;
    if (ap_ && !wifi_.heard(*ap_)) wifi_disconnect(kReasonBeaconTimeout, Scheduler::now());
  });
}

// ---------------------------------------------------------------------------------------
// Hotspot

void DeviceLink::ap_start(const std::string& ssid, const std::string& password, Ip ip, Time t) {
  if (!enabled_) return;
  unsigned gen = ++ap_gen_;
  lan_.sched().at(t + kApStart, [this, gen, ssid, password, ip] {
    if (gen != ap_gen_) return;
    Time now = Scheduler::now();
    ap_on_ = true;
    ap_ssid_ = ssid;
    ap_pass_ = password;
    ap_ip_ = ip ? ip : 0xC0A80401;  // 192.168.4.1
    ap_host_->set_address(ap_ip_, 0xFFFFFF00, 0, 0);
    next_ap_client_ = 0;
    wifi_.set_hotspot(ssid, password, true);
    publish(now);
    if (ev_) ev_->link_changed(now);
  });
}

void DeviceLink::ap_stop(Time t) {
  ++ap_gen_;
  if (!ap_on_) return;
  ap_on_ = false;
  auto clients = std::move(ap_clients_);
  ap_clients_.clear();
  lan_.forget(*ap_host_, t);
  ap_host_->set_address(0, 0, 0, 0);
  wifi_.set_hotspot(ap_ssid_, ap_pass_, false);
  for (auto& c : clients)
    if (c.on_drop) c.on_drop(t);
  publish(t);
  if (ev_) {
    ev_->ap_clients_changed(t);
    ev_->link_changed(t);
  }
}

int DeviceLink::ap_associate(Host& client, const std::string& ssid, const std::string& password,
                             std::function<void(Time)> on_drop, Time t) {
  AccessPoint* hs = wifi_.hotspot();
  if (!ap_on_ || !hs || hs->ssid != ssid || hs->signal->value() < Wifi::kSensitivity) return kReasonNoApFound;
  if (hs->password != password) return kReason4WayHandshakeTimeout;
  if (static_cast<int>(ap_clients_.size()) >= 4) return kReasonAuthFail;  // ESP32 soft-AP default limit
  Ip ip = (ap_ip_ & 0xFFFFFF00) | (((ap_ip_ & 0xFF) + 1 + next_ap_client_++) & 0xFF);
  client.set_segment(Segment::Hotspot);
  client.set_address(ip, 0xFFFFFF00, ap_ip_, ap_ip_);
  ap_clients_.push_back({&client, std::move(on_drop)});
  publish(t);
  if (ev_) ev_->ap_clients_changed(t);
  return 0;
}

void DeviceLink::ap_leave(Host& client, Time t) {
  auto it = std::find_if(ap_clients_.begin(), ap_clients_.end(), [&](auto& c) { return c.host == &client; });
  if (it == ap_clients_.end()) return;
  ap_clients_.erase(it);
  publish(t);
  if (ev_) ev_->ap_clients_changed(t);
}

LinkInfo DeviceLink::link() const {
  LinkInfo l;
  l.eth_carrier = carrier_;
  l.eth_ip = eth_.ip != 0;
  l.wifi = state_;
  l.wifi_reason = reason_;
  l.rssi = ap_ ? static_cast<int>(std::round(wifi_.level(*ap_))) : 0;
  l.ap_active = ap_on_;
  l.ap_clients = static_cast<int>(ap_clients_.size());
  l.ip = lan_host_->ip();
  l.mask = lan_host_->mask();
  l.gateway = lan_host_->gateway();
  l.dns = lan_host_->dns();
  l.ap_ip = ap_on_ ? ap_ip_ : 0;
  return l;
}

// ---------------------------------------------------------------------------------------
// DNS client: tries after 1 s, 2 s, 2 s, then gives up (5 s).

void DeviceLink::dns_lookup(const std::string& name, Time t, std::function<void(Ip, Time)> done) {
  if (!lan_host_->ip() || !lan_host_->dns()) {
    lan_.sched().at(t, [done, t] { done(0, t); });
    return;
  }
  unsigned id = ++dns_id_;
  dns_[id] = {name, std::move(done), 0};
  dns_try(id, t);
}

void DeviceLink::dns_try(unsigned id, Time t) {
  auto it = dns_.find(id);
  if (it == dns_.end()) return;
  if (it->second.tries == 3) {
    auto done = std::move(it->second.done);
    dns_.erase(it);
    done(0, t);
    return;
  }
  ++it->second.tries;
  lan_host_->udp_send(kDnsPort, {lan_host_->dns(), 53}, "Q " + std::to_string(id) + " " + it->second.name, t);
  Time wait = it->second.tries == 1 ? 1 * kSec : 2 * kSec;
  lan_.sched().at(t + wait, [this, id] { dns_try(id, Scheduler::now()); });
}

void DeviceLink::udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) {
  char kind;
  unsigned id;
  std::string arg;
  if (!parse_dns(bytes, kind, id, arg) || kind != 'A') return;
  auto it = dns_.find(id);
  if (it == dns_.end()) return;
  auto done = std::move(it->second.done);
  dns_.erase(it);
  done(arg == "0" ? 0 : parse_ip(arg), t);
}

// ---------------------------------------------------------------------------------------
// Transport

ConnId DeviceLink::tcp_connect(Endpoint to, TcpPeer* peer, Time t, Time timeout) {
  return host_for(to.ip).tcp_connect(to, peer, t, timeout);
}

void DeviceLink::tcp_listen(std::uint16_t port, TcpAcceptor* a) {
  lan_host_->tcp_listen(port, a);
  ap_host_->tcp_listen(port, a);
}

void DeviceLink::tcp_unlisten(std::uint16_t port) {
  lan_host_->tcp_unlisten(port);
  ap_host_->tcp_unlisten(port);
}

void DeviceLink::udp_bind(std::uint16_t port, UdpPeer* p) {
  if (port == kDnsPort) return;
  lan_host_->udp_bind(port, p);
  ap_host_->udp_bind(port, p);
}

void DeviceLink::udp_unbind(std::uint16_t port) {
  if (port == kDnsPort) return;
  lan_host_->udp_unbind(port);
  ap_host_->udp_unbind(port);
}

void DeviceLink::udp_send(std::uint16_t from_port, Endpoint to, std::string_view bytes, Time t) {
  host_for(to.ip).udp_send(from_port, to, bytes, t);
}

}  // namespace lmsim::net
