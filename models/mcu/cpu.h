// The Cortex-M4F core as a SystemC module: runs the firmware in quanta on a CpuEngine,
// converts instructions to time at the core clock (one cycle each), keeps the NVIC,
// SysTick and the SCB state, and does exception entry/return, tail-chaining, preemption
// and fault escalation itself (ARMv7-M ARM B1.5), because the engine has no NVIC.
//
// Time: the CPU runs ahead of SystemC by at most one quantum (temporal decoupling); MMIO
// accesses carry the local offset as their TLM delay. WFI waits for the next interrupt
// event (SysTick's next wrap is computed, not ticked), so idle time costs nothing.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/mcu/bus.h"
#include "models/mcu/cpu_engine.h"
#include "models/mcu/nvic.h"
#include "models/mcu/peripheral.h"
#include "models/mcu/systick.h"
#include "sim/site.h"

namespace lmsim::mcu {

// System control block registers that are plain state (B3.2).
struct ScbState {
  std::uint32_t vtor = 0, scr = 0, ccr = 0x200 /* STKALIGN */, cfsr = 0, hfsr = 0, mmfar = 0, bfar = 0;
  std::uint32_t cpacr = 0, fpccr = 0xC0000000 /* ASPEN|LSPEN */, fpcar = 0, fpdscr = 0;
  std::uint32_t demcr = 0;
  void reset() { *this = ScbState{}; }
};

// CFSR bits (UFSR << 16 | BFSR << 8 | MMFSR).
namespace cfsr {
constexpr std::uint32_t IBUSERR = 1u << 8, PRECISERR = 1u << 9, IMPRECISERR = 1u << 10, UNSTKERR = 1u << 11,
                        STKERR = 1u << 12, BFARVALID = 1u << 15, UNDEFINSTR = 1u << 16, INVSTATE = 1u << 17,
                        INVPC = 1u << 18, NOCP = 1u << 19, UNALIGNED = 1u << 24, DIVBYZERO = 1u << 25;
}
namespace hfsr {
constexpr std::uint32_t VECTTBL = 1u << 1, FORCED = 1u << 30;
}

// A debugger attached to the core (the GDB stub). Called from the CPU thread; may block
// (simulated time stands still while it does).
class CpuDebugger {
 public:
  virtual ~CpuDebugger() = default;
  // Before each quantum: returns the largest budget allowed (1 while single-stepping).
  virtual std::uint64_t before_run() = 0;
  // After a quantum that ran `n` instructions and ended with `exit`.
  virtual void after_run(CpuEngine::Exit exit, std::uint64_t n) = 0;
  // While the core sleeps (WFI), at least every kIdlePoll of simulated time: the debugger
  // may halt the core here (Ctrl-C).
  virtual void idle() {}
  static constexpr Time kIdlePoll = 10 * kMs;
};

class Cpu : public sc_core::sc_module, private CpuEngine::Client {
 public:
  struct Config {
    double clock_hz = 120e6;
    Time quantum = 10 * kUs;        // upper bound of one quantum in simulated time
    bool stop_on_hardfault = true;  // a HardFault ends the run (exit 3) after logging it
    bool cycle_timing = false;      // cycles per instruction class (cycle_model.h), else 1 each
    Time stuck_timeout = 1 * kSec;  // running with PRIMASK/FAULTMASK set this long is a fault; 0: off
  };
  struct Memory {
    std::uint32_t base, size;
    std::uint8_t* host;
    bool writable;
  };

  SC_HAS_PROCESS(Cpu);
  Cpu(sc_core::sc_module_name name, Site& site, Bus& bus, Config cfg, std::unique_ptr<CpuEngine> engine);
  ~Cpu() override;

  // Elaboration: RAM/flash as host memory, peripheral windows as MMIO through the bus.
  void add_memory(const Memory& m);
  void map_mmio(std::uint32_t base, std::uint32_t size);

  // Interrupt request lines from the peripherals (level-sensitive).
  void set_irq(int irq, bool level);
  // System reset (AIRCR, watchdog, power controller): taken before the next instruction.
  void request_reset(ResetCause cause);
  // Power: while off the core is held (no instructions, no time used).
  void set_powered(bool on);
  bool powered() const { return powered_; }
  // Called on every reset with the cause, before the core fetches its vectors (the device
  // resets the peripherals here and scrambles RAM on power-on).
  std::function<void(ResetCause)> on_reset;
  // Code changed under the engine (flash programming).
  void invalidate_code(std::uint32_t addr, std::uint32_t len) { engine_->invalidate_code(addr, len); }

  // Guest memory by address: host memory directly, peripherals through the bus debug port.
  bool read_mem(std::uint32_t addr, void* dst, std::size_t n);
  bool write_mem(std::uint32_t addr, const void* src, std::size_t n);
  std::uint8_t* host_ptr(std::uint32_t addr, std::size_t n);

