#include "models/evse/modbus_client.h"

#include <stdexcept>

#include <systemc>

namespace lmsim::evse {

std::uint32_t ModbusResult::u32(std::size_t i, bool lsw_first) const {
  if (i + 1 >= values.size()) throw std::out_of_range("ModbusResult::u32: index past the values");
  return lsw_first ? (static_cast<std::uint32_t>(values[i + 1]) << 16 | values[i])
                   : (static_cast<std::uint32_t>(values[i]) << 16 | values[i + 1]);
}

ModbusEndpoint& ModbusClient::ep(const std::string& station) {
  ModbusEndpoint* e = dir_.endpoint(station);
  if (!e) throw std::invalid_argument("no Modbus station named '" + station + "'");
  return *e;
}

Time ModbusClient::deliver_time() {
  // Between runs the client may advance the simulation by its latency; inside a process it
  // cannot, and the request is delivered at the current time.
  if (latency_ > 0 && sc_core::sc_get_status() == sc_core::SC_PAUSED)
    sc_core::sc_start(sc_core::sc_time::from_value(latency_));
  return sc_core::sc_time_stamp().value();
}

ModbusResult ModbusClient::transact(const std::string& station, int unit, const std::vector<std::uint8_t>& pdu) {
  ModbusEndpoint& e = ep(station);
  const Time t = deliver_time();
  ModbusResult res;
  auto it = conns_.find(station);
  if (it == conns_.end() || !e.connection_alive(it->second)) {
    int id = e.open_connection(t);
    if (id < 0) {
      if (it != conns_.end()) conns_.erase(it);
      res.refused = true;
      return res;
    }
    conns_[station] = id;
  }
  const std::uint16_t tid = ++tid_;
  std::vector<std::uint8_t> adu = {static_cast<std::uint8_t>(tid >> 8),
                                   static_cast<std::uint8_t>(tid),
                                   0,
                                   0,
                                   static_cast<std::uint8_t>((pdu.size() + 1) >> 8),
                                   static_cast<std::uint8_t>(pdu.size() + 1),
                                   static_cast<std::uint8_t>(unit)};
  adu.insert(adu.end(), pdu.begin(), pdu.end());
  auto rep = e.handle(adu.data(), adu.size(), t, conns_[station]);
  // The station's own processing time (vendor reply latency) passes before the answer.
  const Time rl = e.core().reply_latency();
  if (rl > 0 && !rep.empty() && sc_core::sc_get_status() == sc_core::SC_PAUSED)
    sc_core::sc_start(sc_core::sc_time::from_value(rl));
  if (rep.size() < 9 || rep[0] != adu[0] || rep[1] != adu[1]) {
    res.no_reply = true;
    return res;
  }
  if (rep[7] & 0x80) {
    res.exception = rep[8];
    return res;
  }
  res.ok = true;
  if (rep[7] == 3 || rep[7] == 4) {
    const std::size_t n = rep[8] / 2;
    for (std::size_t i = 0; i < n && 10 + 2 * i < rep.size(); ++i)
      res.values.push_back(static_cast<std::uint16_t>(rep[9 + 2 * i] << 8 | rep[10 + 2 * i]));
  }
  return res;
}

static std::vector<std::uint8_t> read_pdu(int fc, int addr, int count) {
  return {static_cast<std::uint8_t>(fc), static_cast<std::uint8_t>(addr >> 8), static_cast<std::uint8_t>(addr),
          static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)};
}

ModbusResult ModbusClient::read_holding(const std::string& station, int addr, int count, int unit) {
  return transact(station, unit, read_pdu(3, addr, count));
}

ModbusResult ModbusClient::read_input(const std::string& station, int addr, int count, int unit) {
  return transact(station, unit, read_pdu(4, addr, count));
}

ModbusResult ModbusClient::write_register(const std::string& station, int addr, std::uint16_t value, int unit) {
  return transact(station, unit, read_pdu(6, addr, value));
}

ModbusResult ModbusClient::write_registers(const std::string& station, int addr,
                                           const std::vector<std::uint16_t>& values, int unit) {
  auto pdu = read_pdu(16, addr, static_cast<int>(values.size()));
  pdu.push_back(static_cast<std::uint8_t>(values.size() * 2));
  for (auto v : values) {
    pdu.push_back(static_cast<std::uint8_t>(v >> 8));
    pdu.push_back(static_cast<std::uint8_t>(v));
  }
  return transact(station, unit, pdu);
}

std::vector<std::uint8_t> ModbusClient::raw(const std::string& station, const std::vector<std::uint8_t>& adu) {
  return ep(station).handle(adu.data(), adu.size(), deliver_time(), -1);
}

void ModbusClient::disconnect(const std::string& station) {
  auto it = conns_.find(station);
  if (it == conns_.end()) return;
  ep(station).close_connection(it->second);
  conns_.erase(it);
}

}  // namespace lmsim::evse
