// Helpers for the evse tests: a Site with only the stations/EVs area, run in simulated time.
#pragma once
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <systemc>

#include "models/evse/modbus_client.h"
#include "models/evse/station_directory.h"
#include "models/models.h"
#include "sim/site.h"

namespace lmsim::evse::test {

struct Bench {
  std::unique_ptr<Site> site;
  StationDirectory* dir = nullptr;
  std::unique_ptr<ModbusClient> client;

  explicit Bench(const std::string& yaml, std::uint64_t seed = 1);
  // Advances simulated time by `seconds`.
  void run(double seconds);
  double value(const std::string& signal) const { return site->registry().at(signal).value(); }
  std::string text(const std::string& signal) const { return site->registry().at(signal).render(); }
  void set(const std::string& knob, const std::string& v) { site->registry().write(knob, v); }
  double now_s() const { return sc_core::sc_time_stamp().to_seconds(); }
};

}  // namespace lmsim::evse::test
