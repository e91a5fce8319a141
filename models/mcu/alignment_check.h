// Word-alignment faults that Unicorn does not raise (ARMv7-M ARM A3.2.1, "Alignment
// behavior"): LDM/STM (all forms), LDRD/STRD, VLDR/VSTR and VLDM/VSTM always need a
// word-aligned address and raise UsageFault UNALIGNED otherwise, whatever CCR.UNALIGN_TRP
// says. PUSH/POP and every other SP-based form cannot fault: SP bits [1:0] are always zero on
// ARMv7-M (B1.4.1), and a PC-based literal address is word aligned by construction.
//
// All these instructions access base ± a multiple of 4, so only the base register's value
// mod 4 matters. So that aligned code costs nothing per instruction, each translated block is
// decoded once: the base's value at each such instruction is expressed, mod 4, in terms of a
// register's value at the block start (exact when the block hook runs) by following the
// instructions before it in the block. Only when that is impossible (the base was loaded from
// memory in the same block, or the instruction is conditional) does the engine check that one
// instruction with a code hook of its own.
#pragma once
#include <cstdint>

namespace lmsim::mcu::alignment_check {

// The base register of an instruction that needs word alignment and may fault (not SP or
// PC), or -1.
inline int word_aligned_base(std::uint16_t h1, std::uint16_t h2, bool wide) {
  if (!wide) return (h1 & 0xF000) == 0xC000 ? (h1 >> 8) & 7 : -1;  // LDM/STM
  int rn = h1 & 0xF;
  if (rn == 13 || rn == 15) return -1;
  if ((h1 & 0xFE40) == 0xE800 && ((h1 >> 7) & 3) != 0 && ((h1 >> 7) & 3) != 3) return rn;  // LDM/STM IA/DB
  if ((h1 & 0xFE40) == 0xE840 && (h1 & 0x120)) return rn;                                  // LDRD/STRD
  bool vfp = ((h2 >> 9) & 7) == 5;
  if (vfp && (h1 & 0xFF20) == 0xED00) return rn;                  // VLDR/VSTR
  if (vfp && (h1 & 0xFE00) == 0xEC00 && (h1 & 0x180)) return rn;  // VLDM/VSTM
  return -1;
}

// A register's value mod 4 as known at some point of a block: unknown, a constant, or the
// value register `reg` had at the block start plus `add`.
struct Sym {
  enum Kind : std::uint8_t { Unknown, Const, Reg } kind = Unknown;
  std::uint8_t reg = 0, add = 0;
  bool operator==(const Sym& o) const { return kind == o.kind && reg == o.reg && add == o.add; }
};

// Register state mod 4 along a block, and the effect of one instruction on it.
class Tracker {
 public:
  Tracker() {
    for (int r = 0; r < 16; ++r) s_[r] = {Sym::Reg, static_cast<std::uint8_t>(r), 0};
  }
  const Sym& operator[](int r) const { return s_[r]; }

  // Applies the instruction at `pc`; `conditional`: inside an IT block (may not execute).
  void step(std::uint16_t h1, std::uint16_t h2, bool wide, std::uint32_t pc, bool conditional) {
    Sym before[16];
    if (conditional)
      for (int r = 0; r < 16; ++r) before[r] = s_[r];
    s_[15] = {Sym::Const, 15, static_cast<std::uint8_t>((pc + 4) & 3)};
    if (wide)
      step32(h1, h2, pc);
    else
      step16(h1, pc);
    if (conditional)
      for (int r = 0; r < 16; ++r)
        if (!(before[r] == s_[r])) s_[r] = {};
  }

 private:
  void unknown(int r) { s_[r & 15] = {}; }
  void constant(int r, std::uint32_t v) { s_[r & 15] = {Sym::Const, 0, static_cast<std::uint8_t>(v & 3)}; }
  void copy(int rd, int rm) { s_[rd & 15] = s_[rm & 15]; }
  void add(int rd, int rn, std::uint32_t imm) {
    Sym v = s_[rn & 15];
    if (v.kind != Sym::Unknown) v.add = static_cast<std::uint8_t>((v.add + imm) & 3);
    s_[rd & 15] = v;
  }
  void add_regs(int rd, int rn, int rm, bool subtract) {
    if (s_[rm & 15].kind == Sym::Const)
      add(rd, rn, subtract ? 0u - s_[rm & 15].add : s_[rm & 15].add);
    else if (!subtract && s_[rn & 15].kind == Sym::Const)
      add(rd, rm, s_[rn & 15].add);
    else
      unknown(rd);
  }
  void list(std::uint32_t mask) {
    for (int r = 0; r < 16; ++r)
      if (mask & (1u << r)) unknown(r);
  }

