#include "models/mcu/gdb_stub.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "models/mcu/device.h"
#include "models/mcu/peripheral.h"

namespace lmsim::mcu {
namespace {

// Register numbering: r0-r12, sp, lr, pc (0-15), xpsr (16), d0-d15 (17-32), fpscr (33),
// msp, psp, primask, basepri, faultmask, control (34-39).
constexpr unsigned kXpsr = 16, kD0 = 17, kFpscr = 33, kMsp = 34, kRegCount = 40;
// The 32-bit registers by number (the d registers are 64-bit, handled apart).
bool reg32(unsigned n, CpuReg& r) {
  static constexpr CpuReg kSystem[] = {CpuReg::MSP,     CpuReg::PSP,       CpuReg::PRIMASK,
                                       CpuReg::BASEPRI, CpuReg::FAULTMASK, CpuReg::CONTROL};
  if (n < 16)
    r = static_cast<CpuReg>(n);
  else if (n == kXpsr)
    r = CpuReg::XPSR;
  else if (n == kFpscr)
    r = CpuReg::FPSCR;
  else if (n >= kMsp && n < kRegCount)
    r = kSystem[n - kMsp];
  else
    return false;
  return true;
}

const char* kTargetXml =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target><architecture>arm</architecture>"
    "<feature name=\"org.gnu.gdb.arm.m-profile\">"
    "<reg name=\"r0\" bitsize=\"32\" regnum=\"0\"/><reg name=\"r1\" bitsize=\"32\"/><reg name=\"r2\" bitsize=\"32\"/>"
    "<reg name=\"r3\" bitsize=\"32\"/><reg name=\"r4\" bitsize=\"32\"/><reg name=\"r5\" bitsize=\"32\"/>"
    "<reg name=\"r6\" bitsize=\"32\"/><reg name=\"r7\" bitsize=\"32\"/><reg name=\"r8\" bitsize=\"32\"/>"
    "<reg name=\"r9\" bitsize=\"32\"/><reg name=\"r10\" bitsize=\"32\"/><reg name=\"r11\" bitsize=\"32\"/>"
    "<reg name=\"r12\" bitsize=\"32\"/><reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>"
    "<reg name=\"lr\" bitsize=\"32\"/><reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>"
    "<reg name=\"xpsr\" bitsize=\"32\" regnum=\"16\"/></feature>"
    "<feature name=\"org.gnu.gdb.arm.vfp\">"
    "<reg name=\"d0\" bitsize=\"64\" type=\"ieee_double\" regnum=\"17\"/><reg name=\"d1\" bitsize=\"64\" "
    "type=\"ieee_double\"/>"
    "<reg name=\"d2\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d3\" bitsize=\"64\" type=\"ieee_double\"/>"
    "<reg name=\"d4\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d5\" bitsize=\"64\" type=\"ieee_double\"/>"
    "<reg name=\"d6\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d7\" bitsize=\"64\" type=\"ieee_double\"/>"
    "<reg name=\"d8\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d9\" bitsize=\"64\" type=\"ieee_double\"/>"
    "<reg name=\"d10\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d11\" bitsize=\"64\" type=\"ieee_double\"/>"
    "<reg name=\"d12\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d13\" bitsize=\"64\" type=\"ieee_double\"/>"
    "<reg name=\"d14\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d15\" bitsize=\"64\" type=\"ieee_double\"/>"
    "<reg name=\"fpscr\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"33\"/></feature>"
    // gdb uses msp/psp of this feature to unwind exception frames on the right stack.
    "<feature name=\"org.gnu.gdb.arm.m-system\">"
    "<reg name=\"msp\" bitsize=\"32\" type=\"data_ptr\" group=\"system\" regnum=\"34\"/>"
    "<reg name=\"psp\" bitsize=\"32\" type=\"data_ptr\" group=\"system\"/>"
    "<reg name=\"primask\" bitsize=\"32\" type=\"int\" group=\"system\"/>"
    "<reg name=\"basepri\" bitsize=\"32\" type=\"int\" group=\"system\"/>"
    "<reg name=\"faultmask\" bitsize=\"32\" type=\"int\" group=\"system\"/>"
    "<reg name=\"control\" bitsize=\"32\" type=\"int\" group=\"system\"/></feature></target>";

std::string to_hex(const void* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  auto* b = static_cast<const std::uint8_t*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    s += d[b[i] >> 4];
    s += d[b[i] & 15];
  }
  return s;
}
int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool from_hex(const std::string& h, std::vector<std::uint8_t>& out) {
  if (h.size() % 2) return false;
  out.clear();
  for (std::size_t i = 0; i < h.size(); i += 2) {
    int a = nibble(h[i]), b = nibble(h[i + 1]);
    if (a < 0 || b < 0) return false;
    out.push_back(static_cast<std::uint8_t>(a << 4 | b));
  }
  return true;
}

}  // namespace

