// RTOS conformance test: a small preemptive priority kernel written the way the common
// Cortex-M4F ports are (ARMv7-M ARM B1.5; the ARM "Cortex-M4(F) lazy stacking and context
// switching" application note AN298):
// - tasks run privileged on the process stack; PendSV (lowest priority) switches them, saving
//   r4-r11 and EXC_RETURN, plus s16-s31 only when EXC_RETURN bit 4 is 0 (the task had an FP
//   context, CONTROL.FPCA = 1); the hardware stacks s0-s15/FPSCR (lazy stacking, FPCCR.LSPEN);
// - kernel critical sections raise BASEPRI to kMaxSyscall; interrupts at or below it (TIMER0,
//   GPIO, software IRQ 20) send to a queue from the ISR; IRQ 21 above it uses only the FPU;
// - tickless idle: the idle task programs SysTick for the next wake-up (up to 2^24 cycles),
//   sleeps, and corrects the tick count from the SysTick counter when it wakes (early, by
//   another interrupt, or on time);
// - the vector table is copied to RAM (VTOR) for the software IRQs 20 and 21 (pended with STIR
//   and ISPR) and FP is used in tasks and in every interrupt.
// The host test runs it for 24 simulated hours and checks the tick count against the PWR
// uptime counter and the message counts against the elapsed time.
#include <cstring>
#include <initializer_list>

#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] error bits (below), [1] ticks at the last TIMER0 message, [2] uptime ms at
// the last TIMER0 message, [3] TIMER0 messages, [4] GPIO messages, [5] software-IRQ messages,
// [6] FP task rounds, [7] integer task rounds, [8] tickless sleeps, [9] sleeps woken early by
// another interrupt, [10] context switches, [11] IRQ 20 entries from an FP task context
// (EXC_RETURN bit 4 = 0), [12] IRQ 21 runs, [13] max ticks suppressed in one sleep,
// [14] FPCCR at start, [15] IRQ 20 entries where FPCAR pointed at the frame's s0 slot,
// [16] the tick count when the FP task last woke, [17] queue overflows.
enum : std::uint32_t {
  kErrFpTask = 1,          // s0-s31 of the FP task changed across a switch or an interrupt
  kErrIntTask = 2,         // r4-r11 of the integer task changed
  kErrSeq = 4,             // a source's messages arrived out of order or lost
  kErrValue = 8,           // an FP value computed in an ISR arrived wrong
  kErrFpca = 16,           // CONTROL.FPCA not 0 at handler entry or not 1 after an FP instruction
  kErrWakeLate = 32,       // a delayed task woke at the wrong tick
  kErrIrq21 = 64,          // the high-priority FP interrupt computed a wrong value
  kErrBasepri = 128,       // an API interrupt ran inside a kernel critical section
  kErrFpccr = 256,         // FPCCR.ASPEN/LSPEN not set at reset
  kErrStackOverflow = 512  // a task stack guard word changed
};

namespace {
constexpr std::uint32_t kCoreHz = 120'000'000, kTickHz = 1000, kCyclesPerTick = kCoreHz / kTickHz;
constexpr std::uint32_t kMaxSuppressed = 0xFFFFFFu / kCyclesPerTick;  // SysTick is 24 bits
constexpr std::uint8_t kMaxSyscall = 0x40, kPrioKernel = 0xF0;
constexpr unsigned kIrqSoft = 20, kIrqFpHigh = 21;
constexpr std::uint32_t kTimerPeriodUs = 500'000;  // TIMER0: 1 MHz after the prescaler
constexpr std::uint32_t kGuard = 0xDEADBEEFu;

void fail(std::uint32_t bit) {
  test_result[0] = test_result[0] | bit;
}

// --- kernel -------------------------------------------------------------------------------
struct Tcb {
  std::uint32_t* sp;  // first: the PendSV code reads it at offset 0
  std::uint32_t prio;
  std::uint32_t wake;
  bool delayed, blocked;
  std::uint32_t* stack_lo;
};
constexpr unsigned kTasks = 4, kStackWords = 512;
alignas(8) std::uint32_t stacks[kTasks][kStackWords];
Tcb tcbs[kTasks];
volatile std::uint32_t ticks = 0;
// While the idle task sleeps tickless the scheduler is suspended (as FreeRTOS's vTaskSuspendAll
// around portSUPPRESS_TICKS_AND_SLEEP): the interrupts that wake it must not switch tasks
// before it has corrected the tick count; ticks and switches are deferred until then.
volatile bool suspended = false, yield_pending = false;
volatile std::uint32_t pended_ticks = 0;
}  // namespace

