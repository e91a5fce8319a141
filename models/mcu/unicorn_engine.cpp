// CpuEngine on Unicorn 2.0.1 as a real Cortex-M4F. Facts this relies on are measured in
// shared/reference/unicorn-cortex-m.md: UC_MODE_THUMB + uc_ctl_set_cpu_model(M4) (MCLASS would
// give an M33), never uc_emu_stop() inside an MMIO callback (we stop from the code hook),
// WFI returns UC_ERR_OK with the PC after it, exception return arrives as a prefetch abort
// at 0xFFFFFFE0.. in the interrupt hook, SVC as interrupt 2.
//
// Counting: a code hook on every instruction costs as much as the rest of the emulation on
// register-bound code, so by default instructions are counted per translated block in a
// block hook (the block's instruction count is decoded once from the Thumb-2 encodings and
// cached by address; a stop requested in the block hook ends the run before the block
// executes). A run that ends inside a block (a memory fault) is counted up to the faulting
// instruction. The code hook is installed only in precise mode (debugger, fault traps).
#include <unicorn/unicorn.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <unordered_set>
#include <vector>

#include "models/mcu/alignment_check.h"
#include "models/mcu/cpu_engine.h"
#include "models/mcu/cycle_model.h"

namespace lmsim::mcu {
namespace {

// QEMU's exception numbers as seen by UC_HOOK_INTR.
enum : std::uint32_t {
  kExcpUdef = 1,
  kExcpSwi = 2,
  kExcpPrefetchAbort = 3,
  kExcpDataAbort = 4,
  kExcpBkpt = 7,
  kExcpExceptionExit = 8,
  kExcpNocp = 17,
  kExcpInvstate = 18,
  kExcpUnaligned = 22,
  kExcpDivbyzero = 23,
};
constexpr std::uint64_t kUntil = 0xFFFFFFFEu;  // never a real code address nor an EXC_RETURN

constexpr std::array<int, static_cast<int>(CpuReg::Count)> kRegIds = {
    UC_ARM_REG_R0,  UC_ARM_REG_R1,  UC_ARM_REG_R2,      UC_ARM_REG_R3,      UC_ARM_REG_R4,        UC_ARM_REG_R5,
    UC_ARM_REG_R6,  UC_ARM_REG_R7,  UC_ARM_REG_R8,      UC_ARM_REG_R9,      UC_ARM_REG_R10,       UC_ARM_REG_R11,
    UC_ARM_REG_R12, UC_ARM_REG_SP,  UC_ARM_REG_LR,      UC_ARM_REG_PC,      UC_ARM_REG_XPSR,      UC_ARM_REG_CONTROL,
    UC_ARM_REG_MSP, UC_ARM_REG_PSP, UC_ARM_REG_PRIMASK, UC_ARM_REG_BASEPRI, UC_ARM_REG_FAULTMASK, UC_ARM_REG_FPSCR,
    UC_ARM_REG_D0,  UC_ARM_REG_D1,  UC_ARM_REG_D2,      UC_ARM_REG_D3,      UC_ARM_REG_D4,        UC_ARM_REG_D5,
    UC_ARM_REG_D6,  UC_ARM_REG_D7,  UC_ARM_REG_D8,      UC_ARM_REG_D9,      UC_ARM_REG_D10,       UC_ARM_REG_D11,
    UC_ARM_REG_D12, UC_ARM_REG_D13, UC_ARM_REG_D14,     UC_ARM_REG_D15,
};

class UnicornEngine final : public CpuEngine {
 public:
  UnicornEngine() {
    check(uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc_), "uc_open");
    check(uc_ctl_set_cpu_model(uc_, UC_CPU_ARM_CORTEX_M4), "select Cortex-M4");
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&on_block), this, 1, 0), "block hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void*>(&on_intr), this, 1, 0), "intr hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(&on_invalid), this, 1, 0), "memory hook");
    check(uc_context_alloc(uc_, &reset_ctx_), "context");
    check(uc_context_save(uc_, reset_ctx_), "context save");
  }
  ~UnicornEngine() override {
    if (reset_ctx_) uc_context_free(reset_ctx_);
    if (uc_) uc_close(uc_);
  }

  void set_client(Client* c) override { client_ = c; }
  void set_breakpoints(const std::vector<std::uint32_t>* bps) override {
    bps_ = (bps && !bps->empty()) ? bps : nullptr;
  }

  void set_precise(bool on) override {
    if (on == precise_) return;
    precise_ = on;
    uncommon_ = precise_ || traps_.any();
    // Unicorn 2.0.1 misbehaves after uc_hook_del of a code hook (the firmware later runs off
    // into garbage): the hook is added once and stays; out of precise mode it returns at once.
    if (on && !code_hook_)
      check(uc_hook_add(uc_, &code_hook_, UC_HOOK_CODE, reinterpret_cast<void*>(&on_code), this, 1, 0), "code hook");
    // Hooks are compiled into the translated blocks: retranslate all code (per region:
    // Unicorn's full flush, uc_ctl_flush_tlb, costs about 0.3 s).
    for (const auto& m : host_) uc_ctl_remove_cache(uc_, m.base, static_cast<std::uint64_t>(m.base) + m.size);
  }
  bool precise() const override { return precise_; }

  void set_watchpoint(std::uint32_t addr, std::uint32_t len, Watch kind, bool on) override {
    if (!len) return;
    for (auto& w : watches_)
      if (w.addr == addr && w.len == len && w.kind == kind) {
        w.active = on;
        return;
      }
    if (!on) return;
    // A hook limited to the watched range; never deleted (see set_precise), reused when gdb
    // removes and reinserts the same watchpoint at every stop.
    int types = kind == Watch::Write  ? UC_HOOK_MEM_WRITE
                : kind == Watch::Read ? UC_HOOK_MEM_READ
                                      : (UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE);
    watches_.push_back({this, addr, len, kind, true, 0});
    WatchPoint& w = watches_.back();
    check(uc_hook_add(uc_, &w.hook, types, reinterpret_cast<void*>(&on_watch), &w, addr,
                      static_cast<std::uint64_t>(addr) + len - 1),
          "watchpoint hook");
    for (const auto& m : host_) uc_ctl_remove_cache(uc_, m.base, static_cast<std::uint64_t>(m.base) + m.size);
  }
  WatchHit watch_hit() const override { return watch_hit_; }
  void set_mask_watch(bool on) override { mask_watch_ = on; }
  void set_cycle_model(bool on) override {
    cycles_mode_ = on;
    blocks_.fill(BlockEntry{});
  }
  std::uint64_t instructions_executed() const override { return cycles_mode_ ? insns_ : executed_; }
  bool take_event() override {
    bool e = event_;
    event_ = false;
    return e;
  }
  void set_traps(const Traps& t) override {
    traps_ = t;
    uncommon_ = precise_ || traps_.any();
  }

  void map_memory(std::uint32_t base, std::uint32_t size, std::uint8_t* host, bool writable) override {
    std::uint32_t prot = UC_PROT_READ | UC_PROT_EXEC | (writable ? UC_PROT_WRITE : 0);
    check(uc_mem_map_ptr(uc_, base, size, prot, host), "map memory");
    host_.push_back({base, size, host});
  }
  void map_mmio(std::uint32_t base, std::uint32_t size) override {
    regions_.push_back({this, base});
    check(uc_mmio_map(uc_, base, size, &on_mmio_read, &regions_.back(), &on_mmio_write, &regions_.back()), "map mmio");
  }
  void invalidate_code(std::uint32_t addr, std::uint32_t len) override {
    if (!len) return;
    uc_ctl_remove_cache(uc_, addr, static_cast<std::uint64_t>(addr) + len);
    blocks_.fill(BlockEntry{});
  }

  Exit run(std::uint64_t budget) override {
    executed_ = insns_ = 0;
    limit_ = budget;
    stopped_ = redirected_ = faulted_ = hit_bp_ = false;
    watch_hit_ = {};
    block_addr_ = block_end_ = 0;
    in_run_ = true;
    std::uint32_t pc = reg(CpuReg::PC);
    // What the last executed instruction asked to check before the next one (and the taken
    // branch refill) holds only if the run resumes where the last one stopped.
    if (pc != resume_pc_) prev_flags_ = 0, prev_end_ = 0;
    resume_pc_ = 1;
    // A breakpoint stop leaves the PC on the breakpoint: resuming executes it. Any other
    // first instruction (a handler entered between runs) stops on its breakpoint.
    bp_skip_ = pc == bp_hit_pc_ ? pc : 1;
    bp_hit_pc_ = 1;
    std::uint64_t until = until_ ? until_ : kUntil;
    // `until` only ends a block that is translated while it is set: retranslate up to it.
    if (until_ > pc) uc_ctl_remove_cache(uc_, pc, until_);
    until_ = 0;
    uc_err err = uc_emu_start(uc_, pc | 1u, until, 0, 0);
    in_run_ = false;
    // A stop requested before a block or an instruction: the PC is where it stopped (Unicorn
    // does not restore it at a block start once code hooks exist).
    if (stopped_ && resume_pc_ != 1 && err == UC_ERR_OK && !faulted_ && (code_hook_ || !hooked_.empty())) {
      std::uint32_t at = resume_pc_ | 1u;
      uc_reg_write(uc_, UC_ARM_REG_PC, &at);
    }
    if (!new_sites_.empty()) add_site_hooks();
    if (strex_fail_pc_ != 1) {
      std::uint32_t at = strex_fail_pc_;
      strex_fail_pc_ = 1;
      if (err == UC_ERR_OK && !faulted_ && !trap_pending_) return fail_strex(at);
    }
    if ((faulted_ || err != UC_ERR_OK) && !precise()) locate_fault(err);
    if (trap_pending_ && err == UC_ERR_OK && !faulted_) {
      // A configured fault before an instruction: raised now, outside the engine.
      trap_pending_ = false;
      client_->trap(pending_trap_, pending_pc_);
      return Exit::Redirect;
    }
    trap_pending_ = false;
    if (faulted_) return Exit::MemFault;
    if (err == UC_ERR_INSN_INVALID) {
      // WFE: Unicorn stops after it (the PC is advanced) with "invalid instruction"; an
      // undefined instruction leaves the PC on itself. The WFE is the last one executed.
      std::uint32_t now = reg(CpuReg::PC);
      const std::uint8_t* p2 = now >= 2 ? host_at(now - 2, 2) : nullptr;
      const std::uint8_t* p4 = now >= 4 ? host_at(now - 4, 4) : nullptr;
      bool narrow = p2 && p2[0] == 0x20 && p2[1] == 0xBF;
      bool wide = p4 && p4[0] == 0xAF && p4[1] == 0xF3 && p4[2] == 0x02 && p4[3] == 0x80;
      if (prev_end_ == now && (narrow || wide)) return Exit::Wfe;
      return Exit::Undefined;
    }
    if (err != UC_ERR_OK) {
      error_ = uc_strerror(err);
      switch (err) {
        case UC_ERR_READ_UNMAPPED:
        case UC_ERR_READ_PROT:
        case UC_ERR_READ_UNALIGNED: fault_kind_ = Access::Read; return Exit::MemFault;
        case UC_ERR_WRITE_UNMAPPED:
        case UC_ERR_WRITE_UNALIGNED: fault_kind_ = Access::Write; return Exit::MemFault;
        case UC_ERR_WRITE_PROT: fault_kind_ = Access::WriteProtected; return Exit::MemFault;
        case UC_ERR_FETCH_UNMAPPED:
        case UC_ERR_FETCH_PROT:
        case UC_ERR_FETCH_UNALIGNED:
          fault_kind_ = Access::Fetch;
          fault_addr_ = reg(CpuReg::PC);
          return Exit::MemFault;
        default: return Exit::Error;
      }
    }
    if (hit_bp_) return Exit::Breakpoint;
    if (stopped_) return redirected_ ? Exit::Redirect : Exit::Limit;
    // Unicorn continues after a PC write in a hook; it ended here either right after the
    // redirect or on a WFI executed later (the PC is then just after it).
    if (redirected_ && executed_ == redirect_at_) return Exit::Redirect;
    std::uint32_t now = reg(CpuReg::PC);
    const std::uint8_t* prev = now >= 2 ? host_at(now - 2, 2) : nullptr;
    if (prev && prev[0] == 0x30 && prev[1] == 0xBF) return Exit::Wfi;
    return redirected_ ? Exit::Redirect : Exit::Limit;
  }
  std::uint64_t executed() const override { return executed_; }
  void stop() override { limit_ = executed_; }
  void set_limit(std::uint64_t n) override { limit_ = n; }

  std::uint32_t reg(CpuReg r) override {
    std::uint32_t v = 0;
    uc_reg_read(uc_, kRegIds[static_cast<int>(r)], &v);
    return v;
  }
  void set_reg(CpuReg r, std::uint32_t v) override {
    uc_reg_write(uc_, kRegIds[static_cast<int>(r)], &v);
    // Unicorn ends the run when the PC is written inside a hook; say why.
    if (r == CpuReg::PC) prev_flags_ = 0, prev_end_ = 0;
    if (r == CpuReg::PC && in_run_) {
      redirected_ = true;
      redirect_at_ = executed_;
      ++redirects_;
    }
  }
  void read_regs(const CpuReg* r, std::uint32_t* v, int n) override {
    int ids[16] = {};
    void* ptrs[16] = {};
    for (int i = 0; i < n; ++i) {
      ids[i] = kRegIds[static_cast<int>(r[i])];
      v[i] = 0;
      ptrs[i] = &v[i];
    }
    uc_reg_read_batch(uc_, ids, ptrs, n);
  }
  void write_regs(const CpuReg* r, const std::uint32_t* v, int n) override {
    int ids[16] = {};
    void* ptrs[16] = {};
    bool pc = false;
    for (int i = 0; i < n; ++i) {
      ids[i] = kRegIds[static_cast<int>(r[i])];
      ptrs[i] = const_cast<std::uint32_t*>(&v[i]);
      pc |= r[i] == CpuReg::PC;
    }
    uc_reg_write_batch(uc_, ids, ptrs, n);
    if (pc) prev_flags_ = 0, prev_end_ = 0;
    if (pc && in_run_) {
      redirected_ = true;
      redirect_at_ = executed_;
      ++redirects_;
    }
  }
  std::uint64_t reg64(CpuReg d) override {
    std::uint64_t v = 0;
    uc_reg_read(uc_, kRegIds[static_cast<int>(d)], &v);
    return v;
  }
  void set_reg64(CpuReg d, std::uint64_t v) override { uc_reg_write(uc_, kRegIds[static_cast<int>(d)], &v); }
  void reset() override {
    check(uc_context_restore(uc_, reset_ctx_), "context restore");
    until_ = 0;
    checked_ = 1;
    prev_flags_ = 0, prev_end_ = 0;
    event_ = false;
    excl_open_ = excl_cleared_ = false;
  }
  void clear_exclusive() override {
    // ClearExclusiveLocal() on exception entry and return (B1.5.6, A3.4.4). Unicorn keeps its
    // own monitor, which only a STREX or CLREX clears: while the model's monitor is clear and
    // Unicorn's may still be open, the next STREX is made to fail here (see on_block).
    if (excl_open_) excl_cleared_ = true;
    excl_open_ = false;
  }

  std::uint32_t fault_addr() const override { return fault_addr_; }
  Access fault_kind() const override { return fault_kind_; }
  std::string error() const override { return error_; }
  std::string describe() const override {
    unsigned maj = 0, min = 0;
    uc_version(&maj, &min);
    return "Unicorn " + std::to_string(maj) + "." + std::to_string(min) + ", Cortex-M4F (ARMv7E-M)";
  }

 private:
  struct Region {
    UnicornEngine* self;
    std::uint32_t base;
  };

  static void check(uc_err e, const char* what) {
    if (e != UC_ERR_OK) throw std::runtime_error(std::string("unicorn: ") + what + ": " + uc_strerror(e));
  }

  // Instructions in [addr, addr+len): 32-bit Thumb-2 encodings start with 0b11101/11110/11111.
  std::uint64_t count_insns(std::uint32_t addr, std::uint32_t len) const {
    const std::uint8_t* p = host_at(addr, len);
    if (!p) return len / 2;  // not host memory (never for code we can run): an estimate
    std::uint64_t n = 0;
    for (std::uint32_t off = 0; off + 1 < len; ++n) {
      std::uint16_t hw;
      std::memcpy(&hw, p + off, 2);
      off += (hw >> 11) >= 0x1D ? 4 : 2;
    }
    return n;
  }

  // What the engine must look at after an instruction (flags of a BlockEntry / prev_flags_).
  enum : std::uint8_t {
    kMaskLast = 1,    // the (last) instruction may lower PRIMASK/BASEPRI/FAULTMASK
    kBxReg = 2,       // the last instruction is BX/BLX Rm (prev_bxreg_): an even target faults
    kMaskInside = 4,  // such an instruction before the last one (mask_after: the one after it)
    kSev = 8,         // contains SEV
    kAlign = 16,      // word-aligned accesses to check at the block start (sites_)
    kExcl = 32,       // LDREX/STREX/CLREX (sites_)
  };
  // CPSIE i/f, MSR PRIMASK/BASEPRI/FAULTMASK (BASEPRI_MAX can only raise the mask); SEV;
  // BX/BLX register.
  static std::uint8_t insn_flags(std::uint16_t h1, std::uint16_t h2, bool wide, std::uint8_t& bxreg) {
    if (!wide) {
      if (h1 == 0xB662 || h1 == 0xB661 || h1 == 0xB663) return kMaskLast;
      if (h1 == 0xBF40) return kSev;
      if ((h1 & 0xFF07) == 0x4700 || (h1 & 0xFF07) == 0x4780) {
        bxreg = static_cast<std::uint8_t>((h1 >> 3) & 0xF);
        return kBxReg;
      }
      return 0;
    }
    if ((h1 & 0xFFF0) == 0xF380 && (h2 & 0xFF00) == 0x8800 && (h2 & 0xFF) >= 16 && (h2 & 0xFF) <= 19 &&
        (h2 & 0xFF) != 18)
      return kMaskLast;
    if (h1 == 0xF3AF && h2 == 0x8004) return kSev;
    return 0;
  }
  struct BlockEntry {
    std::uint32_t addr = 1, size = 0, count = 0, cycles = 0;  // addr 1: never a block start (Thumb bit clear)
    std::uint32_t mask_after = 0;
    std::uint8_t flags = 0, bxreg = 0;
  };
  // What a kAlign/kExcl block checks at its start. A word-aligned access at `off` has its base
  // equal, mod 4, to register `reg` at the block start plus `add` (reg kAlways: misaligned
  // whatever the registers). The first and last exclusive instructions (kLdrex...).
  static constexpr std::uint8_t kAlways = 16, kMaxSites = 4;
  enum : std::uint8_t { kNoExcl, kLdrex, kStrex, kClrex };
  struct BlockSites {
    struct Site {
      std::uint16_t off;
      std::uint8_t reg, add;
    } site[kMaxSites];
    std::uint8_t n = 0, excl_first = kNoExcl, excl_last = kNoExcl;
    std::uint16_t excl_off = 0;
  };
  static std::uint8_t exclusive_kind(std::uint16_t h1, std::uint16_t h2, bool wide) {
    if (!wide) return kNoExcl;
    unsigned op = (h2 >> 4) & 0xF;  // B/H forms: 4 byte, 5 halfword
    if ((h1 & 0xFFF0) == 0xE850 || ((h1 & 0xFFF0) == 0xE8D0 && (op == 4 || op == 5))) return kLdrex;
    if ((h1 & 0xFFF0) == 0xE840 || ((h1 & 0xFFF0) == 0xE8C0 && (op == 4 || op == 5))) return kStrex;
    if (h1 == 0xF3BF && (h2 & 0xFFF0) == 0x8F20) return kClrex;
    return kNoExcl;
  }
  // Decodes the block [addr, addr+size): instructions, cycles (cycle_model.h) and flags.
  BlockEntry analyse(std::uint32_t addr, std::uint32_t size) const {
    BlockEntry b;
    b.addr = addr;
    b.size = size;
    const std::uint8_t* p = host_at(addr, size);
    if (!p) {
      b.count = b.cycles = size / 2;  // not host memory (never for code we can run): an estimate
      return b;
    }
    for (std::uint32_t off = 0; off + 1 < size;) {
      std::uint16_t h1, h2 = 0;
      std::memcpy(&h1, p + off, 2);
      bool wide = (h1 >> 11) >= 0x1D;
      if (wide && off + 3 < size) std::memcpy(&h2, p + off + 2, 2);
      std::uint32_t len = wide ? 4 : 2;
      ++b.count;
      b.cycles += cycle_model::insn_cycles(h1, h2, wide);
      std::uint8_t bx = 0;
      std::uint8_t f = insn_flags(h1, h2, wide, bx);
      bool last = off + len >= size;
      if (f & kMaskLast) {
        if (last) {
          b.flags |= kMaskLast;
        } else if (!(b.flags & kMaskInside)) {
          b.flags |= kMaskInside;
          b.mask_after = addr + off + len;
        }
      }
      if (f & kSev) b.flags |= kSev;
      if ((f & kBxReg) && last) b.flags |= kBxReg, b.bxreg = bx;
      off += len;
    }
    return b;
  }
  // Time units (instructions, or cycles with the cycle model) of [addr, addr+len).
  std::uint64_t units(std::uint32_t addr, std::uint32_t len) const {
    if (!cycles_mode_) return count_insns(addr, len);
    return analyse(addr, len).cycles;
  }

  // Checks asked for by the instruction executed last, before the one at `a`: an even BX
  // target raises INVSTATE (ARMv7-M B1.4.2: EPSR.T = 0 faults on the next instruction); an
  // instruction that may have unmasked a pending exception ends the run. Consumes them.
  void check_prev(std::uint32_t a) {
    std::uint8_t f = prev_flags_;
    prev_flags_ = 0;
    if ((f & kBxReg) && !(reg(static_cast<CpuReg>(prev_bxreg_)) & 1u)) {
      trap_pending_ = true;
      pending_trap_ = Trap::InvalidState;
      pending_pc_ = a;
      limit_ = executed_;
      return;
    }
    if ((f & kMaskLast) && mask_watch_) limit_ = executed_;
  }

  // A run that ended inside a block (fast mode). Unicorn leaves the PC of an unmapped or
  // protected data access at the start of the block (it exits without restoring the precise
  // state), with the instructions before the faulting one executed and the faulting one not.
  // The faulting instruction is the first in the block whose access, computed from the
  // registers as they are now, covers the fault address; the PC is set to it.
  void locate_fault(uc_err err) {
    std::uint32_t now = reg(CpuReg::PC);
    if (now < block_addr_ || now >= block_end_) return;
    bool data = faulted_ ? fault_kind_ != Access::Fetch
                         : (err == UC_ERR_READ_UNMAPPED || err == UC_ERR_READ_PROT || err == UC_ERR_WRITE_UNMAPPED ||
                            err == UC_ERR_WRITE_PROT || err == UC_ERR_READ_UNALIGNED || err == UC_ERR_WRITE_UNALIGNED);
    if (data && (now == block_addr_ || hooked_.count(now))) {
      const std::uint8_t* p = host_at(block_addr_, block_end_ - block_addr_);
      std::uint32_t r[16];
      static constexpr CpuReg kAll[16] = {CpuReg::R0,  CpuReg::R1, CpuReg::R2, CpuReg::R3, CpuReg::R4,  CpuReg::R5,
                                          CpuReg::R6,  CpuReg::R7, CpuReg::R8, CpuReg::R9, CpuReg::R10, CpuReg::R11,
                                          CpuReg::R12, CpuReg::SP, CpuReg::LR, CpuReg::PC};
      read_regs(kAll, r, 16);
      for (std::uint32_t off = 0, n = 0; p && off + 1 < block_end_ - block_addr_; ++n) {
        std::uint16_t hw1, hw2 = 0;
        std::memcpy(&hw1, p + off, 2);
        bool wide = (hw1 >> 11) >= 0x1D;
        if (wide) std::memcpy(&hw2, p + off + 2, 2);
        std::uint32_t lo = 0, len = 0;
        if (access_range(hw1, hw2, wide, r, lo, len) && fault_addr_ - lo < len) {
          insns_ = insns_before_ + n;
          executed_ = block_before_ + (cycles_mode_ ? units(block_addr_, off) : n);
          std::uint32_t pc = block_addr_ + off;
          uc_reg_write(uc_, UC_ARM_REG_PC, &pc);
          return;
        }
        off += wide ? 4 : 2;
      }
    }
    // Not found (or the PC is already exact): count what precedes the PC.
    insns_ = insns_before_ + count_insns(block_addr_, now - block_addr_);
    executed_ = block_before_ + units(block_addr_, now - block_addr_);
  }

  // The bytes [lo, lo+len) a load/store instruction accesses with registers `r` (the common
  // Thumb/Thumb-2 integer and VFP forms; PC-relative literals never fault: not covered).
  static bool access_range(std::uint16_t h1, std::uint16_t h2, bool wide, const std::uint32_t* r, std::uint32_t& lo,
                           std::uint32_t& len) {
    auto pop = [](std::uint32_t m) { return static_cast<std::uint32_t>(__builtin_popcount(m)); };
    if (!wide) {
      std::uint32_t rn = r[(h1 >> 3) & 7], imm5 = (h1 >> 6) & 31;
      if ((h1 & 0xE000) == 0x6000) {  // LDR/STR(B) immediate
        len = (h1 & 0x1000) ? 1 : 4;
        lo = rn + imm5 * len;
      } else if ((h1 & 0xF000) == 0x8000) {  // LDRH/STRH immediate
        len = 2, lo = rn + imm5 * 2;
      } else if ((h1 & 0xF000) == 0x5000) {  // register offset
        static constexpr std::uint32_t kSize[8] = {4, 2, 1, 1, 4, 2, 1, 2};
        len = kSize[(h1 >> 9) & 7], lo = rn + r[(h1 >> 6) & 7];
      } else if ((h1 & 0xF000) == 0x9000) {  // SP-relative
        len = 4, lo = r[13] + (h1 & 0xFFu) * 4;
      } else if ((h1 & 0xFE00) == 0xB400) {  // PUSH
        len = 4 * (pop(h1 & 0xFF) + ((h1 >> 8) & 1)), lo = r[13] - len;
      } else if ((h1 & 0xFE00) == 0xBC00) {  // POP
        len = 4 * (pop(h1 & 0xFF) + ((h1 >> 8) & 1)), lo = r[13];
      } else if ((h1 & 0xF000) == 0xC000) {  // LDM/STM
        len = 4 * pop(h1 & 0xFF), lo = r[(h1 >> 8) & 7];
      } else {
        return false;
      }
      return true;
    }
    std::uint32_t rn = r[h1 & 0xF];
    if ((h1 & 0xFE00) == 0xF800 && (h1 & 0xF) != 15) {  // LDR/STR{B,H,SB,SH}
      static constexpr std::uint32_t kSize[4] = {1, 2, 4, 4};
      len = kSize[(h1 >> 5) & 3];
      if (h1 & 0x80) {
        lo = rn + (h2 & 0xFFFu);
      } else if (h2 & 0x800) {
        std::uint32_t imm = h2 & 0xFF;
        lo = (h2 & 0x400) ? ((h2 & 0x200) ? rn + imm : rn - imm) : rn;
      } else if ((h2 & 0xFC0) == 0) {
        lo = rn + (r[h2 & 0xF] << ((h2 >> 4) & 3));
      } else {
        return false;
      }
    } else if ((h1 & 0xFE40) == 0xE840 && (h1 & 0x120)) {  // LDRD/STRD (P or W; else TBB/LDREX)
      std::uint32_t imm = (h2 & 0xFFu) * 4;
      len = 8, lo = (h1 & 0x100) ? ((h1 & 0x80) ? rn + imm : rn - imm) : rn;
    } else if ((h1 & 0xFFE0) == 0xE840) {  // LDREX/STREX
      len = 4, lo = rn + (h2 & 0xFFu) * 4;
    } else if ((h1 & 0xFE40) == 0xE800 && ((h1 >> 7) & 3) == 1) {  // LDM/STM IA
      len = 4 * pop(h2), lo = rn;
    } else if ((h1 & 0xFE40) == 0xE800 && ((h1 >> 7) & 3) == 2) {  // LDMDB/STMDB
      len = 4 * pop(h2), lo = rn - len;
    } else if ((h1 & 0xFF20) == 0xED00 && ((h2 >> 9) & 7) == 5) {  // VLDR/VSTR
      std::uint32_t imm = (h2 & 0xFFu) * 4;
      len = (h2 & 0x100) ? 8 : 4, lo = (h1 & 0x80) ? rn + imm : rn - imm;
    } else if ((h1 & 0xFE00) == 0xEC00 && (h1 & 0x180) && ((h2 >> 9) & 7) == 5) {  // VLDM/VSTM/VPUSH/VPOP
      len = (h2 & 0xFFu) * 4, lo = (h1 & 0x100) ? rn - len : rn;
    } else {
      return false;
    }
    return true;
  }

  // Would the instruction at `pc` raise one of the configured Traps (with the registers as
  // they are now)? Records it if so. With `candidate`, only says whether the instruction is
  // of a kind that must be checked (without looking at registers).
  bool configured_fault(std::uint32_t pc, bool candidate = false) {
    const std::uint8_t* p = host_at(pc, 4);
    if (!p) p = host_at(pc, 2);
    if (!p) return false;
    std::uint16_t h1, h2 = 0;
    std::memcpy(&h1, p, 2);
    bool wide = (h1 >> 11) >= 0x1D;
    if (wide) std::memcpy(&h2, p + 2, 2);
    auto raise = [&](Trap t) {
      if (candidate) return true;
      trap_pending_ = true;
      pending_trap_ = t;
      pending_pc_ = pc;
      return true;
    };
    // Coprocessor instructions (VFP: coprocessors 10 and 11), 1110 11xx / 1111 11xx.
    if (traps_.fpu_denied && wide && (h1 & 0xEC00) == 0xEC00 && ((h2 >> 9) & 7) == 5) return raise(Trap::NoCoprocessor);
    if (traps_.divide_by_zero && wide && (h1 & 0xFFD0) == 0xFB90 && (h2 & 0xF0F0) == 0xF0F0 &&
        (candidate || reg(static_cast<CpuReg>(h2 & 0xF)) == 0))
      return raise(Trap::DivideByZero);
    if (traps_.unaligned) {
      // Single halfword/word loads and stores (multiple and doubleword ones always need word
      // alignment and the engine checks those itself).
      bool single = wide ? (h1 & 0xFE00) == 0xF800
                         : ((h1 & 0xE000) == 0x6000 || (h1 & 0xF000) == 0x8000 || (h1 & 0xF000) == 0x5000 ||
                            (h1 & 0xF000) == 0x9000);
      if (single && candidate) return true;
      if (single) {
        std::uint32_t r[16];
        static constexpr CpuReg kAll[16] = {CpuReg::R0,  CpuReg::R1, CpuReg::R2, CpuReg::R3, CpuReg::R4,  CpuReg::R5,
                                            CpuReg::R6,  CpuReg::R7, CpuReg::R8, CpuReg::R9, CpuReg::R10, CpuReg::R11,
                                            CpuReg::R12, CpuReg::SP, CpuReg::LR, CpuReg::PC};
        read_regs(kAll, r, 16);
        r[15] = pc + 4;
        std::uint32_t lo = 0, len = 0;
        if (access_range(h1, h2, wide, r, lo, len) && len > 1 && (lo & (len - 1))) return raise(Trap::Unaligned);
      }
    }
    return false;
  }

  // Fast mode with Traps configured: an instruction to check must be at the start of a run,
  // where the registers are exact. Returns true if the block must not execute now: either
  // the instruction at its start raises (trap pending), or a later one must be checked (the
  // next run ends there, via Unicorn's `until`).
  bool check_block(std::uint32_t addr, std::uint32_t size) {
    const std::uint8_t* p = host_at(addr, size);
    if (!p) return false;
    for (std::uint32_t off = 0; off + 1 < size;) {
      std::uint16_t hw;
      std::memcpy(&hw, p + off, 2);
      std::uint32_t pc = addr + off;
      off += (hw >> 11) >= 0x1D ? 4 : 2;
      if (!configured_fault(pc, true)) continue;
      if (pc != addr) {
        until_ = pc;  // run up to it, check it at the start of the next run
        return true;
      }
      if (checked_ == pc) continue;  // passed its check: run up to the next one
      if (configured_fault(pc)) return true;
      checked_ = pc;
    }
    return false;
  }

  // Finds the word-aligned accesses and exclusive instructions of block `b` (alignment_check.h):
  // those whose base is known mod 4 from the block-start registers go to `out` (checked by
  // check_sites), the others (base loaded in the block, conditional) get a code hook.
  void analyse_sites(BlockEntry& b, BlockSites& out) {
    out = BlockSites{};
    const std::uint8_t* p = host_at(b.addr, b.size);
    if (!p) return;
    alignment_check::Tracker t;
    int it_left = 0;
    for (std::uint32_t off = 0; off + 1 < b.size;) {
      std::uint16_t h1, h2 = 0;
      std::memcpy(&h1, p + off, 2);
      bool wide = (h1 >> 11) >= 0x1D;
      if (wide && off + 3 < b.size) std::memcpy(&h2, p + off + 2, 2);
      std::uint32_t pc = b.addr + off;
      bool conditional = it_left > 0;
      if (it_left > 0) --it_left;
      if (!wide && (h1 & 0xFF00) == 0xBF00 && (h1 & 0xF)) it_left = 4 - __builtin_ctz(h1 & 0xF);  // IT
      if (int base = alignment_check::word_aligned_base(h1, h2, wide); base >= 0) {
        const alignment_check::Sym& v = t[base];
        if (conditional || v.kind == alignment_check::Sym::Unknown || out.n == kMaxSites) {
          if (!hooked_.count(pc)) new_sites_.push_back(pc);
        } else if (v.kind == alignment_check::Sym::Reg || v.add != 0) {
          bool always = v.kind == alignment_check::Sym::Const;
          out.site[out.n++] = {static_cast<std::uint16_t>(off), always ? kAlways : v.reg, v.add};
        }
      }
      if (std::uint8_t k = exclusive_kind(h1, h2, wide)) {
        if (out.excl_first == kNoExcl) out.excl_first = k, out.excl_off = static_cast<std::uint16_t>(off);
        out.excl_last = k;
      }
      t.step(h1, h2, wide, pc, conditional);
      off += wide ? 4 : 2;
    }
    if (out.n) b.flags |= kAlign;
    if (out.excl_first != kNoExcl) b.flags |= kExcl;
  }

  // At the start of block `a` (registers exact): a misaligned word access ends the run before
  // the block, with the UsageFault pending if it is the first instruction, else running up to
  // it next (`until`). The exclusive monitor: a STREX while the model's monitor is clear fails.
  // Returns true if the block must not execute now.
  bool check_sites(std::uint32_t a, const BlockEntry& b, const BlockSites& bs) {
    std::uint32_t stop_at = 0;
    for (std::uint8_t i = 0; i < bs.n && !stop_at; ++i) {
      const BlockSites::Site& st = bs.site[i];
      std::uint32_t v = st.reg == kAlways ? 1u : reg(static_cast<CpuReg>(st.reg)) + st.add;
      if (v & 3) stop_at = a + st.off;
    }
    if (!stop_at && (b.flags & kExcl)) {
      if (excl_cleared_ && bs.excl_first == kStrex) {
        if (bs.excl_off == 0) {
          strex_fail_pc_ = a;  // emulated after the run (fail_strex)
          limit_ = executed_;
          halt(a);
          return true;
        }
        stop_at = a + bs.excl_off;
      } else {
        if (excl_cleared_) excl_cleared_ = false;  // LDREX/CLREX first: both monitors agree again
        if (bs.excl_last != kNoExcl) excl_open_ = bs.excl_last == kLdrex;
      }
    }
    if (!stop_at) return false;
    if (stop_at == a) {
      trap_pending_ = true;
      pending_trap_ = Trap::Unaligned;
      pending_pc_ = a;
    } else {
      until_ = stop_at;
    }
    limit_ = executed_;
    halt(a);
    return true;
  }

  void add_site_hooks() {
    for (std::uint32_t pc : new_sites_) {
      if (!hooked_.insert(pc).second) continue;
      uc_hook h;
      check(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&on_site), this, pc, pc), "site hook");
      uc_ctl_remove_cache(uc_, pc, static_cast<std::uint64_t>(pc) + 4);
    }
    new_sites_.clear();
    blocks_.fill(BlockEntry{});  // re-analysed: the hooked ones are no longer collected
  }

  // Would the (word-aligned access) instruction at `pc` fault with the registers as they are?
  bool misaligned_access(std::uint32_t pc) {
    const std::uint8_t* p = host_at(pc, 2);
    if (!p) return false;
    std::uint16_t h1, h2 = 0;
    std::memcpy(&h1, p, 2);
    bool wide = (h1 >> 11) >= 0x1D;
    if (wide && !host_at(pc, 4)) return false;
    if (wide) std::memcpy(&h2, p + 2, 2);
    int base = alignment_check::word_aligned_base(h1, h2, wide);
    return base >= 0 && (reg(static_cast<CpuReg>(base)) & 3u);
  }

  // The code hook of one instruction whose base the block analysis could not follow (fast
  // mode; precise mode checks in on_code). Registers and PC are exact here.
  static void on_site(uc_engine*, std::uint64_t addr, std::uint32_t, void* ud) {
    auto* s = static_cast<UnicornEngine*>(ud);
    auto a = static_cast<std::uint32_t>(addr);
    if (s->precise_ || s->stopped_ || !s->misaligned_access(a)) return;
    if (a >= s->block_addr_ && a < s->block_end_) {  // counted up to the instruction before it
      s->insns_ = s->insns_before_ + s->count_insns(s->block_addr_, a - s->block_addr_);
      s->executed_ = s->block_before_ + s->units(s->block_addr_, a - s->block_addr_);
    }
    s->trap_pending_ = true;
    s->pending_trap_ = Trap::Unaligned;
    s->pending_pc_ = a;
    s->limit_ = s->executed_;
    s->halt(a);
  }

  // Precise mode, before the instruction at `a`: alignment and the exclusive monitor.
  bool precise_checks(std::uint32_t a) {
    const std::uint8_t* p = host_at(a, 2);
    if (!p) return false;
    std::uint16_t h1, h2 = 0;
    std::memcpy(&h1, p, 2);
    bool wide = (h1 >> 11) >= 0x1D;
    if (wide && !host_at(a, 4)) return false;
    if (wide) std::memcpy(&h2, p + 2, 2);
    if (misaligned_access(a)) {
      trap_pending_ = true;
      pending_trap_ = Trap::Unaligned;
      pending_pc_ = a;
      return true;
    }
    switch (exclusive_kind(h1, h2, wide)) {
      case kLdrex: excl_open_ = true, excl_cleared_ = false; break;
      case kClrex: excl_open_ = excl_cleared_ = false; break;
      case kStrex:
        if (excl_cleared_) {
          strex_fail_pc_ = a;
          return true;
        }
        excl_open_ = false;
        break;
      default: break;
    }
    return false;
  }

  // A STREX at `pc` while the local monitor is clear (A3.4.4): no store, Rd = 1, next
  // instruction. A misaligned one still faults (ExclusiveMonitorsPass checks alignment first).
  Exit fail_strex(std::uint32_t pc) {
    if (unaligned_exclusive(pc)) {
      client_->trap(Trap::Unaligned, pc);
      return Exit::Redirect;
    }
    const std::uint8_t* p = host_at(pc, 4);
    std::uint16_t h1, h2;
    std::memcpy(&h1, p, 2);
    std::memcpy(&h2, p + 2, 2);
    int rd = (h1 & 0xFFF0) == 0xE840 ? (h2 >> 8) & 0xF : h2 & 0xF;
    set_reg(static_cast<CpuReg>(rd), 1);
    set_reg(CpuReg::PC, (pc + 4) | 1u);
    executed_ += cycles_mode_ ? cycle_model::insn_cycles(h1, h2, true) : 1;
    ++insns_;
    prev_flags_ = 0;
    prev_end_ = pc + 4;
    resume_pc_ = pc + 4;
    return Exit::Redirect;
  }

  const std::uint8_t* host_at(std::uint32_t addr, std::uint32_t len) const {
    for (const auto& m : host_)
      if (addr >= m.base && static_cast<std::uint64_t>(addr) + len <= static_cast<std::uint64_t>(m.base) + m.size)
        return m.host + (addr - m.base);
    return nullptr;
  }

  static void on_block(uc_engine*, std::uint64_t addr, std::uint32_t size, void* ud) {
    auto* s = static_cast<UnicornEngine*>(ud);
    auto a = static_cast<std::uint32_t>(addr);
    // One flag for the uncommon cases keeps this hottest path short.
    if (s->uncommon_) {
      if (s->precise_) return;  // precise mode counts per instruction
      if (s->executed_ < s->limit_ && s->check_block(a, size)) s->limit_ = s->executed_;
      if (s->checked_ != a) s->checked_ = 1;
    }
    if (s->prev_flags_ && s->executed_ < s->limit_) s->check_prev(a);
    if (s->executed_ >= s->limit_) {
      // Stopping here ends the run before this block executes.
      s->halt(a);
      return;
    }
    std::size_t slot = (a >> 1) & (kBlockCache - 1);
    BlockEntry& b = s->blocks_[slot];
    if (b.addr != a || b.size != size) {
      b = s->analyse(a, size);
      s->analyse_sites(b, s->sites_[slot]);
      if (!s->new_sites_.empty()) {
        // Instructions that need a hook of their own: added after this run, then retranslated.
        s->halt(a);
        return;
      }
    }
    if ((b.flags & kMaskInside) && s->mask_watch_) {
      // An unmasking instruction inside the block: the next run ends right after it.
      s->until_ = b.mask_after;
      s->halt(a);
      return;
    }
    if ((b.flags & (kAlign | kExcl)) && s->check_sites(a, b, s->sites_[slot])) return;
    if (s->cycles_mode_ && s->prev_end_ && a != s->prev_end_) s->executed_ += cycle_model::kRefill;
    s->block_addr_ = a;
    s->block_end_ = a + size;
    s->block_before_ = s->executed_;
    s->insns_before_ = s->insns_;
    s->executed_ += s->cycles_mode_ ? b.cycles : b.count;
    s->insns_ += b.count;
    if (b.flags & kSev) s->event_ = true;
    s->prev_flags_ = b.flags & (kMaskLast | kBxReg);
    s->prev_bxreg_ = b.bxreg;
    s->prev_end_ = a + size;
  }

  void halt(std::uint32_t a) {
    if (stopped_) return;
    stopped_ = true;
    resume_pc_ = a;
    uc_emu_stop(uc_);
  }

  static void on_code(uc_engine*, std::uint64_t addr, std::uint32_t, void* ud) {
    auto* s = static_cast<UnicornEngine*>(ud);
    if (!s->precise_) return;
    auto a = static_cast<std::uint32_t>(addr);
    if (s->prev_flags_ && s->executed_ < s->limit_) s->check_prev(a);
    if (s->bps_ && !(s->executed_ == 0 && a == s->bp_skip_) &&
        std::binary_search(s->bps_->begin(), s->bps_->end(), a)) {
      s->hit_bp_ = true;
      s->bp_hit_pc_ = a;
      s->limit_ = s->executed_;
    }
    if (s->traps_.any() && s->executed_ < s->limit_ && s->configured_fault(a)) s->limit_ = s->executed_;
    if (s->executed_ < s->limit_ && s->precise_checks(a)) s->limit_ = s->executed_;
    if (s->executed_ >= s->limit_) {
      s->halt(a);
      return;
    }
    std::uint16_t h1 = 0, h2 = 0;
    if (const std::uint8_t* p = s->host_at(a, 2)) std::memcpy(&h1, p, 2);
    bool wide = (h1 >> 11) >= 0x1D;
    if (const std::uint8_t* p = wide ? s->host_at(a + 2, 2) : nullptr) std::memcpy(&h2, p, 2);
    if (s->cycles_mode_) {
      if (s->prev_end_ && a != s->prev_end_) s->executed_ += cycle_model::kRefill;
      s->executed_ += cycle_model::insn_cycles(h1, h2, wide);
    } else {
      ++s->executed_;
    }
    ++s->insns_;
    std::uint8_t bx = 0;
    std::uint8_t f = insn_flags(h1, h2, wide, bx);
    if (f & kSev) s->event_ = true;
    s->prev_flags_ = f & (kMaskLast | kBxReg);
    s->prev_bxreg_ = bx;
    s->prev_end_ = a + (wide ? 4 : 2);
  }

  static void on_watch(uc_engine*, uc_mem_type type, std::uint64_t addr, int size, std::int64_t, void* ud) {
    auto* w = static_cast<WatchPoint*>(ud);
    UnicornEngine* s = w->self;
    if (!w->active || !s->precise_ || s->hit_bp_) return;
    bool write = type == UC_MEM_WRITE;
    if ((w->kind == Watch::Write && !write) || (w->kind == Watch::Read && write)) return;
    // The access completes; the run stops before the next instruction.
    s->watch_hit_ = {true, w->kind, static_cast<std::uint32_t>(addr)};
    s->hit_bp_ = true;
    s->limit_ = s->executed_;
    (void)size;
  }

  static void on_intr(uc_engine*, std::uint32_t intno, void* ud) {
    auto* s = static_cast<UnicornEngine*>(ud);
    std::uint32_t pc = s->reg(CpuReg::PC);
    std::uint64_t redirects = s->redirects_;
    switch (intno) {
      case kExcpSwi: s->client_->trap(Trap::Svc, pc); break;
      case kExcpExceptionExit: s->client_->trap(Trap::ExceptionReturn, pc | 1u); break;
      case kExcpPrefetchAbort:
        if (pc >= 0xFFFFFFE0u) {
          s->client_->trap(Trap::ExceptionReturn, pc | 1u);
        } else {
          s->fault(pc, Access::Fetch);
        }
        break;
      case kExcpDataAbort:
        // Unicorn's only data abort here is the alignment check of LDREX/STREX: a UsageFault
        // UNALIGNED on the part (ARMv7-M A3.2.1), not a BusFault.
        if (s->unaligned_exclusive(pc))
          s->client_->trap(Trap::Unaligned, pc);
        else
          s->fault(pc, Access::Read);
        break;
      case kExcpBkpt: s->client_->trap(Trap::Breakpoint, pc); break;
      case kExcpNocp: s->client_->trap(Trap::NoCoprocessor, pc); break;
      case kExcpInvstate: s->client_->trap(Trap::InvalidState, pc); break;
      case kExcpUnaligned: s->client_->trap(Trap::Unaligned, pc); break;
      case kExcpDivbyzero: s->client_->trap(Trap::DivideByZero, pc); break;
      default:
        s->error_ = "unexpected CPU exception " + std::to_string(intno);
        s->fault(pc, Access::Fetch);
        break;
    }
    if (s->redirects_ == redirects && !s->faulted_) {
      // Nobody redirected execution: stop so the Cpu sees it (never loop on the trap).
      s->stopped_ = true;
      uc_emu_stop(s->uc_);
    }
  }

  bool unaligned_exclusive(std::uint32_t pc) {
    const std::uint8_t* p = host_at(pc, 4);
    if (!p) return false;
    std::uint16_t h1, h2;
    std::memcpy(&h1, p, 2);
    std::memcpy(&h2, p + 2, 2);
    if ((h1 & 0xFFE0) != 0xE840 && (h1 & 0xFFE0) != 0xE8C0) return false;  // LDREX/STREX (B/H/D)
    std::uint32_t rn = reg(static_cast<CpuReg>(h1 & 0xF)), lo = rn, size = 4;
    if ((h1 & 0xFFE0) == 0xE840) {
      lo = rn + (h2 & 0xFFu) * 4;
    } else {
      unsigned op = (h2 >> 4) & 0xF;  // 4: byte, 5: halfword, 7: doubleword
      size = op == 5 ? 2 : op == 7 ? 8 : 1;
      if (op < 4 || op == 6) return false;
    }
    return size > 1 && (lo & (std::min<std::uint32_t>(size, 4) - 1)) != 0;
  }

  void fault(std::uint32_t addr, Access kind) {
    faulted_ = true;
    fault_addr_ = addr;
    fault_kind_ = kind;
    uc_emu_stop(uc_);
  }

  static bool on_invalid(uc_engine*, uc_mem_type type, std::uint64_t addr, int, std::int64_t, void* ud) {
    auto* s = static_cast<UnicornEngine*>(ud);
    s->fault_addr_ = static_cast<std::uint32_t>(addr);
    switch (type) {
      case UC_MEM_WRITE_UNMAPPED: s->fault_kind_ = Access::Write; break;
      case UC_MEM_WRITE_PROT: s->fault_kind_ = Access::WriteProtected; break;
      case UC_MEM_FETCH_UNMAPPED:
      case UC_MEM_FETCH_PROT: s->fault_kind_ = Access::Fetch; break;
      default: s->fault_kind_ = Access::Read; break;
    }
    s->faulted_ = true;
    return false;  // Unicorn stops with an error; the Cpu raises the BusFault
  }

  static std::uint64_t on_mmio_read(uc_engine*, std::uint64_t off, unsigned size, void* ud) {
    auto* r = static_cast<Region*>(ud);
    return r->self->client_->mmio_read(r->base + static_cast<std::uint32_t>(off), size);
  }
  static void on_mmio_write(uc_engine*, std::uint64_t off, unsigned size, std::uint64_t v, void* ud) {
    auto* r = static_cast<Region*>(ud);
    r->self->client_->mmio_write(r->base + static_cast<std::uint32_t>(off), size, static_cast<std::uint32_t>(v));
  }

  struct HostRegion {
    std::uint32_t base, size;
    const std::uint8_t* host;
  };
  static constexpr std::size_t kBlockCache = 8192;  // direct mapped by address

  uc_engine* uc_ = nullptr;
  uc_context* reset_ctx_ = nullptr;
  struct WatchPoint {
    UnicornEngine* self;
    std::uint32_t addr, len;
    Watch kind;
    bool active;
    uc_hook hook;
  };
  std::deque<WatchPoint> watches_;  // stable addresses for the hooks
  WatchHit watch_hit_;
  uc_hook code_hook_ = 0;
  bool precise_ = false;
  bool uncommon_ = false;      // precise_ or traps configured
  std::uint32_t until_ = 0;    // fast mode: the next run ends at this address (a checked instruction)
  std::uint32_t checked_ = 1;  // fast mode: the instruction at the block start passed its check
  Traps traps_;
  bool trap_pending_ = false;
  Trap pending_trap_ = Trap::Svc;
  std::uint32_t pending_pc_ = 0;
  std::vector<HostRegion> host_;
  std::array<BlockEntry, kBlockCache> blocks_{};
  std::array<BlockSites, kBlockCache> sites_{};        // per blocks_ slot, for kAlign/kExcl blocks
  std::unordered_set<std::uint32_t> hooked_;           // instructions with a code hook of their own
  std::vector<std::uint32_t> new_sites_;               // found in this run, hooked after it
  bool excl_open_ = false;                             // an LDREX executed and no STREX/CLREX since
  bool excl_cleared_ = false;                          // the model's monitor was cleared while Unicorn's may be open
  std::uint32_t strex_fail_pc_ = 1;                    // a STREX to fail after the run
  std::uint32_t block_addr_ = 0, block_end_ = 0;       // the block executing now
  std::uint64_t block_before_ = 0, insns_before_ = 0;  // executed_, insns_ before it
  std::uint64_t insns_ = 0;                            // instructions (executed_ counts cycles in cycle mode)
  bool mask_watch_ = false, cycles_mode_ = false, event_ = false;
  std::uint8_t prev_flags_ = 0, prev_bxreg_ = 0;  // the instruction executed last (kMaskLast, kBxReg)
  std::uint32_t prev_end_ = 0;                    // address after it (a different next one: taken branch)
  std::uint32_t resume_pc_ = 1;                   // where the last run stopped before a block
  std::uint32_t bp_hit_pc_ = 1, bp_skip_ = 1;     // the breakpoint stopped at; the one resumed from
  Client* client_ = nullptr;
  std::deque<Region> regions_;  // stable addresses for the callbacks
  std::uint64_t executed_ = 0;
  std::uint64_t limit_ = 0;
  std::uint64_t redirect_at_ = 0;  // executed_ when a hook last wrote the PC
  std::uint64_t redirects_ = 0;
  bool in_run_ = false, stopped_ = false, redirected_ = false, faulted_ = false, hit_bp_ = false;
  const std::vector<std::uint32_t>* bps_ = nullptr;
  std::uint32_t fault_addr_ = 0;
  Access fault_kind_ = Access::Read;
  std::string error_;
};

}  // namespace

std::unique_ptr<CpuEngine> make_unicorn_engine() {
  return std::make_unique<UnicornEngine>();
}

}  // namespace lmsim::mcu
