// NETC network controller driver (registers: docs/mcu-netc.md). Socket offload: the
// controller runs TCP/UDP/DNS/DHCP; the driver moves payloads by DMA (address + length per
// command) and polls or waits on IRQ 6. Plain C++: builds for the firmware and for host tests.
#pragma once
#include <cstddef>
#include <cstdint>

namespace drivers {

class Netc {
 public:
  static constexpr std::uintptr_t kBase = 0x40008000;
  static constexpr int kSockets = 16;
  // Global registers
  static constexpr std::uint32_t ID = 0x000, CTRL = 0x008, IRQ_STATUS = 0x00C, IRQ_ENABLE = 0x010, LINK = 0x014,
                                 WIFI_REASON = 0x018, WIFI_RSSI = 0x01C, MAC_LO = 0x020, MAC_HI = 0x024, IP = 0x028,
                                 NETMASK = 0x02C, GATEWAY = 0x030, DNS = 0x034, IP_CFG = 0x038, STATIC_IP = 0x03C,
                                 STATIC_MASK = 0x040, STATIC_GW = 0x044, STATIC_DNS = 0x048, CMD = 0x050,
                                 CMD_ARG = 0x054, CMD_STATUS = 0x058, SCAN_BUF = 0x05C, SCAN_LEN = 0x060,
                                 SCAN_COUNT = 0x064, DNS_RESULT = 0x068, AP_IP = 0x06C;
  // Socket registers (base 0x100 + n * 0x40)
  static constexpr std::uint32_t S_MODE = 0x00, S_CMD = 0x04, S_STATUS = 0x08, S_FLAGS = 0x0C, S_IRQ_EN = 0x10,
                                 S_ERROR = 0x14, S_LPORT = 0x18, S_PEER_IP = 0x1C, S_PEER_PORT = 0x20,
                                 S_DMA_ADDR = 0x24, S_DMA_LEN = 0x28, S_XFER = 0x2C, S_RX_AVAIL = 0x30,
                                 S_TX_FREE = 0x34, S_TIMEOUT = 0x38;
  static constexpr std::uint32_t kId = 0x4E455443;
  static constexpr std::uint32_t LINK_ETH_CARRIER = 1, LINK_ETH_IP = 2, LINK_WIFI_UP = 4, LINK_AP = 8, LINK_HAS_IP = 16;
  static constexpr std::uint32_t IRQ_LINK = 1, IRQ_SCAN = 2, IRQ_DNS = 4, IRQ_AP = 8;
  // IRQ_STATUS / IRQ_ENABLE bit of socket n (bits 8..23).
  static constexpr std::uint32_t irq_sock(int n) { return 1u << (8 + n); }
  static constexpr std::uint32_t IRQ_SOCKETS = ((1u << kSockets) - 1) << 8;
  enum Cmd : std::uint32_t {
    SCAN = 1,
    JOIN = 2,
    LEAVE = 3,
    AP_START = 4,
    AP_STOP = 5,
    DNS_LOOKUP = 6,
    APPLY_IP = 7,
    SET_MAC = 8
  };
  enum CmdStatus : std::uint32_t { IDLE = 0, BUSY = 1, DONE = 2, FAILED = 3 };
  enum Mode : std::uint32_t { NONE = 0, TCP = 1, UDP = 2 };
  enum SockCmd : std::uint32_t { OPEN = 1, CONNECT = 2, LISTEN = 3, SEND = 4, RECV = 5, CLOSE = 6, ABORT = 7 };
  enum SockState : std::uint32_t {
    CLOSED = 0,
    UDP_OPEN = 1,
    LISTENING = 2,
    CONNECTING = 3,
    ESTABLISHED = 4,
    CLOSE_WAIT = 5,
    CLOSING = 6
  };
  static constexpr std::uint32_t SF_CONNECTED = 1, SF_RX = 2, SF_TX_DONE = 4, SF_CLOSED = 8, SF_ERROR = 16;
  enum WifiState : std::uint32_t {
    W_IDLE = 0,
    W_SCANNING = 1,
    W_CONNECTING = 2,
    W_GETTING_IP = 3,
    W_CONNECTED = 4,
    W_FAILED = 5
  };