extern "C" {
Tcb* volatile current = nullptr;
}

namespace {
std::uint32_t raise_basepri() {
  std::uint32_t old;
  asm volatile("mrs %0, basepri\n msr basepri, %1\n dsb\n isb" : "=&r"(old) : "r"(kMaxSyscall) : "memory");
  return old;
}
void restore_basepri(std::uint32_t old) {
  asm volatile("msr basepri, %0\n isb" ::"r"(old) : "memory");
}
std::uint32_t basepri() {
  std::uint32_t v;
  asm volatile("mrs %0, basepri" : "=r"(v));
  return v;
}

// Highest-priority ready task (the idle task, priority 0, is always ready).
Tcb* pick() {
  Tcb* best = &tcbs[0];
  for (auto& t : tcbs)
    if (!t.delayed && !t.blocked && t.prio > best->prio) best = &t;
  return best;
}
void request_switch_if(const Tcb* t) {
  if (t->prio <= current->prio) return;
  if (suspended)
    yield_pending = true;
  else
    mcu::pend_sv();
}
// Kernel lock held: wake the tasks whose time has come.
void wake_due() {
  for (auto& t : tcbs)
    if (t.delayed && static_cast<std::int32_t>(ticks - t.wake) >= 0) {
      if (ticks != t.wake) fail(kErrWakeLate);
      t.delayed = false;
      request_switch_if(&t);
    }
}
// As vTaskStepTick: `n` never passes the earliest wake-up (the idle task sleeps at most until
// it), so one check after the step finds the tasks due exactly now.
void step_ticks(std::uint32_t n) {
  std::uint32_t old = raise_basepri();
  ticks = ticks + n;
  wake_due();
  restore_basepri(old);
}
// Sleep until tick `at` (absolute, as vTaskDelayUntil: no drift). Leaves the kernel lock held
// and PendSV pending: the caller's next BASEPRI = 0 switches away.
void delay_until_locked(std::uint32_t at) {
  raise_basepri();
  current->wake = at;
  current->delayed = true;
  mcu::pend_sv();
}
struct Msg {
  std::uint32_t src, seq;
  float value;
};
constexpr unsigned kQueueLen = 16;
Msg queue[kQueueLen];
volatile unsigned q_head = 0, q_count = 0;
Tcb* volatile q_waiter = nullptr;

void send_from_isr(const Msg& m) {
  std::uint32_t old = raise_basepri();  // portSET_INTERRUPT_MASK_FROM_ISR
  if (q_count == kQueueLen) {
    test_result[17] = test_result[17] + 1;
  } else {
    queue[(q_head + q_count) % kQueueLen] = m;
    q_count = q_count + 1;
    if (Tcb* w = q_waiter) {
      q_waiter = nullptr;
      w->blocked = false;
      request_switch_if(w);
    }
  }
  restore_basepri(old);
}
Msg receive() {
  for (;;) {
    std::uint32_t old = raise_basepri();
    if (q_count) {
      Msg m = queue[q_head];
      q_head = (q_head + 1) % kQueueLen;
      q_count = q_count - 1;
      restore_basepri(old);
      return m;
    }
    current->blocked = true;
    q_waiter = current;
    mcu::pend_sv();
    restore_basepri(old);
  }
}

void start_task(unsigned i, std::uint32_t prio, void (*fn)()) {
  Tcb& t = tcbs[i];
  t.prio = prio;
  t.stack_lo = &stacks[i][0];
  stacks[i][0] = kGuard;
  std::uint32_t* sp = &stacks[i][kStackWords];
  *--sp = 0x01000000u;                                  // xPSR: Thumb
  *--sp = reinterpret_cast<std::uint32_t>(fn) | 1u;     // PC
  *--sp = 0xFFFFFFFFu;                                  // LR: tasks never return
  for (int r = 0; r < 5; ++r) *--sp = 0;                // r12, r3-r0
  *--sp = 0xFFFFFFFDu;                                  // EXC_RETURN: thread, PSP, no FP
  for (int r = 0; r < 8; ++r) *--sp = 0x04040404u * r;  // r11-r4
  t.sp = sp;
}

// --- tasks --------------------------------------------------------------------------------
std::uint32_t get_control() {
  std::uint32_t v;
  asm volatile("mrs %0, control" : "=r"(v));
  return v;
}

float isr_value(std::uint32_t src, std::uint32_t seq) {
  volatile float x = static_cast<float>(seq) * 0.5f + static_cast<float>(src);
  return x * x - 3.25f;
}

}  // namespace

