// Resets: a counter in .noinit survives the AIRCR system resets (RAM is kept), .data and
// .bss are initialised by the start-up code although RAM holds garbage at power-on, and
// the power controller's reset-cause register says why each boot happened.
#include "board/mcu.h"
#include "drivers/power.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

namespace {
__attribute__((section(".noinit"))) volatile std::uint32_t boot_magic, boot_count, causes[4];
volatile std::uint32_t data_word = 0x12345678u;
volatile std::uint32_t bss_words[8];
}  // namespace

int main() {
  drivers::Power pwr;
  if (boot_magic != 0xB007B007u) {
    boot_magic = 0xB007B007u;
    boot_count = 0;
  }
  std::uint32_t n = boot_count;
  causes[n & 3] = pwr.reset_cause();
  pwr.take_reset_cause();
  boot_count = n + 1;
  if (boot_count < 3) mcu::system_reset();
  std::uint32_t bss_or = 0;
  for (auto w : bss_words) bss_or |= w;
  test_result[0] = boot_count;
  test_result[1] = causes[0];
  test_result[2] = causes[1];
  test_result[3] = causes[2];
  test_result[4] = data_word;
  test_result[5] = bss_or;
  test_done = kTestDone;
  for (;;) mcu::wfi();
}
