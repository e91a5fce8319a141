// SCB configuration with effect: CCR.DIV_0_TRP (divide by zero -> UsageFault DIVBYZERO),
// CCR.UNALIGN_TRP (unaligned LDR/LDRH -> UsageFault UNALIGNED), CPACR (FPU instruction with
// CP10/CP11 denied -> UsageFault NOCP) and SCR.SLEEPONEXIT (after the last handler returns
// the core sleeps instead of running thread code). The UsageFault handler records and skips.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] 7/0 without DIV_0_TRP, [1] faults after it, [2] 7/0 with DIV_0_TRP:
// faults, [3] CFSR, [4] unaligned LDR without UNALIGN_TRP, [5] faults after it, [6] faults
// after an unaligned LDR with UNALIGN_TRP, [7] CFSR, [8] faults after an unaligned LDRH,
// [9] faults after an aligned LDR, [10] faults after VADD with CPACR = 0, [11] CFSR,
// [12] VADD result with CPACR full access (bits), [13] main loop count at the first tick of
// SLEEPONEXIT, [14] main loop count at the last tick, [15] ticks, [16] faulting PCs seen
// equal the instruction addresses (1 = all).
namespace {
volatile unsigned n_faults = 0;
volatile std::uint32_t last_cfsr = 0, last_pc = 0;
volatile std::uint32_t main_loops = 0, ticks = 0;
alignas(4) volatile std::uint8_t buffer[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

std::uint32_t udiv(std::uint32_t a, std::uint32_t b) {
  std::uint32_t q = 0;
  asm volatile("udiv %0, %1, %2" : "+r"(q) : "r"(a), "r"(b));
  return q;
}
}  // namespace

extern "C" void usage_fault(std::uint32_t* frame) {
  std::uint32_t cfsr = mcu::reg(mcu::scs::CFSR);
  last_cfsr = cfsr;
  last_pc = frame[6];
  n_faults = n_faults + 1;
  std::uint16_t op = *reinterpret_cast<const std::uint16_t*>(frame[6]);
  frame[6] += ((op >> 11) >= 0x1D) ? 4 : 2;
  mcu::reg(mcu::scs::CFSR) = cfsr;
}

extern "C" __attribute__((naked)) void UsageFault_Handler() {
  asm volatile("tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n b usage_fault\n");
}

extern "C" void SysTick_Handler() {
  ticks = ticks + 1;
  if (ticks == 1) test_result[13] = main_loops;
  if (ticks == 20) {
    test_result[14] = main_loops;
    test_result[15] = ticks;
    mcu::reg(mcu::scs::SCR) = 0;  // back to running thread code
    mcu::reg(mcu::scs::SYST_CSR) = 0;
  }
}

int main() {
  using namespace mcu;
  reg(scs::SHCSR) = scs::SHCSR_USGFAULTENA;
  // 1. Divide by zero.
  test_result[0] = udiv(7, 0);
  test_result[1] = n_faults;
  reg(scs::CCR) = reg(scs::CCR) | (1u << 4);
  asm volatile("dsb\n isb" ::: "memory");
  udiv(7, 0);  // (the handler skips it: no result)
  test_result[2] = n_faults;
  test_result[3] = last_cfsr;
  // 2. Unaligned accesses.
  auto addr = reinterpret_cast<std::uint32_t>(&buffer[1]);
  std::uint32_t v;
  asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  test_result[4] = v;
  test_result[5] = n_faults;
  reg(scs::CCR) = reg(scs::CCR) | (1u << 3);
  asm volatile("dsb\n isb" ::: "memory");
  asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  test_result[6] = n_faults;
  test_result[7] = last_cfsr;
  asm volatile("ldrh %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  test_result[8] = n_faults;
  asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr - 1) : "memory");
  test_result[9] = n_faults;
  reg(scs::CCR) = reg(scs::CCR) & ~((1u << 3) | (1u << 4));
  // 3. The FPU gated by CPACR.
  std::uint32_t saved = reg(scs::CPACR);
  reg(scs::CPACR) = 0;
  asm volatile("dsb\n isb" ::: "memory");
  asm volatile("vadd.f32 s0, s0, s1" ::: "s0", "memory");
  test_result[10] = n_faults;
  test_result[11] = last_cfsr;
  reg(scs::CPACR) = saved;
  asm volatile("dsb\n isb" ::: "memory");
  float r;
  asm volatile("vmov s0, %1\n vmov s1, %1\n vadd.f32 s0, s0, s1\n vmov %0, s0" : "=r"(r) : "r"(1.5f) : "s0", "s1");
  test_result[12] = __builtin_bit_cast(std::uint32_t, r);
  // 4. SLEEPONEXIT: 20 SysTicks at 1 kHz during which main must not run.
  reg(scs::SYST_RVR) = 120000 - 1;
  reg(scs::SYST_CVR) = 0;
  reg(scs::SCR) = 2;
  reg(scs::SYST_CSR) = 7;
  while (ticks < 20) main_loops = main_loops + 1;
  test_done = kTestDone;
  for (;;) wfi();
}
