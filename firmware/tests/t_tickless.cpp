// Tickless idle as an RTOS port does it on a Cortex-M4 (the register sequence of FreeRTOS'
// ARM_CM4F vPortSuppressTicksAndSleep, written here from its description): with interrupts
// masked, stop SysTick, program it for the next wake-up, WFI, briefly unmask so that the
// SysTick interrupt that woke the core runs, stop SysTick again, correct the reload from
// COUNTFLAG/CVR and step the tick count. The tick count must follow simulated time exactly.
// What the model must get right (ARMv7-M ARM): B3.3 SysTick (COUNTFLAG, a wrap seen by a
// register access pends the exception even when the access stops the counter; ICSR.PENDSTSET
// at the access time), B1.5.4 (the pending SysTick is taken right after CPSIE, inside the
// unmasked window) and B1.5.19 (WFI with PRIMASK set wakes without taking the exception).
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] tick count when done, [1] TIMER0 microseconds at that moment (1 MHz,
// started with SysTick), [2] wake-ups whose SysTick ran inside the unmasked window,
// [3] wake-ups, [4] ticks lost by COUNTFLAG without an interrupt (0).
namespace {
constexpr std::uint32_t kPerTick = 120000;  // 1 kHz tick at 120 MHz
constexpr std::uint32_t kClk = 4, kInt = 2, kEn = 1, kCountFlag = 1u << 16;
constexpr std::uint32_t kCtrl = mcu::kTimer0Base + 0x00, kPresc = mcu::kTimer0Base + 0x04,
                        kLoad = mcu::kTimer0Base + 0x08, kCount = mcu::kTimer0Base + 0x0C;
volatile std::uint32_t tick_count = 0;
volatile bool in_window = false;
volatile std::uint32_t window_ticks = 0;

void barrier() {
  asm volatile("dsb\n isb" ::: "memory");
}

void sleep_ticks(std::uint32_t expected) {
  using namespace mcu;
  asm volatile("cpsid i" ::: "memory");
  barrier();
  reg(scs::SYST_CSR) = kClk | kInt;  // stop
  std::uint32_t left = reg(scs::SYST_CVR);
  if (left == 0) left = kPerTick;
  std::uint32_t reload = left + kPerTick * (expected - 1);
  if (reg(scs::ICSR) & scs::ICSR_PENDSTSET) {  // a tick is already pending: one less to sleep
    reg(scs::ICSR) = 1u << 25;                 // PENDSTCLR
    reload -= kPerTick;                        // that tick is then counted by the step below
  }
  reg(scs::SYST_RVR) = reload;
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = reg(scs::SYST_CSR) | kEn;
  asm volatile("dsb\n wfi\n isb" ::: "memory");
  std::uint32_t before = window_ticks;
  in_window = true;
  asm volatile("cpsie i\n dsb\n isb\n cpsid i\n dsb\n isb" ::: "memory");
  in_window = false;
  reg(scs::SYST_CSR) = kClk | kInt;  // stop
  std::uint32_t complete;
  if (reg(scs::SYST_CSR) & kCountFlag) {
    // The SysTick interrupt ran (it counted the last tick of the sleep).
    std::uint32_t calc = (kPerTick - 1) - (reload - reg(scs::SYST_CVR));
    if (calc == 0 || calc > kPerTick) calc = kPerTick - 1;
    reg(scs::SYST_RVR) = calc;
    complete = expected - 1;
    test_result[3] = test_result[3] + 1;
    if (window_ticks != before)
      test_result[2] = test_result[2] + 1;
    else
      test_result[4] = test_result[4] + 1;
  } else {
    // Woken by something else (nothing else is enabled in this test).
    std::uint32_t done = expected * kPerTick - reg(scs::SYST_CVR);
    complete = done / kPerTick;
    reg(scs::SYST_RVR) = (complete + 1) * kPerTick - done;
  }
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = kClk | kInt | kEn;
  reg(scs::SYST_RVR) = kPerTick - 1;
  tick_count = tick_count + complete;
  asm volatile("cpsie i" ::: "memory");
}
}  // namespace

extern "C" void SysTick_Handler() {
  tick_count = tick_count + 1;
  if (in_window) window_ticks = window_ticks + 1;
}

int main() {
  using namespace mcu;
  reg(kPresc) = 119;  // 1 MHz
  reg(kLoad) = 0;     // full 32-bit range
  reg(scs::SYST_RVR) = kPerTick - 1;
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = kClk | kInt | kEn;
  reg(kCtrl) = 1;
  // A task that wakes every 1..4 ticks and works a little in between.
  std::uint32_t next = 2;
  while (tick_count < 1000) {
    std::uint32_t now = tick_count;
    if (next > now + 1) sleep_ticks(next - now);
    for (int i = 0; i < 200; ++i) {
      asm volatile("");
    }
    next = tick_count + 1 + (tick_count % 4);
  }
  asm volatile("cpsid i" ::: "memory");
  test_result[0] = tick_count;
  test_result[1] = reg(kCount);
  asm volatile("cpsie i" ::: "memory");
  test_done = kTestDone;
  for (;;) wfi();
}
