// Start-up: enable the FPU, then, as RAM holds garbage at power-on (as on hardware), copy .data
// (with the thread-local template .tdata) from flash and zero .bss (with .tbss) before any C++
// runs, point picolibc's thread pointer at that TLS block (errno is thread-local: without it
// errno lands near address 0, in flash), then run the static constructors and main().
#include <picolibc.h>
extern "C" {  // the header has no C++ guard
#include <picotls.h>
}
#ifndef PICOLIBC_TLS
#error "picolibc without TLS: errno would not be thread-local; the start-up expects a TLS build"
#endif

#include <cstdint>

extern "C" {
extern std::uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end;
extern char __tls_base[];
extern void (*__preinit_array_start[])(), (*__preinit_array_end[])();
extern void (*__init_array_start[])(), (*__init_array_end[])();
int main();

[[noreturn]] void Reset_Handler() {
  // The FPU is off at reset (CPACR = 0): grant CP10/CP11 full access before any float code.
  *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88) |= 0xFu << 20;
  asm volatile("dsb\n isb" ::: "memory");
  const std::uint32_t* src = &__data_load;
  for (std::uint32_t* dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
  for (std::uint32_t* dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
  _set_tls(__tls_base);
  for (auto f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (auto f = __init_array_start; f < __init_array_end; ++f) (*f)();
  main();
  // main() returned: sleep forever (the simulator sees an idle CPU).
  for (;;) asm volatile("wfi");
}

// picolibc's abort() (std::terminate, a failed assert) ends in raise() -> kill() -> _exit().
// A bare board has nowhere to exit to: stop at a breakpoint, which halts under a debugger and,
// without one, escalates to a HardFault as on the part (ARMv7-M ARM C1.4): a loud stop, not
// a silent spin. Weak: an app may define its own.
__attribute__((weak, noreturn)) void _exit(int code) {
  register int r0 asm("r0") = code;  // visible to the debugger
  for (;;) asm volatile("bkpt #0" ::"r"(r0));
}
__attribute__((weak)) int getpid() {
  return 1;
}
__attribute__((weak)) int kill(int, int sig) {
  _exit(128 + sig);
}

// Needed by the C++ runtime for pure virtual calls and static destructors (never run).
void* __dso_handle = nullptr;
void __cxa_pure_virtual() {
  for (;;) {
  }
}
}
