// The system control space at 0xE000E000 (ARMv7-M B3.2-B3.4): SysTick, NVIC and SCB
// registers as a declarative table over the Cpu's core state. docs/mcu.md lists them.
#pragma once
#include "models/mcu/cpu.h"
#include "models/mcu/peripheral.h"

namespace lmsim::mcu {

class Scs : public Peripheral {
 public:
  static constexpr std::uint32_t kBase = 0xE000E000, kSize = 0x1000;
  static constexpr std::uint32_t kCpuid = 0x410FC241;  // Cortex-M4 r0p1
  Scs(sc_core::sc_module_name name, Cpu& cpu);

 private:
  Cpu& cpu_;
};

}  // namespace lmsim::mcu
