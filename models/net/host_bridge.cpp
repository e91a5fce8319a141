#include "models/net/host_bridge.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lmsim::net {

HostBridge::HostBridge(Lan& lan, DeviceLink& device, Router& router, std::vector<Map> maps)
    : lan_(lan), device_(device), router_(router), maps_(std::move(maps)) {
  host_ = &lan.add_host("bridge", Segment::Lan);
  for (auto& m : maps_)
    port_sigs_.push_back(&lan.site()
                              .registry()
                              .add_number("net.bridge." + std::to_string(m.device_port) + ".port", "", 0)
                              .describe("loopback port forwarded to device port " + std::to_string(m.device_port)));
}

HostBridge::~HostBridge() {
  for (auto& c : clients_)
    if (c->fd >= 0) ::close(c->fd);
  for (auto& [fd, m] : listeners_) ::close(fd);
}

std::string HostBridge::service_name(std::uint16_t device_port) {
  switch (device_port) {
    case 4000: return "web";
    case 5020: return "modbus";
    case 7000: return "rest";
    case 8883: return "mqtt";
    default: return "port" + std::to_string(device_port);
  }
}

void HostBridge::start() {
  // The host machine joins the LAN (a lease) only when it is bridged.
  Ip ip = router_.lease("host-bridge", true);
  host_->set_address(ip, router_.mask(), router_.ip(), router_.ip());
  for (std::size_t i = 0; i < maps_.size(); ++i) {
    const std::string name = service_name(maps_[i].device_port);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only, ever
    a.sin_port = htons(maps_[i].host_port);
    socklen_t len = sizeof a;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 8) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      std::string why = std::strerror(errno);
      std::string msg = "cannot listen on 127.0.0.1:" + std::to_string(maps_[i].host_port) + " for device port " +
                        std::to_string(maps_[i].device_port) + " (" + why + "); set network.bridge";
      std::fprintf(stderr, "lmsim: bridge: %s: %s\n", name.c_str(), msg.c_str());
      lan_.site().log(LogLevel::Error, "net.bridge", msg);
      if (fd >= 0) ::close(fd);
      continue;
    }
    std::uint16_t port = ntohs(a.sin_port);
    port_sigs_[i]->set(port);
    listeners_.emplace_back(fd, maps_[i]);
    const char* to = maps_[i].target ? "cloud" : "device";
    std::fprintf(stderr, "lmsim: bridge: %s 127.0.0.1:%u -> %s:%u\n", name.c_str(), port, to,
                 static_cast<unsigned>(maps_[i].device_port));
    lan_.site().log(
        LogLevel::Info, "net.bridge",
        name + " 127.0.0.1:" + std::to_string(port) + " -> " + to + ":" + std::to_string(maps_[i].device_port));
  }
  std::fflush(stderr);
}

void HostBridge::poll() {
  Time t = Scheduler::now();
  for (auto& [lfd, m] : listeners_) {
    for (;;) {
      int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;
      auto c = std::make_unique<Client>();
      c->fd = fd;
      Ip dev = m.target ? m.target : device_.lan_host().ip();
      if (!dev) {  // the device has no address: nothing to forward to
        ::close(fd);
        continue;
      }
      c->conn = host_->tcp_connect({dev, m.device_port}, this, t, 10 * kSec);
      by_conn_[c->conn] = c.get();
      clients_.push_back(std::move(c));
    }
  }
  char buf[4096];
  for (auto& cp : clients_) {
    Client& c = *cp;
    if (c.fd < 0) continue;
    while (!c.host_eof) {  // host -> simulation
      ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) {
        c.to_sim.append(buf, static_cast<std::size_t>(n));
        c.last_activity = t;
        continue;
      }
      if (n == 0) {
        c.host_eof = true;  // half-close: the answer may still come back
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        if (!c.closed_sim) host_->tcp_abort(c.conn, t);  // the host client reset
        c.closed_sim = true;
        ::close(c.fd);
        c.fd = -1;
      }
      break;
    }
    if (c.fd < 0) continue;
    if (c.connected && !c.closed_sim) {
      if (!c.to_sim.empty()) host_->tcp_send(c.conn, c.to_sim, t);
      c.to_sim.clear();
      // The LAN model closes both directions on a FIN, so a host half-close is passed on only
      // once the exchange has been quiet for kHalfCloseLinger (or the device closes first).
      if (c.host_eof && !c.fin_sent && t >= c.last_activity + kHalfCloseLinger) {
        host_->tcp_close(c.conn, t);
        c.fin_sent = true;
      }
    }
    while (!c.to_host.empty()) {  // simulation -> host
      ssize_t n = ::send(c.fd, c.to_host.data(), c.to_host.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      c.to_host.erase(0, static_cast<std::size_t>(n));
    }
    if (c.closed_sim && c.to_host.empty()) {
      ::close(c.fd);
      c.fd = -1;
    }
  }
  std::erase_if(clients_, [this](auto& c) {
    if (c->fd >= 0) return false;
    by_conn_.erase(c->conn);
    return true;
  });
}

void HostBridge::tcp_connected(ConnId c, Time t) {
  auto it = by_conn_.find(c);
  if (it == by_conn_.end()) {  // the host client left while connecting
    host_->tcp_abort(c, t);
    return;
  }
  it->second->connected = true;
  if (!it->second->to_sim.empty()) {
    host_->tcp_send(c, it->second->to_sim, t);
    it->second->to_sim.clear();
  }
}

void HostBridge::tcp_data(ConnId c, std::string_view bytes, Time t) {
  auto it = by_conn_.find(c);
  if (it == by_conn_.end()) return;
  it->second->to_host.append(bytes);
  it->second->last_activity = t;
}

void HostBridge::tcp_closed(ConnId c, TcpError, Time) {
  auto it = by_conn_.find(c);
  if (it != by_conn_.end()) it->second->closed_sim = true;
}

}  // namespace lmsim::net
