#include "models/mcu/cpu.h"

#include "models/mcu/cycle_model.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace lmsim::mcu {
namespace {

std::string hex(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08X", v);
  return b;
}
const char* cause_name(ResetCause c) {
  switch (c) {
    case ResetCause::PowerOn: return "power-on";
    case ResetCause::BrownOut: return "brown-out";
    case ResetCause::Watchdog: return "watchdog";
    case ResetCause::Software: return "software";
    case ResetCause::Pin: return "pin";
    case ResetCause::Lockup: return "lock-up";
  }
  return "?";
}
constexpr std::uint32_t kXpsrMaskEpsrIpsr = 0x0600FC00u | 0x1FFu;  // IT bits and exception number
constexpr std::uint32_t kXpsrT = 1u << 24;
constexpr std::uint32_t kControlNpriv = 1, kControlSpsel = 2, kControlFpca = 4;
constexpr std::uint32_t kScrSleepOnExit = 2, kScrSevOnPend = 0x10;

}  // namespace

Cpu::Cpu(sc_core::sc_module_name name, Site& site, Bus& bus, Config cfg, std::unique_ptr<CpuEngine> engine)
    : sc_module(name), site_(site), bus_(bus), cfg_(cfg), engine_(std::move(engine)) {
  engine_->set_client(this);
  engine_->set_cycle_model(cfg_.cycle_timing);
  systick_.set_core_clock(cfg_.clock_hz);
  systick_.pend = [this] {
    nvic_.set_pending(exc::SysTick, true);
    if (running_) engine_->stop();
  };
  auto& r = site.registry();
  sig_instr_ = &r.add_number("device.cpu.instructions", "", 0)
                    .describe("Instructions executed since the simulation started (published at quantum ends)");
  sig_resets_ = &r.add_number("device.cpu.resets", "", 0).describe("System resets taken (any cause)");
  sig_faults_ =
      &r.add_number("device.cpu.faults", "", 0).describe("Fault exceptions raised (BusFault, UsageFault, HardFault)");
  SC_THREAD(run_thread);
}

Cpu::~Cpu() = default;

void Cpu::add_memory(const Memory& m) {
  engine_->map_memory(m.base, m.size, m.host, m.writable);
  mem_.push_back(m);
}

void Cpu::map_mmio(std::uint32_t base, std::uint32_t size) {
  engine_->map_mmio(base, size);
}

void Cpu::set_irq(int irq, bool level) {
  if (irq < 0 || irq >= Nvic::kIrqs) return;
  bool was_pending = nvic_.pending(exc::Irq0 + irq);
  nvic_.set_level(irq, level);
  if (!was_pending && nvic_.pending(exc::Irq0 + irq)) {
    wake_.notify(sc_core::SC_ZERO_TIME);
    if (running_) engine_->stop();  // raised from inside the quantum (an MMIO side effect)
  }
}

void Cpu::request_reset(ResetCause cause) {
  reset_pending_ = true;
  reset_cause_ = cause;
  wake_.notify(sc_core::SC_ZERO_TIME);
  if (running_) engine_->stop();
}

void Cpu::set_powered(bool on) {
  if (on == powered_) return;
  powered_ = on;
  if (!on && running_) engine_->stop();
  wake_.notify(sc_core::SC_ZERO_TIME);
}

Time Cpu::time_of_cycles(std::uint64_t c) const {
  auto d = static_cast<unsigned __int128>(c - anchor_cycles_) * 1000000000000ull;
  return anchor_time_ + static_cast<Time>(d / static_cast<std::uint64_t>(cfg_.clock_hz));
}

std::uint64_t Cpu::cycles_until(Time t) const {
  Time now = local_now();
  if (t <= now) return 0;
  auto n = static_cast<unsigned __int128>(t - now) * static_cast<std::uint64_t>(cfg_.clock_hz);
  return static_cast<std::uint64_t>((n + 999999999999ull) / 1000000000000ull);
}

Time Cpu::local_now() const {
  return time_of_cycles(cycles_ + (running_ ? engine_->executed() + idle_in_run_ : 0));
}

void Cpu::sync() {
  Time t = local_now();
  Time sc = sc_core::sc_time_stamp().value();
  if (t > sc) sc_core::wait(sc_core::sc_time::from_value(t - sc));
  if (t - last_publish_ >= kMs) {
    last_publish_ = t;
    sig_instr_->set(static_cast<double>(instructions_), t);
  }
}

// --- memory -------------------------------------------------------------------------------

