// GDB remote serial protocol stub for `gdb-multiarch firmware.elf` (`target remote :PORT`):
// registers (r0-r15, xPSR, d0-d15, FPSCR, msp, psp, primask, basepri, faultmask, control via
// a target description), memory read/write (peripherals and the system control space through
// the bus: live values, writes take effect), software breakpoints (also on a handler's first
// instruction), hardware watchpoints (write/read/access), single step, continue, Ctrl-C,
// detach, kill, `monitor reset` / `monitor halt` / `monitor help`. Listens on 127.0.0.1 only. While the debugger holds
// the core, simulated time stands still (the CPU thread blocks inside the stub). Ctrl-C is noticed between quanta and,
// while the core sleeps in WFI, every 10 ms of simulated time.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/mcu/cpu.h"

namespace lmsim::mcu {

class Device;

class GdbStub : public CpuDebugger {
 public:
  // Binds 127.0.0.1:port (0 = any free port, see port()); throws std::runtime_error on failure.
  GdbStub(Device& dev, std::uint16_t port);
  ~GdbStub() override;
  std::uint16_t port() const { return port_; }

  std::uint64_t before_run() override;
  void after_run(CpuEngine::Exit exit, std::uint64_t n) override;
  void idle() override;

 private:
  void serve(int signal);
  bool handle(const std::string& pkt, bool& resume);
  bool read_packet(std::string& out);
  void send_packet(const std::string& data);
  std::string read_registers();
  std::string read_register(unsigned n);
  bool write_register(unsigned n, const std::string& hex);
  void poll_interrupt();
  bool access_memory(std::uint32_t addr, std::uint8_t* data, std::size_t n, bool write);
  void monitor(const std::string& hex_cmd, bool& resume);

  Device& dev_;
  int listen_fd_ = -1, fd_ = -1;
  std::uint16_t port_ = 0;
  bool halted_ = true;  // the core starts halted at its reset vector: gdb gets control first
  bool stepping_ = false;
  bool detached_ = false;
  int stop_signal_ = 5;
  bool first_stop_pending_ = true;
  bool reset_requested_ = false;  // `monitor reset`: the next run is empty, the core resets
  bool quiet_stop_ = false;       // the next halt is not announced (after `monitor reset`)
  std::vector<std::uint32_t> breakpoints_;
};

}  // namespace lmsim::mcu
