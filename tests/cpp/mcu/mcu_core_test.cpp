// The virtual Cortex-M4F running cross-compiled test firmwares (firmware/tests/).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "arith_cases.h"
#include "mcu_support.h"
#include "testlib.h"

using namespace lmsim;
using namespace lmsim::mcu;
using namespace lmsim::mcu::testing;

TEST(McuCore, ArithmeticAndFpuMatchNative) {
  auto b = make_bench("t_arith");
  b.run(10 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  std::uint32_t expect[64] = {};
  arith::run([&](int i, std::uint32_t v) { expect[i] = v; });
  for (int i = 0; i < arith::kCases; ++i) EXPECT_EQ(b.sym("test_result", i), expect[i]) << "case " << i;
  EXPECT_TRUE(b.site->faults().empty());
}

TEST(McuCore, BootBannerAndBlink) {
  auto b = make_bench("boot");
  b.run(2200 * kMs);
  EXPECT_NE(b.uart().find("serial SE12345678"), std::string::npos) << b.uart();
  EXPECT_NE(b.uart().find("power-on"), std::string::npos) << b.uart();
  auto& led = b.site->registry().at("device.led.power");
  EXPECT_GE(led.change_count(), 4u);
  EXPECT_LE(led.change_count(), 6u);
  EXPECT_TRUE(b.site->faults().empty());
}

TEST(McuCore, NvicNestingTailChainSvcPendSvMasking) {
  auto b = make_bench("t_nvic");
  b.run(50 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  // A (IRQ0) is preempted by B (IRQ1, higher), finishes (a), then C (IRQ2, lower) tail-chains.
  std::uint32_t o = b.sym("test_result", 0);
  std::string order{static_cast<char>(o), static_cast<char>(o >> 8), static_cast<char>(o >> 16),
                    static_cast<char>(o >> 24)};
  EXPECT_EQ(order, "ABaC");
  EXPECT_EQ(b.sym("test_result", 1), 4u);
  EXPECT_EQ(b.sym("test_result", 2), 1u) << "SVC handler ran";
  EXPECT_EQ(b.sym("test_result", 3), 1u) << "PendSV ran";
  EXPECT_EQ(b.sym("test_result", 4), 0u) << "PRIMASK holds the IRQ back";
  EXPECT_EQ(b.sym("test_result", 5), 1u) << "CPSIE lets it in";
  EXPECT_EQ(b.sym("test_result", 6), 0x001u) << "BASEPRI 0x80 masks 0xC0 only";
  EXPECT_EQ(b.sym("test_result", 7), 0x101u) << "BASEPRI 0 lets 0xC0 in";
  EXPECT_TRUE(b.site->faults().empty());
}

TEST(McuCore, FpuContextPreservedAcrossPreemptingFpuHandler) {
  auto b = make_bench("t_nvic");
  b.run(50 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  EXPECT_EQ(b.sym("test_result", 8), b.sym("test_result", 9)) << "float result changed by preemption";
  EXPECT_GT(b.sym("test_result", 10), 10u) << "SysTick preempted the float work";
  EXPECT_GT(b.sym("test_result", 11), 10u) << "extended (FPU) frames were used";
}

TEST(McuCore, SysTickPeriodInSimulatedTime) {
  auto b = make_bench("t_tick");
  b.run(1000 * kMs + 500 * kUs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  // 1 kHz from the core clock, started a few microseconds after reset.
  EXPECT_EQ(b.sym("test_result", 0), 1000u);
  EXPECT_EQ(b.sym("test_result", 1), 1000u) << "main woke once per tick";
}

TEST(McuCore, WfiSkipsAnHourOfIdleTime) {
  auto b = make_bench("t_sleep");
  b.run(3600 * kSec + 500 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  EXPECT_EQ(b.sym("test_result", 0), 3600u) << "1 Hz SysTick wakes";
  EXPECT_EQ(b.sym("test_result", 1), 3600u);
  // Start-up plus a handful of instructions per wake.
  EXPECT_LT(b.dev->cpu().instructions(), 300u + 3600u * 40u);
  EXPECT_GT(b.dev->cpu().instructions(), 3600u * 5u);
}

TEST(McuCore, BusFaultsAndTheCoreIsAnM4NotAnM33) {
  auto b = make_bench("t_fault");
  b.run(10 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  EXPECT_EQ(b.sym("test_result", 0), 0x410FC241u) << "CPUID";
  EXPECT_EQ(b.sym("test_result", 1), 1u);
  EXPECT_EQ(b.sym("test_result", 2) & (cfsr::PRECISERR | cfsr::BFARVALID), cfsr::PRECISERR | cfsr::BFARVALID);
  EXPECT_EQ(b.sym("test_result", 3), 0x30000000u);
  EXPECT_EQ(b.sym("test_result", 4), 2u);
  EXPECT_EQ(b.sym("test_result", 5), 0x60000010u);
  EXPECT_EQ(b.sym("test_result", 6), 3u) << "store to flash faults";
  EXPECT_EQ(b.sym("test_result", 7), 0x00080000u);
  EXPECT_EQ(b.sym("test_result", 8), 0xFFFFFFFFu) << "flash unchanged";
  EXPECT_EQ(b.sym("test_result", 9), 4u) << "double precision is undefined on the M4";
  EXPECT_TRUE(b.sym("test_result", 10) & (cfsr::UNDEFINSTR | cfsr::NOCP));
  EXPECT_EQ(b.sym("test_result", 11), 5u) << "TT (v8-M) is undefined on the M4";
  EXPECT_TRUE(b.sym("test_result", 12) & cfsr::UNDEFINSTR);
  EXPECT_EQ(b.sym("test_result", 13), 6u) << "unimplemented SCS register";
  EXPECT_TRUE(b.sym("test_result", 14) & cfsr::IMPRECISERR);
  EXPECT_TRUE(b.site->faults().empty());
  EXPECT_EQ(b.signal("device.cpu.faults"), 6);
}

TEST(McuCore, DisabledBusFaultEscalatesToHardFaultAndStopsTheRun) {
  auto b = make_bench("t_escalate");
  b.run(10 * kMs);
  ASSERT_EQ(b.site->faults().size(), 1u);
  const auto& f = b.site->faults()[0];
  EXPECT_EQ(f.source, "device.cpu");
  EXPECT_NE(f.message.find("escalated to HardFault"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("0x30000000"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("PC=0x"), std::string::npos) << f.message;
}

TEST(McuCore, AircrResetKeepsRamAndDataBssAreInitialised) {
  auto b = make_bench("t_reset");
  b.run(20 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  EXPECT_EQ(b.sym("test_result", 0), 3u) << "two AIRCR resets";
  EXPECT_EQ(b.sym("test_result", 1) & 1u, 1u) << "power-on first";
  EXPECT_EQ(b.sym("test_result", 2), 8u) << "then software resets";
  EXPECT_EQ(b.sym("test_result", 3), 8u);
  EXPECT_EQ(b.sym("test_result", 4), 0x12345678u) << ".data copied";
  EXPECT_EQ(b.sym("test_result", 5), 0u) << ".bss zeroed";
  EXPECT_EQ(b.signal("device.cpu.resets"), 3);
}

TEST(McuCore, RamHoldsSeededGarbageAtPowerOn) {
  auto b = make_bench("t_reset", "", 7);
  // The heap area is never written by this firmware: it keeps the power-on content.
  auto heap = b.dev->firmware()->symbol("__heap_start");
  ASSERT_TRUE(heap);
  b.run(1 * kMs);
  unsigned zeros = 0;
  for (unsigned i = 0; i < 64; ++i) zeros += *b.dev->read32(*heap + 4 * i) == 0;
  EXPECT_LT(zeros, 2u);
}

namespace {
// Runs the boot firmware for 1.2 s in a child process (SystemC elaborates once per process)
// and returns "instructions|pc|uart".
std::string run_in_child(const std::string& fw, std::uint64_t seed) {
  int fd[2];
  if (pipe(fd) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    auto b = make_bench(fw, "", seed);
    b.run(1200 * kMs);
    std::string out = std::to_string(b.dev->cpu().instructions()) + "|" + std::to_string(b.dev->cpu().reg(CpuReg::PC)) +
                      "|" + b.uart();
    if (write(fd[1], out.data(), out.size()) < 0) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = read(fd[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return got;
}
}  // namespace

TEST(McuCore, DeterministicAcrossProcesses) {
  std::string a = run_in_child("boot", 5), b = run_in_child("boot", 5);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("serial SE12345678"), std::string::npos) << a;
  EXPECT_GT(std::stoull(a.substr(0, a.find('|'))), 1000u);
}

TEST(McuCore, ThreadOnProcessStackTakesInterruptsOnMainStack) {
  auto b = make_bench("t_psp");
  b.run(5 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  std::uint32_t top = b.sym("test_result", 6);
  EXPECT_LT(b.sym("test_result", 0), top);
  EXPECT_GE(b.sym("test_result", 0), top - 1024);
  EXPECT_EQ(b.sym("test_result", 1) & 2u, 2u) << "SPSEL set in thread mode";
  EXPECT_EQ(b.sym("test_result", 2), b.sym("test_result", 0)) << "PSP restored after the interrupt";
  EXPECT_EQ(b.sym("test_result", 3), 0x600DF00Du) << "stack contents intact";
  EXPECT_EQ(b.sym("test_result", 4) | 0x10u, 0xFFFFFFFDu) << "EXC_RETURN: thread, PSP";
  std::uint32_t hsp = b.sym("test_result", 5), msp = b.sym("test_result", 7);
  EXPECT_LT(hsp, msp) << "handler ran on the main stack";
  EXPECT_GT(hsp, msp - 256);
  EXPECT_TRUE(b.site->faults().empty());
}

TEST(McuCore, UnprivilegedTasksOnProcessStackSwitchedByPendSv) {
  auto b = make_bench("t_rtos");
  b.run(5 * kMs);
  ASSERT_TRUE(b.site->faults().empty()) << b.site->faults()[0].message;
  ASSERT_EQ(b.sym("test_done"), kTestDone) << "switches: " << b.sym("test_result", 2);
  EXPECT_EQ(b.sym("test_result", 3), 0u) << "error bits (t_rtos.cpp)";
  EXPECT_GT(b.sym("test_result", 0), 50u) << "task 0 ran";
  EXPECT_GT(b.sym("test_result", 1), 50u) << "task 1 ran";
  EXPECT_GE(b.sym("test_result", 2), 200u) << "context switches";
  EXPECT_EQ(b.sym("test_result", 4), 1u) << "SysTick handler: nPRIV kept, SPSEL and FPCA clear";
  EXPECT_GT(b.sym("test_result", 5), 0u) << "EXC_RETURN 0xFFFFFFED from the FPU task";
  EXPECT_GT(b.sym("test_result", 16), 0u) << "EXC_RETURN 0xFFFFFFFD from the integer task";
  EXPECT_EQ(b.sym("test_result", 17), 0u) << "no other EXC_RETURN from a task";
  EXPECT_GT(b.sym("test_result", 6), 2u) << "SVC from unprivileged tasks served";
  EXPECT_EQ(b.sym("test_result", 7) & 3u, 3u) << "task 0: nPRIV | SPSEL";
  EXPECT_EQ(b.sym("test_result", 8) & 7u, 7u) << "task 1: nPRIV | SPSEL | FPCA";
  EXPECT_EQ(b.sym("test_result", 9), 0u) << "CPSID ignored in unprivileged thread mode";
  std::uint32_t hsp = b.sym("test_result", 10), msp = b.sym("test_result", 11);
  EXPECT_LT(hsp, msp) << "SysTick ran on the main stack";
  EXPECT_GT(hsp, msp - 512);
  EXPECT_EQ(b.sym("test_result", 18) & 3u, 1u) << "SVC handler: privileged on MSP, nPRIV of the caller";
}

TEST(McuCore, ScbTrapsCpacrAndSleepOnExitTakeEffect) {
  auto b = make_bench("t_scb");
  b.run(40 * kMs);
  ASSERT_TRUE(b.site->faults().empty()) << b.site->faults()[0].message;
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  EXPECT_EQ(b.sym("test_result", 0), 0u) << "x/0 = 0 without DIV_0_TRP";
  EXPECT_EQ(b.sym("test_result", 1), 0u) << "and no fault";
  EXPECT_EQ(b.sym("test_result", 2), 1u) << "DIV_0_TRP: UsageFault";
  EXPECT_TRUE(b.sym("test_result", 3) & cfsr::DIVBYZERO);
  EXPECT_EQ(b.sym("test_result", 4), 0x05040302u) << "unaligned LDR allowed without UNALIGN_TRP";
  EXPECT_EQ(b.sym("test_result", 5), 1u);
  EXPECT_EQ(b.sym("test_result", 6), 2u) << "UNALIGN_TRP: unaligned LDR faults";
  EXPECT_TRUE(b.sym("test_result", 7) & cfsr::UNALIGNED);
  EXPECT_EQ(b.sym("test_result", 8), 3u) << "unaligned LDRH faults";
  EXPECT_EQ(b.sym("test_result", 9), 3u) << "aligned LDR does not";
  EXPECT_EQ(b.sym("test_result", 10), 4u) << "VADD with CPACR = 0 faults";
  EXPECT_TRUE(b.sym("test_result", 11) & cfsr::NOCP);
  EXPECT_EQ(b.sym("test_result", 12), 0x40400000u) << "1.5 + 1.5 with the FPU enabled again";
  EXPECT_EQ(b.sym("test_result", 15), 20u) << "SysTicks while sleeping on exit";
  EXPECT_GT(b.sym("test_result", 13), 0u) << "main ran before the first tick";
  EXPECT_EQ(b.sym("test_result", 14), b.sym("test_result", 13)) << "and not between the handlers";
  EXPECT_EQ(b.signal("device.cpu.faults"), 4);
}

TEST(McuCore, WatchdogTimeoutResetsTheDeviceWithItsCause) {
  auto b = make_bench("t_wdt");
  b.run(200 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  EXPECT_EQ(b.sym("test_result", 0), 2u) << "two boots";
  EXPECT_EQ(b.sym("test_result", 1) & 1u, 1u) << "first boot: power-on";
  EXPECT_EQ(b.sym("test_result", 2), 4u) << "second boot: watchdog";
  EXPECT_EQ(b.sym("test_result", 3), 5u) << "kicks kept it alive until they stopped";
  EXPECT_EQ(b.signal("device.cpu.resets"), 2);
  EXPECT_EQ(b.signal("device.wdt.resets"), 1);
}

TEST(McuCore, FlashProgrammedCodeRunsAndRewritesAreSeen) {
  auto b = make_bench("t_flash");
  b.run(200 * kMs);
  ASSERT_EQ(b.sym("test_done"), kTestDone);
  EXPECT_EQ(b.sym("test_result", 0), 0u) << "erase ok";
  EXPECT_EQ(b.sym("test_result", 1), 0xFFFFFFFFu);
  EXPECT_EQ(b.sym("test_result", 2), 0u) << "program ok";
  EXPECT_EQ(b.sym("test_result", 3), 42u) << "runs the programmed code";
  EXPECT_EQ(b.sym("test_result", 6), 7u) << "runs the rewritten code, not a stale translation";
  EXPECT_EQ(b.sym("test_result", 7), 0u) << "NOR: programming only clears bits";
  EXPECT_TRUE(b.site->faults().empty());
}
