// CpuEngine on Unicorn 2.0.1 as a real Cortex-M4F. Facts this relies on are measured in
// shared/reference/unicorn-cortex-m.md: UC_MODE_THUMB + uc_ctl_set_cpu_model(M4) (MCLASS would
// give an M33), never uc_emu_stop() inside an MMIO callback (we stop from the code hook),
// WFI returns UC_ERR_OK with the PC after it, exception return arrives as a prefetch abort
// at 0xFFFFFFE0.. in the interrupt hook, SVC as interrupt 2.
#include <unicorn/unicorn.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "models/mcu/cpu_engine.h"

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
    check(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&on_code), this, 1, 0), "code hook");
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

  void map_memory(std::uint32_t base, std::uint32_t size, std::uint8_t* host, bool writable) override {
    std::uint32_t prot = UC_PROT_READ | UC_PROT_EXEC | (writable ? UC_PROT_WRITE : 0);
    check(uc_mem_map_ptr(uc_, base, size, prot, host), "map memory");
  }
  void map_mmio(std::uint32_t base, std::uint32_t size) override {
    regions_.push_back({this, base});
    check(uc_mmio_map(uc_, base, size, &on_mmio_read, &regions_.back(), &on_mmio_write, &regions_.back()), "map mmio");
  }
  void invalidate_code(std::uint32_t addr, std::uint32_t len) override {
    if (len) uc_ctl_remove_cache(uc_, addr, static_cast<std::uint64_t>(addr) + len);
  }

  Exit run(std::uint64_t budget) override {
    executed_ = 0;
    limit_ = budget;
    stopped_ = redirected_ = faulted_ = hit_bp_ = false;
    in_run_ = true;
    std::uint32_t pc = reg(CpuReg::PC);
    uc_err err = uc_emu_start(uc_, pc | 1u, kUntil, 0, 0);
    in_run_ = false;
    if (faulted_) return Exit::MemFault;
    if (err == UC_ERR_INSN_INVALID) return Exit::Undefined;
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
    std::uint16_t prev = 0;
    if (now >= 2 && uc_mem_read(uc_, now - 2, &prev, 2) == UC_ERR_OK && prev == 0xBF30) return Exit::Wfi;
    return redirected_ ? Exit::Redirect : Exit::Limit;
  }
  std::uint64_t executed() const override { return executed_; }
  void stop() override { limit_ = executed_; }

  std::uint32_t reg(CpuReg r) override {
    std::uint32_t v = 0;
    uc_reg_read(uc_, kRegIds[static_cast<int>(r)], &v);
    return v;
  }
  void set_reg(CpuReg r, std::uint32_t v) override {
    uc_reg_write(uc_, kRegIds[static_cast<int>(r)], &v);
    // Unicorn ends the run when the PC is written inside a hook; say why.
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
  void reset() override { check(uc_context_restore(uc_, reset_ctx_), "context restore"); }

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

  static void on_code(uc_engine*, std::uint64_t addr, std::uint32_t, void* ud) {
    auto* s = static_cast<UnicornEngine*>(ud);
    if (s->bps_ && s->executed_ > 0 &&
        std::binary_search(s->bps_->begin(), s->bps_->end(), static_cast<std::uint32_t>(addr))) {
      s->hit_bp_ = true;
      s->limit_ = s->executed_;
    }
    if (s->executed_ >= s->limit_) {
      if (!s->stopped_) {
        s->stopped_ = true;
        uc_emu_stop(s->uc_);
      }
      return;
    }
    ++s->executed_;
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
      case kExcpDataAbort: s->fault(pc, Access::Read); break;
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

  uc_engine* uc_ = nullptr;
  uc_context* reset_ctx_ = nullptr;
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
