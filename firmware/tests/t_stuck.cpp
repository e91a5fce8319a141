// A firmware stuck with interrupts masked (`cpsid i; b .`) makes no observable progress; the
// part would sit there forever. The simulator reports it after `device.stuck_timeout`.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

extern "C" void SysTick_Handler() {
  test_result[0] = test_result[0] + 1;
}

int main() {
  using namespace mcu;
  reg(scs::SYST_RVR) = 120000 - 1;
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 7;
  while (test_result[0] < 5) wfi();  // sleeping with PRIMASK clear: fine
  test_done = kTestDone;
  disable_irq();
  for (;;) {
  }
}
