// Boot firmware: prints a banner with the serial number and the reset cause on the console,
// then blinks the POWER LED at 1 Hz, sleeping in WFI between SysTick interrupts.
#include "hal/hal.h"

int main() {
  std::uint32_t cause = hal::reset_cause();
  hal::console_puts("\r\nlmsim boot: serial ");
  hal::console_puts(hal::serial_number());
  hal::console_puts(", reset cause ");
  hal::console_puts(hal::reset_cause_name(cause));
  hal::console_puts(" (");
  hal::console_hex(cause);
  hal::console_puts(")\n");
  hal::systick_start(100);
  bool on = true;
  for (std::uint32_t t = 0;; t += 500) {
    hal::led_power(on);
    on = !on;
    hal::sleep_until_ms(t + 500);
  }
}
