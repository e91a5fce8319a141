// The instruction-set engine behind the Cpu model: a small interface so that the engine
// (Unicorn today) could be swapped without touching the exception model, the bus or timing.
// The engine executes Thumb code, counts what it executed, forwards peripheral accesses
// and reports traps; exception entry/return, priorities and time are the Cpu's business.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lmsim::mcu {

// Architectural registers the Cpu needs. D0..D15 are 64-bit (S0..S31 pairs).
enum class CpuReg : std::uint8_t {
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  R6,
  R7,
  R8,
  R9,
  R10,
  R11,
  R12,
  SP,
  LR,
  PC,
  XPSR,
  CONTROL,
  MSP,
  PSP,
  PRIMASK,
  BASEPRI,
  FAULTMASK,
  FPSCR,
  D0,
  D1,
  D2,
  D3,
  D4,
  D5,
  D6,
  D7,
  D8,
  D9,
  D10,
  D11,
  D12,
  D13,
  D14,
  D15,
  Count
};

class CpuEngine {
 public:
  // Why run() returned.
  enum class Exit : std::uint8_t {
    Limit,       // the instruction budget is used up (or stop() was called)
    Wfi,         // executed WFI: the PC is after it
    Redirect,    // a trap handler rewrote the PC (exception entry/return); just continue
    MemFault,    // bad access; fault_addr/fault_kind say which; the PC is at the instruction
    Undefined,   // undefined or unsupported instruction at the PC
    Error,       // engine failure (message in error())
    Breakpoint,  // about to execute an address in the breakpoint list (not the one a run
                 // resumes at after stopping there)
    Wfe,         // executed WFE: the PC is after it
  };
  enum class Access : std::uint8_t { Read, Write, Fetch, WriteProtected };
  enum class Trap : std::uint8_t {
    Svc,
    ExceptionReturn,
    Breakpoint,
    NoCoprocessor,
    InvalidState,
    DivideByZero,
    Unaligned
  };

  // Implemented by the Cpu; called from inside run().
  class Client {
   public:
    virtual ~Client() = default;
    virtual std::uint32_t mmio_read(std::uint32_t addr, unsigned size) = 0;
    virtual void mmio_write(std::uint32_t addr, unsigned size, std::uint32_t value) = 0;
    // A synchronous trap at `pc` (for SVC: the address after the SVC; for exception return:
    // the EXC_RETURN value). The client usually redirects execution with set_reg(PC).
    virtual void trap(Trap t, std::uint32_t pc) = 0;
  };

  // Faults the ARMv7-M configuration registers ask for that the engine does not raise by itself
  // (checked before each instruction in precise mode; the instruction then does not execute
  // and the client's trap() is called with its address after the run).
  struct Traps {
    bool divide_by_zero = false;  // CCR.DIV_0_TRP: SDIV/UDIV with a zero divisor
    bool unaligned = false;       // CCR.UNALIGN_TRP: unaligned halfword/word LDR/STR
    bool fpu_denied = false;      // CPACR: CP10/CP11 access denied (NOCP)
    bool any() const { return divide_by_zero || unaligned || fpu_denied; }
  };

  virtual ~CpuEngine() = default;
  virtual void set_client(Client* c) = 0;

  // Memory: RAM-like regions are host memory (the fast path); MMIO regions call the client.
  virtual void map_memory(std::uint32_t base, std::uint32_t size, std::uint8_t* host, bool writable) = 0;
  virtual void map_mmio(std::uint32_t base, std::uint32_t size) = 0;
  // Code in [addr, addr+len) changed behind the engine's back (flash programming).
  virtual void invalidate_code(std::uint32_t addr, std::uint32_t len) = 0;

  // Debugger breakpoints (sorted addresses, Thumb bit clear); nullptr or empty: none.
  // Breakpoints are honoured in precise mode only.
  virtual void set_breakpoints(const std::vector<std::uint32_t>* bps) = 0;
  // Precise mode counts and checks every instruction: a run stops exactly at its budget, at
  // a breakpoint, or after the instruction during which stop() was called, and the Traps
  // are checked. Otherwise (the fast default) instructions are
  // counted per translated block: a run ends at the first block boundary at or after the
  // budget (overshoot < one block) and stop() takes effect at the next block boundary.
  // Counts are exact and deterministic in both modes.
  virtual void set_precise(bool on) = 0;
  // Debugger data watchpoints on [addr, addr+len) (precise mode): an access stops the run
  // after the accessing instruction with Exit::Breakpoint and watch_hit() saying which.
  enum class Watch : std::uint8_t { Write = 2, Read = 3, Access = 4 };
  virtual void set_watchpoint(std::uint32_t addr, std::uint32_t len, Watch kind, bool on) = 0;
  struct WatchHit {
    bool hit = false;
    Watch kind = Watch::Write;
    std::uint32_t addr = 0;
  };
  virtual WatchHit watch_hit() const = 0;
  virtual void set_traps(const Traps& t) = 0;
  // An exception is pending but masked: end the run right after an instruction that may
  // lower the masks (CPSIE, MSR PRIMASK/BASEPRI/FAULTMASK), so that it is taken at the next
  // instruction boundary as on the part.
  virtual void set_mask_watch(bool on) = 0;
  // Cycle timing: executed() counts cycles by instruction class (cycle_model.h) instead of
  // instructions; instructions_executed() still counts instructions.
  virtual void set_cycle_model(bool on) = 0;
  // Exception entry or return: ClearExclusiveLocal() (ARMv7-M B1.5.6, A3.4.4), so that a STREX
  // after it fails.
  virtual void clear_exclusive() = 0;
  virtual std::uint64_t instructions_executed() const = 0;
  // SEV executed since the last call (the Cpu keeps the event register).
  virtual bool take_event() = 0;
  virtual bool precise() const = 0;
  // Executes `budget` instructions from the current PC (see set_precise for overshoot).
  virtual Exit run(std::uint64_t budget) = 0;
  // Instructions executed so far in the current (or last) run(): the local time offset.
  virtual std::uint64_t executed() const = 0;
  // From inside run() (MMIO callbacks, traps): end the run before the next instruction
  // (precise mode) or block (fast mode).
  virtual void stop() = 0;
  // From inside run(): end the run once executed() reaches n (a new budget).
  virtual void set_limit(std::uint64_t n) = 0;

  virtual std::uint32_t reg(CpuReg r) = 0;
  virtual void set_reg(CpuReg r, std::uint32_t v) = 0;
  // Several 32-bit registers in one call (the exception model's hot path).
  virtual void read_regs(const CpuReg* r, std::uint32_t* v, int n) = 0;
  virtual void write_regs(const CpuReg* r, const std::uint32_t* v, int n) = 0;
  virtual std::uint64_t reg64(CpuReg d) = 0;
  virtual void set_reg64(CpuReg d, std::uint64_t v) = 0;
  // Back to the power-on register state (memory untouched).
  virtual void reset() = 0;

  // Details of the last MemFault / Error exit.
  virtual std::uint32_t fault_addr() const = 0;
  virtual Access fault_kind() const = 0;
  virtual std::string error() const = 0;
  // What the engine really is (e.g. "Unicorn 2.0.1, Cortex-M4 (no v8-M)").
  virtual std::string describe() const = 0;
};

// The Unicorn engine configured as a Cortex-M4F (not UC_MODE_MCLASS, which gives an M33).
std::unique_ptr<CpuEngine> make_unicorn_engine();

}  // namespace lmsim::mcu
