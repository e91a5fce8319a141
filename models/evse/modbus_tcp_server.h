// A real Modbus TCP listener on 127.0.0.1 for one station (real-time mode, `--expose`):
// external clients (mbpoll, pymodbus, other controllers) reach the same endpoint as the
// simulated firmware. Poll driven: the real-time loop calls service() often; nothing blocks.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "models/evse/modbus_endpoint.h"

namespace lmsim::evse {

class ModbusTcpServer {
 public:
  // Binds 127.0.0.1 only; throws std::runtime_error on failure. `port` 0: any free port. `or_any`: when `port` is taken
  // (another simulation on this machine uses it), take any free port instead of failing; port() tells which.
  ModbusTcpServer(ModbusEndpoint& ep, int port, std::function<Time()> clock, bool or_any = false);
  ~ModbusTcpServer();
  ModbusTcpServer(const ModbusTcpServer&) = delete;
  ModbusTcpServer& operator=(const ModbusTcpServer&) = delete;

  int port() const { return port_; }
  // Accepts, reads, answers; returns the number of requests served.
  int service();
  std::size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    int fd;
    int conn;
    std::vector<std::uint8_t> buf;
  };
  void drop(std::size_t i);

  ModbusEndpoint& ep_;
  std::function<Time()> clock_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<Client> clients_;
};

}  // namespace lmsim::evse
