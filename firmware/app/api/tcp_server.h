// A listening TCP service over the network controller's sockets (WIZnet style: one socket per
// concurrent client, app/socket_plan.h). Owns the socket life cycle the protocols share:
// listen while enabled, accept, read, queue replies (drained as the send buffer frees), close
// on the peer's FIN, and the defences every server needs (issue 14 "bad input"):
//   - a request that stays incomplete longer than request_ms is cut (slowloris),
//   - a connection silent for idle_ms is cut (half-open peers, idle hogs),
//   - a reply the peer does not take within request_ms is cut (slow readers hold no memory),
//   - a reply of more pieces than a connection can hold closes it (never a truncated reply).
// RAM: a connection owns only a small read-ahead; a reply is not copied but queued as
// references (a Modbus session's reply, the HTTP services' shared buffers, pages in flash) and
// pushed straight into the controller's 4 KiB socket send buffer (docs/mcu-netc.md).
// The protocol (Modbus, HTTP) derives and consumes bytes. Fixed capacities, no heap.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/core/log.h"
#include "app/ports.h"

namespace lmc::api {

class TcpServer {
 public:
  // Connections per service: the socket plan gives each server two sockets (RAM: each slot
  // holds its read-ahead; the protocol keeps its own partial request).
  static constexpr int kMaxSlots = 2;
  static constexpr std::size_t kRxSize = 128;  // bytes read ahead of the protocol
  static constexpr int kMaxPieces = 2;         // reply pieces queued per connection (head, body)

  struct Config {
    std::uint16_t port = 0;
    std::uint32_t request_ms = 5000;  // slowloris: a request must complete within this
    std::uint32_t idle_ms = 120000;   // no byte at all for this long: cut
  };

  TcpServer(Sockets& sockets, const int* socks, int n, Log& log, const char* area);
  void configure(const Config& c) { cfg_ = c; }
  // Listens while enabled (CFG-11 feature flags); disabling closes every connection.
  void set_enabled(bool on);
  bool enabled() const { return enabled_; }
  // Loop poller body: socket events, bytes in and out, timeouts.
  void poll(std::uint64_t now_ms);

  int open_connections() const;
  std::uint32_t accepted() const { return accepted_; }
  std::uint32_t cut() const { return cut_; }  // connections closed by a defence

 protected:
  ~TcpServer() = default;
  // A client connected on slot.
  virtual void on_open(int slot, std::uint64_t now_ms) = 0;
  // Bytes of the stream: returns how many were consumed. May stop early after queueing a
  // reply, or take none while it cannot answer yet (HTTP: the shared buffers are busy); the
  // rest is offered again on a later pass.
  virtual std::size_t on_bytes(int slot, const char* data, std::size_t n, std::uint64_t now_ms) = 0;
  // A request is partly received (the slowloris clock runs).
  virtual bool in_request(int slot) const = 0;

  // Queues reply bytes by reference, without a copy: they must stay unchanged until sent
  // (sending(slot) false). No more bytes are offered to on_bytes() meanwhile. False (and the
  // connection is cut) when more than kMaxPieces are queued.
  bool queue(int slot, const char* data, std::size_t n);
  // Reply bytes of slot still wait for the peer.
  bool sending(int slot) const;
  // Some of them lie in [begin, begin + n) (an owner of shared buffers asks).
  bool sending_from(int slot, const char* begin, std::size_t n) const;
  // Closes the connection once the queued bytes have left (HTTP errors, Connection: close).
  void close_when_sent(int slot);
  Log& log() { return log_; }

 private:
  struct Slot {
    bool open = false;
    bool closing = false;
    std::uint64_t last_rx_ms = 0;
    bool in_request = false;
    std::uint64_t request_since_ms = 0;  // when the partial request began
    std::uint64_t tx_since_ms = 0;       // when the queued reply began to wait
    struct Piece {
      const char* p = nullptr;
      std::size_t n = 0;
    };
    Piece tx[kMaxPieces];  // queued reply, in order; empty pieces are done
    char rx[kRxSize];
    std::size_t rx_len = 0;
    bool pending() const {
      for (const Piece& x : tx)
        if (x.n > 0) return true;
      return false;
    }
  };
  void service(int i, std::uint64_t now_ms);
  void drop(int i, const char* why);
  void flush(int i);

  Sockets& sockets_;
  int socks_[kMaxSlots] = {};
  int n_ = 0;
  Log& log_;
  const char* area_;
  Config cfg_{};
  bool enabled_ = false;
  std::uint64_t now_ms_ = 0;  // of the current poll
  Slot slot_[kMaxSlots];
  std::uint32_t accepted_ = 0;
  std::uint32_t cut_ = 0;
};

}  // namespace lmc::api
