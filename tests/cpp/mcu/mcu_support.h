// Helpers for the MCU tests: elaborate a site that runs one test firmware.
#pragma once
#include <memory>
#include <string>

#include "models/mcu/device.h"
#include "sim/site.h"

namespace lmsim::mcu::testing {

std::string firmware_path(const std::string& name);

struct Bench {
  std::unique_ptr<Site> site;
  Device* dev = nullptr;
  // Runs simulated time forward by `t`.
  void run(Time t);
  std::uint32_t sym(const std::string& name, unsigned index = 0);
  std::string uart() const;
  double signal(const std::string& name) const;
};

// Builds a site with `device: {firmware: <name>.elf, serial: SE12345678}` plus `extra` YAML
// lines indented under `device:`.
Bench make_bench(const std::string& firmware, const std::string& extra = "", std::uint64_t seed = 1);

}  // namespace lmsim::mcu::testing
