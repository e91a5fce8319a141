// SysTick wraps seen by register accesses (ARMv7-M ARM B3.3.1: the exception is pended on
// the 1 -> 0 count; ICSR.PENDSTSET shows it, B3.2.4). With PRIMASK set and the counter
// wrapping every 1000 cycles, a wrap that a CVR read has already observed must be pending,
// and an ICSR read well after a wrap must show PENDSTSET - even when the wrap falls inside
// a long straight-line stretch of code (the simulator's translated block).
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] wraps seen with CVR read first, [1] of those without PENDSTSET in the
// ICSR read after (0), [2] wraps seen with ICSR read first, [3] of those, well past the wrap
// (CVR < RVR - 16), without PENDSTSET (0), [4] SysTick handler runs after CPSIE (1).
namespace {
volatile std::uint32_t handled = 0;
constexpr std::uint32_t kRvr = 999;

#define NOP8 "nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n"
#define NOP64 NOP8 NOP8 NOP8 NOP8 NOP8 NOP8 NOP8 NOP8

void sample(bool cvr_first, std::uint32_t& cvr, std::uint32_t& icsr) {
  if (cvr_first)
    asm volatile(NOP64 "ldr %0, [%2]\n ldr %1, [%3]"
                 : "=&r"(cvr), "=&r"(icsr)
                 : "r"(mcu::scs::SYST_CVR), "r"(mcu::scs::ICSR)
                 : "memory");
  else
    asm volatile(NOP64 "ldr %1, [%3]\n ldr %0, [%2]"
                 : "=&r"(cvr), "=&r"(icsr)
                 : "r"(mcu::scs::SYST_CVR), "r"(mcu::scs::ICSR)
                 : "memory");
}
}  // namespace

extern "C" void SysTick_Handler() {
  handled = handled + 1;
}

int main() {
  using namespace mcu;
  disable_irq();
  reg(scs::SYST_RVR) = kRvr;
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 7;
  while (reg(scs::SYST_CVR) == 0) {  // the first reload from 0 is not a wrap (no exception)
  }
  for (int pass = 0; pass < 2; ++pass) {
    bool cvr_first = pass == 0;
    reg(scs::ICSR) = 1u << 25;  // PENDSTCLR, then the reference value (a wrap between pends)
    std::uint32_t prev = reg(scs::SYST_CVR), wraps = 0, bad = 0;
    for (int i = 0; i < 300; ++i) {
      std::uint32_t cvr, icsr;
      sample(cvr_first, cvr, icsr);
      if (cvr > prev) {
        ++wraps;
        bool late = cvr_first || cvr < kRvr - 16;
        if (late && !(icsr & scs::ICSR_PENDSTSET)) ++bad;
        reg(scs::ICSR) = 1u << 25;
        cvr = reg(scs::SYST_CVR);  // after the clear (as above)
      }
      prev = cvr;
    }
    test_result[2 * pass] = wraps;
    test_result[2 * pass + 1] = bad;
  }
  reg(scs::SYST_CSR) = 0;
  reg(scs::ICSR) = scs::ICSR_PENDSTSET;
  enable_irq();
  asm volatile("isb" ::: "memory");
  test_result[4] = handled;
  test_done = kTestDone;
  for (;;) wfi();
}
