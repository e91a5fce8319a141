// Start-up: enable the FPU, then, as RAM holds garbage at power-on (as on hardware), copy .data
// from flash and zero .bss before any C++ runs, then run the static constructors and main().
#include <cstdint>

extern "C" {
extern std::uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end;
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
  for (auto f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (auto f = __init_array_start; f < __init_array_end; ++f) (*f)();
  main();
  // main() returned: sleep forever (the simulator sees an idle CPU).
  for (;;) asm volatile("wfi");
}

// Needed by the C++ runtime for pure virtual calls and static destructors (never run).
void* __dso_handle = nullptr;
void __cxa_pure_virtual() {
  for (;;) {
  }
}
}
