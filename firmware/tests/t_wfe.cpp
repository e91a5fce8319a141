// WFE and SEV (ARMv7-M ARM B1.5.18): WFE with the event register set clears it and goes on
// without sleeping; with it clear the core sleeps until an event: an exception that can
// preempt, or (SCR.SEVONPEND) any interrupt entering the pending state, even a disabled or
// masked one. SEV sets the event register.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] UsageFaults seen (0), [1] SysTicks after `sev; wfe` (0: no sleep),
// [2] SysTicks after the next `wfe` (1: slept until the tick), [3] TIMER0 pending in the
// NVIC after a `wfe` woken by SEVONPEND with PRIMASK set and the IRQ disabled (1), [4] its
// handler has not run (0).
namespace {
volatile unsigned ticks = 0, faults = 0, timer_irqs = 0;
constexpr std::uint32_t kCtrl = mcu::kTimer0Base + 0x00, kLoad = mcu::kTimer0Base + 0x08;
}  // namespace

extern "C" void SysTick_Handler() {
  ticks = ticks + 1;
  mcu::reg(mcu::scs::SYST_CSR) = 0;  // one tick only
}
extern "C" void UsageFault_Handler() {
  faults = faults + 1;
  for (;;) {
  }
}
extern "C" void TIMER0_IRQHandler() {
  timer_irqs = timer_irqs + 1;
}

int main() {
  using namespace mcu;
  reg(scs::SHCSR) = scs::SHCSR_USGFAULTENA;
  reg(scs::SYST_RVR) = 120000 - 1;  // 1 ms
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 7;
  asm volatile("sev\n wfe" ::: "memory");
  test_result[1] = ticks;
  asm volatile("wfe" ::: "memory");
  test_result[2] = ticks;
  // SEVONPEND: a disabled, masked interrupt becoming pending wakes WFE without being taken.
  disable_irq();
  reg(scs::SCR) = 0x10;
  asm volatile("sev\n wfe" ::: "memory");  // event register clear
  reg(kLoad) = 2000;
  reg(kCtrl) = 1u | 2u | 4u;  // one-shot with interrupt: the line rises in ~17 us
  asm volatile("wfe" ::: "memory");
  test_result[3] = (reg(scs::NVIC_ISPR) >> TIMER0_IRQn) & 1u;
  test_result[4] = timer_irqs;
  test_result[0] = faults;
  test_done = kTestDone;
  for (;;) wfi();
}
