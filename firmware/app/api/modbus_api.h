// The Modbus TCP server on :5020 (MB-01..MB-05): the register map of modbus_map.h served on
// the sockets of app/socket_plan.h while feature.modbus_server is on (CFG-11, A32: off by
// default, so the port refuses connections). One modbus::ServerSession per connection.
// Defences (TcpServer): a frame incomplete for 5 s or a connection silent for 3 min is cut;
// a stream that is not Modbus TCP (bad MBAP length) is closed.
// Console: `lmc: modbus listening port=5020`, `lmc: modbus cut socket=9 reason=idle`,
// `lmc: modbus closed socket=9 reason=not-modbus`, `lmc: api control by=modbus active=true ...`.
#pragma once
#include <cstdint>

#include "app/api/modbus_map.h"
#include "app/api/tcp_server.h"

namespace lmc::api {

class ModbusApi final : public TcpServer {
 public:
  static constexpr std::uint16_t kPort = 5020;
  ModbusApi(Sockets& sockets, Log& log, const LiveSource& live, Control& control, const settings::Settings& s,
            const Clock& clock);
  // Follows feature.modbus_server (call every cycle: the vendor may switch it on at run time).
  void update(std::uint64_t now_ms);
  const ModbusMap& map() const { return map_; }

 private:
  void on_open(int slot, std::uint64_t now_ms) override;
  std::size_t on_bytes(int slot, const char* data, std::size_t n, std::uint64_t now_ms) override;
  bool in_request(int slot) const override { return session_[slot].partial(); }

  const settings::Settings& s_;
  ModbusMap map_;
  modbus::ServerSession session_[kMaxSlots];
};

}  // namespace lmc::api