GdbStub::GdbStub(Device& dev, std::uint16_t port) : dev_(dev) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("gdb stub: socket() failed");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only, never another interface
  a.sin_port = htons(port);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 1) != 0) {
    close(listen_fd_);
    throw std::runtime_error("gdb stub: cannot listen on 127.0.0.1:" + std::to_string(port));
  }
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  dev_.cpu().set_debugger(this);
}

GdbStub::~GdbStub() {
  if (fd_ >= 0) close(fd_);
  if (listen_fd_ >= 0) close(listen_fd_);
}

std::uint64_t GdbStub::before_run() {
  if (detached_) return std::numeric_limits<std::uint64_t>::max();
  if (fd_ < 0) {
    dev_.site().log(LogLevel::Info, "device.gdb", "waiting for gdb on 127.0.0.1:" + std::to_string(port_));
    fd_ = accept(listen_fd_, nullptr, nullptr);
    if (fd_ < 0) throw std::runtime_error("gdb stub: accept() failed");
  }
  poll_interrupt();
  if (halted_) serve(stop_signal_);
  // `monitor reset`: run nothing, the core resets before its next run and halts there.
  if (reset_requested_) {
    reset_requested_ = false;
    return 0;
  }
  return stepping_ ? 1 : std::numeric_limits<std::uint64_t>::max();
}

void GdbStub::after_run(CpuEngine::Exit exit, std::uint64_t n) {
  if (detached_ || fd_ < 0) return;
  if (exit == CpuEngine::Exit::Breakpoint || (stepping_ && n > 0)) {
    halted_ = true;
    stop_signal_ = 5;  // SIGTRAP
  }
}

void GdbStub::idle() {
  if (detached_ || fd_ < 0) return;
  poll_interrupt();
  if (halted_) serve(stop_signal_);
}

void GdbStub::poll_interrupt() {
  pollfd p{fd_, POLLIN, 0};
  if (halted_ || poll(&p, 1, 0) <= 0) return;
  char c;
  if (recv(fd_, &c, 1, MSG_PEEK) == 1 && c == 0x03) {
    if (recv(fd_, &c, 1, 0) != 1) return;
    halted_ = true;
    stop_signal_ = 2;  // SIGINT
  }
}

bool GdbStub::read_packet(std::string& out) {
  char c;
  for (;;) {
    if (recv(fd_, &c, 1, 0) != 1) return false;
    if (c == '$') break;
    if (c == 0x03) {       // interrupt while halted: answer with a stop
      out.assign(1, '?');  // not `= "?"`: GCC 12 -O3 false -Wrestrict (GCC bug 105329)
      return true;
    }
  }
  out.clear();
  while (recv(fd_, &c, 1, 0) == 1 && c != '#') out += c;
  char cs[2];
  if (recv(fd_, cs, 2, MSG_WAITALL) != 2) return false;
  if (send(fd_, "+", 1, MSG_NOSIGNAL) != 1) return false;
  return true;
}