std::uint8_t* Cpu::host_ptr(std::uint32_t addr, std::size_t n) {
  for (auto& m : mem_)
    if (addr >= m.base && static_cast<std::uint64_t>(addr) + n <= static_cast<std::uint64_t>(m.base) + m.size)
      return m.host + (addr - m.base);
  return nullptr;
}

bool Cpu::read_mem(std::uint32_t addr, void* dst, std::size_t n) {
  if (auto* p = host_ptr(addr, n)) {
    std::memcpy(dst, p, n);
    return true;
  }
  auto* d = static_cast<std::uint8_t*>(dst);
  for (std::size_t i = 0; i < n; ++i)
    if (!bus_.debug(addr + static_cast<std::uint32_t>(i), d + i, 1, false)) return false;
  return true;
}

bool Cpu::write_mem(std::uint32_t addr, const void* src, std::size_t n) {
  if (auto* p = host_ptr(addr, n)) {
    std::memcpy(p, src, n);
    engine_->invalidate_code(addr, static_cast<std::uint32_t>(n));
    return true;
  }
  return false;
}

std::uint32_t Cpu::read32(std::uint32_t addr, bool* ok) {
  std::uint32_t v = 0;
  bool good = false;
  if (auto* p = host_ptr(addr, 4)) {
    std::memcpy(&v, p, 4);
    good = true;
  }
  if (ok) *ok = good;
  return v;
}

// --- the core loop ------------------------------------------------------------------------

void Cpu::run_thread() {
  const std::uint64_t quantum_cycles =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(time_to_seconds(cfg_.quantum) * cfg_.clock_hz));
  for (;;) {
    if (reset_pending_) {
      reset_pending_ = false;
      do_reset(reset_cause_);
    }
    if (!powered_ || lockup_) {
      sync();
      sc_core::wait(wake_);
      anchor_time_ = sc_core::sc_time_stamp().value();
      anchor_cycles_ = cycles_;
      continue;
    }
    Time now = local_now();
    if (systick_.catch_up(now)) nvic_.set_pending(exc::SysTick, true);
    if (bus_error_) {
      bus_error_ = false;
      scb_.bfar = bus_error_addr_;
      raise_fault(exc::BusFault, bus_error_write_ ? cfsr::IMPRECISERR : (cfsr::PRECISERR | cfsr::BFARVALID),
                  engine_->reg(CpuReg::PC),
                  std::string(bus_error_write_ ? "write to " : "read from ") + "unmapped register " +
                      hex(bus_error_addr_) + " (instruction before PC=" + hex(bus_error_pc_) + ")");
      continue;
    }
    if (take_pending()) sleeping_ = wfe_ = false;
    if (sleeping_) {
      // WFI wakes on any pending exception that could preempt, PRIMASK notwithstanding.
      // WFE also on an event: SEV, or with SCR.SEVONPEND any exception becoming pending
      // (ARMv7-M B1.5.18); the event register is then consumed.
      int e = nvic_.highest_pending();
      bool wake = e && nvic_.group(nvic_.priority(e)) < nvic_.active_priority();
      if (wfe_ && !wake) {
        if (engine_->take_event()) event_ = true;
        if ((scb_.scr & kScrSevOnPend) && nvic_.pend_events() != wfe_pend_events_) event_ = true;
        if (event_) {
          event_ = false;
          wake = true;
        }
      }
      if (wake) {
        sleeping_ = wfe_ = false;
        continue;
      }
      masked_since_ = kNoTime;  // waiting for an event is not being stuck
      Time next = systick_.next_interrupt();
      Time sc = sc_core::sc_time_stamp().value();
      if (next != SysTick::kNever && next <= sc + cfg_.quantum && !debugger_) {
        // The wake-up lies inside the decoupling window: skip the idle cycles locally
        // instead of a SystemC wait (other events are seen at the next sync, as while
        // running: latency at most one quantum).
        cycles_ += std::max<std::uint64_t>(1, cycles_until(next));
        continue;
      }
      sync();
      // Another process may have pended an interrupt while this one caught up (same time
      // stamp, before the wait below): its wake_ notification is gone, so look again.
      if (int p = nvic_.highest_pending(); p && nvic_.group(nvic_.priority(p)) < nvic_.active_priority()) continue;
      sc = sc_core::sc_time_stamp().value();
      if (debugger_) {
        // Sleep in slices so that the debugger sees Ctrl-C while simulated time skips.
        debugger_->idle();
        Time until = next != SysTick::kNever && next > sc ? std::min(next, sc + CpuDebugger::kIdlePoll)
                                                          : sc + CpuDebugger::kIdlePoll;
        sc_core::wait(sc_core::sc_time::from_value(until - sc), wake_);
        anchor_time_ = sc_core::sc_time_stamp().value();
        anchor_cycles_ = cycles_;
        continue;
      }
      if (next != SysTick::kNever && next > sc)
        sc_core::wait(sc_core::sc_time::from_value(next - sc), wake_);
      else if (next == SysTick::kNever)
        sc_core::wait(wake_);
      anchor_time_ = sc_core::sc_time_stamp().value();
      anchor_cycles_ = cycles_;
      continue;
    }

    std::uint64_t budget = quantum_cycles;
    Time tick = systick_.next_interrupt();
    if (tick != SysTick::kNever) budget = std::clamp<std::uint64_t>(cycles_until(tick), 1, budget);
    // A pending exception that could not be taken: end the run after an instruction that may
    // unmask it, so that it is taken at the next instruction boundary.
    engine_->set_mask_watch(nvic_.highest_pending() != 0);
    if (debugger_) budget = std::min(budget, debugger_->before_run());
    CpuEngine::Traps traps = configured_traps();
    engine_->set_traps(traps);
    if (bool precise = debugger_ != nullptr; precise != engine_->precise()) engine_->set_precise(precise);

    running_ = true;
    sleep_on_exit_ = false;
    budget_cycles_ = budget;
    idle_in_run_ = wfi_in_run_ = 0;
    CpuEngine::Exit exit = engine_->run(budget);
    std::uint64_t n = engine_->instructions_executed();
    running_ = false;
    cycles_ += engine_->executed() + idle_in_run_;
    instructions_ += n + wfi_in_run_;
    n += wfi_in_run_;
    if (engine_->take_event()) event_ = true;

    if (debugger_) debugger_->after_run(exit, n);
    switch (exit) {
      case CpuEngine::Exit::Breakpoint:
      case CpuEngine::Exit::Limit:
      case CpuEngine::Exit::Redirect:
        if (sleep_on_exit_) sleeping_ = true;
        break;
      case CpuEngine::Exit::Wfi:
        sleeping_ = true;
        wfe_ = false;
        break;
      case CpuEngine::Exit::Wfe:
        // The event register set: clear it and go on; else sleep until an event (B1.5.18).
        if (event_) {
          event_ = false;
        } else {
          sleeping_ = wfe_ = true;
          wfe_pend_events_ = nvic_.pend_events();
        }
        break;
      case CpuEngine::Exit::MemFault: handle_mem_fault(); break;
      case CpuEngine::Exit::Undefined: {
        std::uint32_t pc = engine_->reg(CpuReg::PC);
        std::uint16_t op = 0;
        read_mem(pc, &op, 2);
        raise_fault(exc::UsageFault, cfsr::UNDEFINSTR, pc, "undefined instruction " + hex(op) + " at PC=" + hex(pc));
        break;
      }
      case CpuEngine::Exit::Error:
        lockup("engine error at PC=" + hex(engine_->reg(CpuReg::PC)) + ": " + engine_->error());
        break;
    }
    check_stuck();
    if (local_now() >= sc_core::sc_time_stamp().value() + cfg_.quantum) sync();
  }
}

