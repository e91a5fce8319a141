// Issue 11: the virtual Cortex-M4F behaves as the part where a lenient emulator would not.
// Each test runs a self-checking firmware from firmware/tests/; the expected values come from
// the ARMv7-M Architecture Reference Manual sections cited in the firmware and here.
#include <gtest/gtest.h>

#include <algorithm>

#include "mcu_support.h"
#include "models/mcu/cpu.h"
#include "sim/ynode.h"
#include "testlib.h"

using namespace lmsim;
using namespace lmsim::mcu;
using namespace lmsim::mcu::testing;

namespace {
std::string fault_text(Bench& b) {
  return b.site->faults().empty() ? std::string() : b.site->faults()[0].message;
}
bool logged(Bench& b, const std::string& text) {
  const auto& lines = b.site->log_lines();
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}
}  // namespace

// B3.4.1: a level-sensitive line held high keeps its interrupt pending through ICPR.
TEST(McuFidelity, LevelSensitiveLineStaysPendingThroughIcpr) {
  auto b = make_bench("t_level");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 0), 1u) << "line high: pending";
  EXPECT_EQ(b.sym("test_result", 1), 1u) << "still pending after ICPR";
  EXPECT_EQ(b.sym("test_result", 2), 1u) << "clear pending, then enable: the handler runs";
  EXPECT_EQ(b.sym("test_result", 3), 0u) << "source cleared: not pending";
  EXPECT_EQ(b.sym("test_result", 4), 0u) << "a low line's software pend is cleared";
}

// TIMER0 (docs/mcu-peripherals.md): MATCH is set in the tick COUNT wraps.
TEST(McuFidelity, TimerMatchIsSetWhenCountWraps) {
  auto b = make_bench("t_timer");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 0), 20u);
  EXPECT_EQ(b.sym("test_result", 1), 0u) << "wraps without MATCH";
  EXPECT_EQ(b.sym("test_result", 2), 0u) << "MATCH before the wrap";
}

// B1.5.18: WFE consumes a set event register; SEVONPEND wakes on a masked interrupt pending.
TEST(McuFidelity, WfeHasAnEventRegisterAndSevOnPend) {
  auto b = make_bench("t_wfe");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 0), 0u) << "no UsageFault";
  EXPECT_EQ(b.sym("test_result", 1), 0u) << "sev; wfe does not sleep";
  EXPECT_EQ(b.sym("test_result", 2), 1u) << "wfe with the event clear sleeps until the tick";
  EXPECT_EQ(b.sym("test_result", 3), 1u) << "SEVONPEND: woken by a disabled interrupt becoming pending";
  EXPECT_EQ(b.sym("test_result", 4), 0u) << "which is not taken";
  EXPECT_EQ(b.signal("device.cpu.faults"), 0);
}

// B1.5.4: an unmasked pending interrupt is taken at the next instruction boundary.
TEST(McuFidelity, PendingInterruptIsTakenRightAfterUnmasking) {
  auto b = make_bench("t_mask");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 2), 0u) << "masked by PRIMASK";
  EXPECT_EQ(b.sym("test_result", 0), 1u) << "taken right after CPSIE";
  EXPECT_EQ(b.sym("test_result", 1), 1u) << "taken right after MSR BASEPRI";
}

// Tickless idle (B3.3, B1.5.4, B1.5.19): the tick count follows simulated time.
TEST(McuFidelity, TicklessIdleKeepsTheTickCount) {
  auto b = make_bench("t_tickless");
  b.run(1100 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  std::uint32_t ticks = b.sym("test_result", 0), us = b.sym("test_result", 1);
  EXPECT_GE(ticks, 1000u);
  EXPECT_LE(ticks, 1004u) << "the loop stops at the first wake-up at or after 1000";
  // TIMER0 counts microseconds from (almost) the SysTick start: the tick count is the
  // elapsed time in ms, less than one tick of drift from the stopped-counter windows.
  EXPECT_GE(us, ticks * 1000u);
  EXPECT_LT(us, ticks * 1000u + 1000u);
  EXPECT_GT(b.sym("test_result", 3), 100u) << "wake-ups";
  EXPECT_EQ(b.sym("test_result", 2), b.sym("test_result", 3)) << "the tick ran inside the unmasked window";
  EXPECT_EQ(b.sym("test_result", 4), 0u);
}

// A7.7.20/B1.4.2, A3.2.1, B1.5.8, B3.2.1, B3.3.3 (see t_strict.cpp).
TEST(McuFidelity, FaultsAndStatesTheLenientEmulatorMissed) {
  auto b = make_bench("t_strict");
  b.run(10 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 0), 1u) << "BX to an even address faults";
  EXPECT_TRUE(b.sym("test_result", 1) & cfsr::INVSTATE);
  EXPECT_EQ(b.sym("test_result", 2), 1u) << "stacked PC = the BX target";
  EXPECT_EQ(b.sym("test_result", 3), 2u) << "misaligned LDREX: UsageFault";
  EXPECT_EQ(b.sym("test_result", 4), cfsr::UNALIGNED);
  EXPECT_EQ(b.sym("test_result", 5), 0u) << "FAULTMASK cleared on exception return";
  EXPECT_EQ(b.sym("test_result", 6), 1u) << "unprivileged NVIC write: BusFault";
  EXPECT_EQ(b.sym("test_result", 7), 0u) << "and no effect";
  EXPECT_EQ(b.sym("test_result", 8), 1u) << "SYST_RVR = 0: one wrap, then stopped";
}

