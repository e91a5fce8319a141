// A HardFault for the debugger (tests/cpp/mcu/gdb_stub_test.cpp): SysTick runs, a GPIO output
// is set, then a read from unmapped address space in a call chain main -> update_meter ->
// read_sensor raises a precise BusFault which, not enabled in SHCSR, escalates to HardFault
// (ARMv7-M ARM B1.5.8). gdb must stop at HardFault_Handler's first instruction and unwind the
// exception frame back to read_sensor and main.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

extern "C" {
volatile std::uint32_t ticks = 0;
volatile std::uint32_t hardfaults = 0;

void SysTick_Handler() {
  ticks = ticks + 1;
}

void HardFault_Handler() {
  hardfaults = hardfaults + 1;
  for (;;) asm volatile("wfi");
}
}

namespace {
constexpr std::uint32_t kUnmapped = 0x60000000u;  // external RAM window: nothing there

__attribute__((noinline)) std::uint32_t read_sensor(std::uint32_t channel) {
  return *reinterpret_cast<volatile std::uint32_t*>(kUnmapped + 4 * channel);
}
__attribute__((noinline)) std::uint32_t update_meter(std::uint32_t channel) {
  std::uint32_t v = read_sensor(channel);
  test_result[1] = v;
  return v + 1;
}
}  // namespace

int main() {
  mcu::reg(mcu::scs::SYST_RVR) = 120000 - 1;  // 1 ms at 120 MHz
  mcu::reg(mcu::scs::SYST_CVR) = 0;
  mcu::reg(mcu::scs::SYST_CSR) = 7;
  while (ticks < 5) mcu::wfi();
  test_result[0] = update_meter(3);
  test_done = kTestDone;  // never reached
  for (;;) mcu::wfi();
}