// A core that runs with interrupts masked (PRIMASK or FAULTMASK) for `stuck_timeout` of
// simulated time without sleeping makes no progress a scenario can observe (`cpsid i; b .`):
// it is reported as a fault with the PC and the masks. Checked about once per millisecond.
void Cpu::check_stuck() {
  if (!cfg_.stuck_timeout || sleeping_) return;
  Time now = local_now();
  if (now < next_stuck_check_) return;
  next_stuck_check_ = now + kMs;
  static constexpr CpuReg kRegs[] = {CpuReg::PRIMASK, CpuReg::FAULTMASK, CpuReg::BASEPRI, CpuReg::PC};
  std::uint32_t v[4];
  engine_->read_regs(kRegs, v, 4);
  if (!(v[0] & 1) && !(v[1] & 1)) {
    masked_since_ = kNoTime;
    return;
  }
  if (masked_since_ == kNoTime) masked_since_ = now;
  if (now - masked_since_ < cfg_.stuck_timeout) return;
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.3f s", time_to_seconds(now - masked_since_));
  std::string msg = std::string("no progress: interrupts masked for ") + dur + " without sleeping, PC=" + hex(v[3]) +
                    " PRIMASK=" + std::to_string(v[0] & 1) + " FAULTMASK=" + std::to_string(v[1] & 1) +
                    " BASEPRI=" + hex(v[2]) + " (device.stuck_timeout)";
  site_.log(LogLevel::Warn, "device.cpu", msg);
  site_.report_fault("device.cpu", msg);
  masked_since_ = kNoTime;
  lockup_ = true;  // held like a lock-up: the run ends with the fault record
}

