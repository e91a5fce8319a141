// Faults: reads and writes to unmapped addresses and a store to flash raise BusFaults that
// the handler records and skips; double precision and v8-M instructions are undefined on a
// Cortex-M4 (UsageFault) - the core is not an M33. With ESCALATE, BusFault is left disabled
// and the first access escalates to HardFault (the simulator reports it and stops).
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

namespace {
volatile unsigned n_faults = 0;
volatile std::uint32_t last_cfsr = 0, last_bfar = 0, last_pc = 0;
}  // namespace

// Records the fault and returns past the faulting instruction (precise faults only).
extern "C" void fault_common(std::uint32_t* frame) {
  std::uint32_t cfsr = mcu::reg(mcu::scs::CFSR);
  last_cfsr = cfsr;
  last_bfar = mcu::reg(mcu::scs::BFAR);
  last_pc = frame[6];
  n_faults = n_faults + 1;
  bool imprecise = cfsr & (1u << 10);
  if (!imprecise) {
    std::uint16_t op = *reinterpret_cast<const std::uint16_t*>(frame[6]);
    frame[6] += ((op >> 11) >= 0x1D) ? 4 : 2;  // 32-bit Thumb instructions start with 0b111xx (xx != 00)
  }
  mcu::reg(mcu::scs::CFSR) = cfsr;  // write 1 to clear
}

extern "C" __attribute__((naked)) void BusFault_Handler() {
  asm volatile("tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n b fault_common\n");
}
extern "C" __attribute__((naked)) void UsageFault_Handler() {
  asm volatile("tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n b fault_common\n");
}

int main() {
  using namespace mcu;
#ifndef ESCALATE
  reg(scs::SHCSR) = scs::SHCSR_BUSFAULTENA | scs::SHCSR_USGFAULTENA;
#endif
  test_result[0] = reg(scs::CPUID);

  // 1. Read from nowhere.
  volatile std::uint32_t v = *reinterpret_cast<volatile std::uint32_t*>(0x30000000);
  (void)v;
  test_result[1] = n_faults;
  test_result[2] = last_cfsr;
  test_result[3] = last_bfar;
  // 2. Write to nowhere.
  *reinterpret_cast<volatile std::uint32_t*>(0x60000010) = 1;
  test_result[4] = n_faults;
  test_result[5] = last_bfar;
  // 3. Store to flash outside the controller.
  *reinterpret_cast<volatile std::uint32_t*>(0x00080000) = 0;
  test_result[6] = n_faults;
  test_result[7] = last_bfar;
  test_result[8] = *reinterpret_cast<volatile std::uint32_t*>(0x00080000);  // still erased
  // 4. Double precision add (fpv5-d16 only): undefined on the M4's single-precision FPU.
  asm volatile(".inst.w 0xEE300B01" ::: "memory");  // vadd.f64 d0, d0, d1
  test_result[9] = n_faults;
  test_result[10] = last_cfsr;
  // 5. TT (ARMv8-M only).
  asm volatile(".inst.w 0xE841F000" ::: "r0", "memory");  // tt r0, r1
  test_result[11] = n_faults;
  test_result[12] = last_cfsr;
  // 6. An unimplemented register in a peripheral window: an imprecise BusFault, taken by
  // the barriers at the latest (as on hardware, a buffered write's fault arrives later).
  *reinterpret_cast<volatile std::uint32_t*>(0xE000EFF0) = 1;
  asm volatile("dsb\n isb" ::: "memory");
  test_result[13] = n_faults;
  test_result[14] = last_cfsr;
  test_done = kTestDone;
  for (;;) wfi();
}