// A3.2.1, B3.2.15: misaligned LDRD/STRD/LDM/STMDB/VLDR raise a precise UsageFault UNALIGNED
// even with CCR.UNALIGN_TRP = 0; nothing is loaded or stored (see t_align.cpp).
static void expect_alignment_faults(const char* firmware, std::uint32_t single_ldr_faults) {
  auto b = make_bench(firmware);
  b.run(10 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  static const char* names[] = {"LDRD (base unchanged in the block)",
                                "STRD",
                                "LDMIA 16-bit",
                                "STMDB",
                                "LDRD first in its block",
                                "LDM.W after ADDS",
                                "LDRD, base loaded by LDR",
                                "VLDR"};
  for (unsigned i = 0; i < 8; ++i) {
    SCOPED_TRACE(names[i]);
    EXPECT_EQ(b.sym("test_result", 4 * i), 1u) << "one UsageFault";
    EXPECT_EQ(b.sym("test_result", 4 * i + 1), cfsr::UNALIGNED) << "CFSR.UNALIGNED (bit 24)";
    EXPECT_EQ(b.sym("test_result", 4 * i + 2), 1u) << "stacked PC = the instruction";
    EXPECT_EQ(b.sym("test_result", 4 * i + 3), 1u) << "registers and memory untouched";
  }
  EXPECT_EQ(b.sym("test_result", 32), 0u) << "aligned forms do not fault";
  EXPECT_EQ(b.sym("test_result", 33), 140u) << "30 + 40 loaded twice";
  EXPECT_EQ(b.sym("test_result", 34), single_ldr_faults) << "unaligned single LDR";
}
TEST(McuFidelity, MisalignedMultiWordAccessesFault) {
  expect_alignment_faults("t_align", 0);
}
TEST(McuFidelity, MisalignedMultiWordAccessesFaultWithUnalignTrp) {
  expect_alignment_faults("t_align_trp", 1);
}

// A3.4.4, B1.5.6, B1.5.8: exception entry and return clear the local exclusive monitor, so a
// STREX after an interrupt (or SVC) between LDREX and STREX fails; CLREX too (see t_excl.cpp).
TEST(McuFidelity, ExceptionsClearTheExclusiveMonitor) {
  auto b = make_bench("t_excl");
  b.run(10 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 0), 0u) << "LDREX; STREX succeeds";
  EXPECT_EQ(b.sym("test_result", 1), 101u);
  EXPECT_EQ(b.sym("test_result", 2), 1u) << "interrupt between LDREX and STREX: STREX fails";
  EXPECT_EQ(b.sym("test_result", 3), 101u) << "and does not store";
  EXPECT_EQ(b.sym("test_result", 4), 1u) << "the interrupt was taken";
  EXPECT_EQ(b.sym("test_result", 5), 1u) << "CLREX: STREX fails";
  EXPECT_EQ(b.sym("test_result", 6), 101u);
  EXPECT_EQ(b.sym("test_result", 7), 1u) << "SVC between: STREX fails";
  EXPECT_EQ(b.sym("test_result", 8), 1u) << "the monitor stays clear: a second STREX fails too";
  EXPECT_EQ(b.sym("test_result", 9), 0u) << "a new LDREX opens it again";
  EXPECT_EQ(b.sym("test_result", 10), 0u) << "the handler's own LDREX/STREX pair";
  EXPECT_EQ(b.sym("test_result", 11), 1u) << "the thread's STREX after that handler";
  EXPECT_EQ(b.signal("device.cpu.faults"), 0);
}

// C1.6-C1.8, B3.5: DWT, DEMCR, ITM and MPU_TYPE are there and do not fault.
TEST(McuFidelity, DwtCycleCounterItmAndNoMpu) {
  auto b = make_bench("t_dwt");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 0), 2000u) << "1000 iterations of subs; bne at one cycle each";
  EXPECT_EQ(b.sym("test_result", 1), 0u) << "MPU_TYPE: no MPU";
  EXPECT_EQ(b.sym("test_result", 2), 1u << 24) << "DEMCR.TRCENA";
  EXPECT_EQ(b.sym("test_result", 3), 1u) << "ITM FIFOREADY";
  EXPECT_EQ(b.sym("test_result", 4), 4u) << "NUMCOMP";
  EXPECT_EQ(b.sym("test_result", 5), 0u) << "CYCCNT stops with CYCCNTENA clear";
  EXPECT_EQ(b.sym("test_result", 6), 0u);
  EXPECT_TRUE(logged(b, "itm hello"));
  EXPECT_EQ(b.signal("device.cpu.faults"), 0);
}

