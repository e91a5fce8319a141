// Level-sensitive interrupt lines (ARMv7-M ARM B3.4.1, Cortex-M4 Generic User Guide 4.2.9
// "level-sensitive interrupts"): while a line is asserted and its interrupt is not active,
// the interrupt is pending, whatever software writes to NVIC_ICPR. The usual driver
// initialisation "clear pending, then enable" must therefore still run the handler for a
// peripheral that already holds its line high (here TIMER0's MATCH with IE, one-shot).
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] ISPR bit of TIMER0 with the line high and the IRQ disabled (1), [1] the
// same after ICPR (1: still pending), [2] handler runs after ISER (1), [3] pending after the
// handler cleared the source (0), [4] a software pend of a line that is low, after ICPR (0).
namespace {
constexpr std::uint32_t kCtrl = mcu::kTimer0Base + 0x00, kLoad = mcu::kTimer0Base + 0x08,
                        kStatus = mcu::kTimer0Base + 0x10;
volatile unsigned handled = 0;
std::uint32_t pending_bit(unsigned irq) {
  return (mcu::reg(mcu::scs::NVIC_ISPR) >> irq) & 1u;
}
void barrier() {
  asm volatile("dsb\n isb" ::: "memory");
}
}  // namespace

extern "C" void TIMER0_IRQHandler() {
  mcu::reg(kStatus) = 1;  // W1C MATCH: the line goes low
  handled = handled + 1;
}

int main() {
  using namespace mcu;
  reg(kLoad) = 100;
  reg(kCtrl) = 1u | 2u | 4u;  // enable, one-shot, interrupt enable
  while (!(reg(kStatus) & 1u)) {
  }
  barrier();
  test_result[0] = pending_bit(TIMER0_IRQn);
  reg(scs::NVIC_ICPR) = 1u << TIMER0_IRQn;
  barrier();
  test_result[1] = pending_bit(TIMER0_IRQn);
  reg(scs::NVIC_ISER) = 1u << TIMER0_IRQn;
  barrier();
  test_result[2] = handled;
  test_result[3] = pending_bit(TIMER0_IRQn);
  nvic_set_pending(9);  // reserved line: its level is always low
  reg(scs::NVIC_ICPR) = 1u << 9;
  barrier();
  test_result[4] = pending_bit(9);
  test_done = kTestDone;
  for (;;) wfi();
}
