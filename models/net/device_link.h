// The device's attachment to the site network: the Ethernet PHY (cable knob, carrier after
// auto-negotiation), the Wi-Fi station (scan, join with ESP32 failure reasons and timings,
// beacon loss), the hotspot (the device's own access point with a small DHCP range), DHCP or
// static addressing, a DNS client with retries, and transport for the controller's sockets.
// Implements DevicePort (netif.h), provided as service "net.device". Timings: docs/network.md.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/net/lan.h"
#include "models/net/router.h"
#include "models/net/wifi.h"

namespace lmsim::net {

class DeviceLink : public DevicePort, private UdpPeer {
 public:
  static constexpr Time kEthNegotiation = 1 * kSec;
  static constexpr Time kScanTime = 1500 * kMs;     // active scan of the 13 channels
  static constexpr Time kAuthTime = 50 * kMs;       // authentication + association
  static constexpr Time kHandshake = 20 * kMs;      // WPA2 4-way handshake
  static constexpr Time kWrongPassword = 4 * kSec;  // EAPOL retries before reason 15
  static constexpr Time kWeakAuth = 1 * kSec;       // lost authentication frames before reason 2
  static constexpr Time kBeaconTimeout = 6 * kSec;
  static constexpr Time kDhcpTurnaround = 10 * kMs;
  static constexpr Time kDhcpRetry = 4 * kSec;
  static constexpr Time kApStart = 1 * kSec;
  static constexpr Time kEthLatency = 100 * kUs, kWifiLatency = 1500 * kUs;
  static constexpr std::uint16_t kDnsPort = 53053;

  DeviceLink(Lan& lan, Wifi& wifi, Router& router, RogueServer* rogue, bool eth_plugged);

  Host& lan_host() { return *lan_host_; }
  Host& ap_host() { return *ap_host_; }

  // Hotspot side, for phones: 0 on success (the client gets an address), else a WifiReason.
  int ap_associate(Host& client, const std::string& ssid, const std::string& password,
                   std::function<void(Time)> on_drop, Time t);
  void ap_leave(Host& client, Time t);

  // DevicePort
  void attach(DeviceEvents* ev) override { ev_ = ev; }
  bool attached() const { return ev_ != nullptr; }  // a network controller uses this link
  void set_enabled(bool on, Time t) override;
  void reset_peers(Time t) override { lan_.host_reset(lan_host_->ip(), t); }
  void set_mac(std::uint64_t mac) override { mac_ = mac; }
  void set_ip_config(const IpConfig& c, Time t) override;
  void wifi_scan(Time t) override;
  void wifi_join(const std::string& ssid, const std::string& password, Time t) override;
  void wifi_leave(Time t) override;
  void ap_start(const std::string& ssid, const std::string& password, Ip ip, Time t) override;
  void ap_stop(Time t) override;
  LinkInfo link() const override;
  void dns_lookup(const std::string& name, Time t, std::function<void(Ip, Time)> done) override;

  // Transport
  ConnId tcp_connect(Endpoint to, TcpPeer* peer, Time t, Time timeout) override;
  std::size_t tcp_send(ConnId c, std::string_view bytes, Time t) override { return lan_host_->tcp_send(c, bytes, t); }
  void tcp_window_opened(ConnId c, Time t) override { lan_host_->tcp_window_opened(c, t); }
  void tcp_close(ConnId c, Time t) override { lan_host_->tcp_close(c, t); }
  void tcp_abort(ConnId c, Time t) override { lan_host_->tcp_abort(c, t); }
  void tcp_listen(std::uint16_t port, TcpAcceptor* a) override;
  void tcp_unlisten(std::uint16_t port) override;
  void udp_bind(std::uint16_t port, UdpPeer* p) override;
  void udp_unbind(std::uint16_t port) override;
  void udp_send(std::uint16_t from_port, Endpoint to, std::string_view bytes, Time t) override;

 private:
  struct Iface {
    Ip ip = 0, mask = 0, gw = 0, dns = 0;
  };
  struct DnsQuery {
    std::string name;
    std::function<void(Ip, Time)> done;
    int tries = 0;
  };
  Host& host_for(Ip dst);
  void eth_changed(Time t);
  void dhcp(bool eth, Time t);
  void join_step(unsigned gen, Time t);
  void wifi_fail(std::uint8_t reason, Time t);
  void wifi_disconnect(std::uint8_t reason, Time t);
  void radio_changed();
  void update_address(Time t);
  void publish(Time t);
  void dns_try(unsigned id, Time t);
  void udp_datagram(Endpoint from, std::uint16_t port, std::string_view bytes, Time t) override;

  Lan& lan_;
  Wifi& wifi_;
  Router& router_;
  RogueServer* rogue_;
  Host* lan_host_;
  Host* ap_host_;
  DeviceEvents* ev_ = nullptr;
  bool enabled_ = false;
  std::uint64_t mac_ = 0;
  IpConfig ipcfg_;
  // Ethernet
  bool carrier_ = false;
  Iface eth_;
  unsigned eth_gen_ = 0;      // DHCP on Ethernet
  unsigned carrier_gen_ = 0;  // auto-negotiation
  // Wi-Fi station
  WifiState state_ = WifiState::Idle;
  std::uint8_t reason_ = 0;
  std::string ssid_, pass_;
  AccessPoint* ap_ = nullptr;
  Iface wifi_ip_;
  unsigned wifi_gen_ = 0;
  bool beacon_check_ = false;
  // Hotspot
  bool ap_on_ = false;
  std::string ap_ssid_, ap_pass_;
  Ip ap_ip_ = 0;
  unsigned ap_gen_ = 0;
  struct ApClient {
    Host* host;
    std::function<void(Time)> on_drop;
  };
  std::vector<ApClient> ap_clients_;
  Ip next_ap_client_ = 0;
  // DNS client
  std::map<unsigned, DnsQuery> dns_;
  unsigned dns_id_ = 0;

  Signal *eth_link_, *eth_carrier_, *wifi_link_, *wifi_state_, *wifi_reason_, *wifi_rssi_, *wifi_ssid_, *ip_sig_,
      *iface_sig_, *ap_clients_sig_, *ap_ssid_sig_;
};

}  // namespace lmsim::net
