// Word alignment of multi-word accesses (ARMv7-M ARM A3.2.1, "Alignment behavior"): LDM,
// STM, LDRD, STRD, VLDR, VSTR, VLDM, VSTM at an address that is not word aligned raise a
// precise UsageFault UNALIGNED (CFSR bit 24, B3.2.15), whatever CCR.UNALIGN_TRP says (it is
// 0 here), before any access: the stacked PC is the instruction, registers and memory are
// unchanged. An unaligned single LDR/STR does not fault with UNALIGN_TRP = 0.
// The cases cover the ways the simulator finds the base register's value: unchanged since
// the block start, computed in the block (ADDS), loaded in the block (LDR), first in a block.
// Built twice: t_align_trp sets CCR.UNALIGN_TRP (the single LDR then faults too, A3.2.1).
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: per case i (0..7) at [4i]: UsageFaults taken (1), [4i+1] CFSR (UNALIGNED),
// [4i+2] stacked PC == the instruction (1), [4i+3] the destination untouched (1).
// [32] UsageFaults after aligned LDRD/STRD/LDM/STM/VLDR (0), [33] their loaded sum, [34]
// faults after an unaligned LDR (0; 1 with UNALIGN_TRP).
namespace {
volatile unsigned usage = 0;
volatile std::uint32_t last_cfsr = 0, last_pc = 0;
alignas(8) std::uint32_t buf[8] = {10, 20, 30, 40, 50, 60, 70, 80};
std::uint32_t* volatile ptr_slot = nullptr;  // a base loaded from memory in the same block
}  // namespace

extern "C" void usage_fault(std::uint32_t* frame) {
  last_cfsr = mcu::reg(mcu::scs::CFSR);
  mcu::reg(mcu::scs::CFSR) = last_cfsr;
  last_pc = frame[6];
  usage = usage + 1;
  std::uint16_t op = *reinterpret_cast<const std::uint16_t*>(frame[6]);
  frame[6] += (op >> 11) >= 0x1D ? 4 : 2;  // skip the faulting instruction
}
extern "C" __attribute__((naked)) void UsageFault_Handler() {
  asm volatile("tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n b usage_fault\n");
}

// The instructions under test, each at a global label (the expected stacked PC).
extern "C" char at_ldrd[], at_strd[], at_ldm16[], at_stmdb[], at_ldrd_first[], at_ldm_added[], at_ldrd_loaded[],
    at_vldr[];