void Cpu::add_cycles(std::uint64_t n) {
  if (!cfg_.cycle_timing) return;
  if (running_)
    idle_in_run_ += n;
  else
    cycles_ += n;
}

std::uint64_t Cpu::local_cycles() const {
  return cycles_ + (running_ ? engine_->executed() + idle_in_run_ : 0);
}

void Cpu::do_reset(ResetCause cause) {
  sync();
  if (on_reset) on_reset(cause);
  nvic_.reset();
  systick_.reset();
  scb_.reset();
  engine_->reset();
  sleeping_ = wfe_ = event_ = lockup_ = bus_error_ = false;
  masked_since_ = kNoTime;
  anchor_time_ = sc_core::sc_time_stamp().value();
  anchor_cycles_ = cycles_;
  bool ok_sp = false, ok_pc = false;
  std::uint32_t sp = read32(0, &ok_sp), pc = read32(4, &ok_pc);
  sig_resets_->set(sig_resets_->value() + 1, anchor_time_);
  site_.log(LogLevel::Info, "device.cpu",
            std::string("reset (") + cause_name(cause) + "), SP=" + hex(sp) + " PC=" + hex(pc));
  engine_->set_reg(CpuReg::MSP, sp & ~3u);
  engine_->set_reg(CpuReg::PC, pc | 1u);
  if (!ok_sp || !ok_pc || !(pc & 1u)) lockup("invalid reset vector: SP=" + hex(sp) + " PC=" + hex(pc));
}

// --- exceptions ---------------------------------------------------------------------------

int Cpu::exec_priority() {
  static constexpr CpuReg kRegs[] = {CpuReg::PRIMASK, CpuReg::BASEPRI, CpuReg::FAULTMASK};
  std::uint32_t v[3];
  engine_->read_regs(kRegs, v, 3);
  return nvic_.execution_priority(v[0] & 1, v[1], v[2] & 1);
}

bool Cpu::take_pending() {
  if (!nvic_.highest_pending()) return false;
  int e = nvic_.should_take(exec_priority());
  if (!e) return false;
  enter(e, engine_->reg(CpuReg::PC));
  return true;
}

