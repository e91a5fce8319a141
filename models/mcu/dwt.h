// Data Watchpoint and Trace unit at 0xE0001000 (ARMv7-M C1.8): the cycle counter CYCCNT,
// the standard timing and micro-delay idiom on this core (DEMCR.TRCENA and DWT_CTRL.CYCCNTENA
// enable it). The profiling counters read 0; comparators are stored without effect (no
// debug events: the GDB stub does watchpoints itself). docs/mcu.md lists the registers.
#pragma once
#include "models/mcu/cpu.h"
#include "models/mcu/peripheral.h"

namespace lmsim::mcu {

class Dwt : public Peripheral {
 public:
  static constexpr std::uint32_t kBase = 0xE0001000, kSize = 0x1000;
  static constexpr std::uint32_t kCtrlReset = 0x40000000;  // NUMCOMP = 4, all counters present
  Dwt(sc_core::sc_module_name name, Cpu& cpu);
  void reset(ResetCause cause) override;

 private:
  // Brings CYCCNT up to the core's local cycle count under the enables in force until now.
  void sync();
  Cpu& cpu_;
  std::uint32_t ctrl_ = kCtrlReset, cyccnt_ = 0;
  std::uint64_t last_ = 0;  // core cycles at the last sync
};

}  // namespace lmsim::mcu
