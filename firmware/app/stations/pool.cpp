#include "app/stations/pool.h"

namespace lmc::stations {

void Pool::configure(Sockets& s, const int* sockets, int n, Log* log) {
  so_ = &s;
  log_ = log;
  n_ = n > kMaxSockets ? kMaxSockets : (n < 0 ? 0 : n);
  for (int i = 0; i < n_; ++i) slot_[i] = Slot{sockets[i], -1, Use::Free, 0};
  for (int& h : holder_) h = 0;
  planned_count_ = -1;
}

// Who keeps a persistent connection: everyone when there are enough sockets; otherwise the
// single-client stations first, up to one socket short of all (one stays for the rest).
void Pool::plan(const Driver* drivers, int count) {
  planned_count_ = count;
  for (bool& p : persistent_) p = false;
  int modbus = 0;  // cloud stations (Zaptec) need no socket of the pool
  for (int i = 0; i < count; ++i) modbus += drivers[i].cloud() ? 0 : 1;
  if (modbus <= n_) {
    for (int i = 0; i < count; ++i) persistent_[i] = !drivers[i].cloud();
    return;
  }
  int left = n_ - 1;
  for (int i = 0; i < count && left > 0; ++i)
    if (drivers[i].configured() && drivers[i].profile().single_client) {
      persistent_[i] = true;
      --left;
    }
  if (log_)
    log_->event("station", "sockets")
        .kv("stations", modbus)
        .kv("sockets", n_)
        .kv("persistent", n_ - 1 - left)
        .kv("per_cycle", modbus - (n_ - 1 - left));
}

void Pool::release(Slot& sl, Driver* drivers, std::uint64_t now_ms, bool by_pool) {
  if (sl.owner >= 0) {
    drivers[sl.owner].on_closed(now_ms, by_pool);
    holder_[sl.owner] = 0;
  }
  sl.owner = -1;
  sl.use = Use::Free;
}

void Pool::reset(Driver* drivers, int count, std::uint64_t now_ms) {
  for (int k = 0; k < n_; ++k) {
    Slot& sl = slot_[k];
    if (sl.use == Use::Free) continue;
    so_->abort(sl.socket);
    so_->take_events(sl.socket);
    if (sl.owner >= count) sl.owner = -1;
    release(sl, drivers, now_ms, false);
  }
  planned_count_ = -1;
}

void Pool::service(Driver* drivers, const Endpoint* peers, int count, std::uint64_t now_ms) {
  if (!so_ || n_ == 0) return;
  if (planned_count_ != count) plan(drivers, count);
  std::uint8_t buf[modbus::kMaxAduSize];
  for (int k = 0; k < n_; ++k) {
    Slot& sl = slot_[k];
    if (sl.use == Use::Free) continue;
    const int s = sl.socket;
    const std::uint32_t ev = so_->take_events(s);
    const Sockets::State st = so_->state(s);
    if (sl.use != Use::Closing && (sl.owner < 0 || sl.owner >= count)) {  // its station was removed
      so_->abort(s);
      sl.owner = -1;
      sl.use = Use::Free;
      continue;
    }
    switch (sl.use) {
      case Use::Free: break;
      case Use::Connecting:
        if ((ev & Sockets::kConnected) || st == Sockets::State::Established) {
          sl.use = Use::Up;
          drivers[sl.owner].on_connected(now_ms);
        } else if ((ev & (Sockets::kError | Sockets::kClosed)) || st == Sockets::State::Closed) {
          const int err = static_cast<int>(so_->error(s));
          so_->abort(s);
          drivers[sl.owner].on_connect_failed(now_ms, err);
          holder_[sl.owner] = 0;
          sl.owner = -1;
          sl.use = Use::Free;
        }
        break;
      case Use::Up: {
        Driver& d = drivers[sl.owner];
        // Everything that arrived first, even when the peer closed right after it.
        std::size_t got;
        bool garbage = false;
        while (!garbage && (got = so_->recv(s, buf, sizeof buf)) > 0)
          if (!d.on_rx(buf, got, now_ms)) garbage = true;
        if (garbage || d.wants_close()) {
          so_->abort(s);
          release(sl, drivers, now_ms, false);
        } else if ((ev & (Sockets::kClosed | Sockets::kError)) || st != Sockets::State::Established) {
          so_->abort(s);
          release(sl, drivers, now_ms, false);
        } else if (!persistent_[sl.owner] && !d.busy()) {
          so_->close(s);  // per-cycle connection: this cycle's work is done
          d.on_closed(now_ms, true);
          holder_[sl.owner] = 0;
          sl.owner = -1;
          sl.use = Use::Closing;
          sl.since = now_ms;
        }
        break;
      }
      case Use::Closing:
        if (st == Sockets::State::Closed || now_ms - sl.since >= kCloseWaitMs) {
          if (st != Sockets::State::Closed) so_->abort(s);
          sl.use = Use::Free;
        }
        break;
    }
  }
  // Time-outs, then the requests now due.
  for (int i = 0; i < count; ++i) drivers[i].tick(now_ms);
  for (int k = 0; k < n_; ++k) {
    Slot& sl = slot_[k];
    if (sl.use != Use::Up) continue;
    Driver& d = drivers[sl.owner];
    if (d.wants_close()) {
      so_->abort(sl.socket);
      release(sl, drivers, now_ms, false);
      continue;
    }
    if (so_->tx_free(sl.socket) < modbus::kMaxAduSize) continue;
    const std::size_t len = d.next_request(buf, sizeof buf, now_ms);
    if (len > 0) so_->send(sl.socket, buf, len);
  }
  // Free sockets to the drivers that want a connection: persistent ones first, then round robin.
  for (int pass = 0; pass < 2; ++pass) {
    for (int j = 0; j < count; ++j) {
      const int i = pass == 0 ? j : (rr_ + j) % count;
      if (holder_[i] != 0 || (pass == 0) != persistent_[i]) continue;
      if (!drivers[i].wants_connection(now_ms, persistent_[i])) continue;
      int k = 0;
      while (k < n_ && slot_[k].use != Use::Free) ++k;
      if (k == n_) break;
      Slot& sl = slot_[k];
      sl.owner = i;
      sl.use = Use::Connecting;
      sl.since = now_ms;
      holder_[i] = k + 1;
      ++connects_;
      drivers[i].on_connecting(now_ms);
      so_->take_events(sl.socket);
      so_->tcp_connect(sl.socket, peers[i], kConnectTimeoutMs);
      if (pass == 1) rr_ = (i + 1) % count;
    }
  }
}

}  // namespace lmc::stations
