// A deterministic Modbus TCP client inside the simulation: drives station endpoints at the
// current simulated time (optionally after a request latency, advancing the simulation when
// called between sc_start() runs), so watchdog tests take no wall time. Maps 1:1 to Python:
// read_holding(station, addr, count, unit) -> result with values or an exception code.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/evse/station_directory.h"

namespace lmsim::evse {

struct ModbusResult {
  bool ok = false;        // a normal reply
  int exception = 0;      // Modbus exception code (ok = false)
  bool no_reply = false;  // silence (offline, booting, wrong unit id, dropped frame)
  bool refused = false;   // connection refused (one-client limit, fail-safe lock-out, offline)
  std::vector<std::uint16_t> values;
  explicit operator bool() const { return ok; }
  // 32-bit value from two registers starting at i.
  std::uint32_t u32(std::size_t i, bool lsw_first = false) const;
};

class ModbusClient {
 public:
  explicit ModbusClient(StationDirectory& dir, Time latency = 0) : dir_(dir), latency_(latency) {}

  ModbusResult read_holding(const std::string& station, int addr, int count, int unit = 1);
  ModbusResult read_input(const std::string& station, int addr, int count, int unit = 1);
  ModbusResult write_register(const std::string& station, int addr, std::uint16_t value, int unit = 1);
  ModbusResult write_registers(const std::string& station, int addr, const std::vector<std::uint16_t>& values,
                               int unit = 1);
  // Any frame (MBAP + PDU) as bytes; returns the raw reply (empty = silence).
  std::vector<std::uint8_t> raw(const std::string& station, const std::vector<std::uint8_t>& adu);
  // Closes this client's connection to a station (e.g. to let another client in).
  void disconnect(const std::string& station);

 private:
  ModbusResult transact(const std::string& station, int unit, const std::vector<std::uint8_t>& pdu);
  ModbusEndpoint& ep(const std::string& station);
  Time deliver_time();

  StationDirectory& dir_;
  Time latency_;
  std::uint16_t tid_ = 0;
  std::map<std::string, int> conns_;
};

}  // namespace lmsim::evse
