// Faults a Cortex-M4 raises that a lenient emulator would let pass (ARMv7-M ARM):
// 1. BX to an even address: EPSR.T = 0, the next instruction raises UsageFault INVSTATE
//    (A7.7.20 BX, B1.4.2 "EPSR.T"); the stacked PC is the target.
// 2. Misaligned LDREX: UsageFault UNALIGNED whatever CCR.UNALIGN_TRP says (A3.2.1).
// 3. FAULTMASK is cleared by the return from any exception but NMI (B1.5.8 ExceptionReturn).
// 4. Unprivileged access to the system control space: BusFault (B3.2.1), the register
//    keeps its value.
// 5. SysTick with SYST_RVR = 0 while enabled: the counter stops at 0 after the wrap in
//    progress, one interrupt only (B3.3.3).
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] UsageFaults after the even BX (1), [1] CFSR (INVSTATE), [2] stacked PC
// == the BX target (1), [3] UsageFaults after the misaligned LDREX (2), [4] CFSR
// (UNALIGNED), [5] FAULTMASK after returning from SVC that set it (0), [6] BusFaults after an
// unprivileged NVIC_ISER write (1), [7] NVIC_ISER after it (0), [8] SysTicks with RVR = 0
// during 1 ms (1).
namespace {
volatile unsigned usage = 0, bus = 0, ticks = 0;
volatile std::uint32_t last_cfsr = 0, last_pc = 0, resume = 0;
alignas(8) volatile std::uint32_t words[4] = {1, 2, 3, 4};
}  // namespace

extern "C" void usage_fault(std::uint32_t* frame) {
  last_cfsr = mcu::reg(mcu::scs::CFSR);
  mcu::reg(mcu::scs::CFSR) = last_cfsr;
  last_pc = frame[6];
  usage = usage + 1;
  if (resume) {
    frame[6] = resume;  // back to Thumb code after the INVSTATE
    frame[7] |= 1u << 24;
    resume = 0;
  } else {
    frame[6] += 4;  // skip the 32-bit LDREX
  }
}
extern "C" __attribute__((naked)) void UsageFault_Handler() {
  asm volatile("tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n b usage_fault\n");
}
extern "C" void BusFault_Handler() {
  std::uint32_t cfsr = mcu::reg(mcu::scs::CFSR);
  mcu::reg(mcu::scs::CFSR) = cfsr;
  bus = bus + 1;
}
extern "C" void SVC_Handler() {
  // Thread mode privileged again (part 4), and FAULTMASK = 1 inside the handler (part 3).
  asm volatile("mov r0, #0\n msr control, r0\n isb\n cpsid f" ::: "r0", "memory");
}
extern "C" void SysTick_Handler() {
  ticks = ticks + 1;
}
extern "C" __attribute__((naked)) void even_target() {
  asm volatile("nop\n nop\n bx lr\n");
}

int main() {
  using namespace mcu;
  reg(scs::SHCSR) = scs::SHCSR_USGFAULTENA | scs::SHCSR_BUSFAULTENA;
  // 1. BX to an even address.
  std::uint32_t target = reinterpret_cast<std::uint32_t>(&even_target) & ~1u;
  // resume = the address after the BX (the fault handler returns there, in Thumb state).
  asm volatile("adr r1, 1f\n str r1, [%1]\n bx %0\n .balign 4\n1:\n" ::"r"(target), "r"(&resume) : "r1", "memory");
  test_result[0] = usage;
  test_result[1] = last_cfsr;
  test_result[2] = last_pc == target;
  // 2. LDREX at a misaligned address.
  std::uint32_t v = 0;
  auto addr = reinterpret_cast<std::uint32_t>(&words[1]) + 2;
  asm volatile("ldrex %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  test_result[3] = usage;
  test_result[4] = last_cfsr;
  // 3. FAULTMASK set in a handler is cleared by its return.
  asm volatile("svc #0" ::: "memory");
  std::uint32_t fm;
  asm volatile("mrs %0, faultmask" : "=r"(fm));
  test_result[5] = fm;
  // 4. Unprivileged thread mode writes NVIC_ISER.
  asm volatile("mov r0, #1\n msr control, r0\n isb" ::: "r0", "memory");
  reg(scs::NVIC_ISER) = 1u << 5;
  asm volatile("dsb\n isb" ::: "memory");
  asm volatile("svc #1" ::: "memory");  // back to privileged: the SVC handler clears nPRIV below
  test_result[6] = bus;
  test_result[7] = reg(scs::NVIC_ISER);
  // 5. SysTick: reload 0 while running.
  reg(scs::SYST_RVR) = 1200 - 1;  // 10 us
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 7;
  reg(scs::SYST_RVR) = 0;
  std::uint32_t t0 = ticks;
  for (int i = 0; i < 40000; ++i) {
    asm volatile("");
  }
  test_result[8] = ticks - t0;
  test_done = kTestDone;
  for (;;) wfi();
}