void GdbStub::send_packet(const std::string& data) {
  unsigned sum = 0;
  for (char c : data) sum += static_cast<unsigned char>(c);
  char tail[4];
  std::snprintf(tail, sizeof tail, "#%02x", sum & 0xFF);
  std::string pkt = "$" + data + tail;
  for (int tries = 0; tries < 3; ++tries) {
    if (send(fd_, pkt.data(), pkt.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(pkt.size())) return;
    char ack = 0;
    if (recv(fd_, &ack, 1, 0) != 1 || ack == '+') return;
  }
}

std::string GdbStub::read_register(unsigned n) {
  CpuEngine& e = dev_.cpu().engine();
  if (CpuReg r; reg32(n, r)) {
    std::uint32_t v = e.reg(r);
    return to_hex(&v, 4);
  }
  if (n >= kD0 && n < kD0 + 16) {
    std::uint64_t v = e.reg64(static_cast<CpuReg>(static_cast<int>(CpuReg::D0) + static_cast<int>(n - kD0)));
    return to_hex(&v, 8);
  }
  return "";
}

std::string GdbStub::read_registers() {
  std::string s;
  for (unsigned n = 0; n < kRegCount; ++n) s += read_register(n);
  return s;
}

bool GdbStub::write_register(unsigned n, const std::string& hex) {
  std::vector<std::uint8_t> b;
  if (!from_hex(hex, b)) return false;
  CpuEngine& e = dev_.cpu().engine();
  if (CpuReg r; reg32(n, r) && b.size() == 4) {
    std::uint32_t v;
    std::memcpy(&v, b.data(), 4);
    e.set_reg(r, n == 15 ? (v | 1u) : v);
    // A new mask or priority may let a pending exception in: re-evaluated before the next run.
    return true;
  }
  if (n >= kD0 && n < kD0 + 16 && b.size() == 8) {
    std::uint64_t v;
    std::memcpy(&v, b.data(), 8);
    e.set_reg64(static_cast<CpuReg>(static_cast<int>(CpuReg::D0) + static_cast<int>(n - kD0)), v);
    return true;
  }
  return false;
}

bool GdbStub::access_memory(std::uint32_t addr, std::uint8_t* data, std::size_t n, bool write) {
  Cpu& cpu = dev_.cpu();
  if (cpu.host_ptr(addr, n)) return write ? cpu.write_mem(addr, data, n) : cpu.read_mem(addr, data, n);
  // Peripherals and the system control space: real bus accesses at the core's local time, as
  // a debug access port makes them, so that reads are live (SysTick's counter, status bits)
  // and writes take effect. Side effects are those of the part: reading a FIFO pops it,
  // reading SYST_CSR clears COUNTFLAG.
  Time now = cpu.local_now(), sc = sc_core::sc_time_stamp().value();
  sc_core::sc_time delay = sc_core::sc_time::from_value(now > sc ? now - sc : 0);
  for (std::size_t i = 0; i < n;) {
    auto a = static_cast<std::uint32_t>(addr + i);
    if (cpu.host_ptr(a, 1)) {
      if (!(write ? cpu.write_mem(a, data + i, 1) : cpu.read_mem(a, data + i, 1))) return false;
      ++i;
      continue;
    }
    unsigned len = (a % 4 == 0 && n - i >= 4) ? 4 : (a % 2 == 0 && n - i >= 2) ? 2 : 1;
    if (!dev_.bus().access(a, data + i, len, write, delay)) return false;
    i += len;
  }
  return true;
}

void GdbStub::monitor(const std::string& hex_cmd, bool& resume) {
  std::vector<std::uint8_t> b;
  if (!from_hex(hex_cmd, b)) {
    send_packet("E01");
    return;
  }
  std::string cmd(b.begin(), b.end());
  // Appended, not `"O" + std::string`: GCC 12 at -O3 reports a false -Wrestrict there (GCC bug 105329).
  auto say = [&](const std::string& text) {
    std::string pkt(1, 'O');
    send_packet(pkt.append(to_hex(text.data(), text.size())));
  };
  if (cmd == "reset" || cmd == "reset halt") {
    // A system reset as the reset pin gives it; the core halts at its reset vector.
    dev_.cpu().request_reset(ResetCause::Pin);
    say("Resetting the device; halted at the reset vector\n");
    send_packet("OK");
    reset_requested_ = quiet_stop_ = true;
    stop_signal_ = 5;
    resume = true;  // leave serve(): the reset happens in the CPU loop, then it halts again
    halted_ = true;
    return;
  }
  if (cmd == "halt") {
    say("The core is halted\n");  // gdb holds the core whenever it talks to the stub
    send_packet("OK");
    return;
  }
  if (cmd == "help") {
    say("monitor reset: system reset (cause Pin), halt at the reset vector\nmonitor halt: halt the core\n");
    send_packet("OK");
    return;
  }
  say("unknown monitor command '" + cmd + "' (try 'monitor help')\n");
  send_packet("OK");
}

void GdbStub::serve(int signal) {
  char stop[40];
  std::snprintf(stop, sizeof stop, "S%02x", signal);
  if (auto w = dev_.cpu().engine().watch_hit(); w.hit && signal == 5) {
    const char* what = w.kind == CpuEngine::Watch::Write  ? "watch"
                       : w.kind == CpuEngine::Watch::Read ? "rwatch"
                                                          : "awatch";
    std::snprintf(stop, sizeof stop, "T05%s:%08x;", what, w.addr);
  }
  // The first halt (at reset) is reported when gdb asks ('?'); later stops are announced,
  // but not the halt after `monitor reset` (gdb got its answer to the command).
  if (!first_stop_pending_ && !quiet_stop_) send_packet(stop);
  first_stop_pending_ = quiet_stop_ = false;
  stepping_ = false;
  std::string pkt;
  while (read_packet(pkt)) {
    bool resume = false;
    if (!handle(pkt, resume)) break;
    if (resume) {
      halted_ = reset_requested_;  // after `monitor reset` the core halts again at once
      return;
    }
  }
  // Connection closed or detached: run freely.
  detached_ = true;
  halted_ = false;
  dev_.cpu().engine().set_breakpoints(nullptr);
  dev_.cpu().set_debugger(nullptr);  // run (and sleep) at full speed again
}

bool GdbStub::handle(const std::string& p, bool& resume) {
  if (p.empty()) return true;
  char stop[8];
  switch (p[0]) {
    case '?':
      std::snprintf(stop, sizeof stop, "S%02x", stop_signal_);
      send_packet(stop);
      return true;
    case 'g': send_packet(read_registers()); return true;
    case 'p': send_packet(read_register(static_cast<unsigned>(std::stoul(p.substr(1), nullptr, 16)))); return true;
    case 'P': {
      auto eq = p.find('=');
      bool ok = eq != std::string::npos &&
                write_register(static_cast<unsigned>(std::stoul(p.substr(1, eq - 1), nullptr, 16)), p.substr(eq + 1));
      send_packet(ok ? "OK" : "E01");
      return true;
    }
    case 'm': {
      unsigned long addr = 0, len = 0;
      if (std::sscanf(p.c_str() + 1, "%lx,%lx", &addr, &len) != 2 || len > 4096) {
        send_packet("E01");
        return true;
      }
      std::vector<std::uint8_t> buf(len);
      bool ok = access_memory(static_cast<std::uint32_t>(addr), buf.data(), len, false);
      send_packet(ok ? to_hex(buf.data(), len) : "E14");
      return true;
    }
    case 'M': {
      unsigned long addr = 0, len = 0;
      auto colon = p.find(':');
      std::vector<std::uint8_t> b;
      bool ok = std::sscanf(p.c_str() + 1, "%lx,%lx", &addr, &len) == 2 && colon != std::string::npos &&
                from_hex(p.substr(colon + 1), b) && b.size() == len &&
                access_memory(static_cast<std::uint32_t>(addr), b.data(), len, true);
      send_packet(ok ? "OK" : "E14");
      return true;
    }
    case 'Z':
    case 'z': {
      unsigned type = 0;
      unsigned long addr = 0, len = 0;
      if (std::sscanf(p.c_str() + 1, "%u,%lx,%lx", &type, &addr, &len) < 2 || type > 4) {
        send_packet("");
        return true;
      }
      if (type >= 2) {  // hardware watchpoints: write, read, access
        if (len == 0 || len > 4096) {
          send_packet("E01");
          return true;
        }
        dev_.cpu().engine().set_watchpoint(static_cast<std::uint32_t>(addr), static_cast<std::uint32_t>(len),
                                           static_cast<CpuEngine::Watch>(type), p[0] == 'Z');
        send_packet("OK");
        return true;
      }
      auto a = static_cast<std::uint32_t>(addr & ~1ul);
      auto it = std::lower_bound(breakpoints_.begin(), breakpoints_.end(), a);
      if (p[0] == 'Z' && (it == breakpoints_.end() || *it != a)) breakpoints_.insert(it, a);
      if (p[0] == 'z' && it != breakpoints_.end() && *it == a) breakpoints_.erase(it);
      dev_.cpu().engine().set_breakpoints(&breakpoints_);
      send_packet("OK");
      return true;
    }
    case 'c': resume = true; return true;
    case 's':
      stepping_ = true;
      resume = true;
      return true;
    case 'H': send_packet("OK"); return true;
    case 'D': send_packet("OK"); return false;
    case 'k': sc_core::sc_stop(); return false;
    case 'q':
      if (p.rfind("qSupported", 0) == 0)
        send_packet("PacketSize=1000;qXfer:features:read+");
      else if (p == "qAttached")
        send_packet("1");
      else if (p == "qC")
        send_packet("QC1");
      else if (p == "qfThreadInfo")
        send_packet("m1");
      else if (p == "qsThreadInfo")
        send_packet("l");
      else if (p.rfind("qRcmd,", 0) == 0) {
        monitor(p.substr(6), resume);
      } else if (p.rfind("qXfer:features:read:target.xml:", 0) == 0) {
        unsigned long off = 0, len = 0;
        std::sscanf(p.c_str() + 31, "%lx,%lx", &off, &len);
        std::string xml = kTargetXml;
        if (off >= xml.size())
          send_packet("l");
        else {
          std::string part = xml.substr(off, len);
          send_packet((off + part.size() >= xml.size() ? "l" : "m") + part);
        }
      } else
        send_packet("");
      return true;
    default: send_packet(""); return true;
  }
}

}  // namespace lmsim::mcu
