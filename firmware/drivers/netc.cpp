#include "drivers/netc.h"

namespace drivers {

namespace {
std::size_t copy(char* dst, const char* src, std::size_t cap) {
  std::size_t n = 0;
  if (src)
    for (; n + 1 < cap && src[n]; ++n) dst[n] = src[n];
  for (std::size_t i = n; i < cap; ++i) dst[i] = 0;
  return n;
}
}  // namespace

void Netc::enable(std::uint32_t irq_mask) {
  r(IRQ_ENABLE) = irq_mask;
  r(CTRL) = 1;
}

void Netc::set_mac(std::uint64_t mac) {
  r(MAC_LO) = static_cast<std::uint32_t>(mac);
  r(MAC_HI) = static_cast<std::uint32_t>(mac >> 32) & 0xFFFF;
  command(SET_MAC);
}

bool Netc::put_arg(const char* a, const char* b) {
  if (copy(arg_.ssid, a, sizeof arg_.ssid) == 0) return false;
  copy(arg_.password, b, sizeof arg_.password);
  r(CMD_ARG) = addr(&arg_);
  return true;
}

bool Netc::join(const char* ssid, const char* password) {
  if (!put_arg(ssid, password)) return false;
  command(JOIN);
  return cmd_status() != FAILED;
}

bool Netc::ap_start(const char* ssid, const char* password, std::uint32_t ip) {
  if (!put_arg(ssid, password)) return false;
  r(AP_IP) = ip;
  command(AP_START);
  return cmd_status() != FAILED;
}

bool Netc::dns_start(const char* name) {
  if (copy(name_, name, sizeof name_) == 0) return false;
  r(CMD_ARG) = addr(name_);
  command(DNS_LOOKUP);
  return cmd_status() == BUSY;
}

int Netc::dns_poll(std::uint32_t* ip) const {
  std::uint32_t st = cmd_status();
  if (st == BUSY) return 0;
  if (st != DONE) return -1;
  *ip = r(DNS_RESULT);
  return 1;
}

void Netc::set_static(bool on, std::uint32_t ip, std::uint32_t mask, std::uint32_t gw, std::uint32_t dns) {
  r(IP_CFG) = on ? 1 : 0;
  r(STATIC_IP) = ip;
  r(STATIC_MASK) = mask;
  r(STATIC_GW) = gw;
  r(STATIC_DNS) = dns;
  command(APPLY_IP);
}

void Netc::tcp_connect(int s, std::uint32_t ip, std::uint16_t port, std::uint32_t timeout_ms) {
  sr(s, S_MODE) = TCP;
  sr(s, S_PEER_IP) = ip;
  sr(s, S_PEER_PORT) = port;
  sr(s, S_TIMEOUT) = timeout_ms;
  sr(s, S_FLAGS) = 0x1F;
  sr(s, S_CMD) = CONNECT;
}

void Netc::tcp_listen(int s, std::uint16_t port) {
  sr(s, S_MODE) = TCP;
  sr(s, S_LPORT) = port;
  sr(s, S_FLAGS) = 0x1F;
  sr(s, S_CMD) = LISTEN;
}

bool Netc::udp_open(int s, std::uint16_t port) {
  sr(s, S_MODE) = UDP;
  sr(s, S_LPORT) = port;
  sr(s, S_FLAGS) = 0x1F;
  sr(s, S_CMD) = OPEN;
  return status(s) == UDP_OPEN;
}

void Netc::set_peer(int s, std::uint32_t ip, std::uint16_t port) {
  sr(s, S_PEER_IP) = ip;
  sr(s, S_PEER_PORT) = port;
}

std::uint32_t Netc::send(int s, const void* data, std::uint32_t n) {
  sr(s, S_DMA_ADDR) = addr(data);
  sr(s, S_DMA_LEN) = n;
  sr(s, S_CMD) = SEND;
  return sr(s, S_XFER);
}

std::uint32_t Netc::recv(int s, void* data, std::uint32_t n) {
  sr(s, S_DMA_ADDR) = addr(data);
  sr(s, S_DMA_LEN) = n;
  sr(s, S_CMD) = RECV;
  sr(s, S_FLAGS) = SF_RX;
  return sr(s, S_XFER);
}

}  // namespace drivers
