#include "models/mcu/scs.h"

// The register table names only the fields each register needs.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace lmsim::mcu {

namespace {
using RB = RegisterBank;
// System handlers with a priority byte in SHPR1-3 (exception numbers 4..15).
bool has_priority(int e) {
  return e == 4 || e == 5 || e == 6 || e == 11 || e == 12 || e == 14 || e == 15;
}
}  // namespace

Scs::Scs(sc_core::sc_module_name name, Cpu& cpu) : Peripheral(name, kSize), cpu_(cpu) {
  Nvic& nvic = cpu.nvic();
  SysTick& st = cpu.systick();
  ScbState& scb = cpu.scb();
  Cpu* c = &cpu;

  regs.add({.name = "ICTR", .offset = 0x004, .access = RB::RO});
  regs.add({.name = "ACTLR", .offset = 0x008});
  // SysTick
  regs.add({.name = "SYST_CSR",
            .offset = 0x010,
            .read = [&st](Time t) { return st.csr(t); },
            .write =
                [&st, c](std::uint32_t v, Time t) {
                  st.write_csr(v, t);
                  c->reevaluate();
                }});
  regs.add({.name = "SYST_RVR",
            .offset = 0x014,
            .read = [&st](Time) { return st.rvr(); },
            .write = [&st](std::uint32_t v, Time) { st.write_rvr(v); }});
  regs.add({.name = "SYST_CVR",
            .offset = 0x018,
            .read = [&st](Time t) { return st.cvr(t); },
            .write =
                [&st, c](std::uint32_t, Time t) {
                  st.write_cvr(t);
                  c->reevaluate();
                }});
  // TENMS: 10 ms of the 1 MHz reference clock.
  regs.add({.name = "SYST_CALIB", .offset = 0x01C, .access = RB::RO, .reset = 9999});

  // NVIC: 32 lines, one word per set/clear register. Writes never store a value, so that
  // byte writes merge with zeros and only touch the bits written.
  auto irq_bits = [&nvic](std::uint64_t mask) { return static_cast<std::uint32_t>(mask >> exc::Irq0); };
  regs.add({.name = "NVIC_ISER0",
            .offset = 0x100,
            .read = [&nvic](Time) { return nvic.irq_enable_bits(); },
            .write =
                [&nvic, c](std::uint32_t v, Time) {
                  for (int i = 0; i < 32; ++i)
                    if (v >> i & 1) nvic.set_irq_enabled(i, true);
                  c->reevaluate();
                }});
  regs.add({.name = "NVIC_ICER0",
            .offset = 0x180,
            .read = [&nvic](Time) { return nvic.irq_enable_bits(); },
            .write =
                [&nvic](std::uint32_t v, Time) {
                  for (int i = 0; i < 32; ++i)
                    if (v >> i & 1) nvic.set_irq_enabled(i, false);
                }});
  regs.add({.name = "NVIC_ISPR0",
            .offset = 0x200,
            .read = [&nvic, irq_bits](Time) { return irq_bits(nvic.pending_mask()); },
            .write =
                [&nvic, c](std::uint32_t v, Time) {
                  for (int i = 0; i < 32; ++i)
                    if (v >> i & 1) nvic.set_pending(exc::Irq0 + i, true);
                  c->reevaluate();
                }});
  regs.add({.name = "NVIC_ICPR0",
            .offset = 0x280,
            .read = [&nvic, irq_bits](Time) { return irq_bits(nvic.pending_mask()); },
            .write =
                [&nvic](std::uint32_t v, Time) {
                  for (int i = 0; i < 32; ++i)
                    if (v >> i & 1) nvic.clear_pending(exc::Irq0 + i);
                }});
  regs.add({.name = "NVIC_IABR0", .offset = 0x300, .access = RB::RO, .read = [&nvic, irq_bits](Time) {
              return irq_bits(nvic.active_mask());
            }});
  static const char* ipr_names[8] = {"NVIC_IPR0", "NVIC_IPR1", "NVIC_IPR2", "NVIC_IPR3",
                                     "NVIC_IPR4", "NVIC_IPR5", "NVIC_IPR6", "NVIC_IPR7"};
  for (int n = 0; n < 8; ++n) {
    auto* self = this;
    regs.add({.name = ipr_names[n], .offset = 0x400u + 4u * n, .write = [&nvic, c, self, n](std::uint32_t v, Time) {
                for (int b = 0; b < 4; ++b)
                  nvic.set_priority(exc::Irq0 + 4 * n + b, static_cast<std::uint8_t>(v >> (8 * b)));
                std::uint32_t stored = 0;
                for (int b = 0; b < 4; ++b)
                  stored |= std::uint32_t{nvic.raw_priority(exc::Irq0 + 4 * n + b)} << (8 * b);
                self->regs.find(0x400u + 4u * n)->value = stored;
                c->reevaluate();
              }});
  }

  // SCB
  regs.add({.name = "CPUID", .offset = 0xD00, .access = RB::RO, .reset = kCpuid});
  regs.add({.name = "ICSR",
            .offset = 0xD04,
            .read = [c](Time) { return c->icsr_dynamic(); },
            .write =
                [&nvic, c](std::uint32_t v, Time) {
                  if (v & (1u << 31)) nvic.set_pending(exc::NMI, true);
                  if (v & (1u << 28)) nvic.set_pending(exc::PendSV, true);
                  if (v & (1u << 27)) nvic.clear_pending(exc::PendSV);
                  if (v & (1u << 26)) nvic.set_pending(exc::SysTick, true);
                  if (v & (1u << 25)) nvic.clear_pending(exc::SysTick);
                  c->reevaluate();
                }});
  regs.add({.name = "VTOR",
            .offset = 0xD08,
            .read = [&scb](Time) { return scb.vtor; },
            .write = [&scb](std::uint32_t v, Time) { scb.vtor = v & 0xFFFFFF80u; }});
  regs.add({.name = "AIRCR",
            .offset = 0xD0C,
            .read = [&nvic](Time) { return 0xFA050000u | (nvic.prigroup() << 8); },
            .write =
                [&nvic, c](std::uint32_t v, Time) {
                  if ((v >> 16) != 0x05FA) return;  // writes without VECTKEY are ignored
                  nvic.set_prigroup((v >> 8) & 7);
                  if (v & (1u << 2)) c->request_reset(ResetCause::Software);
                }});
  regs.add({.name = "SCR",
            .offset = 0xD10,
            .read = [&scb](Time) { return scb.scr; },
            .write = [&scb](std::uint32_t v, Time) { scb.scr = v & 0x16; }});
  regs.add({.name = "CCR",
            .offset = 0xD14,
            .read = [&scb](Time) { return scb.ccr; },
            .write =
                [&scb, c](std::uint32_t v, Time) {
                  scb.ccr = (v & 0x31B) | 0x200;
                  c->reevaluate();  // DIV_0_TRP / UNALIGN_TRP change the engine's checks
                }});
  static const char* shpr_names[3] = {"SHPR1", "SHPR2", "SHPR3"};
  for (int n = 0; n < 3; ++n) {
    auto* self = this;
    regs.add({.name = shpr_names[n], .offset = 0xD18u + 4u * n, .write = [&nvic, c, self, n](std::uint32_t v, Time) {
                std::uint32_t stored = 0;
                for (int b = 0; b < 4; ++b) {
                  int e = 4 + 4 * n + b;
                  if (!has_priority(e)) continue;
                  nvic.set_priority(e, static_cast<std::uint8_t>(v >> (8 * b)));
                  stored |= std::uint32_t{nvic.raw_priority(e)} << (8 * b);
                }
                self->regs.find(0xD18u + 4u * n)->value = stored;
                c->reevaluate();
              }});
  }
  regs.add({.name = "SHCSR",
            .offset = 0xD24,
            .read =
                [&nvic](Time) {
                  std::uint32_t v = nvic.fault_enables() << 16;
                  auto act = [&](int e, int b) { v |= nvic.active(e) ? 1u << b : 0; };
                  auto pend = [&](int e, int b) { v |= nvic.pending(e) ? 1u << b : 0; };
                  act(exc::MemManage, 0), act(exc::BusFault, 1), act(exc::UsageFault, 3), act(exc::SVCall, 7);
                  act(exc::DebugMonitor, 8), act(exc::PendSV, 10), act(exc::SysTick, 11);
                  pend(exc::UsageFault, 12), pend(exc::MemManage, 13), pend(exc::BusFault, 14), pend(exc::SVCall, 15);
                  return v;
                },
            .write =
                [&nvic, c](std::uint32_t v, Time) {
                  nvic.set_fault_enables((v >> 16) & 7);
                  c->reevaluate();
                }});
  regs.add({.name = "CFSR",
            .offset = 0xD28,
            .read = [&scb](Time) { return scb.cfsr; },
            .write = [&scb](std::uint32_t v, Time) { scb.cfsr &= ~v; }});
  regs.add({.name = "HFSR",
            .offset = 0xD2C,
            .read = [&scb](Time) { return scb.hfsr; },
            .write = [&scb](std::uint32_t v, Time) { scb.hfsr &= ~v; }});
  regs.add({.name = "DFSR", .offset = 0xD30, .write = [](std::uint32_t, Time) {}});
  regs.add({.name = "MMFAR",
            .offset = 0xD34,
            .read = [&scb](Time) { return scb.mmfar; },
            .write = [&scb](std::uint32_t v, Time) { scb.mmfar = v; }});
  regs.add({.name = "BFAR",
            .offset = 0xD38,
            .read = [&scb](Time) { return scb.bfar; },
            .write = [&scb](std::uint32_t v, Time) { scb.bfar = v; }});
  regs.add({.name = "AFSR", .offset = 0xD3C, .write = [](std::uint32_t, Time) {}});
  // Feature registers of a Cortex-M4 (what CMSIS and start-up code probe).
  struct Id {
    const char* name;
    std::uint32_t off, value;
  };
  static const Id ids[] = {
      {"ID_PFR0", 0xD40, 0x00000030},  {"ID_PFR1", 0xD44, 0x00000200},  {"ID_DFR0", 0xD48, 0x00100000},
      {"ID_AFR0", 0xD4C, 0},           {"ID_MMFR0", 0xD50, 0x00100030}, {"ID_MMFR1", 0xD54, 0},
      {"ID_MMFR2", 0xD58, 0x01000000}, {"ID_MMFR3", 0xD5C, 0},          {"ID_ISAR0", 0xD60, 0x01101110},
      {"ID_ISAR1", 0xD64, 0x02111000}, {"ID_ISAR2", 0xD68, 0x21112231}, {"ID_ISAR3", 0xD6C, 0x01111110},
      {"ID_ISAR4", 0xD70, 0x01310132}, {"MVFR0", 0xF40, 0x10110021},    {"MVFR1", 0xF44, 0x11000011}};
  for (const auto& id : ids) regs.add({.name = id.name, .offset = id.off, .access = RB::RO, .reset = id.value});
  // CPACR gates the FPU (CP10/CP11): denied, an FPU instruction raises UsageFault NOCP.
  regs.add({.name = "CPACR",
            .offset = 0xD88,
            .read = [&scb](Time) { return scb.cpacr; },
            .write =
                [&scb, c](std::uint32_t v, Time) {
                  scb.cpacr = v & 0x00F00000u;
                  c->reevaluate();
                }});
  // No MPU (MPU_TYPE.DREGION = 0, so RTOS ports and CMSIS detect none): the other MPU
  // registers read as zero and ignore writes.
  regs.add({.name = "MPU_TYPE", .offset = 0xD90, .access = RB::RO});
  static const char* mpu_names[10] = {"MPU_CTRL",    "MPU_RNR",     "MPU_RBAR",    "MPU_RASR",    "MPU_RBAR_A1",
                                      "MPU_RASR_A1", "MPU_RBAR_A2", "MPU_RASR_A2", "MPU_RBAR_A3", "MPU_RASR_A3"};
  for (std::uint32_t i = 0; i < 10; ++i) regs.add({.name = mpu_names[i], .offset = 0xD94 + 4 * i, .write_mask = 0});
  // Debug registers (C1.6): no debugger seen by the firmware (DHCSR.C_DEBUGEN = 0); DEMCR is
  // read/write, its TRCENA gates the DWT cycle counter.
  regs.add({.name = "DHCSR", .offset = 0xDF0, .write_mask = 0});
  regs.add({.name = "DCRSR", .offset = 0xDF4, .access = RB::WO, .write = [](std::uint32_t, Time) {}});
  regs.add({.name = "DCRDR", .offset = 0xDF8});
  regs.add({.name = "DEMCR",
            .offset = 0xDFC,
            .read = [&scb](Time) { return scb.demcr; },
            .write =
                [&scb, c](std::uint32_t v, Time) {
                  if (c->before_demcr_write) c->before_demcr_write();
                  scb.demcr = v & 0x010F07F1u;
                }});
  regs.add({.name = "STIR", .offset = 0xF00, .access = RB::WO, .write = [&nvic, c](std::uint32_t v, Time) {
              if ((v & 0x1FF) < Nvic::kIrqs) nvic.set_pending(exc::Irq0 + static_cast<int>(v & 0x1FF), true);
              c->reevaluate();
            }});
  regs.add({.name = "FPCCR",
            .offset = 0xF34,
            .read = [&scb](Time) { return scb.fpccr; },
            .write = [&scb](std::uint32_t v, Time) { scb.fpccr = (scb.fpccr & 0x3FFFFFFFu) | (v & 0xC0000000u); }});
  regs.add({.name = "FPCAR",
            .offset = 0xF38,
            .read = [&scb](Time) { return scb.fpcar; },
            .write = [&scb](std::uint32_t v, Time) { scb.fpcar = v & ~7u; }});
  regs.add({.name = "FPDSCR",
            .offset = 0xF3C,
            .read = [&scb](Time) { return scb.fpdscr; },
            .write = [&scb](std::uint32_t v, Time) { scb.fpdscr = v & 0x07C00000u; }});
}

}  // namespace lmsim::mcu
