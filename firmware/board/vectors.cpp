// The vector table: initial stack pointer, the 16 system exceptions and 32 external
// interrupts (docs/mcu.md lists the 9 in use). Handlers are weak: an app defines the ones
// it needs with these names; the rest end in Default_Handler.
#include <cstdint>

extern "C" {
extern std::uint32_t __stack_top;
void Reset_Handler();

// An unexpected exception: spin (the watchdog, if running, resets the device).
void Default_Handler() {
  for (;;) {
  }
}

#define LMSIM_WEAK_HANDLER(name) void name() __attribute__((weak, alias("Default_Handler")));
LMSIM_WEAK_HANDLER(NMI_Handler)
LMSIM_WEAK_HANDLER(HardFault_Handler)
LMSIM_WEAK_HANDLER(MemManage_Handler)
LMSIM_WEAK_HANDLER(BusFault_Handler)
LMSIM_WEAK_HANDLER(UsageFault_Handler)
LMSIM_WEAK_HANDLER(SVC_Handler)
LMSIM_WEAK_HANDLER(DebugMon_Handler)
LMSIM_WEAK_HANDLER(PendSV_Handler)
LMSIM_WEAK_HANDLER(SysTick_Handler)
LMSIM_WEAK_HANDLER(UART0_IRQHandler)
LMSIM_WEAK_HANDLER(GPIO_IRQHandler)
LMSIM_WEAK_HANDLER(TIMER0_IRQHandler)
LMSIM_WEAK_HANDLER(WDT_IRQHandler)
LMSIM_WEAK_HANDLER(FLASHCTRL_IRQHandler)
LMSIM_WEAK_HANDLER(AFE_IRQHandler)
LMSIM_WEAK_HANDLER(NETC_IRQHandler)
LMSIM_WEAK_HANDLER(RNG_IRQHandler)
LMSIM_WEAK_HANDLER(PWR_IRQHandler)
#undef LMSIM_WEAK_HANDLER

using Vector = void (*)();
__attribute__((section(".vectors"), used)) extern const Vector lmsim_vectors[16 + 32] = {
    reinterpret_cast<Vector>(&__stack_top),
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    SVC_Handler,
    DebugMon_Handler,
    nullptr,
    PendSV_Handler,
    SysTick_Handler,
    UART0_IRQHandler,
    GPIO_IRQHandler,
    TIMER0_IRQHandler,
    WDT_IRQHandler,
    FLASHCTRL_IRQHandler,
    AFE_IRQHandler,
    NETC_IRQHandler,
    RNG_IRQHandler,
    PWR_IRQHandler,
    // 25..47: reserved lines
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
    Default_Handler,
};
}
