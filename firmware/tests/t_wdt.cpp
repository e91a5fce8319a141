// Watchdog: kicked five times every 10 ms with a 20 ms timeout, then left alone: the device
// resets with cause "watchdog"; the second boot records that cause.
#include "board/mcu.h"
#include "drivers/power.h"
#include "drivers/watchdog.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

namespace {
__attribute__((section(".noinit"))) volatile std::uint32_t magic, boots, kicks_done, causes[2];

void wait_10ms() {
  using namespace mcu;
  reg(scs::SYST_RVR) = 1200000 - 1;
  reg(scs::SYST_CVR) = 0;
  reg(scs::SYST_CSR) = 5;  // core clock, no interrupt
  while (!(reg(scs::SYST_CSR) & (1u << 16))) {
  }
  reg(scs::SYST_CSR) = 0;
}
}  // namespace

int main() {
  drivers::Power pwr;
  if (magic != 0x5A5A1234u) {
    magic = 0x5A5A1234u;
    boots = 0;
    kicks_done = 0;
  }
  std::uint32_t n = boots;
  causes[n & 1] = pwr.take_reset_cause();
  boots = n + 1;
  if (n == 0) {
    drivers::Watchdog wdt;
    wdt.start(20);
    for (int i = 0; i < 5; ++i) {
      wait_10ms();
      wdt.kick();
      kicks_done = kicks_done + 1;
    }
    for (;;) mcu::wfi();  // no more kicks: the watchdog resets the device
  }
  test_result[0] = boots;
  test_result[1] = causes[0];
  test_result[2] = causes[1];
  test_result[3] = kicks_done;
  test_done = kTestDone;
  for (;;) mcu::wfi();
}
