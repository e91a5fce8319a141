// Cortex-M4 instruction timing by instruction class (ARM Cortex-M4 Technical Reference Manual
// r0p1, 3.3.1 "Cortex-M4 instructions", Table 3-1; FPU: 7.2.3 Table 7-1), decoded from the
// Thumb-2 encodings. Used when a scenario asks for `device.timing: cycles` (docs/mcu.md).
// Simplifications, so that the figure is a function of the code alone: no wait states, no
// load pipelining (every load 2 cycles), a divide costs the middle of its 2..12 range, and
// a branch that is taken adds the pipeline refill P = 2 (the TRM gives 1..3); that penalty is
// added by the engine, which sees whether the branch was taken.
#pragma once
#include <cstdint>

namespace lmsim::mcu::cycle_model {

constexpr unsigned kRefill = 2;            // P: pipeline refill after a taken branch
constexpr unsigned kDivide = 7;            // SDIV/UDIV: 2..12 cycles by the operands
constexpr unsigned kExceptionEntry = 12;   // interrupt latency, basic frame
constexpr unsigned kExceptionReturn = 10;  // unstacking to the interrupted code
constexpr unsigned kTailChain = 6;         // one handler to the next without unstacking

// Cycles of one instruction, without the refill of a taken branch. `wide`: a 32-bit encoding
// (first halfword h1, second h2).
inline unsigned insn_cycles(std::uint16_t h1, std::uint16_t h2, bool wide) {
  auto pop = [](unsigned m) { return static_cast<unsigned>(__builtin_popcount(m)); };
  if (!wide) {
    if ((h1 & 0xF800) == 0x4800) return 2;                             // LDR literal
    if ((h1 & 0xF000) == 0x5000) return 2;                             // load/store register offset
    if ((h1 & 0xE000) == 0x6000 || (h1 & 0xF000) == 0x8000) return 2;  // load/store immediate
    if ((h1 & 0xF000) == 0x9000) return 2;                             // SP-relative load/store
    if ((h1 & 0xFE00) == 0xB400) return 1 + pop(h1 & 0x1FF);           // PUSH: 1 + N
    if ((h1 & 0xFE00) == 0xBC00) return 1 + pop(h1 & 0x1FF);           // POP: 1 + N (+P with PC)
    if ((h1 & 0xF000) == 0xC000) return 1 + pop(h1 & 0xFF);            // LDM/STM: 1 + N
    if ((h1 & 0xFFC0) == 0x4340) return 1;                             // MULS
    return 1;  // data processing, branches (+P when taken), hints, CPS, IT
  }
  std::uint32_t op = (std::uint32_t{h1} << 16) | h2;
  if ((h1 & 0xFE40) == 0xE800 && ((h1 >> 7) & 3) != 0 && ((h1 >> 7) & 3) != 3)  // LDM/STM 32-bit
    return 1 + pop(h2 & 0xDFFF);
  if ((h1 & 0xFE40) == 0xE840 && (h1 & 0x120)) return 3;               // LDRD/STRD: 1 + N, N = 2
  if ((h1 & 0xFFE0) == 0xE840 || (h1 & 0xFFE0) == 0xE8C0) return 2;    // LDREX/STREX (B/H), TBB/TBH
  if ((h1 & 0xFE00) == 0xF800) return 2;                               // LDR/STR (B/H/SB/SH) 32-bit
  if ((h1 & 0xFFD0) == 0xFB90 && (h2 & 0xF0) == 0xF0) return kDivide;  // SDIV/UDIV
  if ((h1 & 0xFF80) == 0xFB00) {                                       // MUL, MLA, MLS and the DSP multiplies
    bool accumulate = (h2 & 0xF000) != 0xF000;
    return accumulate ? 2 : 1;
  }
  if ((h1 & 0xFF80) == 0xFB80) return 1;  // long multiplies (UMULL, SMULL, UMLAL, SMLAL)
  if ((op & 0xFFF0D000) == 0xF3808000 || (op & 0xFFFFD000) == 0xF3EF8000) return 2;  // MSR, MRS
  // Floating point (coprocessors 10/11).
  if ((h1 & 0xEC00) == 0xEC00 && ((h2 >> 9) & 7) == 5) {
    if ((h1 & 0xFE00) == 0xEC00) {            // extension register load/store
      if ((h1 & 0xFF20) == 0xED00) return 2;  // VLDR/VSTR
      if ((h1 & 0xFFE0) == 0xEC40) return 2;  // VMOV two core registers
      return 1 + (h2 & 0xFF);                 // VLDM/VSTM/VPUSH/VPOP: 1 + N words
    }
    if (h2 & 0x10) return 1;  // VMOV core register <-> S, VMRS, VMSR
    unsigned opc1 = (h1 >> 4) & 0xB;
    if (opc1 == 0x8) return 14;                                              // VDIV
    if (opc1 == 0xB && (h1 & 0xF) == 1 && (h2 & 0xC0) == 0xC0) return 14;    // VSQRT
    if (opc1 == 0x0 || opc1 == 0x1 || opc1 == 0x9 || opc1 == 0xA) return 3;  // VMLA..VNMLS, VFMA..VFNMS
    return 1;                                                                // VADD, VMUL, VMOV, VCVT, VCMP, VMRS...
  }
  return 1;
}

}  // namespace lmsim::mcu::cycle_model
