// Benchmark firmware: SysTick every 120 core cycles (1 MHz) with a short handler while main
// sleeps in WFI (BENCH_IRQ), or every 10 ms (100 Hz, the idle-day benchmark).
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

extern "C" void SysTick_Handler() {
  test_result[0] = test_result[0] + 1;
}

int main() {
  using namespace mcu;
  reg(scs::SYST_RVR) = BENCH_PERIOD_CYCLES - 1;
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 7;
  for (;;) wfi();
}