void Cpu::enter(int e, std::uint32_t return_addr) {
  CpuEngine& c = *engine_;
  static constexpr CpuReg kRegs[] = {CpuReg::XPSR, CpuReg::CONTROL, CpuReg::SP,  CpuReg::R0, CpuReg::R1,
                                     CpuReg::R2,   CpuReg::R3,      CpuReg::R12, CpuReg::LR};
  std::uint32_t r[9];
  c.read_regs(kRegs, r, 9);
  std::uint32_t xpsr = r[0], control = r[1], sp = r[2];
  bool handler = (xpsr & 0x1FF) != 0;
  bool psp = !handler && (control & kControlSpsel);
  bool fpca = control & kControlFpca;
  std::uint32_t size = fpca ? 0x68 : 0x20;
  std::uint32_t frame = sp - size;
  bool pad = frame & 4;
  frame &= ~7u;
  std::uint32_t w[26] = {
      r[3], r[4], r[5], r[6], r[7], r[8], return_addr & ~1u, (xpsr & ~(1u << 9)) | (pad ? 1u << 9 : 0)};
  if (fpca) {
    for (int i = 0; i < 8; ++i) {
      std::uint64_t d = c.reg64(static_cast<CpuReg>(static_cast<int>(CpuReg::D0) + i));
      w[8 + 2 * i] = static_cast<std::uint32_t>(d);
      w[9 + 2 * i] = static_cast<std::uint32_t>(d >> 32);
    }
    w[24] = c.reg(CpuReg::FPSCR);
    w[25] = 0;
  }
  std::uint8_t* stack = host_ptr(frame, size);
  if (!stack) {
    lockup("stacking for exception " + std::to_string(e) + " failed: SP=" + hex(sp) + " not in RAM");
    return;
  }
  std::memcpy(stack, w, size);
  // With lazy stacking enabled (FPCCR.LSPEN) FPCAR holds the frame's s0 slot (B1.5.7,
  // PushStack/UpdateFPCCR). The model fills that space at once, so LSPACT stays 0.
  if (fpca && (scb_.fpccr & (1u << 30))) scb_.fpcar = frame + 0x20;
  bool ok = false;
  std::uint32_t vector = read32(scb_.vtor + 4u * static_cast<std::uint32_t>(e), &ok);
  if (!ok || !(vector & 1u)) {
    lockup("bad vector for exception " + std::to_string(e) + ": " + hex(vector) + " (VTOR=" + hex(scb_.vtor) + ")");
    return;
  }
  std::uint32_t exc_return = handler ? 0xFFFFFFF1u : (psp ? 0xFFFFFFFDu : 0xFFFFFFF9u);
  if (fpca) exc_return &= ~0x10u;
  // In this order: the frame goes on the current stack; handler mode always uses MSP, so
  // leave the process stack while still in thread mode, where the engine honours SPSEL;
  // then IPSR (handler mode), LR = EXC_RETURN and the vector.
  // The engine ignores CONTROL writes from unprivileged thread mode (CONTROL.nPRIV = 1), as
  // MSR does: pass through handler mode to drop nPRIV, then write CONTROL as privileged thread
  // code would (nPRIV is restored by the CONTROL write below; handler mode is privileged).
  CpuReg wr[8];
  std::uint32_t wv[8];
  int n = 0;
  bool npriv = !handler && (control & kControlNpriv);
  if (npriv) {
    wr[n] = CpuReg::XPSR, wv[n++] = (xpsr & ~kXpsrMaskEpsrIpsr) | kXpsrT | static_cast<std::uint32_t>(e);
    wr[n] = CpuReg::CONTROL, wv[n++] = control & ~kControlNpriv;
    wr[n] = CpuReg::XPSR, wv[n++] = xpsr;
  }
  wr[n] = CpuReg::SP, wv[n++] = frame;
  if (psp || fpca || npriv) wr[n] = CpuReg::CONTROL, wv[n++] = control & ~(kControlSpsel | kControlFpca);
  wr[n] = CpuReg::XPSR, wv[n++] = (xpsr & ~kXpsrMaskEpsrIpsr) | kXpsrT | static_cast<std::uint32_t>(e);
  wr[n] = CpuReg::LR, wv[n++] = exc_return;
  wr[n] = CpuReg::PC, wv[n++] = vector | 1u;
  c.write_regs(wr, wv, n);
  nvic_.activate(e);
  ++exceptions_;
  c.clear_exclusive();  // ClearExclusiveLocal() on exception entry (B1.5.6)
  event_ = true;        // exception entry sets the event register (B1.5.18)
  add_cycles(cycle_model::kExceptionEntry);
}

