#include "models/evse/modbus_tcp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace lmsim::evse {

ModbusTcpServer::ModbusTcpServer(ModbusEndpoint& ep, int port, std::function<Time()> clock, bool or_any)
    : ep_(ep), clock_(std::move(clock)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only, ever
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  bool bound = bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (!bound && or_any && errno == EADDRINUSE && port != 0) {
    a.sin_port = 0;
    bound = bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  if (!bound || listen(listen_fd_, 8) != 0) {
    std::string err = std::strerror(errno);
    close(listen_fd_);
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + err);
  }
  fcntl(listen_fd_, F_SETFL, O_NONBLOCK);
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
}

ModbusTcpServer::~ModbusTcpServer() {
  for (auto& c : clients_) close(c.fd);
  if (listen_fd_ >= 0) close(listen_fd_);
}

void ModbusTcpServer::drop(std::size_t i) {
  close(clients_[i].fd);
  if (clients_[i].conn >= 0) ep_.close_connection(clients_[i].conn);
  clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
}

int ModbusTcpServer::service() {
  int served = 0;
  for (std::size_t i = 0; i < clients_.size();) {
    Client& c = clients_[i];
    std::uint8_t tmp[1024];
    bool closed = false;
    for (;;) {
      ssize_t n = recv(c.fd, tmp, sizeof tmp, 0);
      if (n > 0) {
        c.buf.insert(c.buf.end(), tmp, tmp + n);
        if (c.buf.size() > 4096) closed = true;  // a client flooding garbage
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
      break;
    }
    while (!closed && c.buf.size() >= 6) {
      const std::size_t len = static_cast<std::size_t>(c.buf[4] << 8 | c.buf[5]);
      if (len < 2 || len > 254) {  // not Modbus TCP framing: drop the connection
        closed = true;
        break;
      }
      if (c.buf.size() < 6 + len) break;
      auto rep = ep_.handle(c.buf.data(), 6 + len, clock_(), c.conn);
      c.buf.erase(c.buf.begin(), c.buf.begin() + static_cast<std::ptrdiff_t>(6 + len));
      ++served;
      if (!rep.empty()) send(c.fd, rep.data(), rep.size(), MSG_NOSIGNAL);
    }
    if (!ep_.connection_alive(c.conn)) closed = true;  // the station dropped the socket
    if (closed)
      drop(i);
    else
      ++i;
  }
  // Close before accept: closes and resets that have reached the old sockets are processed
  // above, so a client that reconnects at once finds a one-client station's slot free
  // (issue 16: 22 of 50 quick reconnects to an ABB were refused when accept ran first).
  for (;;) {
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) break;
    int conn = ep_.open_connection(clock_());
    if (conn < 0) {  // station refuses (one client, offline, fail-safe lock-out)
      close(fd);
      continue;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    clients_.push_back({fd, conn, {}});
  }
  return served;
}

}  // namespace lmsim::evse
