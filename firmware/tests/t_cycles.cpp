// Instruction timing seen through DWT_CYCCNT. Run with `device.timing: instructions` (one
// cycle each) and `device.timing: cycles` (docs/mcu.md, cycle_model.h: Cortex-M4 TRM Table
// 3-1 with P = 2 and a divide of 7); the host test holds the hand-computed figures.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: cycles of 1000 extra iterations of [0] `subs; bne`, [1] `ldr; subs; bne`,
// [2] `udiv; subs; bne`; [3] cycles of `svc` (empty handler) minus those of a `nop`.
namespace {
constexpr std::uint32_t kDemcr = 0xE000EDFC, kDwtCtrl = 0xE0001000, kCyccnt = 0xE0001004;
volatile std::uint32_t word = 7;

__attribute__((noinline)) std::uint32_t loop(int kind, std::uint32_t n) {
  std::uint32_t a, b, t = 0;
  auto* p = &word;
  if (kind == 0)
    asm volatile("ldr %0, [%3]\n isb\n1: subs %1, #1\n bne 1b\n ldr %2, [%3]\n isb"
                 : "=&r"(a), "+r"(n), "=&r"(b)
                 : "r"(kCyccnt)
                 : "cc", "memory");
  else if (kind == 1)
    asm volatile("ldr %0, [%3]\n isb\n1: ldr %4, [%5]\n subs %1, #1\n bne 1b\n ldr %2, [%3]\n isb"
                 : "=&r"(a), "+r"(n), "=&r"(b)
                 : "r"(kCyccnt), "r"(t), "r"(p)
                 : "cc", "memory");
  else
    asm volatile("ldr %0, [%3]\n isb\n1: udiv %4, %1, %5\n subs %1, #1\n bne 1b\n ldr %2, [%3]\n isb"
                 : "=&r"(a), "+r"(n), "=&r"(b)
                 : "r"(kCyccnt), "r"(t), "r"(3)
                 : "cc", "memory");
  return b - a;
}
__attribute__((noinline)) std::uint32_t call(bool svc) {
  std::uint32_t a, b;
  if (svc)
    asm volatile("ldr %0, [%2]\n isb\n svc #0\n ldr %1, [%2]\n isb" : "=&r"(a), "=&r"(b) : "r"(kCyccnt) : "memory");
  else
    asm volatile("ldr %0, [%2]\n isb\n nop\n ldr %1, [%2]\n isb" : "=&r"(a), "=&r"(b) : "r"(kCyccnt) : "memory");
  return b - a;
}
}  // namespace

extern "C" __attribute__((naked)) void SVC_Handler() {
  asm volatile("bx lr");
}

int main() {
  using namespace mcu;
  reg(kDemcr) = 1u << 24;
  reg(kDwtCtrl) = 1u;
  for (int k = 0; k < 3; ++k) test_result[k] = loop(k, 2000) - loop(k, 1000);
  test_result[3] = call(true) - call(false);
  test_done = kTestDone;
  for (;;) wfi();
}
