#include "fakes/fakes.h"

#include <algorithm>

namespace lmc::fake {

void FakeIdle::wait_until(std::uint64_t deadline_ms) {
  ++waits;
  std::uint64_t t = deadline_ms;
  if (!events.empty() && events.begin()->first < t) t = events.begin()->first;
  if (t > clock.t) clock.t = t;
  fire_due();
}

void FakeIdle::fire_due() {
  while (!events.empty() && events.begin()->first <= clock.t) {
    auto fn = std::move(events.begin()->second);
    events.erase(events.begin());
    fn();
  }
}

std::size_t FakeConsole::read(char* data, std::size_t n) {
  std::size_t k = 0;
  while (k < n && !rx.empty()) {
    data[k++] = rx.front();
    rx.pop_front();
  }
  return k;
}

std::vector<std::string> FakeConsole::lines() const {
  std::vector<std::string> v;
  std::size_t start = 0;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] == '\n') {
      v.push_back(out.substr(start, i - start));
      start = i + 1;
    }
  return v;
}

std::vector<std::string> FakeConsole::grep(const std::string& text) const {
  std::vector<std::string> v;
  for (auto& l : lines())
    if (l.find(text) != std::string::npos) v.push_back(l);
  return v;
}

bool FakeFlash::read(std::uint32_t offset, void* dst, std::size_t n) {
  if (fail || offset > mem.size() || n > mem.size() - offset) return false;
  std::memcpy(dst, mem.data() + offset, n);
  return true;
}

bool FakeFlash::erase_page(std::uint32_t page) {
  if (fail || static_cast<std::size_t>(page + 1) * page_ > mem.size()) return false;
  std::fill(mem.begin() + static_cast<std::ptrdiff_t>(page * page_),
            mem.begin() + static_cast<std::ptrdiff_t>((page + 1) * page_), 0xFF);
  ++erases;
  return true;
}

bool FakeFlash::program(std::uint32_t offset, const void* src, std::size_t n) {
  if (fail || (offset | n) & 3u || offset > mem.size() || n > mem.size() - offset) return false;
  auto* s = static_cast<const std::uint8_t*>(src);
  for (std::size_t i = 0; i < n; ++i) mem[offset + i] &= s[i];
  programs += static_cast<int>(n / 4);
  return true;
}

bool FakeAfe::poll(AfeWindow& w) {
  if (windows.empty()) return false;
  w = windows.front();
  windows.pop_front();
  return true;
}

AfeWindow FakeAfe::window(std::uint32_t i_ma) {
  AfeWindow w;
  static std::uint32_t counter = 0;
  w.windows = ++counter;
  w.freq_mhz = 50000;
  w.voltage_present = 7;
  w.phase_sequence = 1;
  for (auto& c : w.ch) {
    c.vrms_mv = 230000;
    c.irms_ma = i_ma;
    c.p_mw = static_cast<std::int32_t>(static_cast<std::uint64_t>(i_ma) * 230);  // 230 V * I
    c.s_mva = static_cast<std::uint32_t>(c.p_mw);
    c.pf_e4 = 10000;
  }
  return w;
}

std::vector<std::uint64_t> FakeGpio::periods(const std::vector<std::pair<std::uint64_t, bool>>& log, std::uint64_t from,
                                             std::uint64_t to) {
  std::vector<std::uint64_t> rises, out;
  for (auto& [t, on] : log)
    if (on && t >= from && t < to) rises.push_back(t);
  for (std::size_t i = 1; i < rises.size(); ++i) out.push_back(rises[i] - rises[i - 1]);
  return out;
}

bool FakeGpio::level_at(const std::vector<std::pair<std::uint64_t, bool>>& log, std::uint64_t t) {
  bool lvl = false;
  for (auto& [when, on] : log) {
    if (when > t) break;
    lvl = on;
  }
  return lvl;
}

void FakeSockets::tcp_connect(int s, Endpoint p, std::uint32_t timeout_ms) {
  if (!ok(s)) return;
  sock[s] = Sock{};
  sock[s].state = State::Connecting;
  sock[s].peer = p;
  sock[s].connect_timeout = timeout_ms;
}

