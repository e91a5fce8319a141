// Network benchmark: prints `network.<name> VALUE UNIT` lines.
//   network.tcp_rt_per_s   Modbus request/response round trips per wall second between the
//                          firmware side of the NETC (register accesses over TLM, waiting on its
//                          interrupt) and a station through the LAN (FC03, 6 registers)
//   network.echo_rt_per_s  the same with 64-byte messages to a TCP echo host
//   network.sim_rt_s       simulated time per station round trip (latency model check)
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>

#include "models/mcu/netc.h"
#include "models/models.h"
#include "models/net/netif.h"
#include "sim/site.h"

namespace {

using lmsim::mcu::Netc;
using clk = std::chrono::steady_clock;

struct Mem : lmsim::mcu::GuestMemory {
  std::vector<std::uint8_t> b = std::vector<std::uint8_t>(0x10000);
  bool read(std::uint32_t a, void* d, std::size_t n) override {
    if (a < 0x20000000 || a - 0x20000000 + n > b.size()) return false;
    std::memcpy(d, b.data() + (a - 0x20000000), n);
    return true;
  }
  bool write(std::uint32_t a, const void* s, std::size_t n) override {
    if (a < 0x20000000 || a - 0x20000000 + n > b.size()) return false;
    std::memcpy(b.data() + (a - 0x20000000), s, n);
    return true;
  }
};

// The firmware's side: a thread that programs the controller and sleeps on its interrupt.
struct Driver : sc_core::sc_module {
  SC_HAS_PROCESS(Driver);
  tlm_utils::simple_initiator_socket<Driver> init;
  sc_core::sc_event irq_ev;
  Mem* mem = nullptr;
  int rounds = 0;
  double wall_station = 0, wall_echo = 0, sim_station = 0;
  static constexpr int kRounds = 100000;

  explicit Driver(sc_core::sc_module_name n) : sc_module(n), init("init") { SC_THREAD(main); }

  std::uint32_t rd(std::uint32_t off) {
    tlm::tlm_generic_payload tx;
    std::uint32_t v = 0;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    tx.set_command(tlm::TLM_READ_COMMAND);
    tx.set_address(off);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    init->b_transport(tx, d);
    return v;
  }
  void wr(std::uint32_t off, std::uint32_t v) {
    tlm::tlm_generic_payload tx;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    tx.set_command(tlm::TLM_WRITE_COMMAND);
    tx.set_address(off);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    init->b_transport(tx, d);
  }
  static std::uint32_t S(int s, std::uint32_t off) {
    return Netc::SOCK_BASE + static_cast<std::uint32_t>(s) * Netc::SOCK_STRIDE + off;
  }
  void wait_flag(int s, std::uint32_t f) {
    while (!(rd(S(s, Netc::S_FLAGS)) & f)) wait(irq_ev);
  }
  bool connect(int s, const char* ip, std::uint16_t port) {
    wr(S(s, Netc::S_MODE), Netc::MODE_TCP);
    wr(S(s, Netc::S_PEER_IP), lmsim::net::parse_ip(ip));
    wr(S(s, Netc::S_PEER_PORT), port);
    wr(S(s, Netc::S_IRQ_EN), Netc::SF_RX | Netc::SF_CONNECTED | Netc::SF_ERROR);
    wr(S(s, Netc::S_CMD), Netc::SC_CONNECT);
    wait_flag(s, Netc::SF_CONNECTED | Netc::SF_ERROR);
    wr(S(s, Netc::S_FLAGS), Netc::SF_CONNECTED);
    return rd(S(s, Netc::S_STATUS)) == Netc::SS_ESTABLISHED;
  }
  // One request/response: DMA out, wait for the whole reply, DMA in.
  bool round(int s, std::uint32_t len, std::uint32_t reply_len) {
    wr(S(s, Netc::S_DMA_ADDR), 0x20000000);
    wr(S(s, Netc::S_DMA_LEN), len);
    wr(S(s, Netc::S_CMD), Netc::SC_SEND);
    while (rd(S(s, Netc::S_RX_AVAIL)) < reply_len) {
      if (rd(S(s, Netc::S_STATUS)) != Netc::SS_ESTABLISHED) return false;
      wait(irq_ev);
      wr(S(s, Netc::S_FLAGS), Netc::SF_RX);
    }
    wr(S(s, Netc::S_DMA_ADDR), 0x20001000);
    wr(S(s, Netc::S_DMA_LEN), 4096);
    wr(S(s, Netc::S_CMD), Netc::SC_RECV);
    return rd(S(s, Netc::S_XFER)) == reply_len;
  }
  void main() {
    wr(Netc::IRQ_ENABLE, 0xFF00);
    wr(Netc::CTRL, Netc::CTRL_ENABLE);
    wait(sc_core::sc_time(31, sc_core::SC_SEC));  // carrier, DHCP, the station's boot
    if (!connect(0, "192.168.1.60", 502) || !connect(1, "192.168.1.50", 7)) {
      std::fprintf(stderr, "bench_network: connect failed\n");
      sc_core::sc_stop();
      return;
    }
    const std::uint8_t adu[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x40, 0x00, 0x00, 0x06};
    std::memcpy(mem->b.data(), adu, sizeof adu);
    double s0 = sc_core::sc_time_stamp().to_seconds();
    auto t0 = clk::now();
    for (int k = 0; k < kRounds; ++k)
      if (!round(0, sizeof adu, 21)) {
        std::fprintf(stderr, "bench_network: station round %d failed\n", k);
        break;
      }
    wall_station = std::chrono::duration<double>(clk::now() - t0).count();
    sim_station = (sc_core::sc_time_stamp().to_seconds() - s0) / kRounds;
    std::memset(mem->b.data(), 'e', 64);
    t0 = clk::now();
    for (int k = 0; k < kRounds; ++k)
      if (!round(1, 64, 64)) {
        std::fprintf(stderr, "bench_network: echo round %d failed\n", k);
        break;
      }
    wall_echo = std::chrono::duration<double>(clk::now() - t0).count();
    sc_core::sc_stop();
  }
};

}  // namespace

int sc_main(int, char**) {
  using namespace lmsim;
  const char* y = R"(
network:
  ethernet: {plugged: true}
  hosts:
    - {name: nas, ip: 192.168.1.50, echo: 7}
stations:
  - {name: abb1, model: abb-terra-ac, phases: [L1, L2, L3], ip: 192.168.1.60}
)";
  YNode root = YNode::load_string(y, "bench-network.yaml");
  Site site(root, "bench-network.yaml", 1);
  evse::build(site, root);
  net::build(site, root);
  auto& netc = site.make<Netc>("netc", site, nullptr);
  Mem mem;
  netc.set_guest_memory(&mem);
  auto& drv = site.make<Driver>("driver");
  drv.mem = &mem;
  drv.init.bind(netc.socket);
  netc.irq.sink = [&drv](bool level) {
    if (level) drv.irq_ev.notify(sc_core::SC_ZERO_TIME);
  };
  site.run_start_hooks();
  sc_core::sc_start();
  std::printf("network.tcp_rt_per_s %.0f 1/s\n", Driver::kRounds / drv.wall_station);
  std::printf("network.echo_rt_per_s %.0f 1/s\n", Driver::kRounds / drv.wall_echo);
  std::printf("network.sim_rt_s %.6f s\n", drv.sim_station);
  return 0;
}
