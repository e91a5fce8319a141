// NETC, the device's network controller at 0x4000_8000 (IRQ 6): socket offload in the style
// of WIZnet/ESP-AT parts, so the firmware needs no TCP/IP stack. Sixteen sockets (TCP client,
// TCP server WIZnet-style: a listening socket becomes the connection; UDP), DNS lookup,
// Ethernet/Wi-Fi link management (scan, join, hotspot) with ESP32 failure reasons, static or
// DHCP addressing. Payloads and parameter blocks move by DMA through GuestMemory (one
// descriptor = address + length per command), never a register access per byte.
// Register map and timings: docs/mcu-netc.md. The network behind it is models/net (netif.h).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "models/mcu/peripheral.h"
#include "models/net/netif.h"
#include "sim/site.h"

namespace lmsim::mcu {

class Netc : public Peripheral,
             private net::DeviceEvents,
             private net::TcpPeer,
             private net::TcpAcceptor,
             private net::UdpPeer {
 public:
  static constexpr int kSockets = 16;  // register blocks 0x100..0x4FF of the 4 KiB window
  static constexpr std::uint32_t kRxBuf = 4096, kTxBuf = 4096, kUdpMax = 1472;
  static constexpr std::uint32_t kId = 0x4E455443;  // "NETC"
  static constexpr std::uint32_t kScanRecord = 40;

  // Global registers.
  enum : std::uint32_t {
    ID = 0x000,
    VERSION = 0x004,
    CTRL = 0x008,
    IRQ_STATUS = 0x00C,
    IRQ_ENABLE = 0x010,
    LINK = 0x014,
    WIFI_REASON = 0x018,
    WIFI_RSSI = 0x01C,
    MAC_LO = 0x020,
    MAC_HI = 0x024,
    IP = 0x028,
    NETMASK = 0x02C,
    GATEWAY = 0x030,
    DNS = 0x034,
    IP_CFG = 0x038,
    STATIC_IP = 0x03C,
    STATIC_MASK = 0x040,
    STATIC_GW = 0x044,
    STATIC_DNS = 0x048,
    CMD = 0x050,
    CMD_ARG = 0x054,
    CMD_STATUS = 0x058,
    SCAN_BUF = 0x05C,
    SCAN_LEN = 0x060,
    SCAN_COUNT = 0x064,
    DNS_RESULT = 0x068,
    AP_IP = 0x06C,
    SOCK_BASE = 0x100,
    SOCK_STRIDE = 0x40
  };
  // Socket registers (offset within a socket's block).
  enum : std::uint32_t {
    S_MODE = 0x00,
    S_CMD = 0x04,
    S_STATUS = 0x08,
    S_FLAGS = 0x0C,
    S_IRQ_EN = 0x10,
    S_ERROR = 0x14,
    S_LPORT = 0x18,
    S_PEER_IP = 0x1C,
    S_PEER_PORT = 0x20,
    S_DMA_ADDR = 0x24,
    S_DMA_LEN = 0x28,
    S_XFER = 0x2C,
    S_RX_AVAIL = 0x30,
    S_TX_FREE = 0x34,
    S_TIMEOUT = 0x38
  };
  enum : std::uint32_t { CTRL_ENABLE = 1 };
  enum : std::uint32_t { IRQ_LINK = 1, IRQ_SCAN = 2, IRQ_DNS = 4, IRQ_AP = 8, IRQ_SOCK0 = 1u << 8 };
  enum : std::uint32_t {
    LINK_ETH_CARRIER = 1,
    LINK_ETH_IP = 2,
    LINK_WIFI_UP = 4,
    LINK_AP = 8,
    LINK_HAS_IP = 16
  };  // + WIFI_STATE in bits 8..11, AP clients in bits 16..23
  enum : std::uint32_t {
    CMD_SCAN = 1,
    CMD_JOIN = 2,
    CMD_LEAVE = 3,
    CMD_AP_START = 4,
    CMD_AP_STOP = 5,
    CMD_DNS = 6,
    CMD_APPLY_IP = 7,
    CMD_SET_MAC = 8
  };
  enum : std::uint32_t { CST_IDLE = 0, CST_BUSY = 1, CST_DONE = 2, CST_ERROR = 3 };
  enum : std::uint32_t { MODE_NONE = 0, MODE_TCP = 1, MODE_UDP = 2 };
  enum : std::uint32_t {
    SC_OPEN = 1,
    SC_CONNECT = 2,
    SC_LISTEN = 3,
    SC_SEND = 4,
    SC_RECV = 5,
    SC_CLOSE = 6,
    SC_ABORT = 7
  };
  enum : std::uint32_t {
    SS_CLOSED = 0,
    SS_UDP = 1,
    SS_LISTEN = 2,
    SS_CONNECTING = 3,
    SS_ESTABLISHED = 4,
    SS_CLOSE_WAIT = 5,
    SS_CLOSING = 6
  };
  enum : std::uint32_t { SF_CONNECTED = 1, SF_RX = 2, SF_TX_DONE = 4, SF_CLOSED = 8, SF_ERROR = 16 };
  // S_ERROR: net::TcpError values 1..7, and:
  enum : std::uint32_t { SE_BAD_COMMAND = 8, SE_DMA_FAULT = 9, SE_PORT_IN_USE = 10, SE_NO_NETWORK = 11 };

  Netc(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);
  IrqLine irq;
  void reset(ResetCause cause) override;

 private:
  struct Sock {
    std::uint32_t mode = MODE_NONE, status = SS_CLOSED, flags = 0, irq_en = 0, error = 0;
    std::uint32_t lport = 0, peer_ip = 0, peer_port = 0, dma_addr = 0, dma_len = 0, xfer = 0;
    std::uint32_t timeout_ms = 10000;
    net::ConnId conn = 0;
    bool has_conn = false;
    std::string rx;             // TCP receive buffer
    std::uint32_t unacked = 0;  // TCP bytes handed to the network, not yet acknowledged
    struct Dgram {
      net::Endpoint from;
      std::string data;
    };
    std::deque<Dgram> dgrams;  // UDP receive queue
    std::uint32_t dgram_bytes = 0;
  };

  net::DevicePort* port();
  void add_socket_regs(int i);
  void socket_cmd(int i, std::uint32_t cmd, Time t);
  void global_cmd(std::uint32_t cmd, Time t);
  bool read_arg(std::string& ssid, std::string& password);
  void set_flags(int i, std::uint32_t f, Time t);
  void sock_error(int i, std::uint32_t code, Time t);
  void free_socket(int i, Time t);
  void update_irq();
  std::uint32_t link_reg() const;
  std::uint32_t rx_avail(const Sock& s) const;
  int sock_of(net::ConnId c) const;

  // net::DeviceEvents
  void link_changed(Time t) override;
  void scan_done(const std::vector<net::ScanEntry>& r, Time t) override;
  void ap_clients_changed(Time t) override;
  // net::TcpPeer
  void tcp_connected(net::ConnId c, Time t) override;
  void tcp_data(net::ConnId c, std::string_view bytes, Time t) override;
  void tcp_acked(net::ConnId c, std::size_t n, Time t) override;
  void tcp_closed(net::ConnId c, net::TcpError why, Time t) override;
  std::size_t tcp_rx_window(net::ConnId c) override;
  // net::TcpAcceptor
  net::TcpPeer* tcp_accept(net::ConnId c, net::Endpoint local, net::Endpoint remote, Time t) override;
  // net::UdpPeer
  void udp_datagram(net::Endpoint from, std::uint16_t local_port, std::string_view bytes, Time t) override;

  Site& site_;
  net::DevicePort* port_ = nullptr;
  bool attached_ = false;
  std::uint32_t ctrl_ = 0, irq_status_ = 0, irq_enable_ = 0;
  std::uint32_t mac_lo_ = 0, mac_hi_ = 0, ip_cfg_ = 0, st_ip_ = 0, st_mask_ = 0, st_gw_ = 0, st_dns_ = 0;
  std::uint32_t cmd_arg_ = 0, cmd_status_ = CST_IDLE, scan_buf_ = 0, scan_len_ = 0, scan_count_ = 0, dns_result_ = 0;
  std::uint32_t ap_ip_ = 0xC0A80401;
  std::uint32_t gen_ = 0;      // bumps on reset: late callbacks of an earlier life are ignored
  std::uint32_t dns_seq_ = 0;  // the DNS command in flight (an older answer is dropped)
  std::array<Sock, kSockets> s_;
  std::map<net::ConnId, int> conn_sock_;
  std::map<std::uint16_t, int> listening_;  // port -> number of sockets listening
};

}  // namespace lmsim::mcu