  explicit Netc(std::uintptr_t base = kBase) : base_(base) {}
  static constexpr std::uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
  }

  bool present() const { return r(ID) == kId; }
  void enable(std::uint32_t irq_mask = 0);
  void disable() { r(CTRL) = 0; }
  std::uint32_t link() const { return r(LINK); }
  bool has_ip() const { return (link() & LINK_HAS_IP) != 0; }
  std::uint32_t ip() const { return r(IP); }
  std::uint32_t wifi_state() const { return (link() >> 8) & 0xF; }
  std::uint32_t wifi_reason() const { return r(WIFI_REASON); }
  int rssi() const { return static_cast<int>(r(WIFI_RSSI)); }
  std::uint32_t irq_status() const { return r(IRQ_STATUS); }
  void irq_clear(std::uint32_t bits) { r(IRQ_STATUS) = bits; }
  std::uint32_t cmd_status() const { return r(CMD_STATUS); }
  void set_mac(std::uint64_t mac);

  // Wi-Fi and hotspot: start the operation; the outcome arrives as a LINK interrupt / state.
  bool join(const char* ssid, const char* password);
  void leave() { command(LEAVE); }
  bool ap_start(const char* ssid, const char* password, std::uint32_t ip);
  void ap_stop() { command(AP_STOP); }
  // DNS: start, then poll dns_poll(): 0 busy, 1 resolved (*ip set), -1 failed.
  bool dns_start(const char* name);
  int dns_poll(std::uint32_t* ip) const;
  // Static addressing (false = DHCP).
  void set_static(bool on, std::uint32_t ip, std::uint32_t mask, std::uint32_t gw, std::uint32_t dns);

  // Sockets
  void tcp_connect(int s, std::uint32_t ip, std::uint16_t port, std::uint32_t timeout_ms = 10000);
  void tcp_listen(int s, std::uint16_t port);
  bool udp_open(int s, std::uint16_t port);
  std::uint32_t status(int s) const { return sr(s, S_STATUS); }
  std::uint32_t flags(int s) const { return sr(s, S_FLAGS); }
  void clear(int s, std::uint32_t f) { sr(s, S_FLAGS) = f; }
  std::uint32_t error(int s) const { return sr(s, S_ERROR); }
  std::uint32_t rx_avail(int s) const { return sr(s, S_RX_AVAIL); }
  std::uint32_t tx_free(int s) const { return sr(s, S_TX_FREE); }
  std::uint32_t peer_ip(int s) const { return sr(s, S_PEER_IP); }
  void irq_enable(int s, std::uint32_t flags) { sr(s, S_IRQ_EN) = flags; }
  // TCP: bytes accepted into the send buffer (may be fewer than n). UDP: one datagram to the
  // socket's peer (set with set_peer).
  std::uint32_t send(int s, const void* data, std::uint32_t n);
  void set_peer(int s, std::uint32_t ip, std::uint16_t port);
  // Bytes copied (TCP: up to n from the stream; UDP: one datagram, peer registers = source).
  std::uint32_t recv(int s, void* data, std::uint32_t n);
  void close(int s) { sr(s, S_CMD) = CLOSE; }
  void abort(int s) { sr(s, S_CMD) = ABORT; }

 private:
  struct Arg {
    char ssid[33];
    char password[65];
  };
  void command(std::uint32_t c) { r(CMD) = c; }
  bool put_arg(const char* a, const char* b);
  static std::uint32_t addr(const void* p) { return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(p)); }
  volatile std::uint32_t& r(std::uint32_t off) const { return *reinterpret_cast<volatile std::uint32_t*>(base_ + off); }
  volatile std::uint32_t& sr(int s, std::uint32_t off) const {
    return r(0x100 + static_cast<std::uint32_t>(s) * 0x40 + off);
  }
  std::uintptr_t base_;
  Arg arg_{};
  char name_[128]{};
};

}  // namespace drivers