// Cortex-M4 TRM Table 3-1 as modelled (cycle_model.h: P = 2, divide 7), per 1000 iterations:
// subs 1 + bne taken 1+P = 4000; ldr 2 + subs 1 + bne 3 = 6000; udiv 7 + subs 1 + bne 3 =
// 11000. An SVC with a handler `bx lr`, against a NOP: entry 12 + bx 1 + return 10 = 23.
TEST(McuFidelity, CycleModelWhenTheScenarioAsksForIt) {
  auto b = make_bench("t_cycles", "  timing: cycles\n");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 0), 4000u);
  EXPECT_EQ(b.sym("test_result", 1), 6000u);
  EXPECT_EQ(b.sym("test_result", 2), 11000u);
  EXPECT_EQ(b.sym("test_result", 3), 23u);
}

// The default: one cycle per instruction, exception entry and return free.
TEST(McuFidelity, DefaultTimingIsOneCyclePerInstruction) {
  auto b = make_bench("t_cycles");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_EQ(b.sym("test_result", 0), 2000u);
  EXPECT_EQ(b.sym("test_result", 1), 3000u);
  EXPECT_EQ(b.sym("test_result", 2), 3000u);
  EXPECT_EQ(b.sym("test_result", 3), 1u) << "the handler's bx lr";
}

TEST(McuFidelity, BadTimingKeyIsAnInputError) {
  EXPECT_THROW(make_bench("t_cycles", "  timing: fast\n"), InputError);
}

// Stuck with PRIMASK set: a fault record with the PC and the masks after the timeout.
TEST(McuFidelity, StuckWithInterruptsMaskedIsReported) {
  auto b = make_bench("t_stuck", "  stuck_timeout: 50ms\n");
  b.run(200 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  ASSERT_EQ(b.site->faults().size(), 1u);
  const std::string& m = b.site->faults()[0].message;
  EXPECT_NE(m.find("no progress"), std::string::npos) << m;
  EXPECT_NE(m.find("PRIMASK=1"), std::string::npos) << m;
  EXPECT_NE(m.find("PC=0x"), std::string::npos) << m;
  EXPECT_TRUE(b.dev->cpu().locked_up()) << "the core is held after the report (the fault ends the run)";
}

namespace {
// Breakpoints through the CpuDebugger interface (what the GDB stub uses).
struct BreakAt : CpuDebugger {
  Cpu* cpu = nullptr;
  std::vector<std::uint32_t> bps;
  unsigned hits = 0;
  std::uint32_t hit_pc = 0;
  std::uint64_t before_run() override { return ~std::uint64_t{0}; }
  void after_run(CpuEngine::Exit exit, std::uint64_t) override {
    if (exit != CpuEngine::Exit::Breakpoint) return;
    ++hits;
    hit_pc = cpu->reg(CpuReg::PC);
  }
};
}  // namespace

// A breakpoint on a handler's first instruction stops there (the handler is entered between
// engine runs, so it is the first instruction of a run); resuming from it does not stop again
// at once.
TEST(McuFidelity, BreakpointOnInterruptHandlerEntryIsHit) {
  auto b = make_bench("t_tick");
  auto handler = b.dev->firmware()->symbol("SysTick_Handler");
  ASSERT_TRUE(handler);
  BreakAt dbg;
  dbg.cpu = &b.dev->cpu();
  dbg.bps = {*handler & ~1u};
  b.dev->cpu().engine().set_breakpoints(&dbg.bps);
  b.dev->cpu().set_debugger(&dbg);
  b.run(3 * kMs + 500 * kUs);
  EXPECT_EQ(dbg.hit_pc, *handler & ~1u);
  EXPECT_EQ(dbg.hits, 3u) << "one stop per SysTick (1 kHz)";
  b.dev->cpu().set_debugger(nullptr);
  b.dev->cpu().engine().set_breakpoints(nullptr);
}

// B3.3.1, B3.2.4: a wrap a register access has seen is pending, and ICSR shows it.
TEST(McuFidelity, SysTickWrapSeenByARegisterReadIsPending) {
  auto b = make_bench("t_systick");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone) << fault_text(b);
  EXPECT_GT(b.sym("test_result", 0), 5u) << "wraps (CVR first)";
  EXPECT_EQ(b.sym("test_result", 1), 0u) << "wrap seen by CVR, not pending";
  EXPECT_GT(b.sym("test_result", 2), 5u) << "wraps (ICSR first)";
  EXPECT_EQ(b.sym("test_result", 3), 0u) << "ICSR.PENDSTSET clear well after a wrap";
  EXPECT_EQ(b.sym("test_result", 4), 1u);
}
