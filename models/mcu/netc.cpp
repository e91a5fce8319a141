#include "models/mcu/netc.h"

#include <algorithm>
#include <cstring>

namespace lmsim::mcu {

namespace {
RegisterBank::Reg reg(const char* name, std::uint32_t off, RegisterBank::Access acc,
                      std::function<std::uint32_t(Time)> rd, std::function<void(std::uint32_t, Time)> wr) {
  RegisterBank::Reg r;
  r.name = name;
  r.offset = off;
  r.access = acc;
  r.read = std::move(rd);
  r.write = std::move(wr);
  return r;
}
}  // namespace

using net::ConnId;
using net::TcpError;

Netc::Netc(sc_core::sc_module_name name, Site& site, const YNode* device_cfg) : Peripheral(name, 0x1000), site_(site) {
  using R = RegisterBank;
  auto ro = [this](const char* n, std::uint32_t off, std::function<std::uint32_t()> f) {
    regs.add(reg(
        n, off, R::RO, [f](Time) { return f(); }, nullptr));
  };
  auto rw = [this](const char* n, std::uint32_t off, std::uint32_t* field) {
    regs.add(reg(
        n, off, R::RW, [field](Time) { return *field; }, [field](std::uint32_t v, Time) { *field = v; }));
  };
  ro("ID", ID, [] { return kId; });
  ro("VERSION", VERSION, [] { return 0x00010000u; });
  regs.add(reg(
      "CTRL", CTRL, R::RW, [this](Time) { return ctrl_; },
      [this](std::uint32_t v, Time t) {
        bool was = ctrl_ & CTRL_ENABLE;
        ctrl_ = v & CTRL_ENABLE;
        bool on = ctrl_ & CTRL_ENABLE;
        if (on == was) return;
        if (!on)
          for (int i = 0; i < kSockets; ++i) free_socket(i, t);
        if (auto* p = port()) p->set_enabled(on, t);
      }));
  regs.add(reg(
      "IRQ_STATUS", IRQ_STATUS, R::RW,
      [this](Time) {
        std::uint32_t v = irq_status_;
        for (int i = 0; i < kSockets; ++i)
          if (s_[static_cast<std::size_t>(i)].flags & s_[static_cast<std::size_t>(i)].irq_en) v |= IRQ_SOCK0 << i;
        return v;
      },
      [this](std::uint32_t v, Time) {
        irq_status_ &= ~(v & 0xFFu);  // write 1 to clear; socket bits clear through S_FLAGS
        update_irq();
      }));
  regs.add(reg(
      "IRQ_ENABLE", IRQ_ENABLE, R::RW, [this](Time) { return irq_enable_; },
      [this](std::uint32_t v, Time) {
        irq_enable_ = v & (0xFFu | (((1u << kSockets) - 1) << 8));  // globals + one bit per socket
        update_irq();
      }));
  ro("LINK", LINK, [this] { return link_reg(); });
  ro("WIFI_REASON", WIFI_REASON, [this] { return port() ? port()->link().wifi_reason : 0u; });
  ro("WIFI_RSSI", WIFI_RSSI, [this] { return port() ? static_cast<std::uint32_t>(port()->link().rssi) : 0u; });
  rw("MAC_LO", MAC_LO, &mac_lo_);
  rw("MAC_HI", MAC_HI, &mac_hi_);
  ro("IP", IP, [this] { return port() ? port()->link().ip : 0u; });
  ro("NETMASK", NETMASK, [this] { return port() ? port()->link().mask : 0u; });
  ro("GATEWAY", GATEWAY, [this] { return port() ? port()->link().gateway : 0u; });
  ro("DNS", DNS, [this] { return port() ? port()->link().dns : 0u; });
  rw("IP_CFG", IP_CFG, &ip_cfg_);
  rw("STATIC_IP", STATIC_IP, &st_ip_);
  rw("STATIC_MASK", STATIC_MASK, &st_mask_);
  rw("STATIC_GW", STATIC_GW, &st_gw_);
  rw("STATIC_DNS", STATIC_DNS, &st_dns_);
  regs.add(reg("CMD", CMD, R::WO, nullptr, [this](std::uint32_t v, Time t) { global_cmd(v, t); }));
  rw("CMD_ARG", CMD_ARG, &cmd_arg_);
  ro("CMD_STATUS", CMD_STATUS, [this] { return cmd_status_; });
  rw("SCAN_BUF", SCAN_BUF, &scan_buf_);
  rw("SCAN_LEN", SCAN_LEN, &scan_len_);
  ro("SCAN_COUNT", SCAN_COUNT, [this] { return scan_count_; });
  ro("DNS_RESULT", DNS_RESULT, [this] { return dns_result_; });
  rw("AP_IP", AP_IP, &ap_ip_);
  for (int i = 0; i < kSockets; ++i) add_socket_regs(i);

  // In a scenario the network is built after the device: look it up when time starts (or on
  // first use); a network built first (test rigs) is attached now.
  port();
  site.on_start([this] { port(); });
}

net::DevicePort* Netc::port() {
  if (!attached_) {
    port_ = site_.service<net::DevicePort>("net.device");
    if (port_) {
      port_->attach(this);
      attached_ = true;
    }
  }
  return port_;
}

void Netc::add_socket_regs(int i) {
  using R = RegisterBank;
  const std::uint32_t b = SOCK_BASE + static_cast<std::uint32_t>(i) * SOCK_STRIDE;
  Sock* s = &s_[static_cast<std::size_t>(i)];
  auto field = [this, b](const char* n, std::uint32_t off, std::uint32_t* f, std::uint32_t mask) {
    regs.add(reg(
        n, b + off, R::RW, [f](Time) { return *f; }, [f, mask](std::uint32_t v, Time) { *f = v & mask; }));
  };
  auto ro = [this, b](const char* n, std::uint32_t off, std::function<std::uint32_t()> f) {
    regs.add(reg(
        n, b + off, R::RO, [f](Time) { return f(); }, nullptr));
  };
  field("S_MODE", S_MODE, &s->mode, 3);
  regs.add(reg("S_CMD", b + S_CMD, R::WO, nullptr, [this, i](std::uint32_t v, Time t) { socket_cmd(i, v, t); }));
  ro("S_STATUS", S_STATUS, [s] { return s->status; });
  regs.add(reg(
      "S_FLAGS", b + S_FLAGS, R::RW, [s](Time) { return s->flags; },
      [this, s](std::uint32_t v, Time) {
        s->flags &= ~v;  // write 1 to clear
        update_irq();
      }));
  regs.add(reg(
      "S_IRQ_EN", b + S_IRQ_EN, R::RW, [s](Time) { return s->irq_en; },
      [this, s](std::uint32_t v, Time) {
        s->irq_en = v & 0x1F;
        update_irq();
      }));
  ro("S_ERROR", S_ERROR, [s] { return s->error; });
  field("S_LPORT", S_LPORT, &s->lport, 0xFFFF);
  field("S_PEER_IP", S_PEER_IP, &s->peer_ip, 0xFFFFFFFF);
  field("S_PEER_PORT", S_PEER_PORT, &s->peer_port, 0xFFFF);
  field("S_DMA_ADDR", S_DMA_ADDR, &s->dma_addr, 0xFFFFFFFF);
  field("S_DMA_LEN", S_DMA_LEN, &s->dma_len, 0xFFFF);
  ro("S_XFER", S_XFER, [s] { return s->xfer; });
  ro("S_RX_AVAIL", S_RX_AVAIL, [this, s] { return rx_avail(*s); });
  ro("S_TX_FREE", S_TX_FREE, [s] { return s->mode == MODE_UDP ? kUdpMax : kTxBuf - s->unacked; });
  field("S_TIMEOUT", S_TIMEOUT, &s->timeout_ms, 0xFFFFFFFF);
}

void Netc::reset(ResetCause cause) {
  regs.reset();
  Time t = static_cast<Time>(sc_core::sc_time_stamp().value());
  ++gen_;
  for (int i = 0; i < kSockets; ++i) s_[static_cast<std::size_t>(i)] = Sock{};
  conn_sock_.clear();
  listening_.clear();
  ctrl_ = irq_status_ = irq_enable_ = 0;
  mac_lo_ = mac_hi_ = ip_cfg_ = st_ip_ = st_mask_ = st_gw_ = st_dns_ = 0;
  cmd_arg_ = scan_buf_ = scan_len_ = scan_count_ = dns_result_ = 0;
  cmd_status_ = CST_IDLE;
  ap_ip_ = 0xC0A80401;
  if (auto* p = port()) p->reset_peers(t);         // the LAN tells the peers (RST), issue 16
  if (auto* p = port()) p->set_enabled(false, t);  // the radio and every connection are gone
  update_irq();
}

// ---------------------------------------------------------------------------------------
// Interrupts and status

void Netc::update_irq() {
  std::uint32_t v = irq_status_;
  for (int i = 0; i < kSockets; ++i)
    if (s_[static_cast<std::size_t>(i)].flags & s_[static_cast<std::size_t>(i)].irq_en) v |= IRQ_SOCK0 << i;
  irq.set((v & irq_enable_) != 0);
}

void Netc::set_flags(int i, std::uint32_t f, Time) {
  s_[static_cast<std::size_t>(i)].flags |= f;
  update_irq();
}

void Netc::sock_error(int i, std::uint32_t code, Time t) {
  s_[static_cast<std::size_t>(i)].error = code;
  set_flags(i, SF_ERROR, t);
}

std::uint32_t Netc::link_reg() const {
  auto* p = const_cast<Netc*>(this)->port();
  if (!p || !(ctrl_ & CTRL_ENABLE)) return 0;
  net::LinkInfo l = p->link();
  std::uint32_t v = 0;
  if (l.eth_carrier) v |= LINK_ETH_CARRIER;
  if (l.eth_ip) v |= LINK_ETH_IP;
  if (l.wifi == net::WifiState::Connected) v |= LINK_WIFI_UP;
  if (l.ap_active) v |= LINK_AP;
  if (l.ip) v |= LINK_HAS_IP;
  v |= (static_cast<std::uint32_t>(l.wifi) & 0xF) << 8;
  v |= (static_cast<std::uint32_t>(std::min(l.ap_clients, 255)) & 0xFF) << 16;
  return v;
}

std::uint32_t Netc::rx_avail(const Sock& s) const {
  if (s.mode == MODE_UDP) return s.dgrams.empty() ? 0 : static_cast<std::uint32_t>(s.dgrams.front().data.size());
  return static_cast<std::uint32_t>(s.rx.size());
}

int Netc::sock_of(ConnId c) const {
  auto it = conn_sock_.find(c);
  return it == conn_sock_.end() ? -1 : it->second;
}

// ---------------------------------------------------------------------------------------
// Global commands

bool Netc::read_arg(std::string& ssid, std::string& password) {
  // struct { char ssid[33]; char password[65]; } at CMD_ARG
  char buf[98];
  if (!mem_ || !mem_->read(cmd_arg_, buf, sizeof buf)) return false;
  buf[32] = 0;
  buf[97] = 0;
  ssid = std::string(buf, strnlen(buf, 32));
  password = std::string(buf + 33, strnlen(buf + 33, 64));
  return !ssid.empty();
}

void Netc::global_cmd(std::uint32_t cmd, Time t) {
  auto* p = port();
  if (!p || !(ctrl_ & CTRL_ENABLE)) {
    cmd_status_ = CST_ERROR;
    return;
  }
  std::string ssid, pw;
  switch (cmd) {
    case CMD_SCAN:
      cmd_status_ = CST_BUSY;
      scan_count_ = 0;
      p->wifi_scan(t);
      return;
    case CMD_JOIN:
      if (!read_arg(ssid, pw)) break;
      p->wifi_join(ssid, pw, t);
      cmd_status_ = CST_DONE;  // the outcome arrives as a LINK interrupt
      return;
    case CMD_LEAVE:
      p->wifi_leave(t);
      cmd_status_ = CST_DONE;
      return;
    case CMD_AP_START:
      if (!read_arg(ssid, pw) || (!pw.empty() && pw.size() < 8)) break;
      p->ap_start(ssid, pw, ap_ip_, t);
      cmd_status_ = CST_DONE;
      return;
    case CMD_AP_STOP:
      p->ap_stop(t);
      cmd_status_ = CST_DONE;
      return;
    case CMD_DNS: {
      char name[128];
      if (!mem_ || !mem_->read(cmd_arg_, name, sizeof name)) break;
      name[127] = 0;
      std::string n(name, strnlen(name, 127));
      if (n.empty()) break;
      cmd_status_ = CST_BUSY;
      dns_result_ = 0;
      // Only the newest query's answer counts: one a reset or a newer DNS command made stale
      // must not land in DNS_RESULT.
      p->dns_lookup(n, t, [this, g = gen_, q = ++dns_seq_](net::Ip ip, Time) {
        if (g != gen_ || q != dns_seq_) return;
        dns_result_ = ip;
        cmd_status_ = ip ? CST_DONE : CST_ERROR;
        irq_status_ |= IRQ_DNS;
        update_irq();
      });
      return;
    }
    case CMD_APPLY_IP: {
      net::IpConfig c;
      c.dhcp = !(ip_cfg_ & 1);
      c.ip = st_ip_;
      c.mask = st_mask_;
      c.gateway = st_gw_;
      c.dns = st_dns_;
      if (!c.dhcp && (!c.ip || !c.mask)) break;
      p->set_ip_config(c, t);
      cmd_status_ = CST_DONE;
      return;
    }
    case CMD_SET_MAC:
      p->set_mac((static_cast<std::uint64_t>(mac_hi_ & 0xFFFF) << 32) | mac_lo_);
      cmd_status_ = CST_DONE;
      return;
    default: break;
  }
  cmd_status_ = CST_ERROR;
}

// ---------------------------------------------------------------------------------------
// Socket commands

void Netc::free_socket(int i, Time t) {
  Sock& s = s_[static_cast<std::size_t>(i)];
  auto* p = port();
  if (s.has_conn) {
    conn_sock_.erase(s.conn);
    if (p) p->tcp_abort(s.conn, t);
  }
  if (s.status == SS_LISTEN) {
    auto lp = static_cast<std::uint16_t>(s.lport);
    if (--listening_[lp] <= 0) {
      listening_.erase(lp);
      if (p) p->tcp_unlisten(lp);
    }
  }
  if (s.status == SS_UDP && p) p->udp_unbind(static_cast<std::uint16_t>(s.lport));
  s.has_conn = false;
  s.status = SS_CLOSED;
  s.rx.clear();
  s.dgrams.clear();
  s.dgram_bytes = 0;
  s.unacked = 0;
}

void Netc::socket_cmd(int i, std::uint32_t cmd, Time t) {
  Sock& s = s_[static_cast<std::size_t>(i)];
  auto* p = port();
  bool enabled = ctrl_ & CTRL_ENABLE;
  auto bad = [&] { sock_error(i, SE_BAD_COMMAND, t); };
  switch (cmd) {
    case SC_OPEN: {  // UDP: bind S_LPORT
      if (s.status != SS_CLOSED || s.mode != MODE_UDP || s.lport == 0) return bad();
      if (!p || !enabled) return sock_error(i, SE_NO_NETWORK, t);
      for (int j = 0; j < kSockets; ++j)
        if (j != i && s_[static_cast<std::size_t>(j)].status == SS_UDP &&
            s_[static_cast<std::size_t>(j)].lport == s.lport)
          return sock_error(i, SE_PORT_IN_USE, t);
      s.error = 0;
      p->udp_bind(static_cast<std::uint16_t>(s.lport), this);
      s.status = SS_UDP;
      return;
    }
    case SC_CONNECT: {
      if (s.status != SS_CLOSED || s.mode != MODE_TCP || !s.peer_ip || !s.peer_port) return bad();
      if (!p || !enabled) return sock_error(i, SE_NO_NETWORK, t);
      s.error = 0;
      s.rx.clear();
      s.unacked = 0;
      s.status = SS_CONNECTING;
      Time timeout = static_cast<Time>(std::max<std::uint32_t>(s.timeout_ms, 1)) * kMs;
      s.conn = p->tcp_connect({s.peer_ip, static_cast<std::uint16_t>(s.peer_port)}, this, t, timeout);
      s.has_conn = true;
      conn_sock_[s.conn] = i;
      return;
    }
    case SC_LISTEN: {
      if (s.status != SS_CLOSED || s.mode != MODE_TCP || s.lport == 0) return bad();
      if (!p || !enabled) return sock_error(i, SE_NO_NETWORK, t);
      s.error = 0;
      s.rx.clear();
      s.unacked = 0;
      s.status = SS_LISTEN;
      auto lp = static_cast<std::uint16_t>(s.lport);
      if (listening_[lp]++ == 0) p->tcp_listen(lp, this);
      return;
    }
    case SC_SEND: {
      if (!mem_) return sock_error(i, SE_DMA_FAULT, t);
      if (s.mode == MODE_UDP) {
        if (s.status != SS_UDP || !s.peer_ip || !s.peer_port || s.dma_len > kUdpMax) return bad();
        std::string buf(s.dma_len, '\0');
        if (!mem_->read(s.dma_addr, buf.data(), buf.size())) return sock_error(i, SE_DMA_FAULT, t);
        p->udp_send(static_cast<std::uint16_t>(s.lport), {s.peer_ip, static_cast<std::uint16_t>(s.peer_port)}, buf, t);
        s.xfer = s.dma_len;
        return;
      }
      if (s.status != SS_ESTABLISHED && s.status != SS_CLOSE_WAIT) return bad();
      std::uint32_t n = std::min(s.dma_len, kTxBuf - s.unacked);
      s.xfer = 0;
      if (n == 0) return;
      std::string buf(n, '\0');
      if (!mem_->read(s.dma_addr, buf.data(), n)) return sock_error(i, SE_DMA_FAULT, t);
      s.flags &= ~SF_TX_DONE;
      s.unacked += n;
      s.xfer = static_cast<std::uint32_t>(p->tcp_send(s.conn, buf, t));
      if (s.xfer < n) s.unacked -= n - s.xfer;
      update_irq();
      return;
    }
    case SC_RECV: {
      if (!mem_) return sock_error(i, SE_DMA_FAULT, t);
      if (s.mode == MODE_UDP) {
        s.xfer = 0;
        if (s.dgrams.empty()) return;
        auto& d = s.dgrams.front();
        std::uint32_t n = std::min<std::uint32_t>(s.dma_len, static_cast<std::uint32_t>(d.data.size()));
        if (n && !mem_->write(s.dma_addr, d.data.data(), n)) return sock_error(i, SE_DMA_FAULT, t);
        s.peer_ip = d.from.ip;
        s.peer_port = d.from.port;
        s.xfer = n;  // a longer datagram is truncated, like recvfrom()
        s.dgram_bytes -= static_cast<std::uint32_t>(d.data.size());
        s.dgrams.pop_front();
        return;
      }
      std::uint32_t n = std::min<std::uint32_t>(s.dma_len, static_cast<std::uint32_t>(s.rx.size()));
      s.xfer = 0;
      if (n == 0) return;
      if (!mem_->write(s.dma_addr, s.rx.data(), n)) return sock_error(i, SE_DMA_FAULT, t);
      bool was_tight = kRxBuf - s.rx.size() < kRxBuf / 2;
      s.rx.erase(0, n);
      s.xfer = n;
      if (was_tight && s.has_conn && p) p->tcp_window_opened(s.conn, t);
      return;
    }
    case SC_CLOSE: {
      if (s.status == SS_ESTABLISHED && s.has_conn && p) {
        s.status = SS_CLOSING;
        p->tcp_close(s.conn, t);
        return;
      }
      if (s.status == SS_CLOSING) return;
      free_socket(i, t);
      return;
    }
    case SC_ABORT: free_socket(i, t); return;
    default: return bad();
  }
}

// ---------------------------------------------------------------------------------------
// Events from the network

void Netc::link_changed(Time) {
  irq_status_ |= IRQ_LINK;
  update_irq();
}

void Netc::scan_done(const std::vector<net::ScanEntry>& r, Time) {
  std::uint32_t cap = scan_len_ / kScanRecord;
  std::uint32_t n = std::min<std::uint32_t>(cap, static_cast<std::uint32_t>(r.size()));
  bool ok = true;
  for (std::uint32_t k = 0; k < n && ok; ++k) {
    std::uint8_t rec[kScanRecord] = {};
    const auto& e = r[k];
    std::memcpy(rec, e.ssid.data(), std::min<std::size_t>(e.ssid.size(), 32));
    rec[33] = static_cast<std::uint8_t>(static_cast<std::int8_t>(e.rssi));
    rec[34] = static_cast<std::uint8_t>(e.channel);
    rec[35] = e.secured ? 1 : 0;
    std::uint32_t mhz = 2407 + 5 * static_cast<std::uint32_t>(e.channel);
    std::memcpy(rec + 36, &mhz, 4);
    ok = mem_ && mem_->write(scan_buf_ + k * kScanRecord, rec, kScanRecord);
  }
  scan_count_ = ok ? static_cast<std::uint32_t>(r.size()) : 0;
  cmd_status_ = ok ? CST_DONE : CST_ERROR;
  irq_status_ |= IRQ_SCAN;
  update_irq();
}

void Netc::ap_clients_changed(Time) {
  irq_status_ |= IRQ_AP;
  update_irq();
}

void Netc::tcp_connected(ConnId c, Time t) {
  int i = sock_of(c);
  if (i < 0) return;
  Sock& s = s_[static_cast<std::size_t>(i)];
  if (s.status != SS_CONNECTING) return;
  s.status = SS_ESTABLISHED;
  set_flags(i, SF_CONNECTED | SF_TX_DONE, t);
}

void Netc::tcp_data(ConnId c, std::string_view bytes, Time t) {
  int i = sock_of(c);
  if (i < 0) return;
  Sock& s = s_[static_cast<std::size_t>(i)];
  // The window kept the sender within the buffer; anything beyond would be a model bug.
  std::size_t room = kRxBuf - std::min<std::size_t>(kRxBuf, s.rx.size());
  s.rx.append(bytes.substr(0, room));
  set_flags(i, SF_RX, t);
}

void Netc::tcp_acked(ConnId c, std::size_t n, Time t) {
  int i = sock_of(c);
  if (i < 0) return;
  Sock& s = s_[static_cast<std::size_t>(i)];
  s.unacked -= std::min<std::uint32_t>(s.unacked, static_cast<std::uint32_t>(n));
  if (n && s.unacked == 0) set_flags(i, SF_TX_DONE, t);
}

void Netc::tcp_closed(ConnId c, TcpError why, Time t) {
  int i = sock_of(c);
  if (i < 0) return;
  Sock& s = s_[static_cast<std::size_t>(i)];
  conn_sock_.erase(c);
  s.has_conn = false;
  if (why == TcpError::None) {
    // Peer's FIN (or our close completed): data already received stays readable.
    s.status = s.status == SS_CLOSING ? SS_CLOSED : SS_CLOSE_WAIT;
    set_flags(i, SF_CLOSED, t);
    return;
  }
  s.status = SS_CLOSED;
  s.error = static_cast<std::uint32_t>(why);
  set_flags(i, SF_CLOSED | SF_ERROR, t);
}

std::size_t Netc::tcp_rx_window(ConnId c) {
  int i = sock_of(c);
  if (i < 0) return 0;
  return kRxBuf - std::min<std::size_t>(kRxBuf, s_[static_cast<std::size_t>(i)].rx.size());
}

net::TcpPeer* Netc::tcp_accept(ConnId c, net::Endpoint local, net::Endpoint remote, Time t) {
  for (int i = 0; i < kSockets; ++i) {
    Sock& s = s_[static_cast<std::size_t>(i)];
    if (s.status != SS_LISTEN || s.lport != local.port) continue;
    // WIZnet style: the listening socket becomes the connection.
    if (--listening_[local.port] <= 0) {
      listening_.erase(local.port);
      if (auto* p = port()) p->tcp_unlisten(local.port);
    }
    s.status = SS_ESTABLISHED;
    s.conn = c;
    s.has_conn = true;
    s.peer_ip = remote.ip;
    s.peer_port = remote.port;
    s.rx.clear();
    s.unacked = 0;
    conn_sock_[c] = i;
    set_flags(i, SF_CONNECTED | SF_TX_DONE, t);
    return this;
  }
  return nullptr;  // no socket listening any more: RST
}

void Netc::udp_datagram(net::Endpoint from, std::uint16_t local_port, std::string_view bytes, Time t) {
  for (int i = 0; i < kSockets; ++i) {
    Sock& s = s_[static_cast<std::size_t>(i)];
    if (s.status != SS_UDP || s.lport != local_port) continue;
    if (s.dgram_bytes + bytes.size() > kRxBuf) return;  // receive queue full: dropped
    s.dgrams.push_back({from, std::string(bytes)});
    s.dgram_bytes += static_cast<std::uint32_t>(bytes.size());
    set_flags(i, SF_RX, t);
    return;
  }
}

}  // namespace lmsim::mcu
