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

#include <systemc>

#include "models/mcu/netc.h"
#include "models/net/netif.h"
#include "tests/cpp/net/netc_rig.h"

namespace {

using lmsim::mcu::Netc;
using clk = std::chrono::steady_clock;

// The firmware's side: a thread that programs the controller and sleeps on its interrupt.
struct Driver : sc_core::sc_module {
  SC_HAS_PROCESS(Driver);
  sc_core::sc_event irq_ev;
  lmsim::net::rig::NetcRig* rig = nullptr;
  int rounds = 0;
  double wall_station = 0, wall_echo = 0, sim_station = 0;
  static constexpr int kRounds = 100000;

  explicit Driver(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(main); }

  std::uint32_t rd(std::uint32_t off) {
    std::uint32_t v = 0;
    rig->port->access(false, off, v);
    return v;
  }
  void wr(std::uint32_t off, std::uint32_t v) { rig->port->access(true, off, v); }
  static std::uint32_t S(int s, std::uint32_t off) { return lmsim::net::rig::NetcRig::sreg(s, off); }
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
    wr(S(s, Netc::S_DMA_ADDR), lmsim::net::rig::FlatMemory::kBase);
    wr(S(s, Netc::S_DMA_LEN), len);
    wr(S(s, Netc::S_CMD), Netc::SC_SEND);
    while (rd(S(s, Netc::S_RX_AVAIL)) < reply_len) {
      if (rd(S(s, Netc::S_STATUS)) != Netc::SS_ESTABLISHED) return false;
      wait(irq_ev);
      wr(S(s, Netc::S_FLAGS), Netc::SF_RX);
    }
    wr(S(s, Netc::S_DMA_ADDR), lmsim::net::rig::FlatMemory::kBase + 0x1000);
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
    std::memcpy(rig->mem.bytes.data(), adu, sizeof adu);
    double s0 = sc_core::sc_time_stamp().to_seconds();
    auto t0 = clk::now();
    for (int k = 0; k < kRounds; ++k)
      if (!round(0, sizeof adu, 21)) {
        std::fprintf(stderr, "bench_network: station round %d failed\n", k);
        break;
      }
    wall_station = std::chrono::duration<double>(clk::now() - t0).count();
    sim_station = (sc_core::sc_time_stamp().to_seconds() - s0) / kRounds;
    std::memset(rig->mem.bytes.data(), 'e', 64);
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
  net::rig::NetcRig rig(y, "bench-network.yaml", 1);
  auto& drv = rig.site->make<Driver>("driver");
  drv.rig = &rig;
  rig.netc->irq.sink = [&drv](bool level) {
    if (level) drv.irq_ev.notify(sc_core::SC_ZERO_TIME);
  };
  sc_core::sc_start();
  std::printf("network.tcp_rt_per_s %.0f 1/s\n", Driver::kRounds / drv.wall_station);
  std::printf("network.echo_rt_per_s %.0f 1/s\n", Driver::kRounds / drv.wall_echo);
  std::printf("network.sim_rt_s %.6f s\n", drv.sim_station);
  return 0;
}
