// The stations of a site, for other areas (service "stations"): lookup by name and by the
// ip:port the firmware dials (the ip is the string signal station.<n>.ip, which DHCP may
// change after a power cycle), each with its Modbus endpoint.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/evse/modbus_endpoint.h"
#include "models/evse/station_core.h"

namespace lmsim::evse {

class StationDirectory {
 public:
  void add(StationCore* core) { entries_.push_back({core, std::make_unique<ModbusEndpoint>(*core)}); }
  std::vector<std::string> names() const;
  StationCore* station(const std::string& name) const;
  // nullptr for stations without a Modbus endpoint or unknown names.
  ModbusEndpoint* endpoint(const std::string& name) const;
  ModbusEndpoint* endpoint_at(const std::string& ip, int port) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    StationCore* core;
    std::unique_ptr<ModbusEndpoint> ep;
  };
  std::vector<Entry> entries_;
};

}  // namespace lmsim::evse
