#include "net_test_util.h"

#include <cstring>

#include "models/models.h"

namespace lmsim::net::test {

Bench::Bench(const std::string& yaml, std::uint64_t seed, bool realtime, bool expose)
    : NetcRig(yaml, "test.yaml", seed, realtime, expose) {
  lan = site->service<Lan>("lan");
  dev = site->service<DeviceLink>("net.device_link");
  cloud = site->service<Cloud>("cloud");
  router = site->service<Router>("net.router");
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

void Bench::run(double seconds) {
  sc_core::sc_start(sc_core::sc_time(seconds, sc_core::SC_SEC));
}

bool Bench::run_until(const std::function<bool()>& pred, double max_s) {
  double end = now_s() + max_s;
  while (!pred()) {
    if (now_s() >= end) return false;
    run(0.001);
  }
  return true;
}

std::uint32_t Bench::rd(std::uint32_t off) {
  std::uint32_t v = 0;
  EXPECT_TRUE(port->access(false, off, v)) << "read at 0x" << std::hex << off;
  return v;
}

void Bench::wr(std::uint32_t off, std::uint32_t v) {
  EXPECT_TRUE(port->access(true, off, v)) << "write at 0x" << std::hex << off;
}

void Bench::enable() {
  wr(Netc::IRQ_ENABLE, 0xFFFF);
  wr(Netc::CTRL, Netc::CTRL_ENABLE);
}

bool Bench::wait_ip(double max_s) {
  return run_until([this] { return (rd(Netc::LINK) & Netc::LINK_HAS_IP) != 0; }, max_s);
}

void Bench::put_arg(const std::string& a, const std::string& b) {
  std::uint8_t buf[98] = {};
  std::memcpy(buf, a.data(), std::min<std::size_t>(a.size(), 32));
  std::memcpy(buf + 33, b.data(), std::min<std::size_t>(b.size(), 64));
  mem.write(FlatMemory::kBase, buf, sizeof buf);
  wr(Netc::CMD_ARG, FlatMemory::kBase);
}

void Bench::join(const std::string& ssid, const std::string& pw) {
  put_arg(ssid, pw);
  wr(Netc::CMD, Netc::CMD_JOIN);
}

std::uint32_t Bench::connect(int s, const std::string& ip, std::uint16_t port, double max_s, std::uint32_t timeout_ms) {
  swr(s, Netc::S_MODE, Netc::MODE_TCP);
  swr(s, Netc::S_PEER_IP, parse_ip(ip));
  swr(s, Netc::S_PEER_PORT, port);
  swr(s, Netc::S_TIMEOUT, timeout_ms);
  swr(s, Netc::S_IRQ_EN, 0x1F);
  swr(s, Netc::S_FLAGS, 0x1F);
  swr(s, Netc::S_CMD, Netc::SC_CONNECT);
  run_until([&] { return (srd(s, Netc::S_FLAGS) & (Netc::SF_CONNECTED | Netc::SF_ERROR)) != 0; }, max_s);
  return srd(s, Netc::S_STATUS);
}

std::uint32_t Bench::send(int s, const std::string& data) {
  std::uint32_t addr = FlatMemory::kBase + 0x1000;
  mem.write(addr, data.data(), data.size());
  swr(s, Netc::S_DMA_ADDR, addr);
  swr(s, Netc::S_DMA_LEN, static_cast<std::uint32_t>(data.size()));
  swr(s, Netc::S_CMD, Netc::SC_SEND);
  return srd(s, Netc::S_XFER);
}

std::string Bench::recv(int s, std::uint32_t max) {
  std::uint32_t addr = FlatMemory::kBase + 0x8000;
  swr(s, Netc::S_DMA_ADDR, addr);
  swr(s, Netc::S_DMA_LEN, max);
  swr(s, Netc::S_CMD, Netc::SC_RECV);
  std::uint32_t n = srd(s, Netc::S_XFER);
  swr(s, Netc::S_FLAGS, Netc::SF_RX);
  return std::string(reinterpret_cast<const char*>(mem.bytes.data() + 0x8000), n);
}

bool Bench::wait_rx(int s, std::size_t n, double max_s) {
  return run_until([&] { return srd(s, Netc::S_RX_AVAIL) >= n; }, max_s);
}

std::string ip_str(std::uint32_t ip) {
  return format_ip(ip);
}

}  // namespace lmsim::net::test

// libsystemc references sc_main; these tests have gtest's main().
int sc_main(int, char**) {
  return 0;
}