// Loads s0-s31 from `in`, then either drops BASEPRI to 0 (mode 0: the pending PendSV switches
// away and back) or pends IRQ 20 (mode 1: taken at once), then stores s0-s31 to `out`. In
// assembly so that no compiled code touches the FP registers in between.
extern "C" __attribute__((naked)) void fp_check(const float* /*in: r0*/, float* /*out: r1*/,
                                                std::uint32_t /*mode: r2*/) {
  asm volatile(
      "push {r4, lr}\n vpush {s16-s31}\n"
      "vldm r0, {s0-s31}\n"
      "cbz r2, 1f\n"
      "ldr r3, =0xE000EF00\n mov r12, #20\n str r12, [r3]\n dsb\n isb\n b 2f\n"
      "1: mov r3, #0\n msr basepri, r3\n isb\n"
      "2: vstm r1, {s0-s31}\n"
      "vpop {s16-s31}\n pop {r4, pc}\n");
}
// Sets r4-r11, drops BASEPRI to 0 (the pending PendSV switches away and back), returns 0 if
// r4-r11 survived.
extern "C" __attribute__((naked)) std::uint32_t int_check() {
  asm volatile(
      "push {r3-r11, lr}\n"
      "mov r4, #4\n mov r5, #5\n mov r6, #6\n mov r7, #7\n mov r8, #8\n mov r9, #9\n mov r10, #10\n mov r11, #11\n"
      "mov r3, #0\n msr basepri, r3\n isb\n"
      "mov r0, #0\n"
      "cmp r4, #4\n it ne\n movne r0, #1\n cmp r5, #5\n it ne\n movne r0, #1\n"
      "cmp r6, #6\n it ne\n movne r0, #1\n cmp r7, #7\n it ne\n movne r0, #1\n"
      "cmp r8, #8\n it ne\n movne r0, #1\n cmp r9, #9\n it ne\n movne r0, #1\n"
      "cmp r10, #10\n it ne\n movne r0, #1\n cmp r11, #11\n it ne\n movne r0, #1\n"
      "pop {r3-r11, pc}\n");
}