namespace {
void record(int i, const char* at, bool untouched, unsigned before) {
  test_result[4 * i] = usage - before;
  test_result[4 * i + 1] = last_cfsr;
  test_result[4 * i + 2] = last_pc == reinterpret_cast<std::uint32_t>(at);
  test_result[4 * i + 3] = untouched;
}
std::uint32_t misaligned() {
  return reinterpret_cast<std::uint32_t>(&buf[2]) + 2;
}

__attribute__((noinline)) void case_ldrd() {
  unsigned before = usage;
  std::uint32_t lo, hi;
  asm volatile(
      "movs %0, #0x55\n movs %1, #0x66\n"
      ".global at_ldrd\n at_ldrd: ldrd %0, %1, [%2, #4]\n"
      : "=&l"(lo), "=&l"(hi)
      : "l"(misaligned())
      : "memory");
  record(0, at_ldrd, lo == 0x55 && hi == 0x66, before);
}
__attribute__((noinline)) void case_strd() {
  unsigned before = usage;
  asm volatile(
      "movs r2, #1\n movs r3, #2\n"
      ".global at_strd\n at_strd: strd r2, r3, [%0]\n" ::"l"(misaligned())
      : "r2", "r3", "memory");
  record(1, at_strd, buf[2] == 30 && buf[3] == 40 && buf[4] == 50, before);
}
__attribute__((noinline)) void case_ldm16() {
  unsigned before = usage;
  std::uint32_t base = misaligned(), start = base;
  asm volatile(
      "movs r2, #7\n"
      ".global at_ldm16\n at_ldm16: ldmia %0!, {r2, r3}\n mov %1, r2\n"
      : "+l"(base), "=l"(start)
      :
      : "r2", "r3", "memory");
  record(2, at_ldm16, start == 7 && base == misaligned(), before);
}
__attribute__((noinline)) void case_stmdb() {
  unsigned before = usage;
  std::uint32_t base = misaligned() + 8;
  asm volatile(
      "mov r4, #9\n mov r5, #9\n"
      ".global at_stmdb\n at_stmdb: stmdb %0!, {r4, r5}\n"
      : "+r"(base)
      :
      : "r4", "r5", "memory");
  record(3, at_stmdb, base == misaligned() + 8 && buf[2] == 30 && buf[3] == 40 && buf[4] == 50, before);
}
__attribute__((noinline)) void case_ldrd_first() {
  unsigned before = usage;
  std::uint32_t lo = 0x11, hi = 0x22;
  // ISB ends the translated block: the LDRD is the first instruction of the next one.
  asm volatile(
      "isb\n"
      ".global at_ldrd_first\n at_ldrd_first: ldrd %0, %1, [%2]\n"
      : "+&r"(lo), "+&r"(hi)
      : "r"(misaligned())
      : "memory");
  record(4, at_ldrd_first, lo == 0x11 && hi == 0x22, before);
}
__attribute__((noinline)) void case_ldm_added() {
  unsigned before = usage;
  std::uint32_t base = reinterpret_cast<std::uint32_t>(&buf[2]), r;
  // The base is word aligned at the block start; ADDS makes it misaligned in the block.
  asm volatile(
      "movs r2, #0x33\n adds %0, #2\n"
      ".global at_ldm_added\n at_ldm_added: ldmia.w %0, {r2, r3}\n mov %1, r2\n"
      : "+l"(base), "=r"(r)
      :
      : "r2", "r3", "memory");
  record(5, at_ldm_added, r == 0x33, before);
}
__attribute__((noinline)) void case_ldrd_loaded() {
  unsigned before = usage;
  ptr_slot = reinterpret_cast<std::uint32_t*>(misaligned());
  std::uint32_t lo = 0x44, hi = 0x45;
  // The base comes from memory in the same block: checked by a hook on the instruction.
  asm volatile(
      "ldr r1, [%2]\n"
      ".global at_ldrd_loaded\n at_ldrd_loaded: ldrd %0, %1, [r1]\n"
      : "+&r"(lo), "+&r"(hi)
      : "r"(&ptr_slot)
      : "r1", "memory");
  record(6, at_ldrd_loaded, lo == 0x44 && hi == 0x45, before);
}
__attribute__((noinline)) void case_vldr() {
  unsigned before = usage;
  float f = 1.5f;
  asm volatile(
      "vmov s0, %0\n"
      ".global at_vldr\n at_vldr: vldr s0, [%1]\n vmov %0, s0\n"
      : "+r"(f)
      : "r"(misaligned())
      : "s0", "memory");
  record(7, at_vldr, f == 1.5f, before);
}
__attribute__((noinline)) void aligned_ones() {
  unsigned before = usage;
  std::uint32_t lo, hi, a, b;
  float f;
  std::uint32_t* p = &buf[2];
  asm volatile("ldrd %0, %1, [%5]\n strd %0, %1, [%5]\n ldmia %5, {%2, %3}\n stmia %5, {%2, %3}\n vldr %4, [%5]\n"
               : "=&r"(lo), "=&r"(hi), "=&r"(a), "=&r"(b), "=&t"(f)
               : "r"(p)
               : "memory");
  test_result[32] = usage - before;
  test_result[33] = lo + hi + a + b;
  // A single unaligned LDR is allowed while CCR.UNALIGN_TRP = 0 (A3.2.1).
  std::uint32_t v;
  asm volatile("ldr %0, [%1, #2]" : "=r"(v) : "r"(p) : "memory");
  test_result[34] = usage - before;
  (void)f;
  (void)v;
}
}  // namespace

// Where a debugger stops to read the results (tests/cpp/mcu/gdb_stub_test.cpp).
extern "C" __attribute__((noinline)) void align_done() {
  asm volatile("" ::: "memory");
}

int main() {
  using namespace mcu;
  reg(scs::SHCSR) = scs::SHCSR_USGFAULTENA;
#ifdef UNALIGN_TRP
  reg(scs::CCR) = reg(scs::CCR) | (1u << 3);
#endif
  case_ldrd();
  case_strd();
  case_ldm16();
  case_stmdb();
  case_ldrd_first();
  case_ldm_added();
  case_ldrd_loaded();
  case_vldr();
  aligned_ones();
  test_done = kTestDone;
  align_done();
  for (;;) wfi();
}
