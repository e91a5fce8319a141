// The local exclusive monitor (ARMv7-M ARM A3.4): LDREX opens it, STREX stores only while it
// is open (and returns 0; else 1 and no store, A3.4.2), CLREX clears it (A3.4.4), and so does
// every exception entry and return: ClearExclusiveLocal() in ExceptionEntry / ExceptionReturn
// (B1.5.6, B1.5.8; A3.4.4 "the local monitor is cleared on exception entry or exit"). So a
// STREX after an interrupt taken between LDREX and STREX fails even though the interrupt did
// not touch the location: the usual retry loop then runs once more.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] STREX status without interruption (0), [1] the word after it (stored),
// [2] STREX status after an interrupt between LDREX and STREX (1), [3] the word (unchanged),
// [4] interrupts taken (1), [5] status after LDREX; CLREX; STREX (1), [6] the word
// (unchanged), [7] status after an SVC between LDREX and STREX (1), [8] status of a second
// STREX after the failed one, without a new LDREX (1), [9] status after LDREX again (0),
// [10] the handler's own LDREX/STREX status (0), [11] the thread's STREX after that handler (1).
namespace {
volatile std::uint32_t word = 100, other = 0, irqs = 0, handler_status = 9;
volatile bool handler_uses_monitor = false;
constexpr unsigned kIrq = 7;  // RNG: its line stays low, so a software pend is taken once
}  // namespace

extern "C" void RNG_IRQHandler() {
  irqs = irqs + 1;
  if (handler_uses_monitor) {
    std::uint32_t v, st;
    asm volatile("ldrex %0, [%2]\n adds %0, #1\n strex %1, %0, [%2]\n" : "=&r"(v), "=&r"(st) : "r"(&other) : "memory");
    handler_status = st;
  }
}
extern "C" void SVC_Handler() {}

namespace {
// LDREX, then `between` (an exception or not), then STREX of value+1: returns STREX's status.
template <typename F>
std::uint32_t ldrex_strex(F between) {
  std::uint32_t v, st;
  asm volatile("ldrex %0, [%1]" : "=r"(v) : "r"(&word) : "memory");
  between();
  asm volatile("strex %0, %1, [%2]" : "=&r"(st) : "r"(v + 1), "r"(&word) : "memory");
  return st;
}
void pend_and_take() {
  mcu::nvic_set_pending(kIrq);
  asm volatile("dsb\n isb" ::: "memory");
}
}  // namespace

// Where a debugger stops to read the results (tests/cpp/mcu/gdb_stub_test.cpp).
extern "C" __attribute__((noinline)) void excl_done() {
  asm volatile("" ::: "memory");
}

int main() {
  using namespace mcu;
  nvic_enable(kIrq);
  test_result[0] = ldrex_strex([] {});
  test_result[1] = word;  // 101
  test_result[2] = ldrex_strex(pend_and_take);
  test_result[3] = word;  // still 101
  test_result[4] = irqs;
  test_result[5] = ldrex_strex([] { asm volatile("clrex" ::: "memory"); });
  test_result[6] = word;
  test_result[7] = ldrex_strex([] { asm volatile("svc #0" ::: "memory"); });
  {
    std::uint32_t st;
    asm volatile("strex %0, %1, [%2]" : "=&r"(st) : "r"(7u), "r"(&word) : "memory");
    test_result[8] = st;
  }
  test_result[9] = ldrex_strex([] {});
  handler_uses_monitor = true;
  test_result[11] = ldrex_strex(pend_and_take);
  test_result[10] = handler_status;
  test_done = kTestDone;
  excl_done();
  for (;;) wfi();
}