  // Observation.
  std::uint64_t instructions() const { return instructions_; }
  std::uint64_t exceptions_taken() const { return exceptions_; }
  bool sleeping() const { return sleeping_; }
  bool locked_up() const { return lockup_; }
  // The CPU's local time: SystemC time plus what it ran ahead in the current quantum.
  Time local_now() const;
  // Core clock cycles since start at the local time (DWT_CYCCNT).
  std::uint64_t local_cycles() const;
  double clock_hz() const { return cfg_.clock_hz; }
  const Config& config() const { return cfg_; }
  CpuEngine& engine() { return *engine_; }
  std::uint32_t reg(CpuReg r) { return engine_->reg(r); }

  // System control space state (the Scs peripheral is its register front end).
  void set_debugger(CpuDebugger* d) { debugger_ = d; }
  Nvic& nvic() { return nvic_; }
  SysTick& systick() { return systick_; }
  ScbState& scb() { return scb_; }
  // Called before DEMCR changes (the DWT's cycle counter is gated by DEMCR.TRCENA).
  std::function<void()> before_demcr_write;
  // Something changed that may let an exception preempt now (NVIC writes, PendSV): end the
  // quantum after the current instruction.
  void reevaluate() { engine_->stop(); }
  // ICSR fields that depend on the core: VECTACTIVE, RETTOBASE, VECTPENDING, ISRPENDING.
  std::uint32_t icsr_dynamic();

 private:
  void run_thread();
  void check_stuck();
  void add_cycles(std::uint64_t n);  // exception entry/return cost (cycle timing only)
  // The fault checks CCR and CPACR ask for (the engine checks them before the instructions
  // concerned; a debugger attached puts it in precise mode).
  CpuEngine::Traps configured_traps();
  bool sleep_on_exit_ = false;  // SCR.SLEEPONEXIT: the last handler returned, sleep
  void do_reset(ResetCause cause);
  // Exceptions.
  int exec_priority();
  bool take_pending();
  void enter(int e, std::uint32_t return_addr);
  void exception_return(std::uint32_t exc_return);
  bool to_thread_wfi(std::uint32_t pc, bool sleep_on_exit);
  void raise_fault(int e, std::uint32_t cfsr_bits, std::uint32_t return_addr, const std::string& what);
  void lockup(const std::string& what);
  void handle_mem_fault();
  bool ppb_denied(std::uint32_t addr);
  std::uint32_t read32(std::uint32_t addr, bool* ok = nullptr);
  void sync();

  // CpuEngine::Client
  std::uint32_t mmio_read(std::uint32_t addr, unsigned size) override;
  void mmio_write(std::uint32_t addr, unsigned size, std::uint32_t value) override;
  void trap(CpuEngine::Trap t, std::uint32_t pc) override;

  Time time_of_cycles(std::uint64_t c) const;
  std::uint64_t cycles_until(Time t) const;

  Site& site_;
  Bus& bus_;
  Config cfg_;
  std::unique_ptr<CpuEngine> engine_;
  std::vector<Memory> mem_;
  Nvic nvic_;
  SysTick systick_;
  ScbState scb_;

  // Time bookkeeping: `cycles_` at `anchor_time_` was `anchor_cycles_`.
  std::uint64_t cycles_ = 0, anchor_cycles_ = 0;
  Time anchor_time_ = 0;
  std::uint64_t budget_cycles_ = 0;  // cycles of the quantum running now (for local time)
  bool running_ = false;
  // Inside the current run: idle cycles skipped and WFIs executed by to_thread_wfi().
  std::uint64_t idle_in_run_ = 0, wfi_in_run_ = 0;

  std::uint64_t instructions_ = 0, exceptions_ = 0;
  bool sleeping_ = false, lockup_ = false, powered_ = true;
  // WFE: sleeping in WFE, the event register, exceptions pended when the WFE started.
  bool wfe_ = false, event_ = false;
  std::uint64_t wfe_pend_events_ = 0;
  static constexpr Time kNoTime = ~Time{0};
  Time masked_since_ = kNoTime, next_stuck_check_ = 0;
  ResetCause reset_cause_ = ResetCause::PowerOn;
  bool reset_pending_ = false;
  // A bus error from an MMIO access during the quantum: raised as a BusFault after it.
  bool bus_error_ = false;
  bool bus_error_write_ = false;
  std::uint32_t bus_error_addr_ = 0, bus_error_pc_ = 0;
  sc_core::sc_event wake_;

  Signal* sig_instr_;
  Signal* sig_resets_;
  Signal* sig_faults_;
  Time last_publish_ = 0;
  CpuDebugger* debugger_ = nullptr;  // LMSIM_CPU_TRACE: one line per quantum on stderr (debugging the model)
};

}  // namespace lmsim::mcu
