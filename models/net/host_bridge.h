// The host bridge (`--realtime --expose` only): listens on 127.0.0.1 ports of this machine and
// forwards each accepted connection into the simulation, to a port of the device (web UI
// 4000, Modbus 5020, REST 7000 by default). Polled by the real-time pacer (Site::add_poller);
// never binds anything but loopback. Each forward is announced on stderr when time starts,
// one line each: `lmsim: bridge: web 127.0.0.1:40123 -> device:4000`. Otherwise it does
// nothing.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/net/device_link.h"

namespace lmsim::net {

class HostBridge : public TcpPeer {
 public:
  static constexpr Time kHalfCloseLinger = 1 * kSec;
  struct Map {
    std::uint16_t device_port;
    std::uint16_t host_port;  // 0 = any free port (reported in net.bridge.<device_port>.port)
    Ip target = 0;            // 0: the device; else an internet host (the cloud's MQTT broker)
  };
  HostBridge(Lan& lan, DeviceLink& device, Router& router, std::vector<Map> maps);
  ~HostBridge() override;
  // Opens the listeners (called when time starts with --realtime --expose) and announces them.
  void start();
  // The name printed for a forward: web, modbus, rest, or port<N>.
  static std::string service_name(std::uint16_t device_port);
  // Moves bytes both ways; accepts new clients.
  void poll();
  bool started() const { return !listeners_.empty(); }

  void tcp_connected(ConnId c, Time t) override;
  void tcp_data(ConnId c, std::string_view bytes, Time t) override;
  void tcp_closed(ConnId c, TcpError why, Time t) override;

 private:
  struct Client {
    int fd = -1;
    ConnId conn = 0;
    bool connected = false;
    bool closed_sim = false;  // the simulated side ended (FIN, RST, refused)
    bool host_eof = false;    // the host client shut down its sending side
    bool fin_sent = false;
    Time last_activity = 0;  // bytes either way
    std::string to_sim;      // read from the host, waiting for the connection
    std::string to_host;     // from the simulation, not yet written
  };
  void drop(Client& c);
  Lan& lan_;
  DeviceLink& device_;
  Router& router_;
  Host* host_;
  std::vector<Map> maps_;
  std::vector<std::pair<int, Map>> listeners_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::map<ConnId, Client*> by_conn_;
  std::vector<Signal*> port_sigs_;
};

}  // namespace lmsim::net