namespace {
// s0-s31 survive a switch away (mode 0, after delay_until_locked) or an interrupt (mode 1).
bool fp_regs_survive(std::uint32_t seed, std::uint32_t mode) {
  float in[32], out[32];
  for (int i = 0; i < 32; ++i) in[i] = static_cast<float>(seed) + 0.125f * static_cast<float>(i);
  fp_check(in, out, mode);
  return std::memcmp(in, out, sizeof in) == 0;
}

// Priority 3: consumes the interrupts' messages.
void consumer_task() {
  std::uint32_t next_seq[3] = {0, 0, 0};
  for (;;) {
    Msg m = receive();
    if (m.src > 2 || m.seq != next_seq[m.src]) fail(kErrSeq);
    next_seq[m.src] = m.seq + 1;
    float want = isr_value(m.src, m.seq);
    if (std::memcmp(&want, &m.value, 4) != 0) fail(kErrValue);
    test_result[3 + m.src] = test_result[3 + m.src] + 1;
    if (m.src == 0) {
      std::uint32_t old = raise_basepri();
      std::uint32_t lo = mcu::reg(mcu::kPwrBase + 0x0C), hi = mcu::reg(mcu::kPwrBase + 0x10);
      test_result[1] = ticks;
      test_result[2] = static_cast<std::uint32_t>((static_cast<std::uint64_t>(hi) << 32 | lo) / 1000);
      restore_basepri(old);
    }
    for (auto& t : tcbs)
      if (t.stack_lo && *t.stack_lo != kGuard) fail(kErrStackOverflow);
  }
}

// Priority 2: FP work once a second; the software IRQ it pends preempts it with an FP frame,
// sends to the consumer (a switch away and back) while s0-s31 must survive.
void fp_task() {
  std::uint32_t at = ticks;
  for (std::uint32_t round = 1;; ++round) {
    at += 1000;
    delay_until_locked(at);
    bool ok = fp_regs_survive(round, 0);
    test_result[16] = ticks;
    ok = fp_regs_survive(round * 3, 1) && ok;
    if (!ok) fail(kErrFpTask);
    if (!(get_control() & 4)) fail(kErrFpca);
    test_result[6] = round;
  }
}

// Priority 1: integer work every 250 ms, r4-r11 checked across the switch.
void int_task() {
  std::uint32_t at = ticks;
  for (std::uint32_t round = 1;; ++round) {
    at += 250;
    delay_until_locked(at);
    if (int_check()) fail(kErrIntTask);
    test_result[7] = round;
  }
}

// FreeRTOS-style vPortSuppressTicksAndSleep, called with PRIMASK set.
volatile std::uint32_t sleep_reload = 0;
void suppress_ticks_and_sleep(std::uint32_t expected) {
  using namespace mcu::scs;
  constexpr std::uint32_t kEnable = 1, kTickInt = 2, kClkSource = 4, kCountFlag = 1u << 16;
  if (expected > kMaxSuppressed) expected = kMaxSuppressed;
  // Stop SysTick: CVR keeps the cycles left in the current tick.
  mcu::reg(SYST_CSR) = kClkSource | kTickInt;
  std::uint32_t reload = mcu::reg(SYST_CVR) + kCyclesPerTick * (expected - 1);
  mcu::reg(SYST_RVR) = reload;
  mcu::reg(SYST_CVR) = 0;
  mcu::reg(SYST_CSR) = kClkSource | kTickInt | kEnable;
  asm volatile("dsb\n wfi\n isb" ::: "memory");
  // Let the waking interrupt run (it sees the old tick count), then stop SysTick again.
  asm volatile("cpsie i\n isb\n cpsid i" ::: "memory");
  mcu::reg(SYST_CSR) = kClkSource | kTickInt;
  std::uint32_t complete;
  if (mcu::reg(SYST_CSR) & kCountFlag) {
    // Slept the whole time: SysTick's own interrupt counted one tick already.
    std::uint32_t elapsed = reload - mcu::reg(SYST_CVR);
    std::uint32_t rest = kCyclesPerTick - 1 - elapsed;
    if (rest == 0 || rest > kCyclesPerTick) rest = kCyclesPerTick - 1;
    mcu::reg(SYST_RVR) = rest;
    complete = expected - 1;
  } else {
    // Woken early: count the whole ticks that passed, finish the current one.
    std::uint32_t done = expected * kCyclesPerTick - mcu::reg(SYST_CVR);
    complete = done / kCyclesPerTick;
    test_result[9] = test_result[9] + 1;
    mcu::reg(SYST_RVR) = (complete + 1) * kCyclesPerTick - done;
  }
  mcu::reg(SYST_CVR) = 0;
  mcu::reg(SYST_CSR) = kClkSource | kTickInt | kEnable;
  mcu::reg(SYST_RVR) = kCyclesPerTick - 1;  // from the next wrap on
  if (complete > test_result[13]) test_result[13] = complete;
  test_result[8] = test_result[8] + 1;
  pended_ticks = pended_ticks + complete;
}

void idle_task() {
  for (;;) {
    asm volatile("cpsid i" ::: "memory");
    std::uint32_t next = ticks + kMaxSuppressed;
    bool ready = false;
    for (auto& t : tcbs) {
      if (&t == &tcbs[0]) continue;
      if (!t.delayed && !t.blocked) ready = true;
      if (t.delayed && static_cast<std::int32_t>(t.wake - next) < 0) next = t.wake;
    }
    std::uint32_t expected = next - ticks;
    if (!ready && expected >= 2 && static_cast<std::int32_t>(expected) > 0) {
      suspended = true;
      suppress_ticks_and_sleep(expected);
      suspended = false;
      std::uint32_t n = pended_ticks;
      pended_ticks = 0;
      step_ticks(n);
      if (yield_pending) {
        yield_pending = false;
        mcu::pend_sv();
      }
    }
    asm volatile("cpsie i\n isb" ::: "memory");
  }
}
}  // namespace

