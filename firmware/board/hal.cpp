// The HAL on the virtual MCU: console on UART0, LEDs on GPIO, serial number and reset cause
// from the power/reset controller, time from SysTick. Register layouts: docs/mcu.md and
// docs/mcu-peripherals.md (through the peripheral drivers).
#include "hal/hal.h"

#include "board/mcu.h"
#include "drivers/gpio.h"
#include "drivers/power.h"
#include "drivers/uart.h"

namespace hal {
namespace {
drivers::Uart uart;
drivers::Gpio gpio;
drivers::Power power;
bool uart_ready = false;
volatile std::uint32_t ticks_ms = 0;
std::uint32_t ms_per_tick = 1;
char serial_buf[17];
}  // namespace

void console_write(const char* data, std::size_t n) {
  if (!uart_ready) {
    uart.init(115200);
    uart_ready = true;
  }
  uart.write(data, n);
}
void console_puts(const char* s) {
  std::size_t n = 0;
  while (s[n]) ++n;
  console_write(s, n);
}
void console_hex(std::uint32_t v) {
  char b[10] = {'0', 'x'};
  for (int i = 0; i < 8; ++i) b[2 + i] = "0123456789ABCDEF"[(v >> (28 - 4 * i)) & 0xF];
  console_write(b, 10);
}
void console_dec(std::uint32_t v) {
  char b[10];
  int n = 0;
  do {
    b[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  char o[10];
  for (int i = 0; i < n; ++i) o[i] = b[n - 1 - i];
  console_write(o, static_cast<std::size_t>(n));
}

void led_power(bool on) {
  gpio.set(drivers::Gpio::LED_POWER, on);
}
void led_status(bool on) {
  gpio.set(drivers::Gpio::LED_STATUS, on);
}

const char* serial_number() {
  power.serial(serial_buf);
  return serial_buf;
}
std::uint32_t reset_cause() {
  return power.reset_cause();
}
const char* reset_cause_name(std::uint32_t cause) {
  return drivers::Power::cause_name(cause);
}

void systick_start(std::uint32_t hz) {
  // SysTick on the core clock (120 MHz by default: docs/mcu.md).
  constexpr std::uint32_t kCoreHz = 120000000;
  ms_per_tick = hz >= 1000 ? 1 : 1000 / hz;
  mcu::reg(mcu::scs::SYST_RVR) = kCoreHz / hz - 1;
  mcu::reg(mcu::scs::SYST_CVR) = 0;
  mcu::reg(mcu::scs::SYST_CSR) = 7;  // core clock, interrupt, enable
}
std::uint32_t millis() {
  return ticks_ms;
}
void sleep_until_ms(std::uint32_t t) {
  while (static_cast<std::int32_t>(ticks_ms - t) < 0) mcu::wfi();
}

void system_reset() {
  mcu::system_reset();
}

}  // namespace hal

// The HAL owns SysTick (an app with its own SysTick handler does not link the HAL).
extern "C" void SysTick_Handler() {
  hal::ticks_ms = hal::ticks_ms + hal::ms_per_tick;
}