void Cpu::exception_return(std::uint32_t exc_return) {
  CpuEngine& c = *engine_;
  std::uint32_t xpsr = c.reg(CpuReg::XPSR);
  int e = static_cast<int>(xpsr & 0x1FF);
  std::uint32_t mode = exc_return & 0xF;
  if (e == 0 || (exc_return >> 5) != 0x7FFFFFFu || (mode != 1 && mode != 9 && mode != 0xD)) {
    raise_fault(exc::UsageFault, cfsr::INVPC, exc_return, "invalid exception return " + hex(exc_return));
    return;
  }
  nvic_.set_active(e, false);
  if (e >= exc::Irq0 && nvic_.level(e - exc::Irq0)) nvic_.set_pending(e, true);
  c.clear_exclusive();  // and on exception return (B1.5.8 ExceptionReturn())
  event_ = true;        // ExceptionReturn() sets the event register (B1.5.8)
  // FAULTMASK is cleared on return from any exception but NMI (B1.5.8, ExceptionReturn()).
  if (e != exc::NMI) c.set_reg(CpuReg::FAULTMASK, 0);

  // Tail-chaining: a pending exception that may preempt what we return to is entered
  // without unstacking and restacking.
  if (int next = nvic_.should_take(exec_priority())) {
    std::uint32_t control = c.reg(CpuReg::CONTROL);
    if (control & kControlFpca) c.set_reg(CpuReg::CONTROL, control & ~kControlFpca);
    bool ok = false;
    std::uint32_t vector = read32(scb_.vtor + 4u * static_cast<std::uint32_t>(next), &ok);
    if (!ok || !(vector & 1u)) {
      lockup("bad vector for exception " + std::to_string(next) + ": " + hex(vector));
      return;
    }
    c.set_reg(CpuReg::XPSR, (xpsr & ~kXpsrMaskEpsrIpsr) | kXpsrT | static_cast<std::uint32_t>(next));
    c.set_reg(CpuReg::LR, exc_return);
    c.set_reg(CpuReg::PC, vector | 1u);
    nvic_.activate(next);
    ++exceptions_;
    add_cycles(cycle_model::kTailChain);
    return;
  }

  bool to_psp = mode == 0xD;
  bool extended = !(exc_return & 0x10u);
  static constexpr CpuReg kRegs[] = {CpuReg::PSP, CpuReg::MSP, CpuReg::CONTROL};
  std::uint32_t r[3];
  c.read_regs(kRegs, r, 3);
  std::uint32_t sp = to_psp ? r[0] : r[1];
  std::uint32_t size = extended ? 0x68 : 0x20;
  std::uint32_t w[26];
  const std::uint8_t* stack = host_ptr(sp, size);
  if (!stack) {
    lockup("unstacking failed: SP=" + hex(sp) + " not in RAM (EXC_RETURN " + hex(exc_return) + ")");
    return;
  }
  std::memcpy(w, stack, size);
  if (extended) {
    for (int i = 0; i < 8; ++i)
      c.set_reg64(static_cast<CpuReg>(static_cast<int>(CpuReg::D0) + i),
                  w[8 + 2 * i] | (static_cast<std::uint64_t>(w[9 + 2 * i]) << 32));
    c.set_reg(CpuReg::FPSCR, w[24]);
  }
  std::uint32_t new_sp = sp + size + ((w[7] & (1u << 9)) ? 4u : 0u);
  std::uint32_t control = r[2] & ~(kControlSpsel | kControlFpca);
  if (to_psp) control |= kControlSpsel;
  if (extended) control |= kControlFpca;
  // In this order: registers, the stack pointer of the frame, xPSR (back to thread mode if
  // so), CONTROL (the engine honours SPSEL only in thread mode), and the PC last. Returning
  // to unprivileged thread mode: drop nPRIV while still in handler mode, else the engine
  // would ignore the CONTROL write from (unprivileged) thread mode; the write restores it.
  bool to_thread = mode != 1;
  bool npriv = to_thread && (r[2] & kControlNpriv);
  CpuReg wr[12] = {
      CpuReg::R0, CpuReg::R1, CpuReg::R2, CpuReg::R3, CpuReg::R12, CpuReg::LR, to_psp ? CpuReg::PSP : CpuReg::MSP};
  std::uint32_t wv[12] = {w[0], w[1], w[2], w[3], w[4], w[5], new_sp};
  int n = 7;
  if (npriv) wr[n] = CpuReg::CONTROL, wv[n++] = r[2] & ~kControlNpriv;
  wr[n] = CpuReg::XPSR, wv[n++] = (w[7] & ~(1u << 9)) | kXpsrT;
  if (control != r[2] || npriv) wr[n] = CpuReg::CONTROL, wv[n++] = control;  // else unchanged: skip
  wr[n] = CpuReg::PC, wv[n++] = w[6] | 1u;
  c.write_regs(wr, wv, n);
  add_cycles(cycle_model::kExceptionReturn);
  if (to_thread && (scb_.scr & kScrSleepOnExit)) {
    // SLEEPONEXIT: the core sleeps instead of running thread code (modelled as a WFI at the
    // return address: the frame is unstacked here and stacked again on the wake-up).
    if (!to_thread_wfi(w[6] & ~1u, true)) {
      sleep_on_exit_ = true;
      c.stop();
    }
    return;
  }
  if (to_thread_wfi(w[6] & ~1u, false)) return;
}

CpuEngine::Traps Cpu::configured_traps() {
  CpuEngine::Traps t;
  t.divide_by_zero = scb_.ccr & (1u << 4);
  t.unaligned = scb_.ccr & (1u << 3);
  std::uint32_t cp10 = (scb_.cpacr >> 20) & 3;
  if (cp10 == 1) {  // privileged access only
    static constexpr CpuReg kRegs[] = {CpuReg::XPSR, CpuReg::CONTROL};
    std::uint32_t v[2];
    engine_->read_regs(kRegs, v, 2);
    t.fpu_denied = (v[0] & 0x1FF) == 0 && (v[1] & kControlNpriv);
  } else {
    t.fpu_denied = cp10 != 3;
  }
  return t;
}

