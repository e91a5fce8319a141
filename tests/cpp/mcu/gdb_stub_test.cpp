// gdb-multiarch --batch against the stub: breakpoint at main, read a variable, continue to a
// second breakpoint after main returned, read the results, detach; the firmware runs on.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
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
                    "-ex 'break startup.cpp:19' -ex 'continue' -ex 'print/x test_done' -ex 'print test_result[0]' -ex "
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
  ASSERT_EQ(n, 4);
  EXPECT_EQ(done, kTestDone) << "the firmware ran on after detach";
}