void FakeSockets::tcp_listen(int s, std::uint16_t port) {
  if (!ok(s)) return;
  sock[s] = Sock{};
  sock[s].state = State::Listen;
  sock[s].lport = port;
}

bool FakeSockets::udp_open(int s, std::uint16_t port) {
  if (!ok(s) || sock[s].state != State::Closed) return false;
  sock[s] = Sock{};
  sock[s].state = State::Udp;
  sock[s].lport = port;
  return true;
}

std::size_t FakeSockets::send(int s, const void* data, std::size_t n) {
  if (!ok(s) || (sock[s].state != State::Established && sock[s].state != State::CloseWait)) return 0;
  std::size_t k = std::min(n, tx_free(s));
  sock[s].tx.append(static_cast<const char*>(data), k);
  return k;
}

bool FakeSockets::send_to(int s, Endpoint to, const void* data, std::size_t n) {
  if (!ok(s) || sock[s].state != State::Udp || n > kUdpMax) return false;
  sock[s].tx_dgrams.emplace_back(to, std::string(static_cast<const char*>(data), n));
  return true;
}

std::size_t FakeSockets::recv(int s, void* data, std::size_t n, Endpoint* from) {
  if (!ok(s)) return 0;
  Sock& k = sock[s];
  if (k.state == State::Udp) {
    if (k.rx_dgrams.empty()) return 0;
    auto [src, d] = k.rx_dgrams.front();
    k.rx_dgrams.pop_front();
    std::size_t m = std::min(n, d.size());
    std::memcpy(data, d.data(), m);
    if (from) *from = src;
    k.peer = src;
    return m;
  }
  std::size_t m = std::min(n, k.rx.size());
  std::memcpy(data, k.rx.data(), m);
  k.rx.erase(0, m);
  if (from) *from = k.peer;
  return m;
}

void FakeSockets::close(int s) {
  if (ok(s)) sock[s].state = State::Closed;
}

void FakeSockets::abort(int s) {
  if (ok(s)) sock[s] = Sock{};
}

std::size_t FakeSockets::rx_avail(int s) const {
  if (!ok(s)) return 0;
  if (sock[s].state == State::Udp) return sock[s].rx_dgrams.empty() ? 0 : sock[s].rx_dgrams.front().second.size();
  return sock[s].rx.size();
}

std::size_t FakeSockets::tx_free(int s) const {
  if (!ok(s)) return 0;
  if (sock[s].state == State::Udp) return kUdpMax;
  return sock[s].tx.size() >= tx_capacity ? 0 : tx_capacity - sock[s].tx.size();
}

void FakeSockets::connected(int s) {
  sock[s].state = State::Established;
  sock[s].events |= kConnected;
}

void FakeSockets::accept(int s, Endpoint from) {
  sock[s].peer = from;
  connected(s);
}

void FakeSockets::fail(int s, Error e) {
  sock[s].state = State::Closed;
  sock[s].error = e;
  sock[s].events |= kError | kClosed;
}

void FakeSockets::deliver(int s, const std::string& b) {
  sock[s].rx += b;
  sock[s].events |= kRx;
}

void FakeSockets::deliver_dgram(int s, Endpoint from, const std::string& b) {
  sock[s].rx_dgrams.emplace_back(from, b);
  sock[s].events |= kRx;
}

void FakeSockets::peer_closed(int s) {
  sock[s].state = State::CloseWait;
  sock[s].events |= kClosed;
}

bool FakeLink::join(const char* ssid, const char*) {
  joined_ssid = ssid;
  return true;
}

bool FakeLink::ap_start(const char* ssid, const char* password, std::uint32_t ip) {
  ap_ssid = ssid;
  ap_password = password;
  ap_ip = ip;
  return true;
}

Link::Status FakeLink::ethernet(std::uint32_t ip) {
  Status s;
  s.enabled = true;
  s.eth_carrier = s.eth_ip = s.has_ip = true;
  s.ip = ip;
  s.netmask = 0xFFFFFF00;
  s.gateway = (ip & 0xFFFFFF00) | 1;
  s.dns = s.gateway;
  return s;
}

}  // namespace lmc::fake
