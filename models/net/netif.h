// The contract between the network (models/net) and the device's network controller
// (models/mcu/netc.*): header-only and abstract so that the MCU library needs no link-time
// dependency on the network library. The network provides a DevicePort as service
// "net.device" (see build.cpp); the controller looks it up when time starts.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/units.h"

namespace lmsim::net {

using Ip = std::uint32_t;  // IPv4 in host byte order; 0 = none
using ConnId = std::uint32_t;

struct Endpoint {
  Ip ip = 0;
  std::uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

// "192.168.1.20" <-> Ip. parse_ip returns 0 for malformed text.
Ip parse_ip(std::string_view s);
std::string format_ip(Ip ip);

// Why a TCP connection ended (or did not start). Values are the NETC socket error codes.
enum class TcpError : std::uint8_t {
  None = 0,          // orderly close (FIN)
  Refused = 1,       // RST answering the SYN: host up, nothing listening or listener full
  Timeout = 2,       // connect timeout: SYN never answered (host gone, firewall, outage)
  Reset = 3,         // RST on an established connection (peer rebooted, aborted)
  NoLink = 4,        // the device has no address / no link
  RetryTimeout = 6,  // data never acknowledged after all retransmissions
  Aborted = 7,       // closed locally (abort, link loss)
};

// One end of a TCP connection. The network calls these at the simulated time of the event.
class TcpPeer {
 public:
  virtual ~TcpPeer() = default;
  virtual void tcp_connected(ConnId, Time) {}
  // Bytes in order; never more than tcp_rx_window() allowed when they were sent.
  virtual void tcp_data(ConnId, std::string_view bytes, Time t) = 0;
  // Acknowledged bytes of ours (n may be 0: the peer's window opened).
  virtual void tcp_acked(ConnId, std::size_t n, Time) {}
  virtual void tcp_closed(ConnId, TcpError why, Time t) = 0;
  virtual std::size_t tcp_rx_window(ConnId) { return SIZE_MAX; }
};

// A listening port. Returns the peer for a new connection, or nullptr to refuse (RST).
class TcpAcceptor {
 public:
  virtual ~TcpAcceptor() = default;
  virtual TcpPeer* tcp_accept(ConnId, Endpoint local, Endpoint remote, Time t) = 0;
};

class UdpPeer {
 public:
  virtual ~UdpPeer() = default;
  virtual void udp_datagram(Endpoint from, std::uint16_t local_port, std::string_view bytes, Time t) = 0;
};

// The TCP/UDP services of the network as seen by one attached host.
class Transport {
 public:
  virtual ~Transport() = default;
  // `timeout`: connect timeout. Events arrive through `peer`. Returns the connection id.
  virtual ConnId tcp_connect(Endpoint to, TcpPeer* peer, Time t, Time timeout) = 0;
  // Queues bytes (all of them); they leave as the peer's receive window allows. Returns the
  // count queued, 0 if the connection cannot send (not established, closed).
  virtual std::size_t tcp_send(ConnId c, std::string_view bytes, Time t) = 0;
  // Our receive window opened (the application consumed data).
  virtual void tcp_window_opened(ConnId c, Time t) = 0;
  virtual void tcp_close(ConnId c, Time t) = 0;  // FIN after queued data
  virtual void tcp_abort(ConnId c, Time t) = 0;  // RST; no more callbacks
  virtual void tcp_listen(std::uint16_t port, TcpAcceptor* a) = 0;
  virtual void tcp_unlisten(std::uint16_t port) = 0;
  virtual void udp_bind(std::uint16_t port, UdpPeer* p) = 0;
  virtual void udp_unbind(std::uint16_t port) = 0;
  virtual void udp_send(std::uint16_t from_port, Endpoint to, std::string_view bytes, Time t) = 0;
};

// ESP32 Wi-Fi disconnect reasons (esp_wifi_types.h) used by the model. docs/network.md.
enum WifiReason : std::uint8_t {
  kReasonNone = 0,
  kReasonAuthExpire = 2,             // weak signal: authentication frames lost
  kReasonAssocLeave = 8,             // we left (WIFI_LEAVE)
  kReason4WayHandshakeTimeout = 15,  // wrong password
  kReasonBeaconTimeout = 200,        // AP vanished or signal lost while connected
  kReasonNoApFound = 201,            // SSID not heard (absent, 5 GHz only, too weak)
  kReasonAuthFail = 202,             // AP rejected us (client limit, MAC filter)
  kReasonHandshakeTimeout = 204,     // group key handshake timeout (not produced yet)
};

enum class WifiState : std::uint8_t {
  Idle = 0,
  Scanning = 1,
  Connecting = 2,
  GettingIp = 3,
  Connected = 4,
  Failed = 5
};

struct ScanEntry {
  std::string ssid;
  int rssi = 0;  // dBm
  int channel = 1;
  bool secured = true;
  double band_hz = 2.4e9;
};

struct LinkInfo {
  bool eth_carrier = false;
  bool eth_ip = false;
  WifiState wifi = WifiState::Idle;
  std::uint8_t wifi_reason = 0;
  int rssi = 0;
  bool ap_active = false;
  int ap_clients = 0;
  Ip ip = 0, mask = 0, gateway = 0, dns = 0;  // the LAN interface in use (Ethernet first)
  Ip ap_ip = 0;
};

struct IpConfig {
  bool dhcp = true;
  Ip ip = 0, mask = 0, gateway = 0, dns = 0;
};

// Events from the network to the device's controller.
class DeviceEvents {
 public:
  virtual ~DeviceEvents() = default;
  virtual void link_changed(Time t) = 0;
  virtual void scan_done(const std::vector<ScanEntry>& r, Time t) = 0;
  virtual void ap_clients_changed(Time t) = 0;
};

// The device's attachment to the network: its Ethernet PHY, Wi-Fi radio, hotspot and
// addresses, plus transport as a host of the site network.
class DevicePort : public Transport {
 public:
  virtual void attach(DeviceEvents* ev) = 0;
  // The controller is switched on (CTRL.ENABLE): Ethernet starts DHCP when a cable is in.
  // Switching off, or a device reset, forgets every connection and all radio state.
  virtual void set_enabled(bool on, Time t) = 0;
  // A device reset: peers holding connections to the device get a reset (before set_enabled(false)).
  virtual void reset_peers(Time) {}
  virtual void set_mac(std::uint64_t mac) = 0;
  virtual void set_ip_config(const IpConfig& c, Time t) = 0;
  virtual void wifi_scan(Time t) = 0;
  virtual void wifi_join(const std::string& ssid, const std::string& password, Time t) = 0;
  virtual void wifi_leave(Time t) = 0;
  virtual void ap_start(const std::string& ssid, const std::string& password, Ip ip, Time t) = 0;
  virtual void ap_stop(Time t) = 0;
  virtual LinkInfo link() const = 0;
  // Resolves a name via the DNS server of the active interface; ip 0 = failure.
  virtual void dns_lookup(const std::string& name, Time t, std::function<void(Ip, Time)> done) = 0;
};

}  // namespace lmsim::net
