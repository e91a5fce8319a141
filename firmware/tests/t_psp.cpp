// Thread mode on the process stack (CONTROL.SPSEL = 1, as an RTOS runs its tasks): an
// interrupt stacks onto PSP, the handler runs on MSP with EXC_RETURN 0xFFFFFFFD, and the
// thread continues on PSP with its registers and stack intact.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

namespace {
alignas(8) std::uint32_t process_stack[256];
volatile std::uint32_t handler_lr = 0, handler_sp = 0, handler_control = 0;
}  // namespace

extern "C" void GPIO_IRQHandler() {
  handler_lr = reinterpret_cast<std::uint32_t>(__builtin_return_address(0));
  std::uint32_t sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  handler_sp = sp;
}

__attribute__((noinline)) std::uint32_t on_process_stack() {
  std::uint32_t sp, control;
  asm volatile("mov %0, sp\n mrs %1, control" : "=r"(sp), "=r"(control));
  test_result[0] = sp;
  test_result[1] = control;
  volatile std::uint32_t local = 0x600DF00D;
  mcu::nvic_enable(mcu::GPIO_IRQn);
  mcu::nvic_set_pending(mcu::GPIO_IRQn);
  for (int i = 0; i < 50; ++i) asm volatile("");
  asm volatile("mov %0, sp" : "=r"(sp));
  test_result[2] = sp;
  test_result[3] = local;
  return sp;
}

int main() {
  std::uint32_t top = reinterpret_cast<std::uint32_t>(&process_stack[256]);
  asm volatile("msr psp, %0\n msr control, %1\n isb" ::"r"(top), "r"(2u) : "memory");
  on_process_stack();
  asm volatile("msr control, %0\n isb" ::"r"(0u) : "memory");
  test_result[4] = handler_lr;
  test_result[5] = handler_sp;
  test_result[6] = top;
  std::uint32_t msp;
  asm volatile("mrs %0, msp" : "=r"(msp));
  test_result[7] = msp;
  test_done = kTestDone;
  for (;;) mcu::wfi();
}
