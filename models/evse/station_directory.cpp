#include "models/evse/station_directory.h"

namespace lmsim::evse {

std::vector<std::string> StationDirectory::names() const {
  std::vector<std::string> v;
  for (const auto& e : entries_) v.push_back(e.core->station_name());
  return v;
}

StationCore* StationDirectory::station(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.core->station_name() == name) return e.core;
  return nullptr;
}

ModbusEndpoint* StationDirectory::endpoint(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.core->station_name() == name) return e.ep.get();
  return nullptr;
}

ModbusEndpoint* StationDirectory::endpoint_at(const std::string& ip, int port) const {
  for (const auto& e : entries_)
    if (e.core->port() == port && e.core->ip() == ip) return e.ep.get();
  return nullptr;
}

}  // namespace lmsim::evse
