// External Modbus clients against an exposed station: lmsim-station-server serves a scenario
// on 127.0.0.1 in real time; pymodbus (python3-pymodbus, slave=) and mbpoll talk to it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace {

struct Server {
  pid_t pid = -1;
  int port = 0;
  Server() {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      execl(LMSIM_STATION_SERVER, LMSIM_STATION_SERVER, LMSIM_EVSE_TEST_DIR "/realclient.yaml", "--duration", "60",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    FILE* f = fdopen(fds[0], "r");
    char line[256];
    if (f && std::fgets(line, sizeof line, f)) std::sscanf(line, "listening abb1 127.0.0.1:%d", &port);
    if (f) fclose(f);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // past the 0.2 s boot
  }
  ~Server() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

std::string run(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  int st = pclose(p);
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

}  // namespace

TEST(EvseRealClient, PymodbusReadsIdentityAndSetsCurrent) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3 (Debian package python3)";
  // Probe exactly what the script uses: the TCP client also needs serial_asyncio, which is only
  // a Recommends of python3-pymodbus.
  int probe = -1;
  std::string why = run("/usr/bin/python3 -c 'from pymodbus.client import ModbusTcpClient' 2>&1", &probe);
  if (probe != 0)
    GTEST_SKIP() << "pymodbus TCP client unavailable (Debian packages python3-pymodbus python3-serial-asyncio): "
                 << why;
  Server s;
  ASSERT_GT(s.port, 0);
  const std::string script =
      "from pymodbus.client import ModbusTcpClient\n"
      "import time\n"
      "c = ModbusTcpClient('127.0.0.1', port=" +
      std::to_string(s.port) +
      ")\n"
      "assert c.connect()\n"
      "r = c.read_holding_registers(0x4000, 4, slave=1)\n"
      "print('serial', ' '.join('%04x' % v for v in r.registers))\n"
      "w = c.write_registers(0x4100, [0, 10000], slave=1)\n"
      "print('write_error', w.isError())\n"
      "r = c.read_holding_registers(0x4026, 1, slave=1)\n"
      "print('unlisted_exception', r.exception_code)\n"
      "time.sleep(3.5)\n"  // ABB takes a limit in ~2 s (chargers.md §1.4), then the EV ramps
      "r = c.read_holding_registers(0x4010, 2, slave=1)\n"
      "print('current_ma', (r.registers[0] << 16) | r.registers[1])\n"
      "c.close()\n";
  int rc = -1;
  std::string out = run("/usr/bin/python3 -c \"" + script + "\" 2>&1", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("serial 5422 0400 4920 0025"), std::string::npos) << out;
  EXPECT_NE(out.find("write_error False"), std::string::npos) << out;
  EXPECT_NE(out.find("unlisted_exception 2"), std::string::npos) << out;
  EXPECT_NE(out.find("current_ma 10000"), std::string::npos) << out;
}

TEST(EvseRealClient, MbpollReadsHoldingRegisters) {
  if (access("/usr/bin/mbpoll", X_OK) != 0) GTEST_SKIP() << "mbpoll missing (Debian package mbpoll)";
  Server s;
  ASSERT_GT(s.port, 0);
  int rc = -1;
  // -0: 0-based addresses; -1: poll once; -t 4:hex holding registers in hex.
  std::string out = run(
      "/usr/bin/mbpoll -m tcp -a 1 -0 -r 16384 -c 4 -t 4:hex -1 -p " + std::to_string(s.port) + " 127.0.0.1 2>&1", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("0x5422"), std::string::npos) << out;
  EXPECT_NE(out.find("0x0025"), std::string::npos) << out;
  // Garbage on the socket does not take the server down: it still answers afterwards.
  run("printf 'GARBAGE\\r\\n\\x00\\x01\\x00\\x00\\xff\\xff' | timeout 2 bash -c 'cat > /dev/tcp/127.0.0.1/" +
          std::to_string(s.port) + "' 2>&1",
      &rc);
  out = run("/usr/bin/mbpoll -m tcp -a 1 -0 -r 16384 -c 1 -t 4:hex -1 -p " + std::to_string(s.port) + " 127.0.0.1 2>&1",
            &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("0x5422"), std::string::npos) << out;
}
