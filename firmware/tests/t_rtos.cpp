// An RTOS-like context switch on unprivileged tasks: SVC 0 starts the first task on the
// process stack, unprivileged (CONTROL = nPRIV | SPSEL, EXC_RETURN 0xFFFFFFFD); SysTick
// pends PendSV, which switches between two tasks, saving r4-r11 and EXC_RETURN (plus
// s16-s31 when the task used the FPU: EXC_RETURN 0xFFFFFFED) on each task's stack. Task 0
// does integer work, task 1 float work; both check that their registers, stack, privilege
// and SVC calls survive the switches. Handlers check that they run privileged on MSP.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] task 0 rounds, [1] task 1 rounds, [2] switches, [3] error bits (below),
// [4] CONTROL in SysTick, [5] SysTick entries from an FPU task (EXC_RETURN 0xFFFFFFED),
// [6] SVC 1 calls served, [7] CONTROL in task 0, [8] CONTROL in task 1, [9] PRIMASK seen by
// a task after CPSID (unprivileged: ignored), [10] SP in SysTick, [11] MSP at start,
// [12..15] task stack bounds, [16] SysTick entries from an integer task (0xFFFFFFFD),
// [17] other EXC_RETURN values seen by SysTick, [18] CONTROL in the SVC handler.
enum : std::uint32_t {
  kErrSp0 = 1,
  kErrSp1 = 2,
  kErrRegs0 = 4,
  kErrRegs1 = 8,
  kErrControl = 16,
  kErrSvc = 32,
  kErrHandlerSp = 64
};

extern "C" {
volatile std::uint32_t task_sp[2];
volatile std::uint32_t current_task = 0;
}

namespace {
constexpr unsigned kWords = 256;
alignas(8) std::uint32_t stacks[2][kWords];

std::uint32_t get_sp() {
  std::uint32_t sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  return sp;
}
std::uint32_t get_control() {
  std::uint32_t v;
  asm volatile("mrs %0, control" : "=r"(v));
  return v;
}
void fail(std::uint32_t bit) {
  test_result[3] = test_result[3] | bit;
}
bool on_stack(unsigned t, std::uint32_t sp) {
  auto lo = reinterpret_cast<std::uint32_t>(&stacks[t][0]), hi = reinterpret_cast<std::uint32_t>(&stacks[t][kWords]);
  return sp > lo && sp <= hi;
}
std::uint32_t svc1(std::uint32_t v) {
  register std::uint32_t r0 asm("r0") = v;
  asm volatile("svc #1" : "+r"(r0)::"memory");
  return r0;
}
// Unprivileged: CPSID is ignored, PRIMASK stays 0.
void try_privileged() {
  std::uint32_t pm;
  asm volatile("cpsid i\n mrs %0, primask\n cpsie i" : "=r"(pm)::"memory");
  test_result[9] = test_result[9] | pm;
}

[[noreturn]] void task0() {
  std::uint32_t a = 1, b = 1;
  for (;;) {
    a = a * 1103515245u + 12345u;
    asm volatile("" : "+r"(b));  // two copies of the same sequence in different registers
    b = b * 1103515245u + 12345u;
    if (a != b) fail(kErrRegs0);
    if (!on_stack(0, get_sp())) fail(kErrSp0);
    std::uint32_t c = get_control();
    test_result[7] = c;
    if ((c & 3u) != 3u) fail(kErrControl);
    if ((test_result[0] & 63) == 0) {
      if (svc1(a) != a + 1) fail(kErrSvc);
      try_privileged();
    }
    test_result[0] = test_result[0] + 1;
  }
}

[[noreturn]] void task1() {
  float f = 1.0f, g = 1.0f;
  std::uint32_t n = 7, m = 7;
  for (;;) {
    f = f * 0.999f + 0.5f;
    asm volatile("" : "+t"(g), "+r"(m));
    g = g * 0.999f + 0.5f;
    n = n * 3u + 1u;
    m = m * 3u + 1u;
    if (__builtin_memcmp(&f, &g, 4) != 0 || n != m) fail(kErrRegs1);
    if (!on_stack(1, get_sp())) fail(kErrSp1);
    std::uint32_t c = get_control();
    test_result[8] = c;
    if ((c & 3u) != 3u) fail(kErrControl);
    if ((test_result[1] & 63) == 0 && svc1(n) != n + 1) fail(kErrSvc);
    test_result[1] = test_result[1] + 1;
  }
}

// Initial stack of a task: the hardware frame (PC = entry, xPSR.T) under a software frame
// r4-r11 and EXC_RETURN (thread mode, PSP, basic frame).
std::uint32_t initial_sp(unsigned t, void (*entry)()) {
  std::uint32_t* top = &stacks[t][kWords];
  std::uint32_t* hw = top - 8;
  for (int i = 0; i < 8; ++i) hw[i] = 0;
  hw[6] = reinterpret_cast<std::uint32_t>(entry) & ~1u;
  hw[7] = 1u << 24;
  std::uint32_t* sw = hw - 9;
  for (int i = 0; i < 8; ++i) sw[i] = 0x04040404u * static_cast<std::uint32_t>(i + 4);
  sw[8] = 0xFFFFFFFDu;
  return reinterpret_cast<std::uint32_t>(sw);
}
}  // namespace

