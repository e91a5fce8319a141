// The virtual MCU's memory map and core registers (docs/mcu.md), for firmware.
// Peripheral register layouts are in docs/mcu-peripherals.md and firmware/drivers/.
#pragma once
#include <cstdint>

namespace mcu {

inline volatile std::uint32_t& reg(std::uint32_t addr) {
  return *reinterpret_cast<volatile std::uint32_t*>(addr);
}

// Memory map
constexpr std::uint32_t kFlashBase = 0x00000000, kFlashSize = 1u << 20, kFlashPage = 4096;
constexpr std::uint32_t kConfigBase = 0x000F0000, kConfigSize = 64u << 10;
// The telemetry ring (CL-05: >= 72 h of 1-min records) in main flash below the config area (lmsim.ld).
constexpr std::uint32_t kTelemetryBase = 0x000A0000, kTelemetrySize = 320u << 10;
constexpr std::uint32_t kSramBase = 0x20000000, kSramSize = 256u << 10;
constexpr std::uint32_t kPwrBase = 0x40000000, kUart0Base = 0x40001000, kGpioBase = 0x40002000,
                        kTimer0Base = 0x40003000, kWdtBase = 0x40004000, kFlashCtrlBase = 0x40005000,
                        kRngBase = 0x40006000, kAfeBase = 0x40007000, kNetcBase = 0x40008000;

// External interrupt numbers (NVIC lines; exception number = 16 + irq)
enum Irq : unsigned {
  UART0_IRQn = 0,
  GPIO_IRQn,
  TIMER0_IRQn,
  WDT_IRQn,
  FLASHCTRL_IRQn,
  AFE_IRQn,
  NETC_IRQn,
  RNG_IRQn,
  PWR_IRQn
};

// System control space (ARMv7-M)
namespace scs {
constexpr std::uint32_t ICTR = 0xE000E004, ACTLR = 0xE000E008;
constexpr std::uint32_t SYST_CSR = 0xE000E010, SYST_RVR = 0xE000E014, SYST_CVR = 0xE000E018, SYST_CALIB = 0xE000E01C;
constexpr std::uint32_t NVIC_ISER = 0xE000E100, NVIC_ICER = 0xE000E180, NVIC_ISPR = 0xE000E200, NVIC_ICPR = 0xE000E280,
                        NVIC_IABR = 0xE000E300, NVIC_IPR = 0xE000E400;
constexpr std::uint32_t CPUID = 0xE000ED00, ICSR = 0xE000ED04, VTOR = 0xE000ED08, AIRCR = 0xE000ED0C, SCR = 0xE000ED10,
                        CCR = 0xE000ED14, SHPR1 = 0xE000ED18, SHPR2 = 0xE000ED1C, SHPR3 = 0xE000ED20,
                        SHCSR = 0xE000ED24, CFSR = 0xE000ED28, HFSR = 0xE000ED2C, MMFAR = 0xE000ED34, BFAR = 0xE000ED38,
                        CPACR = 0xE000ED88, STIR = 0xE000EF00, FPCCR = 0xE000EF34, FPCAR = 0xE000EF38;
constexpr std::uint32_t ICSR_PENDSVSET = 1u << 28, ICSR_PENDSTSET = 1u << 26;
constexpr std::uint32_t AIRCR_VECTKEY = 0x05FAu << 16, AIRCR_SYSRESETREQ = 1u << 2;
constexpr std::uint32_t SHCSR_MEMFAULTENA = 1u << 16, SHCSR_BUSFAULTENA = 1u << 17, SHCSR_USGFAULTENA = 1u << 18;
}  // namespace scs

inline void nvic_enable(unsigned irq) {
  reg(scs::NVIC_ISER + 4 * (irq / 32)) = 1u << (irq % 32);
}
inline void nvic_disable(unsigned irq) {
  reg(scs::NVIC_ICER + 4 * (irq / 32)) = 1u << (irq % 32);
}
inline void nvic_set_pending(unsigned irq) {
  reg(scs::NVIC_ISPR + 4 * (irq / 32)) = 1u << (irq % 32);
}
inline void nvic_set_priority(unsigned irq, std::uint8_t prio) {
  *reinterpret_cast<volatile std::uint8_t*>(scs::NVIC_IPR + irq) = prio;
}
// System handler priority: exception numbers 4..15.
inline void set_system_priority(unsigned exc, std::uint8_t prio) {
  *reinterpret_cast<volatile std::uint8_t*>(scs::SHPR1 + (exc - 4)) = prio;
}
inline void pend_sv() {
  reg(scs::ICSR) = scs::ICSR_PENDSVSET;
}
[[noreturn]] inline void system_reset() {
  asm volatile("dsb");
  reg(scs::AIRCR) = scs::AIRCR_VECTKEY | scs::AIRCR_SYSRESETREQ;
  for (;;) asm volatile("wfi");
}
inline void wfi() {
  asm volatile("wfi");
}
inline void enable_irq() {
  asm volatile("cpsie i" ::: "memory");
}
inline void disable_irq() {
  asm volatile("cpsid i" ::: "memory");
}
inline void set_basepri(std::uint32_t v) {
  asm volatile("msr basepri, %0" ::"r"(v) : "memory");
}

}  // namespace mcu
