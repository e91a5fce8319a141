// The thin hardware abstraction the applications use. Implemented for the virtual MCU in
// firmware/board/hal.cpp; an app built for the host provides its own. No simulator headers.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hal {

// Console (UART0): blocking writes.
void console_write(const char* data, std::size_t n);
void console_puts(const char* s);
void console_hex(std::uint32_t v);
void console_dec(std::uint32_t v);

// LEDs on the front panel.
void led_power(bool on);
void led_status(bool on);

// The device serial number, e.g. "SE12345678" (NUL-terminated, static storage).
const char* serial_number();
// Reset cause bits (power-on 1, brown-out 2, watchdog 4, software 8, pin 16, lock-up 32).
std::uint32_t reset_cause();
const char* reset_cause_name(std::uint32_t cause);

// Time: SysTick-driven millisecond tick (call systick_start once).
void systick_start(std::uint32_t hz);
std::uint32_t millis();
void sleep_until_ms(std::uint32_t t);

[[noreturn]] void system_reset();

}  // namespace hal
