#include "models/mcu/dwt.h"

// The register table names only the fields each register needs.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace lmsim::mcu {

namespace {
constexpr std::uint32_t kDemcrTrcena = 1u << 24, kCycCntEna = 1u;
}

Dwt::Dwt(sc_core::sc_module_name name, Cpu& cpu) : Peripheral(name, kSize), cpu_(cpu) {
  using RB = RegisterBank;
  cpu.before_demcr_write = [this] { sync(); };
  regs.add({.name = "DWT_CTRL",
            .offset = 0x000,
            .read =
                [this](Time) {
                  sync();
                  return ctrl_;
                },
            .write =
                [this](std::uint32_t v, Time) {
                  sync();
                  ctrl_ = (ctrl_ & 0xFFFF0000u) | (v & 0x1FFFu) | (v & 0x003F0000u);
                }});
  regs.add({.name = "DWT_CYCCNT",
            .offset = 0x004,
            .read =
                [this](Time) {
                  sync();
                  return cyccnt_;
                },
            .write =
                [this](std::uint32_t v, Time) {
                  sync();
                  cyccnt_ = v;
                }});
  // Profiling counters (8 bits) and the PC sampler: no profiling here.
  static const char* counters[] = {"DWT_CPICNT", "DWT_EXCCNT", "DWT_SLEEPCNT", "DWT_LSUCNT", "DWT_FOLDCNT"};
  for (int i = 0; i < 5; ++i)
    regs.add({.name = counters[i], .offset = 0x008u + 4u * static_cast<std::uint32_t>(i), .write_mask = 0});
  regs.add({.name = "DWT_PCSR", .offset = 0x01C, .access = RB::RO});
  static const char* comp[4][3] = {{"DWT_COMP0", "DWT_MASK0", "DWT_FUNCTION0"},
                                   {"DWT_COMP1", "DWT_MASK1", "DWT_FUNCTION1"},
                                   {"DWT_COMP2", "DWT_MASK2", "DWT_FUNCTION2"},
                                   {"DWT_COMP3", "DWT_MASK3", "DWT_FUNCTION3"}};
  for (std::uint32_t i = 0; i < 4; ++i) {
    regs.add({.name = comp[i][0], .offset = 0x020 + 16 * i});
    regs.add({.name = comp[i][1], .offset = 0x024 + 16 * i, .write_mask = 0x1F});
    regs.add({.name = comp[i][2], .offset = 0x028 + 16 * i, .write_mask = 0x000FFFFFu & ~(1u << 24)});
  }
  regs.add({.name = "DWT_LAR", .offset = 0xFB0, .access = RB::WO, .write = [](std::uint32_t, Time) {}});
  regs.add({.name = "DWT_LSR", .offset = 0xFB4, .access = RB::RO});
}

void Dwt::sync() {
  std::uint64_t now = cpu_.local_cycles();
  if ((ctrl_ & kCycCntEna) && (cpu_.scb().demcr & kDemcrTrcena))
    cyccnt_ += static_cast<std::uint32_t>(now - last_);  // wraps at 32 bits, as the counter
  last_ = now;
}

void Dwt::reset(ResetCause cause) {
  Peripheral::reset(cause);
  ctrl_ = kCtrlReset;
  cyccnt_ = 0;
  last_ = cpu_.local_cycles();
}

}  // namespace lmsim::mcu
