#include "models/mcu/itm.h"

#include <cstdio>

// The register table names only the fields each register needs.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace lmsim::mcu {

Itm::Itm(sc_core::sc_module_name name, Site& site) : Peripheral(name, kSize), site_(site) {
  using RB = RegisterBank;
  regs.add({.name = "ITM_TER", .offset = 0xE00});
  regs.add({.name = "ITM_TPR", .offset = 0xE40, .write_mask = 0xF});
  regs.add({.name = "ITM_TCR", .offset = 0xE80, .write_mask = 0x00FF3F1Fu});
  regs.add({.name = "ITM_LAR", .offset = 0xFB0, .access = RB::WO, .write = [](std::uint32_t, Time) {}});
  regs.add({.name = "ITM_LSR", .offset = 0xFB4, .access = RB::RO});
  static char names[32][12];
  for (std::uint32_t i = 0; i < 32; ++i) {
    std::snprintf(names[i], sizeof names[i], "ITM_STIM%u", i);
    regs.add({.name = names[i],
              .offset = 4 * i,
              .read = [](Time) { return 1u; },  // FIFOREADY: the port always accepts
              .write =
                  [this, i](std::uint32_t v, Time) {
                    bool on = (regs.find(0xE80)->value & 1u) && ((regs.find(0xE00)->value >> i) & 1u);
                    if (!on) return;
                    char c = static_cast<char>(v & 0xFF);
                    if (c == '\n') {
                      site_.log(LogLevel::Info, "device.itm", line_);
                      line_.clear();
                    } else if (c != '\r' && line_.size() < 4096) {
                      line_ += c;
                    }
                  }});
  }
}

void Itm::reset(ResetCause cause) {
  Peripheral::reset(cause);
  line_.clear();
}

}  // namespace lmsim::mcu
