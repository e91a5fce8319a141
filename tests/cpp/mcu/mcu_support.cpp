#include "mcu_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "models/models.h"

namespace lmsim::mcu::testing {

std::string firmware_path(const std::string& name) {
  return std::string(LMSIM_FIRMWARE_DIR) + "/" + name + ".elf";
}

Bench make_bench(const std::string& firmware, const std::string& extra, std::uint64_t seed) {
  std::string yaml = "device:\n  firmware: " + firmware_path(firmware) + "\n  serial: SE12345678\n" + extra;
  Bench b;
  // Only the areas the device needs (plant for the AFE and supply), not the whole site.
  YNode root = YNode::load_string(yaml, "<mcu test>");
  b.site = std::make_unique<Site>(root, "test.yaml", seed);
  plant::build(*b.site, root);
  mcu::build(*b.site, root);
  b.dev = b.site->service<Device>("device");
  if (!b.dev) throw std::runtime_error("no device built");
  b.site->run_start_hooks();
  if (std::getenv("LMSIM_TEST_ECHO")) b.site->set_log_echo(true);
  return b;
}

void Bench::run(Time t) {
  sc_core::sc_start(sc_core::sc_time::from_value(t));
  if (std::getenv("LMSIM_TEST_ECHO"))
    for (const auto& l : site->log_lines()) std::fprintf(stderr, "%s\n", l.c_str());
}

std::uint32_t Bench::sym(const std::string& name, unsigned index) {
  auto a = dev->firmware()->symbol(name);
  if (!a) throw std::runtime_error("no symbol " + name);
  auto v = dev->read32(*a + 4 * index);
  if (!v) throw std::runtime_error("cannot read " + name);
  return *v;
}

std::string Bench::uart() const {
  auto* s = site->registry().find("device.uart0.tx");
  return s ? s->text() : std::string();
}

double Bench::signal(const std::string& name) const {
  return site->registry().at(name).value();
}

}  // namespace lmsim::mcu::testing