// Returning to thread mode onto a WFI (the idle loop of an interrupt-driven firmware): if
// the wake-up is the next SysTick inside the decoupling window and it will be taken, the
// WFI is counted as executed, the idle cycles are skipped and SysTick is entered here,
// inside the same engine run. This is what the run loop would do after the WFI, without
// the cost of ending and restarting the run for every interrupt.
bool Cpu::to_thread_wfi(std::uint32_t pc, bool sleep_on_exit) {
  if (!running_ || debugger_ || reset_pending_ || !powered_ || nvic_.highest_pending()) return false;
  auto half = [&](std::uint32_t a) -> int {
    const std::uint8_t* p = host_ptr(a, 2);
    return p ? p[0] | (p[1] << 8) : -1;
  };
  // `wfi` or `b wfi` (the usual `for (;;) wfi();` returns onto the branch back).
  std::uint64_t steps = 1;
  if (sleep_on_exit) {
    steps = 0;  // sleeps at the return address, nothing executed
    pc -= 2;
  } else {
    int op = half(pc);
    if (op >= 0 && (op & 0xF800) == 0xE000) {
      std::int32_t off = (op & 0x7FF) << 21 >> 20;  // sign-extended imm11 * 2
      pc = pc + 4 + static_cast<std::uint32_t>(off);
      op = half(pc);
      steps = 2;
    }
    if (op != 0xBF30) return false;
  }
  Time next = systick_.next_interrupt();
  if (next == SysTick::kNever || next > sc_core::sc_time_stamp().value() + cfg_.quantum) return false;
  wfi_in_run_ += steps;
  idle_in_run_ += steps;  // their own cycles
  idle_in_run_ += cycles_until(next);
  if (systick_.catch_up(local_now())) nvic_.set_pending(exc::SysTick, true);
  if (nvic_.should_take(exec_priority()) != exc::SysTick) {
    engine_->stop();  // the run loop decides (masked: WFI wakes without taking it)
    engine_->set_reg(CpuReg::PC, (pc + 2) | 1u);
    return true;
  }
  enter(exc::SysTick, pc + 2);
  // The run goes on (through the handler, and the next wake-ups like this one) until the
  // next SysTick wrap or the end of the decoupling window, whichever comes first.
  Time until = std::min<Time>(systick_.next_interrupt(), sc_core::sc_time_stamp().value() + cfg_.quantum);
  std::uint64_t left = cycles_until(until);
  engine_->set_limit(left ? engine_->executed() + left : engine_->executed());
  return true;
}

void Cpu::raise_fault(int e, std::uint32_t cfsr_bits, std::uint32_t return_addr, const std::string& what) {
  sig_faults_->set(sig_faults_->value() + 1, local_now());
  scb_.cfsr |= cfsr_bits;
  int ep = exec_priority();
  int taken = e;
  if (e != exc::HardFault && (!nvic_.enabled(e) || nvic_.group(nvic_.priority(e)) >= ep)) {
    scb_.hfsr |= hfsr::FORCED;
    taken = exc::HardFault;
  }
  static const char* names[] = {"", "Reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault"};
  std::string msg = std::string(names[e]) + ": " + what;
  if (taken != e) msg += ", escalated to HardFault";
  if (taken == exc::HardFault && ep <= -1) {
    lockup(msg + " while in a priority -1 handler");
    return;
  }
  site_.log(LogLevel::Warn, "device.cpu", msg);
  if (taken == exc::HardFault && cfg_.stop_on_hardfault) site_.report_fault("device.cpu", msg);
  enter(taken, return_addr);
}

void Cpu::lockup(const std::string& what) {
  lockup_ = true;
  if (running_) engine_->stop();
  site_.report_fault("device.cpu", "lock-up: " + what);
}

void Cpu::handle_mem_fault() {
  std::uint32_t pc = engine_->reg(CpuReg::PC), addr = engine_->fault_addr();
  switch (engine_->fault_kind()) {
    case CpuEngine::Access::Fetch:
      raise_fault(exc::BusFault, cfsr::IBUSERR, pc, "instruction fetch from unmapped address " + hex(addr));
      break;
    case CpuEngine::Access::Read:
      scb_.bfar = addr;
      raise_fault(exc::BusFault, cfsr::PRECISERR | cfsr::BFARVALID, pc,
                  "read from unmapped address " + hex(addr) + " at PC=" + hex(pc));
      break;
    case CpuEngine::Access::Write:
      scb_.bfar = addr;
      raise_fault(exc::BusFault, cfsr::PRECISERR | cfsr::BFARVALID, pc,
                  "write to unmapped address " + hex(addr) + " at PC=" + hex(pc));
      break;
    case CpuEngine::Access::WriteProtected:
      scb_.bfar = addr;
      raise_fault(exc::BusFault, cfsr::PRECISERR | cfsr::BFARVALID, pc,
                  "store to flash " + hex(addr) + " at PC=" + hex(pc) + " (flash is written through FLASHCTRL)");
      break;
  }
}

