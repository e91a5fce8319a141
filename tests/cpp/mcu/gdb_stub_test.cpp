// gdb-multiarch --batch against the stub: breakpoint at main, read a variable, a hardware
// watchpoint on it, continue to a second breakpoint after main returned, read the results,
// detach; the firmware runs on. And Ctrl-C while the core sleeps in WFI with nothing to wake it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

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
                    "-ex 'break startup.cpp:22' -ex 'continue' -ex 'print/x test_done' -ex 'print test_result[0]' -ex "
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
