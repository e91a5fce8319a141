// gdb-multiarch --batch against the stub: breakpoint at main, read a variable, a hardware
// watchpoint on it, continue to a second breakpoint after main returned, read the results,
// detach; the firmware runs on. Ctrl-C while the core sleeps in WFI with nothing to wake it.
// A HardFault: breakpoint on the handler's first instruction, back-trace through the exception
// frame, the system registers, live system control space and peripheral reads and writes,
// `monitor halt` / `monitor reset`.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mcu_support.h"
#include "testlib.h"

using namespace lmsim;
using namespace lmsim::mcu;

namespace {
std::uint16_t free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}
}  // namespace

namespace {
// Runs `firmware` in a child process with the stub on a free port and gdb-multiarch --batch
// with `commands` against it; returns gdb's output. The child's test_result[0..1] and its
// GPIO OUT register come back through `child_words`.
std::string run_gdb(const std::string& firmware, const std::string& commands, Time run_for,
                    std::array<std::uint32_t, 3>* child_words = nullptr) {
  std::uint16_t port = free_port();
  int fd[2];
  if (pipe(fd) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    auto b = mcu::testing::make_bench(firmware);
    b.dev->enable_gdb(port);
    b.run(run_for);
    std::array<std::uint32_t, 3> w{b.sym("test_result", 0), b.sym("test_result", 1),
                                   b.dev->read32(0x40002000).value_or(0xFFFFFFFFu)};
    if (write(fd[1], w.data(), sizeof w) != sizeof w) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  usleep(300000);  // the child elaborates and listens
  std::string cmd = "timeout 60 gdb-multiarch --batch -nx -ex 'set pagination off' -ex 'target remote 127.0.0.1:" +
                    std::to_string(port) + "' " + commands + " " + mcu::testing::firmware_path(firmware) + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 512> buf;
    while (fgets(buf.data(), buf.size(), p)) out += buf.data();
    pclose(p);
  }
  std::array<std::uint32_t, 3> w{};
  ssize_t n = read(fd[0], w.data(), sizeof w);
  close(fd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  if (child_words && n == sizeof w) *child_words = w;
  return out;
}
// The line of the board start-up after its call of main() (the loop main returns to).
int line_after_main_call() {
  std::ifstream f(std::string(LMSIM_SOURCE_DIR) + "/firmware/board/startup.cpp");
  std::string l;
  for (int n = 1; std::getline(f, l); ++n)
    if (l.find("  main();") == 0) return n + 2;
  return 0;
}
}  // namespace

// t_hardfault.cpp under gdb. Expected values come from the firmware's source and the ARMv7-M
// ARM, not from the model. At main: a GPIO OUT write of 5 reads back in IN (output latches,
// docs/mcu-peripherals.md); BASEPRI takes 0x40. `monitor reset` (a system reset) puts GPIO OUT,
// BASEPRI and SYST_RVR back to their reset values (0) and the core at Reset_Handler; it runs
// to main again. At the fault: SYST_RVR = 119999 = 0x1d4bf (written by main), SYST_CSR = 7
// (ENABLE|TICKINT|CLKSOURCE) plus COUNTFLAG (bit 16, set by the wraps since main);
// a precise data BusFault sets CFSR.PRECISERR|BFARVALID = 0x8200 and BFAR = the address,
// 0x6000000c for channel 3 (B3.2.15-17); the escalation sets HFSR.FORCED (bit 30). In the
// handler: IPSR = 3, PRIMASK/BASEPRI/FAULTMASK 0, thread code ran privileged on MSP
// (CONTROL bits 1:0 = 0). Unwound: HardFault_Handler <- exception frame <- read_sensor <-
// update_meter <- main.
TEST(GdbStub, HardFaultBacktraceSystemRegistersLivePeripheralsAndMonitorReset) {
  if (system("command -v gdb-multiarch >/dev/null 2>&1") != 0) GTEST_SKIP() << "gdb-multiarch not installed";
  std::string out = run_gdb("t_hardfault",
                            "-ex 'break main' -ex 'continue' "
                            "-ex 'set var *(unsigned*)0x40002000 = 5' -ex 'print/x *(unsigned*)0x40002010 & 7' "
                            "-ex 'set var $basepri = 0x40' -ex 'print/x $basepri' "
                            "-ex 'monitor halt' -ex 'monitor reset' -ex 'maintenance flush register-cache' "
                            "-ex 'print/x *(unsigned*)0x40002000' -ex 'info symbol $pc' -ex 'print/x $basepri' "
                            "-ex 'print/x *(unsigned*)0xE000E014' "
                            "-ex 'break HardFault_Handler' -ex 'continue' -ex 'continue' -ex 'bt' "
                            "-ex 'print/x $xpsr & 0x1ff' -ex 'print/x $primask' -ex 'print/x $basepri' "
                            "-ex 'print/x $faultmask' -ex 'print/x $control & 3' -ex 'print $msp == $sp' "
                            "-ex 'x/2wx 0xE000E010' -ex 'print/x *(unsigned*)0xE000ED28' "
                            "-ex 'print/x *(unsigned*)0xE000ED38' -ex 'print/x *(unsigned*)0xE000ED2C >> 30' "
                            "-ex 'detach'",
                            1 * kSec);
  auto at = [&](const char* s, std::size_t from = 0) { return out.find(s, from); };
  auto npos = std::string::npos;
  // At main: a peripheral write takes effect, a system register write too.
  EXPECT_NE(at("Breakpoint 1, main ()"), npos) << out;
  EXPECT_NE(at("$1 = 0x5\n"), npos) << "GPIO IN after OUT = 5\n" << out;
  EXPECT_NE(at("$2 = 0x40\n"), npos) << "BASEPRI written\n" << out;
  // monitor halt / reset.
  EXPECT_NE(at("The core is halted"), npos) << out;
  EXPECT_NE(at("Resetting the device"), npos) << out;
  EXPECT_NE(at("$3 = 0x0\n"), npos) << "GPIO OUT after reset\n" << out;
  EXPECT_NE(at("Reset_Handler in section .text"), npos) << "PC at the reset vector\n" << out;
  EXPECT_NE(at("$4 = 0x0\n"), npos) << "BASEPRI after reset\n" << out;
  EXPECT_NE(at("$5 = 0x0\n"), npos) << "SYST_RVR after reset\n" << out;
  // After the reset the firmware runs to main again, then faults: the breakpoint on the
  // handler's first instruction is hit.
  std::size_t second_main = at("Breakpoint 1, main ()", at("$5 = "));
  EXPECT_NE(second_main, npos) << "main reached again after the reset\n" << out;
  std::size_t hf = at("Breakpoint 2, HardFault_Handler");
  ASSERT_NE(hf, npos) << out;
  // Back-trace through the exception frame.
  std::size_t sig = at("<signal handler called>", hf);
  ASSERT_NE(sig, npos) << out;
  EXPECT_NE(at("#0  HardFault_Handler", hf), npos) << out;
  EXPECT_NE(at("read_sensor (channel=3)", sig), npos) << out;
  EXPECT_NE(at("update_meter (channel=3)", sig), npos) << out;
  EXPECT_NE(at("in main ()", sig), npos) << out;
  // System registers in the handler.
  EXPECT_NE(at("$6 = 0x3\n"), npos) << "IPSR: HardFault\n" << out;
  EXPECT_NE(at("$7 = 0x0\n$8 = 0x0\n$9 = 0x0\n$10 = 0x0\n$11 = true\n"), npos)
      << "primask, basepri, faultmask, control, msp == sp\n"
      << out;
  // Live system control space (the bug: stored values, zeros).
  EXPECT_NE(at(":\t0x00010007\t0x0001d4bf"), npos) << "SYST_CSR, SYST_RVR\n" << out;
  EXPECT_NE(at("$12 = 0x8200\n"), npos) << "CFSR\n" << out;
  EXPECT_NE(at("$13 = 0x6000000c\n"), npos) << "BFAR\n" << out;
  EXPECT_NE(at("$14 = 0x1\n"), npos) << "HFSR.FORCED\n" << out;
}

TEST(GdbStub, BreakpointReadVariableAndContinue) {
  if (system("command -v gdb-multiarch >/dev/null 2>&1") != 0) GTEST_SKIP() << "gdb-multiarch not installed";
  std::uint16_t port = free_port();
  int fd[2];
  ASSERT_EQ(pipe(fd), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    auto b = mcu::testing::make_bench("t_arith");
    b.dev->enable_gdb(port);
    b.run(100 * kMs);
    std::uint32_t done = b.sym("test_done");
    if (write(fd[1], &done, 4) != 4) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  usleep(300000);  // the child elaborates and listens
  std::string cmd = "timeout 60 gdb-multiarch --batch -nx -ex 'set pagination off' -ex 'target remote 127.0.0.1:" +
                    std::to_string(port) +
                    "' -ex 'break main' -ex 'continue' -ex 'print/x test_done' -ex 'info registers pc' "
                    "-ex 'watch test_done' -ex 'continue' -ex 'delete 2' "
                    "-ex 'break startup.cpp:" +
                    std::to_string(line_after_main_call()) +
                    "' -ex 'continue' -ex 'print/x test_done' -ex 'print test_result[0]' -ex "
                    "'print/x $d0' -ex 'detach' " +
                    mcu::testing::firmware_path("t_arith") + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 512> buf;
    while (fgets(buf.data(), buf.size(), p)) out += buf.data();
    pclose(p);
  }
  std::uint32_t done = 0;
  ssize_t n = read(fd[0], &done, 4);
  close(fd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_NE(out.find("Breakpoint 1, "), std::string::npos) << out;
  EXPECT_NE(out.find("main ()"), std::string::npos) << out;
  EXPECT_NE(out.find("= 0x0"), std::string::npos) << "test_done before the run\n" << out;
  EXPECT_NE(out.find("= 0xd0e0d0e0"), std::string::npos) << "test_done after main\n" << out;
  EXPECT_NE(out.find("= 332833500"), std::string::npos) << "sum of squares\n" << out;
  EXPECT_NE(out.find("Hardware watchpoint 2: test_done"), std::string::npos) << out;
  EXPECT_NE(out.find("New value = 3504394464"), std::string::npos) << "the watchpoint saw the write\n" << out;
  ASSERT_EQ(n, 4);
  EXPECT_EQ(done, kTestDone) << "the firmware ran on after detach";
}

namespace {
// A minimal remote-protocol client: send a packet, read one reply ('+' acks skipped).
void send_raw(int fd, const std::string& s) {
  if (send(fd, s.data(), s.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(s.size())) return;
}
void send_packet(int fd, const std::string& body) {
  unsigned sum = 0;
  for (char c : body) sum += static_cast<unsigned char>(c);
  char tail[4];
  std::snprintf(tail, sizeof tail, "#%02x", sum & 0xFF);
  send_raw(fd, "$" + body + tail);
}
std::string read_reply(int fd) {
  std::string out;
  char c;
  bool in = false;
  while (recv(fd, &c, 1, 0) == 1) {
    if (!in) {
      in = c == '$';
      continue;
    }
    if (c == '#') {
      char cs[2];
      if (recv(fd, cs, 2, MSG_WAITALL) != 2) break;
      send_raw(fd, "+");
      return out;
    }
    out += c;
  }
  return out + "<timeout>";
}
}  // namespace

TEST(GdbStub, CtrlCHaltsACoreSleepingInWfi) {
  std::uint16_t port = free_port();
  pid_t pid = fork();
  if (pid == 0) {
    auto b = mcu::testing::make_bench("t_psp");  // ends in WFI with no interrupt enabled
    b.dev->enable_gdb(port);
    b.run(100ull * 3600 * kSec);
    _exit(b.dev->cpu().sleeping() ? 0 : 1);
  }
  int fd = -1;
  for (int tries = 0; tries < 100 && fd < 0; ++tries) {
    usleep(50000);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd);
      fd = -1;
    }
  }
  ASSERT_GE(fd, 0) << "no stub listening";
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  send_packet(fd, "?");
  EXPECT_EQ(read_reply(fd), "S05") << "halted at reset";
  send_packet(fd, "c");
  usleep(500000);  // the firmware finishes its work and sleeps; simulated time skips
  send_raw(fd, "\x03");
  EXPECT_EQ(read_reply(fd), "S02") << "Ctrl-C seen while sleeping";
  send_packet(fd, "p f");
  std::string pc = read_reply(fd);
  EXPECT_EQ(pc.size(), 8u) << pc;
  send_packet(fd, "D");
  EXPECT_EQ(read_reply(fd), "OK");
  close(fd);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "the core slept on after the detach";
}

namespace {
// The words gdb printed with `x/Nwx` after `marker`.
std::vector<std::uint32_t> words_after(const std::string& out, const std::string& marker) {
  std::vector<std::uint32_t> w;
  std::size_t at = out.find(marker);
  if (at == std::string::npos) return w;
  std::istringstream in(out.substr(at));
  std::string line;
  while (std::getline(in, line)) {
    std::size_t colon = line.find(">:");
    if (colon == std::string::npos) continue;
    std::istringstream words(line.substr(colon + 2));
    std::string t;
    while (words >> t) w.push_back(static_cast<std::uint32_t>(std::stoul(t, nullptr, 16)));
  }
  return w;
}
}  // namespace

// With a debugger attached the engine checks every instruction (precise mode): the same
// alignment faults (A3.2.1, B3.2.15) and exclusive-monitor clearing (A3.4.4, B1.5.6) as in
// tests McuFidelity.MisalignedMultiWordAccessesFault and ExceptionsClearTheExclusiveMonitor.
TEST(GdbStub, AlignmentFaultsAndExclusiveMonitorUnderTheDebugger) {
  if (system("command -v gdb-multiarch >/dev/null 2>&1") != 0) GTEST_SKIP() << "gdb-multiarch not installed";
  std::string out = run_gdb("t_align",
                            "-ex 'break align_done' -ex 'continue' -ex 'echo RESULTS\\n' "
                            "-ex 'x/36wx &test_result' -ex 'detach'",
                            1 * kSec);
  std::vector<std::uint32_t> r = words_after(out, "RESULTS");
  ASSERT_EQ(r.size(), 36u) << out;
  for (unsigned i = 0; i < 8; ++i) {
    SCOPED_TRACE("case " + std::to_string(i) + " of t_align.cpp");
    EXPECT_EQ(r[4 * i], 1u) << "one UsageFault";
    EXPECT_EQ(r[4 * i + 1], 1u << 24) << "CFSR.UNALIGNED";
    EXPECT_EQ(r[4 * i + 2], 1u) << "stacked PC = the instruction";
    EXPECT_EQ(r[4 * i + 3], 1u) << "untouched";
  }
  EXPECT_EQ(r[32], 0u);
  EXPECT_EQ(r[33], 140u);
  out = run_gdb("t_excl",
                "-ex 'break excl_done' -ex 'continue' -ex 'echo RESULTS\\n' "
                "-ex 'x/12wx &test_result' -ex 'detach'",
                1 * kSec);
  r = words_after(out, "RESULTS");
  ASSERT_EQ(r.size(), 12u) << out;
  const std::uint32_t expected[12] = {0, 101, 1, 101, 1, 1, 101, 1, 1, 0, 0, 1};  // see t_excl.cpp
  for (unsigned i = 0; i < 12; ++i) EXPECT_EQ(r[i], expected[i]) << "t_excl test_result[" << i << "]";
}