extern "C" void svc_service(std::uint32_t* frame, std::uint32_t number) {
  test_result[18] = get_control();
  if (number == 1) {
    frame[0] = frame[0] + 1;
    test_result[6] = test_result[6] + 1;
  }
}

extern "C" __attribute__((naked)) void SVC_Handler() {
  asm volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "ldr r1, [r0, #24]\n"
      "ldrb r1, [r1, #-2]\n"
      "cbz r1, 1f\n"
      "push {r4, lr}\n"
      "bl svc_service\n"
      "pop {r4, pc}\n"
      // SVC 0: start task 0 (its software frame holds r4-r11 and EXC_RETURN).
      "1: ldr r3, =task_sp\n"
      "ldr r0, [r3]\n"
      "ldmia r0!, {r4-r11, lr}\n"
      "msr psp, r0\n"
      "movs r0, #1\n"  // nPRIV; SPSEL comes from EXC_RETURN
      "msr control, r0\n"
      "isb\n"
      "bx lr\n"
      ".ltorg\n");
}

extern "C" __attribute__((naked)) void PendSV_Handler() {
  asm volatile(
      "mrs r0, psp\n"
      "isb\n"
      "tst lr, #0x10\n"
      "it eq\n"
      "vstmdbeq r0!, {s16-s31}\n"
      "stmdb r0!, {r4-r11, lr}\n"
      "ldr r1, =current_task\n"
      "ldr r2, [r1]\n"
      "ldr r3, =task_sp\n"
      "str r0, [r3, r2, lsl #2]\n"
      "eor r2, r2, #1\n"
      "str r2, [r1]\n"
      "ldr r0, [r3, r2, lsl #2]\n"
      "ldmia r0!, {r4-r11, lr}\n"
      "tst lr, #0x10\n"
      "it eq\n"
      "vldmiaeq r0!, {s16-s31}\n"
      "msr psp, r0\n"
      "isb\n"
      "ldr r1, =test_result\n"
      "ldr r2, [r1, #8]\n"
      "adds r2, #1\n"
      "str r2, [r1, #8]\n"
      "bx lr\n"
      ".ltorg\n");
}

extern "C" void SysTick_Handler() {
  auto exc_return = reinterpret_cast<std::uint32_t>(__builtin_return_address(0));
  if (exc_return == 0xFFFFFFEDu)
    test_result[5] = test_result[5] + 1;
  else if (exc_return == 0xFFFFFFFDu)
    test_result[16] = test_result[16] + 1;
  else
    test_result[17] = test_result[17] + 1;
  test_result[4] = get_control();
  std::uint32_t sp = get_sp();
  test_result[10] = sp;
  if (on_stack(0, sp) || on_stack(1, sp)) fail(kErrHandlerSp);
  if (test_result[2] >= 200) test_done = kTestDone;
  mcu::pend_sv();
}

int main() {
  using namespace mcu;
  std::uint32_t msp;
  asm volatile("mrs %0, msp" : "=r"(msp));
  test_result[11] = msp;
  test_result[12] = reinterpret_cast<std::uint32_t>(&stacks[0][0]);
  test_result[13] = reinterpret_cast<std::uint32_t>(&stacks[0][kWords]);
  test_result[14] = reinterpret_cast<std::uint32_t>(&stacks[1][0]);
  test_result[15] = reinterpret_cast<std::uint32_t>(&stacks[1][kWords]);
  task_sp[0] = initial_sp(0, task0);
  task_sp[1] = initial_sp(1, task1);
  set_system_priority(14, 0xF0);  // PendSV lowest
  set_system_priority(15, 0xE0);  // SysTick just above
  reg(scs::SYST_RVR) = 1200 - 1;  // 10 us
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 7;
  asm volatile("svc #0");
  for (;;) wfi();  // never reached
}