// --- handlers -----------------------------------------------------------------------------
extern "C" {
void SysTick_Handler() {
  if (suspended)
    pended_ticks = pended_ticks + 1;
  else
    step_ticks(1);
}

void select_next() {
  Tcb* n = pick();
  if (n != current) test_result[10] = test_result[10] + 1;
  current = n;
}

__attribute__((naked)) void PendSV_Handler() {
  asm volatile(
      "mrs r0, psp\n isb\n"
      "ldr r3, =current\n ldr r2, [r3]\n"
      "tst lr, #0x10\n it eq\n vstmdbeq r0!, {s16-s31}\n"
      "stmdb r0!, {r4-r11, lr}\n"
      "str r0, [r2]\n"
      "mov r0, %0\n msr basepri, r0\n dsb\n isb\n"
      "bl select_next\n"
      "mov r0, #0\n msr basepri, r0\n"
      "ldr r3, =current\n ldr r1, [r3]\n ldr r0, [r1]\n"
      "ldmia r0!, {r4-r11, lr}\n"
      "tst lr, #0x10\n it eq\n vldmiaeq r0!, {s16-s31}\n"
      "msr psp, r0\n isb\n"
      "bx lr\n" ::"i"(kMaxSyscall));
}

// SVC 0 starts the first task.
__attribute__((naked)) void SVC_Handler() {
  asm volatile(
      "ldr r3, =current\n ldr r1, [r3]\n ldr r0, [r1]\n"
      "ldmia r0!, {r4-r11, lr}\n"
      "msr psp, r0\n isb\n"
      "bx lr\n");
}

void TIMER0_IRQHandler() {
  static std::uint32_t seq = 0;
  if (basepri() != 0) fail(kErrBasepri);  // entered with BASEPRI raised would be a mask bug
  mcu::reg(mcu::kTimer0Base + 0x10) = 1;  // clear MATCH
  send_from_isr({0, seq, isr_value(0, seq)});
  ++seq;
  mcu::reg(mcu::scs::STIR) = kIrqSoft;  // lower priority: runs after this one (tail-chained)
}

void GPIO_IRQHandler() {
  static std::uint32_t seq = 0;
  mcu::reg(mcu::kGpioBase + 0x1C) = mcu::reg(mcu::kGpioBase + 0x1C);  // clear the edges
  send_from_isr({1, seq, isr_value(1, seq)});
  ++seq;
  mcu::nvic_set_pending(kIrqFpHigh);  // higher priority: preempts at once
}

// IRQ 20, via a naked entry to see EXC_RETURN and the frame.
void soft_irq(std::uint32_t exc_return, std::uint32_t frame) {
  static std::uint32_t seq = 0;
  if (!(exc_return & 0x10)) {
    test_result[11] = test_result[11] + 1;
    if (mcu::reg(mcu::scs::FPCAR) == frame + 0x20) test_result[15] = test_result[15] + 1;
  }
  send_from_isr({2, seq, isr_value(2, seq)});
  ++seq;
}
__attribute__((naked)) void soft_irq_entry() {
  asm volatile(
      "mrs r2, control\n tst r2, #4\n bne 1f\n"  // FPCA must be 0 on entry
      "tst lr, #4\n ite eq\n mrseq r1, msp\n mrsne r1, psp\n mov r0, lr\n"
      "push {r0, lr}\n bl soft_irq\n"
      "mrs r2, control\n tst r2, #4\n pop {r0, lr}\n bne 2f\n"  // soft_irq used the FPU
      "1: ldr r0, =%c0\n ldr r1, [r0]\n orr r1, r1, %1\n str r1, [r0]\n"
      "2: bx lr\n" ::"i"(&test_result[0]),
      "i"(kErrFpca));
}

// IRQ 21: above the syscall priority, FP only, no kernel calls.
volatile float irq21_acc = 0;
void fp_high_irq() {
  float x = 1.0f;
  for (int i = 0; i < 8; ++i) x = x * 1.5f + 0.25f;
  // 1.5^8 + 0.25 * (1.5^8 - 1) / 0.5 = 25.62890625 + 0.5 * 24.62890625 = 37.943359375
  if (x != 37.943359375f) fail(kErrIrq21);
  irq21_acc = irq21_acc + x;
  test_result[12] = test_result[12] + 1;
}
}

