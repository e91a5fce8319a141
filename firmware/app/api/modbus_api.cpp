#include "app/api/modbus_api.h"

#include "app/socket_plan.h"

namespace lmc::api {

ModbusApi::ModbusApi(Sockets& sockets, Log& log, const LiveSource& live, Control& control, const settings::Settings& s,
                     const Clock& clock)
    : TcpServer(sockets, sockets::kModbusServer, sizeof sockets::kModbusServer / sizeof sockets::kModbusServer[0], log,
                "modbus"),
      s_(s),
      map_(live, control, s, clock),
      session_{modbus::ServerSession(map_), modbus::ServerSession(map_)} {
  static_assert(kMaxSlots == 2, "one session per slot");
  Config c;
  c.port = kPort;
  c.request_ms = 5000;
  // Keep-alive writes come at least every 120 s (PUB §3.2); only 2 sockets, so a silent peer
  // must not hold one for long (clients reconnect on their own).
  c.idle_ms = 180000;
  configure(c);
}

void ModbusApi::update(std::uint64_t now_ms) {
  set_enabled(s_.get(settings::Id::FeatureModbusServer) != 0);
  poll(now_ms);
}

void ModbusApi::on_open(int slot, std::uint64_t) {
  session_[slot].reset();
}

std::size_t ModbusApi::on_bytes(int slot, const char* data, std::size_t n, std::uint64_t) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(data);
  std::size_t left = n;
  const modbus::ServerSession::Result r = session_[slot].feed(p, left);
  const std::size_t used = n - left;
  switch (r) {
    case modbus::ServerSession::Result::kNeedMore: break;
    case modbus::ServerSession::Result::kReply:
      queue(slot, reinterpret_cast<const char*>(session_[slot].reply()), session_[slot].reply_size());
      break;
    case modbus::ServerSession::Result::kClose:
      log().event("modbus", "closed").kv("slot", slot).kv("reason", "not-modbus");
      close_when_sent(slot);
      break;
  }
  return used;
}

}  // namespace lmc::api
