#include "app/api/tcp_server.h"

#include <cstring>

namespace lmc::api {

using State = Sockets::State;

TcpServer::TcpServer(Sockets& sockets, const int* socks, int n, Log& log, const char* area)
    : sockets_(sockets), log_(log), area_(area) {
  n_ = n < kMaxSlots ? n : kMaxSlots;
  for (int i = 0; i < n_; ++i) socks_[i] = socks[i];
}

void TcpServer::set_enabled(bool on) {
  if (on == enabled_) return;
  enabled_ = on;
  log_.event(area_, on ? "listening" : "disabled").kv("port", cfg_.port);
  if (!on) {
    for (int i = 0; i < n_; ++i) {
      sockets_.abort(socks_[i]);
      slot_[i].open = false;
    }
  }
}

int TcpServer::open_connections() const {
  int k = 0;
  for (int i = 0; i < n_; ++i) k += slot_[i].open ? 1 : 0;
  return k;
}

bool TcpServer::queue(int slot, const char* data, std::size_t n) {
  Slot& s = slot_[slot];
  if (!s.open) return false;
  if (n == 0) return true;
  for (Slot::Piece& x : s.tx) {
    if (x.n > 0) continue;
    if (!s.pending()) s.tx_since_ms = now_ms_;
    // In order: pieces are queued only by one on_bytes() call while nothing waits.
    x = Slot::Piece{data, n};
    return true;
  }
  drop(slot, "reply-too-large");
  return false;
}

bool TcpServer::sending(int slot) const {
  return slot_[slot].open && slot_[slot].pending();
}

bool TcpServer::sending_from(int slot, const char* begin, std::size_t n) const {
  if (!sending(slot)) return false;
  // As addresses: the pieces may point into unrelated objects (flash, a session, the buffers).
  const auto lo = reinterpret_cast<std::uintptr_t>(begin);
  for (const Slot::Piece& x : slot_[slot].tx) {
    const auto at = reinterpret_cast<std::uintptr_t>(x.p);
    if (x.n > 0 && at >= lo && at - lo < n) return true;
  }
  return false;
}

void TcpServer::close_when_sent(int slot) {
  slot_[slot].closing = true;
}

void TcpServer::drop(int i, const char* why) {
  Slot& s = slot_[i];
  if (!s.open) return;
  sockets_.abort(socks_[i]);  // RST: frees the socket at once for the next client
  s.open = false;
  ++cut_;
  log_.event(area_, "cut").kv("socket", socks_[i]).kv("reason", why);
}

void TcpServer::flush(int i) {
  Slot& s = slot_[i];
  for (Slot::Piece& x : s.tx) {
    while (x.n > 0) {
      const std::size_t k = sockets_.send(socks_[i], x.p, x.n);
      if (k == 0) return;  // the socket's send buffer is full: the rest waits, in order
      x.p += k;
      x.n -= k;
    }
  }
  for (Slot::Piece& x : s.tx) x = Slot::Piece{};
}

void TcpServer::poll(std::uint64_t now_ms) {
  now_ms_ = now_ms;
  for (int i = 0; i < n_; ++i) service(i, now_ms);
}

void TcpServer::service(int i, std::uint64_t now_ms) {
  const int sk = socks_[i];
  Slot& s = slot_[i];
  const std::uint32_t ev = sockets_.take_events(sk);
  State st = sockets_.state(sk);
  if (!enabled_) return;
  if (s.open && (st == State::Closed || st == State::Listen || (ev & Sockets::kError))) s.open = false;
  if (!s.open && st == State::Closed) {
    sockets_.tcp_listen(sk, cfg_.port);
    return;
  }
  if (!s.open && (st == State::Established || st == State::CloseWait)) {
    s = Slot{};
    s.open = true;
    s.last_rx_ms = now_ms;
    ++accepted_;
    on_open(i, now_ms);
  }
  if (!s.open) return;
  flush(i);
  // Bytes in, one request at a time: nothing more is read while a reply is queued (the
  // client's own flow control then stops a flood at the socket's buffer).
  while (s.open && !s.pending() && !s.closing) {
    if (s.rx_len < kRxSize) {
      const std::size_t k = sockets_.recv(sk, s.rx + s.rx_len, kRxSize - s.rx_len);
      if (k > 0) s.last_rx_ms = now_ms;
      s.rx_len += k;
    }
    if (s.rx_len == 0) break;
    const std::size_t used = on_bytes(i, s.rx, s.rx_len, now_ms);
    if (!s.open) return;
    if (used == 0 && !s.pending()) break;  // the protocol needs what is not there yet
    std::memmove(s.rx, s.rx + used, s.rx_len - used);
    s.rx_len -= used;
    flush(i);
  }
  if (!s.open) return;
  const bool partial = in_request(i);
  if (partial && !s.in_request) s.request_since_ms = now_ms;
  s.in_request = partial;
  st = sockets_.state(sk);
  if (s.closing && !s.pending()) {
    sockets_.close(sk);  // FIN after the queued data
    s.open = false;
    return;
  }
  if (st == State::CloseWait && !s.pending() && s.rx_len == 0 && sockets_.rx_avail(sk) == 0) {
    sockets_.close(sk);  // the client is done
    s.open = false;
    return;
  }
  if (s.in_request && now_ms - s.request_since_ms > cfg_.request_ms) {
    drop(i, "request-timeout");
  } else if (s.pending() && now_ms - s.tx_since_ms > cfg_.request_ms) {
    drop(i, "send-timeout");  // a reader too slow to take one reply would hold its buffers
  } else if (now_ms - s.last_rx_ms > cfg_.idle_ms) {
    drop(i, "idle");
  }
}

}  // namespace lmc::api
