// A station's Modbus TCP server in simulated time: one MBAP+PDU request in, the reply out (or
// nothing = silence). Vendor rules from the VendorMap are applied first (unit ids, function
// codes -> exception 01, unlisted registers -> 02, read-only writes, write ranges -> 03,
// reads with side effects); register contents are then encoded from the station core and the
// reply is built by libmodbus (modbus_reply over a socketpair).
#pragma once
#include <cstdint>
#include <vector>

#include "models/evse/station_core.h"

typedef struct _modbus modbus_t;
typedef struct _modbus_mapping_t modbus_mapping_t;

namespace lmsim::evse {

class ModbusEndpoint {
 public:
  explicit ModbusEndpoint(StationCore& core);
  ~ModbusEndpoint();
  ModbusEndpoint(const ModbusEndpoint&) = delete;
  ModbusEndpoint& operator=(const ModbusEndpoint&) = delete;

  // `conn` is an id from open_connection (or -1 for connection-less use by tests/tools).
  std::vector<std::uint8_t> handle(const std::uint8_t* adu, std::size_t len, Time t, int conn = -1);

  // Connection bookkeeping (one-client vendors, socket drops on fail-safe and reboot).
  int open_connection(Time t) { return core_.open_connection(t); }
  void close_connection(int id) { core_.close_connection(id); }
  bool connection_alive(int id) const { return core_.connection_alive(id); }

  StationCore& core() { return core_; }
  std::uint64_t requests() const { return requests_; }

 private:
  std::vector<std::uint8_t> exception(const std::uint8_t* adu, int code) const;
  std::vector<std::uint8_t> reply(const std::uint8_t* adu, std::size_t len);
  void encode(const RegDef& r);
  bool decode(const RegDef& r, const std::uint16_t* words, double& value) const;

  StationCore& core_;
  const VendorMap& vm_;
  modbus_t* ctx_ = nullptr;
  modbus_mapping_t* map_ = nullptr;
  int sock_[2] = {-1, -1};
  std::uint64_t requests_ = 0;
};

}  // namespace lmsim::evse