  // Thumb 16-bit encodings (ARMv7-M ARM A5.2).
  void step16(std::uint16_t h, std::uint32_t pc) {
    int rd3 = h & 7, rn3 = (h >> 3) & 7, r8 = (h >> 8) & 7;
    switch (h >> 11) {
      case 0x00: {  // LSL imm (imm 0: MOV)
        std::uint32_t imm5 = (h >> 6) & 31;
        if (imm5 == 0)
          copy(rd3, rn3);
        else if (imm5 >= 2)
          constant(rd3, 0);
        else
          unknown(rd3);
        return;
      }
      case 0x01:
      case 0x02: unknown(rd3); return;  // LSR, ASR
      case 0x03: {                      // ADD/SUB register or 3-bit immediate
        int x = (h >> 6) & 7;
        bool sub = h & 0x200;
        if (h & 0x400)
          add(rd3, rn3, sub ? 0u - x : static_cast<std::uint32_t>(x));
        else
          add_regs(rd3, rn3, x, sub);
        return;
      }
      case 0x04: constant(r8, h & 0xFF); return;  // MOV imm8
      case 0x05: return;                          // CMP imm8
      case 0x06: add(r8, r8, h & 0xFF); return;   // ADD imm8
      case 0x07: add(r8, r8, 0u - (h & 0xFF)); return;
      case 0x08:
        if (!(h & 0x400)) {  // data processing: TST, CMP, CMN write no register
          int op = (h >> 6) & 15;
          if (op != 8 && op != 10 && op != 11) unknown(rd3);
          return;
        }
        {  // special data processing, branch and exchange
          int rd = (h & 7) | ((h >> 4) & 8), rm = (h >> 3) & 15;
          switch ((h >> 8) & 3) {
            case 0: add_regs(rd, rd, rm, false); return;
            case 1: return;  // CMP
            case 2: copy(rd, rm); return;
            default:
              if (h & 0x80) unknown(14);  // BLX
              return;
          }
        }
      case 0x09: unknown(r8); return;  // LDR literal
      case 0x0A:
      case 0x0B:
        if (((h >> 9) & 7) >= 3) unknown(rd3);  // loads, register offset
        return;
      case 0x0C:
      case 0x0D:
      case 0x0E:
      case 0x0F:
      case 0x10:
      case 0x11:
        if (h & 0x800) unknown(rd3);  // loads, immediate offset
        return;
      case 0x12:
      case 0x13:
        if (h & 0x800) unknown(r8);  // LDR SP-relative
        return;
      case 0x14: constant(r8, 0); return;  // ADR: Align(PC, 4) + imm8 * 4
      case 0x15: add(r8, 13, 0); return;   // ADD Rd, SP, imm8 * 4
      case 0x16:
      case 0x17:
        // Miscellaneous: ADD/SUB SP, PUSH, POP keep SP mod 4; CBZ, CPS, IT, hints write none.
        if ((h & 0xFF00) == 0xB200 || (h & 0xFF00) == 0xBA00) unknown(rd3);  // extend, REV
        if ((h & 0xFE00) == 0xBC00) list(h & 0xFF);                          // POP
        return;
      case 0x18: return;                  // STM (write-back: base + 4n)
      case 0x19: list(h & 0xFF); return;  // LDM
      default: (void)pc; return;          // B, B<c>, SVC, UDF
    }
  }

  // ThumbExpandImm (A5.3.2) mod 4.
  static std::uint32_t expand_imm(std::uint16_t h1, std::uint16_t h2) {
    std::uint32_t imm12 = ((h1 & 0x400u) << 1) | ((h2 & 0x7000u) >> 4) | (h2 & 0xFFu), b = imm12 & 0xFF;
    if ((imm12 >> 10) == 0) {
      switch ((imm12 >> 8) & 3) {
        case 0: return b;
        case 1: return b | (b << 16);
        case 2: return (b << 8) | (b << 24);
        default: return b | (b << 8) | (b << 16) | (b << 24);
      }
    }
    std::uint32_t v = 0x80 | (imm12 & 0x7F), rot = imm12 >> 7;
    return (v >> rot) | (v << (32 - rot));
  }

