// SysTick and sleep: SysTick interrupts at TICK_HZ from the core clock (or 1 Hz from the
// 1 MHz reference clock when REF_1HZ is defined) while main sleeps in WFI.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

extern "C" void SysTick_Handler() {
  test_result[0] = test_result[0] + 1;
}

int main() {
  using namespace mcu;
#ifdef REF_1HZ
  reg(scs::SYST_RVR) = 1000000 - 1;  // 1 MHz reference clock
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 3;  // reference clock, interrupt, enable
#else
  reg(scs::SYST_RVR) = 120000000 / 1000 - 1;  // 1 kHz from the 120 MHz core clock
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 7;
#endif
  test_done = kTestDone;
  for (;;) {
    wfi();
    test_result[1] = test_result[1] + 1;  // wake-ups seen by main
  }
}
