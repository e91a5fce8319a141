// Debug and trace registers firmware uses on a Cortex-M4 (ARMv7-M ARM C1.6, C1.7, C1.8,
// B3.5): DEMCR.TRCENA and DWT_CTRL.CYCCNTENA start the cycle counter DWT_CYCCNT (the usual
// timing and micro-delay idiom); DWT_CTRL.NUMCOMP = 4 on the M4; MPU_TYPE reads 0 on a part
// without an MPU (RTOS ports test DREGION); an ITM stimulus port reads 1 (FIFOREADY) and,
// enabled by ITM_TCR/ITM_TER, carries SWO printf characters. None of these may fault.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] CYCCNT over 2000 - over 1000 iterations of `subs; bne` (2000 at one cycle
// per instruction), [1] MPU_TYPE (0), [2] DEMCR (TRCENA), [3] ITM_STIM0 read (1),
// [4] DWT_CTRL >> 28 (4), [5] CYCCNT advance with CYCCNTENA clear (0), [6] BusFaults (0).
namespace {
constexpr std::uint32_t kDemcr = 0xE000EDFC, kMpuType = 0xE000ED90, kDwtCtrl = 0xE0001000, kCyccnt = 0xE0001004,
                        kItmStim0 = 0xE0000000, kItmTer = 0xE0000E00, kItmTcr = 0xE0000E80, kItmLar = 0xE0000FB0;
volatile unsigned bus_faults = 0;

__attribute__((noinline)) std::uint32_t loop_cycles(std::uint32_t n) {
  std::uint32_t a, b;
  asm volatile("ldr %0, [%3]\n isb\n1: subs %1, #1\n bne 1b\n ldr %2, [%3]\n isb"
               : "=&r"(a), "+r"(n), "=&r"(b)
               : "r"(kCyccnt)
               : "cc", "memory");
  return b - a;
}
}  // namespace

extern "C" void BusFault_Handler() {
  bus_faults = bus_faults + 1;
  for (;;) {
  }
}

int main() {
  using namespace mcu;
  reg(scs::SHCSR) = scs::SHCSR_BUSFAULTENA;
  reg(kDemcr) = reg(kDemcr) | (1u << 24);
  reg(kCyccnt) = 0;
  reg(kDwtCtrl) = reg(kDwtCtrl) | 1u;
  test_result[0] = loop_cycles(2000) - loop_cycles(1000);
  test_result[1] = reg(kMpuType);
  test_result[2] = reg(kDemcr);
  test_result[3] = reg(kItmStim0);
  test_result[4] = reg(kDwtCtrl) >> 28;
  reg(kDwtCtrl) = reg(kDwtCtrl) & ~1u;
  std::uint32_t c0 = reg(kCyccnt);
  for (int i = 0; i < 100; ++i) {
    asm volatile("");
  }
  test_result[5] = reg(kCyccnt) - c0;
  // SWO printf through stimulus port 0.
  reg(kItmLar) = 0xC5ACCE55u;
  reg(kItmTcr) = 1;  // ITMENA
  reg(kItmTer) = 1;  // port 0
  for (const char* p = "itm hello\n"; *p; ++p) {
    while (!(reg(kItmStim0) & 1u)) {
    }
    *reinterpret_cast<volatile std::uint8_t*>(kItmStim0) = static_cast<std::uint8_t>(*p);
  }
  test_result[6] = bus_faults;
  test_done = kTestDone;
  for (;;) wfi();
}