  // Thumb 32-bit encodings (A5.3); anything not decoded writes its possible destinations.
  void step32(std::uint16_t h1, std::uint16_t h2, std::uint32_t pc) {
    int rn = h1 & 15, rt = h2 >> 12, rd = (h2 >> 8) & 15;
    if ((h1 & 0xFE00) == 0xE800) {  // load/store multiple, dual, exclusive; table branch
      if (!(h1 & 0x40)) {
        if (h1 & 0x10) list(h2);  // LDM (write-back: base ± 4n)
        return;
      }
      if (h1 & 0x120) {  // LDRD/STRD (write-back: base ± imm8 * 4)
        if (h1 & 0x10) unknown(rt), unknown(rd);
        return;
      }
      if ((h1 & 0xFFF0) == 0xE840) return unknown(rd);  // STREX: status in Rd
      if ((h1 & 0xFFF0) == 0xE8C0) return unknown(h2);  // STREXB/H: status in bits 3:0
      return unknown(rt), unknown(rd);                  // LDREX(B/H), TBB/TBH
    }
    if ((h1 & 0xFE00) == 0xEA00) {  // data processing, shifted register
      int op = (h1 >> 5) & 15, rm = h2 & 15;
      bool no_shift = (h2 & 0x70F0) == 0;
      if (rd == 15) return;  // TST, TEQ, CMP, CMN
      if (op == 2 && rn == 15 && no_shift) return copy(rd, rm);
      if ((op == 8 || op == 13) && no_shift) return add_regs(rd, rn, rm, op == 13);
      return unknown(rd);
    }
    if ((h1 & 0xEC00) == 0xEC00) {    // coprocessor (the FPU)
      if ((h1 & 0xEFE0) == 0xEC40) {  // 64-bit transfers (VMOV two core registers)
        if (h1 & 0x10) unknown(rt), unknown(rn);
        return;
      }
      if ((h1 & 0xEE00) == 0xEC00) return;  // VLDR/VSTR/VLDM/VSTM (write-back: base ± 4n)
      if ((h1 & 0xEF00) == 0xEE00 && (h2 & 0x10) && (h1 & 0x10) && rt != 15) unknown(rt);  // to a core register
      return;
    }
    if ((h1 & 0xF800) == 0xF000 && (h2 & 0x8000)) {                                // branches and miscellaneous control
      if ((h2 & 0x5000) == 0x5000 || (h2 & 0x5000) == 0x4000) return unknown(14);  // BL, BLX
      if ((h1 & 0xFFE0) == 0xF3E0) return unknown(rd);                             // MRS
      if ((h1 & 0xFFE0) == 0xF380 && ((h2 & 0xFF) == 8 || (h2 & 0xFF) == 9)) return unknown(13);  // MSR MSP/PSP
      return;
    }
    if ((h1 & 0xFA00) == 0xF000) {  // data processing, modified immediate
      int op = (h1 >> 5) & 15;
      std::uint32_t imm = expand_imm(h1, h2);
      if (rd == 15) return;  // TST, TEQ, CMP, CMN
      switch (op) {
        case 0: return (imm & 3) == 0 ? constant(rd, 0) : unknown(rd);  // AND
        case 1: return (imm & 3) == 3 ? constant(rd, 0) : unknown(rd);  // BIC
        case 2:
          if (rn == 15) return constant(rd, imm);  // MOV
          return (imm & 3) == 0 ? copy(rd, rn) : unknown(rd);
        case 8: return add(rd, rn, imm);
        case 13: return add(rd, rn, 0u - imm);
        default: return unknown(rd);
      }
    }
    if ((h1 & 0xFA00) == 0xF200) {  // plain binary immediate
      std::uint32_t imm12 = ((h1 & 0x400u) << 1) | ((h2 & 0x7000u) >> 4) | (h2 & 0xFFu);
      switch ((h1 >> 4) & 0x1F) {
        case 0x00: return rn == 15 ? constant(rd, imm12) : add(rd, rn, imm12);  // ADDW, ADR (PC word aligned)
        case 0x0A: return rn == 15 ? constant(rd, 0u - imm12) : add(rd, rn, 0u - imm12);
        case 0x04: return constant(rd, h2);  // MOVW
        case 0x0C: return;                   // MOVT keeps the low half
        default: return unknown(rd);
      }
    }
    if ((h1 & 0xFE00) == 0xF800) {  // load/store single
      bool load = h1 & 0x10, preload = rt == 15 && ((h1 >> 5) & 3) < 2;
      if (!(h1 & 0x80) && rn != 15 && (h2 & 0x900) == 0x900)  // 8-bit immediate with write-back
        add(rn, rn, (h2 & 0x200) ? (h2 & 0xFFu) : 0u - (h2 & 0xFFu));
      if (load && !preload) unknown(rt);
      return;
    }
    if ((h1 & 0xFF00) == 0xFA00 || (h1 & 0xFF80) == 0xFB00) return unknown(rd);  // register, multiply
    if ((h1 & 0xFF80) == 0xFB80) return unknown(rd), unknown(rt);                // long multiply, divide
    unknown(rt), unknown(rd), unknown(rn);
    (void)pc;
  }

  Sym s_[16];
};

}  // namespace lmsim::mcu::alignment_check