extern "C" void Default_Handler();
extern "C" [[noreturn]] void Reset_Handler();
namespace {
alignas(256) void (*ram_vectors[16 + 32])();
}

int main() {
  test_result[14] = mcu::reg(mcu::scs::FPCCR);
  if ((test_result[14] & 0xC0000000u) != 0xC0000000u) fail(kErrFpccr);

  // The vector table in RAM, with the software IRQs' handlers (VTOR: bits 31:7 here).
  std::memcpy(ram_vectors, reinterpret_cast<const void*>(mcu::reg(mcu::scs::VTOR)), sizeof ram_vectors);
  ram_vectors[16 + kIrqSoft] = soft_irq_entry;
  ram_vectors[16 + kIrqFpHigh] = fp_high_irq;
  mcu::reg(mcu::scs::VTOR) = reinterpret_cast<std::uint32_t>(ram_vectors);
  asm volatile("dsb\n isb" ::: "memory");

  mcu::set_system_priority(14, kPrioKernel);  // PendSV
  mcu::set_system_priority(15, kPrioKernel);  // SysTick
  mcu::set_system_priority(11, kPrioKernel);  // SVC
  mcu::nvic_set_priority(mcu::TIMER0_IRQn, kMaxSyscall);
  mcu::nvic_set_priority(mcu::GPIO_IRQn, 0x80);
  mcu::nvic_set_priority(kIrqSoft, 0xA0);
  mcu::nvic_set_priority(kIrqFpHigh, 0x00);
  for (unsigned irq : {unsigned{mcu::TIMER0_IRQn}, unsigned{mcu::GPIO_IRQn}, kIrqSoft, kIrqFpHigh})
    mcu::nvic_enable(irq);

  start_task(0, 0, idle_task);
  start_task(1, 1, int_task);
  start_task(2, 2, fp_task);
  start_task(3, 3, consumer_task);
  current = &tcbs[3];

  // GPIO: both edges of input 1 (pin 9). TIMER0: 1 MHz, every 500 ms.
  mcu::reg(mcu::kGpioBase + 0x14) = 1u << 9;
  mcu::reg(mcu::kGpioBase + 0x18) = 1u << 9;
  mcu::reg(mcu::kTimer0Base + 0x04) = kCoreHz / 1'000'000 - 1;
  mcu::reg(mcu::kTimer0Base + 0x08) = kTimerPeriodUs;
  mcu::reg(mcu::kTimer0Base + 0x00) = 0x5;  // EN | IE
  // SysTick: 1 kHz from the core clock.
  mcu::reg(mcu::scs::SYST_RVR) = kCyclesPerTick - 1;
  mcu::reg(mcu::scs::SYST_CVR) = 0;
  mcu::reg(mcu::scs::SYST_CSR) = 7;
  test_done = kTestDone;  // started; the results accumulate from here
  asm volatile("svc #0");
  for (;;) {
  }
}