std::uint32_t Cpu::icsr_dynamic() {
  // PENDSTSET at the core's local time (FreeRTOS' tickless idle reads it after a wrap).
  systick_.catch_up(local_now());
  std::uint32_t xpsr = engine_->reg(CpuReg::XPSR);
  std::uint32_t active = xpsr & 0x1FF;
  std::uint32_t v = active;
  // RETTOBASE: exactly one active exception.
  if (active && nvic_.current_active_count() == 1) v |= 1u << 11;
  int pend = nvic_.highest_pending();
  v |= static_cast<std::uint32_t>(pend) << 12;
  if (nvic_.pending_mask() >> exc::Irq0) v |= 1u << 22;  // ISRPENDING
  if (nvic_.pending(exc::SysTick)) v |= 1u << 26;
  if (nvic_.pending(exc::PendSV)) v |= 1u << 28;
  if (nvic_.pending(exc::NMI)) v |= 1u << 31;
  return v;
}

// --- engine callbacks ---------------------------------------------------------------------

bool Cpu::ppb_denied(std::uint32_t addr) {
  // The private peripheral bus (SCS, DWT, ITM) is privileged: an unprivileged access is a
  // BusFault (ARMv7-M B3.2.1), except STIR with CCR.USERSETMPEND.
  if (addr < 0xE0000000u) return false;
  static constexpr CpuReg kRegs[] = {CpuReg::XPSR, CpuReg::CONTROL};
  std::uint32_t v[2];
  engine_->read_regs(kRegs, v, 2);
  if ((v[0] & 0x1FF) || !(v[1] & kControlNpriv)) return false;
  return !(addr == 0xE000EF00u && (scb_.ccr & 2u));
}

std::uint32_t Cpu::mmio_read(std::uint32_t addr, unsigned size) {
  Time now = local_now(), sc = sc_core::sc_time_stamp().value();
  sc_core::sc_time delay = sc_core::sc_time::from_value(now > sc ? now - sc : 0);
  std::uint32_t v = 0;
  if (ppb_denied(addr) || !bus_.access(addr, reinterpret_cast<std::uint8_t*>(&v), size, false, delay)) {
    bus_error_ = true;
    bus_error_write_ = false;
    bus_error_addr_ = addr;
    bus_error_pc_ = engine_->reg(CpuReg::PC);
    engine_->stop();
    return 0;
  }
  return v;
}

void Cpu::mmio_write(std::uint32_t addr, unsigned size, std::uint32_t value) {
  Time now = local_now(), sc = sc_core::sc_time_stamp().value();
  sc_core::sc_time delay = sc_core::sc_time::from_value(now > sc ? now - sc : 0);
  if (ppb_denied(addr) || !bus_.access(addr, reinterpret_cast<std::uint8_t*>(&value), size, true, delay)) {
    bus_error_ = true;
    bus_error_write_ = true;
    bus_error_addr_ = addr;
    bus_error_pc_ = engine_->reg(CpuReg::PC);
    engine_->stop();
  }
}

void Cpu::trap(CpuEngine::Trap t, std::uint32_t pc) {
  using T = CpuEngine::Trap;
  switch (t) {
    case T::Svc: {
      // SVC is synchronous: if it cannot preempt, it escalates to HardFault.
      int ep = exec_priority();
      if (nvic_.group(nvic_.priority(exc::SVCall)) >= ep) {
        scb_.hfsr |= hfsr::FORCED;
        raise_fault(exc::HardFault, 0, pc, "SVC at priority too low to be taken at PC=" + hex(pc - 2));
      } else {
        enter(exc::SVCall, pc);
      }
      break;
    }
    case T::ExceptionReturn: exception_return(pc); break;
    case T::Breakpoint:
      scb_.hfsr |= 1u << 31;  // DEBUGEVT: no debugger attached
      raise_fault(exc::HardFault, 0, pc, "BKPT at PC=" + hex(pc) + " with no debugger attached");
      break;
    case T::NoCoprocessor: raise_fault(exc::UsageFault, cfsr::NOCP, pc, "coprocessor access at PC=" + hex(pc)); break;
    case T::InvalidState:
      raise_fault(exc::UsageFault, cfsr::INVSTATE, pc, "invalid state (ARM mode) at PC=" + hex(pc));
      break;
    case T::Unaligned: raise_fault(exc::UsageFault, cfsr::UNALIGNED, pc, "unaligned access at PC=" + hex(pc)); break;
    case T::DivideByZero: raise_fault(exc::UsageFault, cfsr::DIVBYZERO, pc, "divide by zero at PC=" + hex(pc)); break;
  }
}

}  // namespace lmsim::mcu
