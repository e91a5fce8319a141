// A pending interrupt held back by PRIMASK or BASEPRI is taken at the instruction boundary
// right after the instruction that unmasks it (ARMv7-M ARM B1.5.4: the execution priority
// changes with the MSR/CPS; B5.2.1 CPS and B5.2.6 MSR take effect on the next instruction
// given the ISB that the architecture requires - here the handler must already have run
// when the instruction after CPSIE/MSR reads its flag).
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] flag read by the instruction after CPSIE (1), [1] flag read after
// MSR BASEPRI, 0 (1), [2] flag read after a CPSID: the interrupt stays pending (0).
namespace {
volatile std::uint32_t flag = 0;
}

extern "C" void GPIO_IRQHandler() {
  flag = 1;
}

std::uint32_t after(const char* which) {
  std::uint32_t v;
  auto* p = &flag;
  if (which[0] == 'c')
    asm volatile("cpsie i\n isb\n ldr %0, [%1]\n cpsid i" : "=&r"(v) : "r"(p) : "memory");
  else
    asm volatile("msr basepri, %2\n isb\n ldr %0, [%1]\n msr basepri, %3"
                 : "=&r"(v)
                 : "r"(p), "r"(0), "r"(0x40)
                 : "memory");
  return v;
}

int main() {
  using namespace mcu;
  nvic_set_priority(GPIO_IRQn, 0x80);
  nvic_enable(GPIO_IRQn);
  // 1. PRIMASK.
  disable_irq();
  nvic_set_pending(GPIO_IRQn);
  asm volatile("dsb\n isb" ::: "memory");
  test_result[2] = flag;
  test_result[0] = after("cpsie");
  // 2. BASEPRI 0x40 masks priority 0x80.
  enable_irq();
  flag = 0;
  set_basepri(0x40);
  nvic_set_pending(GPIO_IRQn);
  asm volatile("dsb\n isb" ::: "memory");
  test_result[1] = after("basepri");
  set_basepri(0);
  test_done = kTestDone;
  for (;;) wfi();
}
